FROM ubuntu:24.04
ARG TARGETARCH
ARG TARGETPLATFORM
RUN if [ "$TARGETARCH" = "amd64" ]; then \
      URL=https://example.com/bin/tool-x86_64; \
    elif [ "$TARGETARCH" = "arm64" ]; then \
      URL=https://example.com/bin/tool-aarch64; \
    else \
      echo "no build for $TARGETPLATFORM" && exit 1; \
    fi \
 && curl -fsSLo /usr/local/bin/tool "$URL"
RUN [ "$TARGETARCH" = arm64 ] && LIB=aarch64-linux-gnu || LIB=x86_64-linux-gnu; \
    ln -s "/usr/lib/$LIB" /usr/lib/native
RUN dpkgArch="$(dpkg --print-architecture)"; \
    case "${dpkgArch##*-}" in \
      amd64) sha=aaaa; file=tool_amd64.deb ;; \
      arm64) sha=bbbb; file=tool_arm64.deb ;; \
    esac; \
    echo "$sha $file"
RUN ARCH=$(uname -m) && curl -fsSL "https://example.com/$ARCH/agent" -o /agent \
 && case "$ARCH" in x86_64) echo intel ;; aarch64) echo arm ;; esac
RUN NODE_ARCH=$(echo "$TARGETARCH" | sed -e 's/amd64/x64/' -e 's/arm$/armv7l/') \
 && curl -fsSL "https://example.com/node-v20-linux-${NODE_ARCH}.tar.xz" | tar -xJ
RUN for arch in amd64 arm64; do echo "supported: $arch"; done
RUN echo "amd64:x86_64 arm64:aarch64" > /etc/arch-map
