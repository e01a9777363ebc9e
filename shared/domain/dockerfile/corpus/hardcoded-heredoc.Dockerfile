FROM alpine:3.20
RUN <<EOF
set -e
# grab the static x86_64 binary
wget -O /usr/local/bin/tool https://example.com/tool-linux-x86_64
chmod +x /usr/local/bin/tool
EOF
COPY <<EOF /etc/apt/sources.list.d/extra.list
# amd64 only mirror (a comment)
deb [arch=amd64] https://mirror.example.com/debian bookworm main
EOF
RUN <<EOF cat > /etc/profile.d/arch.sh && apk add --no-cache curl
export TOOL_ARCH=aarch64
EOF
