FROM debian:bookworm-slim
ARG TARGETARCH
RUN curl -fsSL -o /usr/local/bin/yq https://example.com/yq/releases/v4.44.1/yq_linux_amd64 \
 && chmod +x /usr/local/bin/yq
RUN apt-get update \
# fetch the x86_64 build (a comment inside a continuation is not part of the command)
 && apt-get install -y curl \
 && curl -fsSL https://example.com/tool-x86_64-unknown-linux-gnu.tar.gz | tar -xz
ENV ARCH=amd64 PATH=/opt/tool/bin:$PATH
ENV PLATFORM_ARCH=${TARGETARCH}
ADD https://example.com/releases/agent-linux-aarch64.tar.gz /opt/
COPY dist/linux-arm64/app /usr/local/bin/app
COPY dist/${TARGETARCH}/worker /usr/local/bin/worker
RUN echo "building for $TARGETARCH" # amd64 only in a shell comment
RUN ["/bin/sh", "-c", "curl -fsSL -o /usr/local/bin/jq https://example.com/jq-linux-arm64"]
CMD ["echo", "x86_64"]
