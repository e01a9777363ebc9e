ARG REGISTRY=docker.io
ARG BASE_IMAGE=${REGISTRY}/library/alpine
ARG ALPINE_TAG=3.20
ARG GO_VERSION

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION:-1.22}-alpine AS build
ARG TARGETOS TARGETARCH
RUN --mount=type=bind,from=busybox:1.36,source=/bin/busybox,target=/bb /bb true
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .

FROM ${BASE_IMAGE}:${ALPINE_TAG} AS base
RUN apk add --no-cache ca-certificates

FROM base AS runtime-amd64
FROM base AS runtime-arm64
FROM runtime-${TARGETARCH} AS runtime

FROM scratch AS unused-tools
COPY --from=nginx:1.27 /etc/nginx/nginx.conf /nginx.conf

FROM runtime
COPY --from=build /out/app /app
COPY --from=quay.example.com/example/helper:2 /helper /usr/local/bin/helper
