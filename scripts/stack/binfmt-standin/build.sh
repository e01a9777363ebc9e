#!/usr/bin/env bash
# Build the local stand-in for the tonistiigi/binfmt installer image (tag: multiarch-studio/binfmt-standin:1).
# FROM scratch: a static busybox, the entrypoint `binfmt` beside this script, the host's static QEMU binaries
# (qemu-user >= 9.1's /usr/bin/qemu-<name>, or qemu-user-static's /usr/bin/qemu-<name>-static) as /usr/bin/qemu-<name>,
# the magic/mask of each format from binfmt-support's format files (/usr/share/binfmts), and one busybox per foreign
# architecture (from the stack's rootfs folders) used to test which platforms can run.
# Rebuilt only when one of these inputs changed (label org.multiarch-studio.stack.binfmt-standin).
#
# Usage: build.sh [--force]     needs: dockerd running, static QEMU binaries installed, $STACK_DIR/rootfs/rootfs-*
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=${STACK_LOG_TAG:-stack:binfmt-standin}
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR

FORCE=0
[ "${1:-}" = --force ] && FORCE=1
ROOTFS=$STACK_DIR/rootfs
OUT=$STACK_DIR/binfmt-standin
IMAGE=${BINFMT_STANDIN_IMAGE:-$BINFMT_IMAGE}

# architecture (Go name) -> Debian's qemu name; same set as the real image
QEMU_NAMES="amd64:x86_64 arm64:aarch64 arm:arm s390x:s390x ppc64le:ppc64le riscv64:riscv64 386:i386 mips64le:mips64el mips64:mips64 loong64:loongarch64"
# architecture -> rootfs folder whose busybox is the probe binary
PROBE_DIRS="arm64:arm64 arm:armv7 riscv64:riscv64 ppc64le:ppc64le s390x:s390x 386:386"

[ -x "$ROOTFS/rootfs-amd64/bin/busybox" ] || die "missing $ROOTFS/rootfs-amd64/bin/busybox" "run scripts/stack/setup.sh first"
docker_ping || die "dockerd is not answering on $DOCKER_SOCK" "start it: scripts/stack/dockerd.sh start"

# the static QEMU binary for Debian's qemu name: qemu-user-static's qemu-<q>-static, or qemu-user's qemu-<q> (>= 9.1)
qemu_binary() {
  if [ -x "/usr/bin/qemu-$1-static" ]; then echo "/usr/bin/qemu-$1-static"
  elif pkg_at_least qemu-user 1:9.1 && [ -x "/usr/bin/qemu-$1" ]; then echo "/usr/bin/qemu-$1"
  else return 1; fi
}

# up-to-date check from the inputs (cheap: the large QEMU binaries by size and mtime, the rest by content)
key() {
  local pair q d
  sha256sum <"$HERE/binfmt"
  sha256sum <"$HERE/build.sh"
  for pair in $QEMU_NAMES; do
    q=${pair#*:}
    stat -c "qemu-$q %n %s %Y" "$(qemu_binary "$q" || echo none)" 2>/dev/null || echo "qemu-$q none"
    { sha256sum <"/usr/share/binfmts/qemu-$q"; } 2>/dev/null || echo "format-$q none"
  done
  for pair in amd64:amd64 $PROBE_DIRS; do
    d=${pair#*:}
    sha256sum <"$ROOTFS/rootfs-$d/bin/busybox" 2>/dev/null || echo "rootfs-$d none"
  done
}
sum=$(key | sha256sum | cut -c1-16)
have=$(docker image inspect -f '{{ index .Config.Labels "org.multiarch-studio.stack.binfmt-standin" }}' "$IMAGE" 2>/dev/null || true)
if [ "$FORCE" = 0 ] && [ "$have" = "$sum" ]; then
  log "image $IMAGE is up to date"
  exit 0
fi

c=$OUT/ctx
rm -rf "$OUT"
mkdir -p "$c"/{bin,usr/bin,etc/binfmt-standin,usr/libexec/binfmt-standin,tmp,proc}
chmod 1777 "$c/tmp"
cp "$ROOTFS/rootfs-amd64/bin/busybox" "$c/bin/busybox"
install -m 0755 "$HERE/binfmt" "$c/usr/bin/binfmt"
for pair in $QEMU_NAMES; do
  arch=${pair%%:*} q=${pair#*:}
  bin=$(qemu_binary "$q") || { warn "no static QEMU binary for $q: $arch cannot be installed by the stand-in"; continue; }
  format=/usr/share/binfmts/qemu-$q
  if [ -r "$format" ]; then
    # binfmt-support format file ("magic \x7f...", "mask \xff...")  ->  "qemu-<q> <magic> <mask>"
    printf '%s %s %s\n' "qemu-$q" "$(sed -n 's/^magic //p' "$format")" "$(sed -n 's/^mask //p' "$format")" >"$c/etc/binfmt-standin/$arch"
  elif [ "$arch" = amd64 ]; then
    # Debian does not register the host's own architectures (amd64, i386): use the usual ELF header magic
    printf '%s %s %s\n' qemu-x86_64 '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00' \
      '\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff' >"$c/etc/binfmt-standin/$arch"
  elif [ "$arch" = 386 ]; then
    printf '%s %s %s\n' qemu-i386 '\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00' \
      '\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff' >"$c/etc/binfmt-standin/$arch"
  else
    warn "no $format: $arch left out"; continue
  fi
  cp "$bin" "$c/usr/bin/qemu-$q"
done
for pair in $PROBE_DIRS; do
  arch=${pair%%:*} d=${pair#*:}
  [ -x "$ROOTFS/rootfs-$d/bin/busybox" ] || continue
  mkdir -p "$c/usr/libexec/binfmt-standin/$arch"
  cp "$ROOTFS/rootfs-$d/bin/busybox" "$c/usr/libexec/binfmt-standin/$arch/busybox"
done
"$(qemu_binary aarch64)" --version | sed -n '1s/^[^ ]* version \([^ ]*\).*/v\1/p' >"$c/etc/binfmt-standin.qemu-version"

cat >"$OUT/Dockerfile" <<EOF
# Offline stand-in for the tonistiigi/binfmt installer image (see scripts/stack/binfmt-standin/binfmt)
FROM scratch
COPY ctx/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/bin:/bin
LABEL org.multiarch-studio.stack.binfmt-standin="$sum" org.opencontainers.image.title="binfmt installer stand-in"
ENTRYPOINT ["/usr/bin/binfmt"]
EOF
docker buildx build --builder default --provenance=false --platform linux/amd64 -q -t "$IMAGE" --load "$OUT" >"$OUT/build.log" 2>&1 \
  || { tail -n 30 "$OUT/build.log" >&2; die "building $IMAGE failed (log: $OUT/build.log)"; }
log "built image $IMAGE"
