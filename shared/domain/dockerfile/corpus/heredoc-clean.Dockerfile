# syntax=docker/dockerfile:1.7
FROM alpine:3.20
ARG TARGETARCH
RUN <<EOF
set -eu
# x86_64 and aarch64 builds exist upstream
case "$TARGETARCH" in
  amd64) ARCH=x86_64 ;;
  arm64) ARCH=aarch64 ;;
  *) echo "unsupported: $TARGETARCH" >&2; exit 1 ;;
esac
wget -O /usr/local/bin/tool "https://example.com/tool-linux-$ARCH"
chmod +x /usr/local/bin/tool
EOF
RUN <<-"SCRIPT" sh
	echo "tabs are stripped from this body"
	echo "target is $TARGETARCH"
	SCRIPT
COPY <<'CONF' /etc/tool.conf
# architecture-independent settings
level = info
CONF
