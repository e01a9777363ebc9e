FROM --platform=$BUILDPLATFORM node:20-alpine AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM --platform=$BUILDPLATFORM nginx:1.27-alpine
COPY --from=build /app/dist /usr/share/nginx/html
