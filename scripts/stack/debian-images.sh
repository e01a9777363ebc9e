#!/usr/bin/env bash
# Debian bookworm images for the tests, made here from Debian packages with mmdebstrap (no image is pulled):
#   127.0.0.1:5000/stack/debian:bookworm   minbase (apt works: /etc/apt/sources.list names this machine's mirror)
#   127.0.0.1:5000/stack/golang:bookworm   minbase + golang-go + ca-certificates, CGO_ENABLED=0 (no C compiler)
# each for linux/amd64 and linux/arm64 (arm64 is installed under QEMU, so binfmt must be registered).
#
# Usage: debian-images.sh rootfs [--check]   make the root filesystem tarballs in $STACK_CACHE/debian-images (cached:
#                                             only missing or changed ones are made); --check: exit 1 if any is missing
#        debian-images.sh images             build the images FROM scratch from the tarballs into compressed OCI
#                                             archives (cached beside them) and push them with skopeo; when they are
#                                             built already, only push what the registry lacks (it keeps content in
#                                             memory: a restarted one is empty)
#        debian-images.sh platforms          print the platforms (comma-separated)
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=${STACK_LOG_TAG:-stack:debian}
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR
export DOCKER_HOST=unix://$DOCKER_SOCK

SUITE=bookworm
ARCHES=(amd64 arm64)
DIR=$STACK_CACHE/debian-images
CTX=$STACK_DIR/debian-images
declare -A IMAGE_OF=([debian]=$DEBIAN_IMAGE [golang]=$GOLANG_IMAGE)
declare -A INCLUDE_OF=([debian]="" [golang]="golang-go,ca-certificates")
declare -A ENV_OF=([debian]="" [golang]="ENV CGO_ENABLED=0")
# Go's own tests and the precompiled archives of the go command's internals are not needed to compile programs
# (about 170 MB of the 600 MB otherwise).
declare -A EXTRA_OF=([debian]="" [golang]="path-exclude=/usr/lib/go-*/pkg/*/cmd/* path-exclude=/usr/share/go-*/test/* path-exclude=/usr/share/go-*/src/*_test.go path-exclude=/usr/share/go-*/src/*/testdata/*")
# Small images: no documentation, manuals or translations, no package lists (run apt-get update first, as with
# Debian's official images).
SLIM=(--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin')

platforms() { local a out=(); for a in "${ARCHES[@]}"; do out+=("linux/$a"); done; (IFS=,; echo "${out[*]}"); }

# recipe NAME ARCH: what the tarball is made from (a change makes it again); the mirror is not part of it
recipe() { printf '%s\n' "mmdebstrap --variant=minbase $SUITE $2 include=${INCLUDE_OF[$1]} ${EXTRA_OF[$1]}" "${SLIM[@]}" | sha256sum | cut -c1-16; }
tarball() { echo "$DIR/$1-$SUITE-$2.tar"; }
rootfs_current() { [ -s "$(tarball "$1" "$2")" ] && [ "$(cat "$(tarball "$1" "$2").recipe" 2>/dev/null)" = "$(recipe "$1" "$2")" ]; }

make_rootfs() {
  local name a t s opts e extra
  mkdir -p "$DIR"
  exec 8>"$DIR/.lock"
  flock -w 3600 8 || die "another $0 rootfs holds $DIR/.lock"
  need_mirror
  command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed" "apt-get install mmdebstrap arch-test (setup.sh does)"
  for name in debian golang; do
    for a in "${ARCHES[@]}"; do
      t=$(tarball "$name" "$a")
      if rootfs_current "$name" "$a"; then log "$(basename "$t") is cached"; continue; fi
      s=$(now)
      opts=(--variant=minbase --mode=root --format=tar --architectures="$a" "${SLIM[@]}")
      [ -z "${INCLUDE_OF[$name]}" ] || opts+=(--include="${INCLUDE_OF[$name]}")
      read -ra extra <<<"${EXTRA_OF[$name]}" # no glob expansion of the patterns
      for e in "${extra[@]}"; do opts+=(--dpkgopt="$e"); done
      log "mmdebstrap $name $SUITE $a$([ "$a" = amd64 ] || echo ' (under QEMU)')"
      mmdebstrap "${opts[@]}" "$SUITE" "$t.tmp" "deb $DEBIAN_MIRROR $SUITE main" "deb $DEBIAN_MIRROR $SUITE-updates main" >"$t.log" 2>&1 \
        || { rm -f "$t.tmp"; tail -n 20 "$t.log" >&2; die "mmdebstrap of $name for $a failed (log: $t.log)" "for a foreign architecture, check binfmt: scripts/stack/restore-binfmt.sh --check"; }
      mv "$t.tmp" "$t"
      recipe "$name" "$a" >"$t.recipe"
      log "$(basename "$t" .tar): $(secs "$s" "$(now)")s ($(du -m "$t" | cut -f1) MB)"
    done
  done
}

# image_key NAME: the image label that says which tarballs and Dockerfile it was built from
image_key() { { cat "$CTX/$1/Dockerfile"; local a; for a in "${ARCHES[@]}"; do cat "$(tarball "$1" "$a").recipe"; stat -c '%s %Y' "$(tarball "$1" "$a")"; done; } | sha256sum | cut -c1-16; }

# The image as a compressed OCI archive beside the root filesystems ($DIR/<name>-bookworm.oci.tar, with .key and
# .digest files): built once, then pushed from there with skopeo (digests kept) whenever the registry lacks it.
archive() { echo "$DIR/$1-$SUITE.oci.tar"; }

build_image() {
  local name=$1 image=${IMAGE_OF[$1]} a key oci reg repo tag s built=0
  repo=${image#"$REGISTRY_ADDR"/}; tag=${repo##*:}; repo=${repo%:*}
  oci=$(archive "$name")
  mkdir -p "$CTX/$name"
  for a in "${ARCHES[@]}"; do
    rootfs_current "$name" "$a" || die "$(tarball "$name" "$a") is missing" "run $0 rootfs"
    # the build context: hard links to the cached tarballs (a copy when the cache is on another file system)
    ln -f "$(tarball "$name" "$a")" "$CTX/$name/rootfs-$a.tar" 2>/dev/null || cp "$(tarball "$name" "$a")" "$CTX/$name/rootfs-$a.tar"
  done
  cat >"$CTX/$name/Dockerfile" <<DOCKERFILE
# Debian $SUITE ($name) for the Multiarch Studio test stack: a root filesystem made by mmdebstrap, one per platform.
FROM scratch
ARG TARGETARCH
ADD rootfs-\${TARGETARCH}.tar /
ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
${ENV_OF[$name]}
CMD ["bash"]
DOCKERFILE
  key=$(image_key "$name")
  reg=$(registry_digest "$repo" "$tag")
  if [ "$(cat "$oci.key" 2>/dev/null)" = "$key" ] && [ -n "$reg" ] && [ "$reg" = "$(cat "$oci.digest")" ]; then
    log "$image is up to date in the registry ($reg)"
    return
  fi
  s=$(now)
  if [ "$(cat "$oci.key" 2>/dev/null)" != "$key" ]; then
    log "building $image for $(platforms) into $(basename "$oci")"
    docker buildx build --builder default --provenance=false --platform "$(platforms)" --label "org.multiarch-studio.stack.debian=$key" \
      --output "type=oci,dest=$oci.tmp" "$CTX/$name" >"$LOGS/debian-image-$name.log" 2>&1 \
      || { rm -f "$oci.tmp"; tail -n 30 "$LOGS/debian-image-$name.log" >&2; die "building $image failed (log: $LOGS/debian-image-$name.log)"; }
    # index.json of the archive names the image index, which is what the registry's tag will point to
    tar -xOf "$oci.tmp" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])' >"$oci.digest"
    mv "$oci.tmp" "$oci"
    echo "$key" >"$oci.key"
    built=1
  fi
  log "pushing $image from $(basename "$oci") ($(du -m "$oci" | cut -f1) MB)"
  skopeo copy --all --preserve-digests --dest-tls-verify=false --quiet "oci-archive:$oci" "docker://$image" >>"$LOGS/debian-image-$name.log" 2>&1 \
    || { tail -n 20 "$LOGS/debian-image-$name.log" >&2; die "pushing $image from $oci failed (log: $LOGS/debian-image-$name.log)"; }
  reg=$(registry_digest "$repo" "$tag")
  [ "$reg" = "$(cat "$oci.digest")" ] || die "$image in the registry is ${reg:-missing}, expected $(cat "$oci.digest")"
  [ "$built" = 0 ] || check_image "$name"
  log "$image: $(secs "$s" "$(now)")s"
}

