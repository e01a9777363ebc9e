ARG TOOLS_PLATFORM=linux/amd64
FROM --platform=linux/amd64 node:20-alpine AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci && npm run build

FROM --platform=$TOOLS_PLATFORM alpine:3.20 AS tools
RUN apk add --no-cache git

FROM --platform=$TARGETPLATFORM alpine:3.20 AS fine
RUN echo ok

FROM --platform=linux/arm64 nginx:1.27-alpine
COPY --from=assets /app/dist /usr/share/nginx/html
