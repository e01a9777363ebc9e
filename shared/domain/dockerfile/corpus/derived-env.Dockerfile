FROM golang:1.22-alpine AS tools
ARG TARGETARCH
ENV ARCH=${TARGETARCH}
RUN case "$ARCH" in amd64) T=x86_64 ;; arm64) T=aarch64 ;; esac \
 && wget "https://example.com/protoc-linux-$T.zip"
ENV GOARCH=$TARGETARCH CGO_ENABLED=0
RUN echo "GOARCH is $GOARCH"