# check_image NAME: each platform runs (uname -m); golang compiles for the other platform; apt reaches the mirror
check_image() {
  local name=$1 image=${IMAGE_OF[$1]} a out want
  for a in "${ARCHES[@]}"; do
    want=$(expected_uname "linux/$a")
    # stdout only: on a fresh engine docker run pulls first and says so on stderr
    out=$(docker run --rm --network none --platform "linux/$a" "$image" uname -m 2>"$LOGS/check-$name.err") \
      || die "docker run --platform linux/$a $image failed: $out $(tail -n 5 "$LOGS/check-$name.err")"
    [ "$out" = "$want" ] || die "$image for linux/$a prints '$out' for uname -m, expected '$want'"
  done
  case "$name" in
    debian)
      out=$(docker run --rm --platform linux/amd64 "$image" apt-get update 2>&1) \
        || die "apt-get update in $image cannot reach the mirror: $(printf '%s' "$out" | tail -n 3)" "containers need a route to $DEBIAN_MIRROR (dockerd's bridge network and iptables)"
      log "apt-get update works in $image" ;;
    golang)
      out=$(docker run --rm --network none --platform linux/amd64 -e GOARCH=arm64 -e GOCACHE=/tmp/go-cache "$image" \
        sh -c 'printf "package main\nfunc main() { println(\"ok\") }\n" >/tmp/m.go && go build -o /tmp/m /tmp/m.go && head -c 20 /tmp/m | od -An -tx1 | tr -d " \n"' 2>"$LOGS/check-$name.err") \
        || die "go build in $image failed: $out $(tail -n 5 "$LOGS/check-$name.err")"
      # a 64-bit little-endian ELF file (7f 45 4c 46 02 01) whose e_machine (bytes 18-19) is aarch64 (b7 00)
      [ "${out:0:12}" = 7f454c460201 ] && [ "${out:36:4}" = b700 ] \
        || die "GOARCH=arm64 go build in $image did not make an arm64 executable (ELF header $out)"
      log "$image cross-compiles for arm64 ($(docker run --rm --network none --platform linux/amd64 "$image" go version))" ;;
  esac
}

case "${1:-}" in
  rootfs)
    if [ "${2:-}" = --check ]; then
      for n in debian golang; do for a in "${ARCHES[@]}"; do rootfs_current "$n" "$a" || exit 1; done; done
      exit 0
    fi
    need_root; make_rootfs ;;
  images)
    need_root
    docker_ping || die "dockerd is not answering on $DOCKER_SOCK"
    command -v skopeo >/dev/null || die "skopeo is not installed" "apt-get install skopeo (setup.sh does)"
    build_image debian
    build_image golang ;;
  platforms) platforms ;;
  *) die "usage: $0 rootfs [--check] | images | platforms" ;;
esac
