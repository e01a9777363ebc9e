FROM debian:bookworm-slim
ARG TARGETARCH
ARG TOOL_VERSION=2.4.1
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Upstream publishes x86_64 and aarch64 archives: map the Docker spelling onto theirs.
RUN set -eux; \
    case "${TARGETARCH}" in \
      amd64) arch=x86_64 ;; \
      arm64) arch=aarch64 ;; \
      arm)   arch=armv7l ;; \
      *) echo "unsupported architecture: ${TARGETARCH}" >&2; exit 1 ;; \
    esac; \
    curl -fsSL "https://downloads.example.com/tool/${TOOL_VERSION}/tool-linux-${arch}.tar.gz" \
      | tar -xz -C /usr/local/bin
# This one already uses Docker's names (amd64, arm64), so TARGETARCH goes straight in.
RUN curl -fsSL -o /usr/local/bin/kubectl \
      "https://dl.example.com/release/v1.30.2/bin/linux/${TARGETARCH}/kubectl" \
 && chmod +x /usr/local/bin/kubectl
ADD https://example.com/releases/helper-linux-${TARGETARCH}.tar.gz /tmp/
CMD ["tool", "--help"]
