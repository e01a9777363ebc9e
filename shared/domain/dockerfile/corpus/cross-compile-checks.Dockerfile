FROM --platform=$BUILDPLATFORM golang:1.22 AS naive
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM --platform=$BUILDPLATFORM registry.example.com/cross/xx:1.4 AS xx
FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS withxx
COPY --from=xx / /
ARG TARGETPLATFORM
RUN xx-go build -o /out/app . && xx-verify /out/app

FROM --platform=$BUILDPLATFORM rust:1.79 AS rs
ARG TARGETARCH
RUN case "$TARGETARCH" in amd64) echo x86_64-unknown-linux-gnu ;; arm64) echo aarch64-unknown-linux-gnu ;; esac > /rust_target
RUN rustup target add "$(cat /rust_target)" \
 && cargo build --release --target "$(cat /rust_target)"

FROM --platform=$BUILDPLATFORM rust:1.79 AS rs-naive
RUN cargo build --release

FROM --platform=$BUILDPLATFORM debian:bookworm AS toolchains
ARG TARGETARCH
RUN dpkg --add-architecture arm64 && apt-get update \
 && apt-get install -y gcc-aarch64-linux-gnu crossbuild-essential-arm64 libssl-dev:arm64
RUN rustup target add aarch64-unknown-linux-gnu

FROM alpine:3.20
COPY --from=withxx /out/app /app
