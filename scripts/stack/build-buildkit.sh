#!/usr/bin/env bash
# Build buildkitd + buildctl from Debian's own BuildKit sources and install them to /usr/local/bin, and package them
# as the local image moby/buildkit:buildx-stable-1, so that the buildx docker-container driver works without any
# container registry, and tests can run buildkitd processes for the remote driver.
#
# Sources: the BuildKit tree that $BUILDKIT_SUITE's docker.io source package installs as Go source
# (golang-github-docker-docker-dev, /usr/share/gocode/src/github.com/moby/buildkit, Debian's patches applied), the
# Go library packages of that suite and its Go toolchain (golang-go), all resolved by apt against an empty package
# database and unpacked into a scratch tree (nothing is installed on the host). Two more things come from the same
# source package's upstream tarball: engine/vendor.mod (which BuildKit version this is) and the engine's vendored
# github.com/moby/profiles (Debian packages it nowhere else). buildkitd-debian.patch beside this script leaves out
# the optional parts whose libraries Debian lacks (see the patch's header).
#
# Usage: build-buildkit.sh [--binaries-only | --check]
#   --binaries-only   build/install the binaries only (no Docker needed); skip the image
#   --check           exit 0 if the cached binaries are current (BuildKit >= $BUILDKIT_MIN), 1 if not; change nothing
#
# Cached: the binaries are kept in $STACK_CACHE/buildkit/bin; when they are there and current the Go build is
# skipped. The image is rebuilt only if it is missing or was built from other binaries.
# Needs: root, the Debian mirror, ~4 GB free in $STACK_CACHE while building (the scratch tree is removed afterwards
# unless STACK_KEEP_BUILDKIT_WORK=1), ~3-5 minutes on 2 cores.
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=${STACK_LOG_TAG:-stack:buildkit}
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR

MODE=image
case "${1:-}" in
  --binaries-only) MODE=binaries ;;
  --check) MODE=check ;;
  "") ;;
  *) die "unknown argument: $1" "usage: $0 [--binaries-only | --check]" ;;
esac

BUILDKIT_SUITE=${BUILDKIT_SUITE:-$STACK_SUITE}
# buildx 0.29's docker-container builders and build checks (--call=check) want a current BuildKit
BUILDKIT_MIN=v0.25
BK=$STACK_CACHE/buildkit
BIN=$BK/bin
W=$BK/work
BUSYBOX=${BUSYBOX:-$STACK_DIR/rootfs/rootfs-amd64/bin/busybox}
# Go library packages needed on top of golang-github-docker-docker-dev's dependency closure.
GO_PKGS=(golang-go golang-github-docker-docker-dev
  golang-github-agext-levenshtein-dev golang-github-containerd-accelerated-container-image-dev
  golang-github-coreos-go-systemd-dev golang-github-gofrs-flock-dev golang-github-google-shlex-dev
  golang-github-hashicorp-go-immutable-radix-v2-dev golang-github-package-url-packageurl-go-dev
  golang-github-pkg-profile-dev golang-github-spdx-tools-golang-dev golang-github-tonistiigi-go-archvariant-dev
  golang-github-aws-aws-sdk-go-v2-dev golang-github-tonistiigi-vt100-dev golang-github-dimchansky-utfbom-dev)

binaries_ok() {
  [ -x "$BIN/buildkitd" ] && [ -x "$BIN/buildctl" ] && "$BIN/buildkitd" --version >/dev/null 2>&1 && "$BIN/buildctl" --version >/dev/null 2>&1 || return 1
  # "buildkitd github.com/moby/buildkit v0.25.2+debian-src ..." -> at least BUILDKIT_MIN
  local v
  v=$("$BIN/buildkitd" --version | awk '{print $3}')
  dpkg --compare-versions "${v#v}" ge "${BUILDKIT_MIN#v}"
}

# fetch_verified LIST DIR: LIST has lines "URI FILE ALGO HEX" (ALGO as apt prints it: MD5Sum, SHA256, ...);
# the files are downloaded into DIR and their checksums verified.
fetch_verified() {
  local list=$1 dir=$2 algo tool
  awk '{printf "url = \"%s\"\noutput = \"%s\"\n", $1, $2}' "$list" >"$list.curl"
  (cd "$dir" && curl -fsS --no-progress-meter --retry 3 --max-time 900 --parallel --parallel-max 6 -K "$list.curl") \
    || die "download from $DEBIAN_MIRROR failed" "check that the Debian mirror is reachable, then re-run"
  [ -z "$(awk '$3 !~ /^(MD5Sum|SHA1|SHA256|SHA512)$/' "$list")" ] || die "no usable checksum in $list"
  for algo in MD5Sum SHA1 SHA256 SHA512; do
    case $algo in MD5Sum) tool=md5sum ;; SHA1) tool=sha1sum ;; SHA256) tool=sha256sum ;; SHA512) tool=sha512sum ;; esac
    awk -v a="$algo" '$3 == a {print $4 "  " $2}' "$list" >"$list.$algo"
    [ -s "$list.$algo" ] || continue
    (cd "$dir" && "$tool" --quiet --strict -c "$list.$algo") \
      || die "checksum mismatch for files downloaded from $DEBIAN_MIRROR (list: $list)" "re-run (a mirror may have been mid-sync)"
  done
}

# Debian installs Go modules of major version >= 2 without the /vN suffix of their module path
# (github.com/coreos/go-systemd holds module github.com/coreos/go-systemd/v22); GOPATH mode needs the suffixed path.
module_aliases() { # module_aliases GOCODE_SRC SHIM_SRC
  local src=$1 shim=$2 mod dir path
  while IFS= read -r mod; do
    dir=${mod%/go.mod}
    path=$(awk '$1 == "module" {print $2; exit}' "$mod")
    [ "$path" = "${dir#"$src"/}/${path##*/}" ] && [[ ${path##*/} =~ ^v[0-9]+$ ]] || continue
    [ -e "$src/$path" ] && continue
    mkdir -p "$shim/$(dirname "$path")"
    ln -sfn "$dir" "$shim/$path"
  done < <(find "$src" -maxdepth 5 -name go.mod)
}

build_binaries() {
  local s d ver go f
  rm -rf "$W"
  mkdir -p "$W"/{apt/lists/partial,apt/cache/archives/partial,debs,root,src,gp1/src/github.com/moby,gopath,shim/src,vendor/src,gocache,out} "$BIN"
  need_mirror
  # private apt config: binary + source indices of $BUILDKIT_SUITE, amd64 only, resolved against an EMPTY dpkg
  # status so that --print-uris lists the whole dependency closure (nothing is installed on the host)
  printf 'deb [signed-by=%s] %s %s main\ndeb-src [signed-by=%s] %s %s main\n' \
    "$STACK_KEYRING" "$DEBIAN_MIRROR" "$BUILDKIT_SUITE" "$STACK_KEYRING" "$DEBIAN_MIRROR" "$BUILDKIT_SUITE" >"$W/apt/sources.list"
  : >"$W/apt/empty-status"
  local A=(-oDir::Etc::SourceList="$W/apt/sources.list" -oDir::Etc::SourceParts=/nonexistent
    -oDir::State::Lists="$W/apt/lists" -oDir::Cache="$W/apt/cache" -oDir::Cache::pkgcache= -oDir::Cache::srcpkgcache=
    -oAcquire::Languages=none -oAPT::Architectures::=amd64 -oDir::State::status="$W/apt/empty-status"
    -oAPT::Install-Recommends=0 -oAPT::Sandbox::User=root -oAcquire::Retries=3)

  s=$(now)
  apt-get "${A[@]}" update -qq >"$W/apt-update.log" 2>&1 \
    || { cat "$W/apt-update.log" >&2; die "apt-get update of $BUILDKIT_SUITE (deb + deb-src) failed" "check that $DEBIAN_MIRROR is reachable"; }
  apt-get "${A[@]}" install --print-uris -qq "${GO_PKGS[@]}" >"$W/closure.txt" 2>"$W/closure.err" \
    || { cat "$W/closure.err" >&2; die "cannot resolve the Go packages in $BUILDKIT_SUITE: ${GO_PKGS[*]}" "a package may have been renamed in $BUILDKIT_SUITE; adjust GO_PKGS in $0"; }
  # 'URI' FILE SIZE SHA256:HEX  ->  URI FILE ALGO HEX   (only golang-* packages are needed: sources + toolchain)
  tr -d "'" <"$W/closure.txt" | awk '$1 ~ /\/golang-/ {split($4, h, ":"); print $1, $2, h[1], h[2]}' >"$W/debs.txt"
  [ -s "$W/debs.txt" ] || die "the dependency closure of the Go packages is empty" "inspect $W/closure.txt"
  log "downloading $(wc -l <"$W/debs.txt") Go packages from $BUILDKIT_SUITE"
  fetch_verified "$W/debs.txt" "$W/debs"
  for d in "$W"/debs/*.deb; do dpkg -x "$d" "$W/root"; done
  ln -sfn "$W/root/usr/share/gocode/src" "$W/gopath/src"
  log "Go packages: $(secs "$s" "$(now)")s"

  s=$(now)
  [ -d "$W/root/usr/share/gocode/src/github.com/moby/buildkit/cmd/buildkitd" ] \
    || die "golang-github-docker-docker-dev of $BUILDKIT_SUITE carries no BuildKit sources (github.com/moby/buildkit/cmd/buildkitd)" "BuildKit's sources moved in Debian; adjust $0"
  cp -a "$W/root/usr/share/gocode/src/github.com/moby/buildkit" "$W/gp1/src/github.com/moby/buildkit"
  patch -d "$W/gp1/src/github.com/moby/buildkit" -p1 -N -f --no-backup-if-mismatch <"$HERE/buildkitd-debian.patch" >"$W/patch.log" 2>&1 \
    || { cat "$W/patch.log" >&2; die "buildkitd-debian.patch does not apply to $BUILDKIT_SUITE's BuildKit" "the sources changed; update scripts/stack/buildkitd-debian.patch"; }
  module_aliases "$W/root/usr/share/gocode/src" "$W/shim/src"
  # the upstream tarball of the same source package: BuildKit's version and the engine's vendored moby/profiles
  apt-get "${A[@]}" source --print-uris -qq docker.io >"$W/source.txt" 2>"$W/source.err" \
    || { cat "$W/source.err" >&2; die "cannot find the docker.io source package in $BUILDKIT_SUITE"; }
  tr -d "'" <"$W/source.txt" | awk '$2 ~ /\.orig\.tar\./ {split($4, h, ":"); print $1, $2, h[1], h[2]}' >"$W/src.txt"
  [ -s "$W/src.txt" ] || die "docker.io in $BUILDKIT_SUITE has no upstream tarball listed"
  fetch_verified "$W/src.txt" "$W/src"
  tar -xf "$W/src/$(awk '{print $2}' "$W/src.txt")" -C "$W/src" --wildcards '*/engine/vendor.mod' '*/engine/vendor/github.com/moby/profiles/*'
  ln -sfn "$(ls -d "$W"/src/*/engine/vendor)/github.com" "$W/vendor/src/github.com"
  ver=$(awk '$1 == "github.com/moby/buildkit" {print $2; exit}' "$W"/src/*/engine/vendor.mod)
  [ -n "$ver" ] || die "engine/vendor.mod of docker.io names no github.com/moby/buildkit version"
  log "sources: $(secs "$s" "$(now)")s (BuildKit $ver from $(awk '$2 ~ /^golang-github-docker-docker-dev_/ {print $2}' "$W/debs.txt"))"

  s=$(now)
  go=$(ls -d "$W"/root/usr/lib/go-1.*/bin/go 2>/dev/null | sort -V | tail -n1)
  [ -x "$go" ] || die "no Go toolchain found in the downloaded packages"
  # Search order: the patched BuildKit, /vN aliases, Debian's Go packages, then the engine's vendored leftovers.
  export GOROOT=${go%/bin/go} GOPATH="$W/gp1:$W/shim:$W/gopath:$W/vendor" GO111MODULE=off CGO_ENABLED=0 GOCACHE="$W/gocache" GOTOOLCHAIN=local GOFLAGS="" GOTELEMETRY=off
  local ld="-s -w -X github.com/moby/buildkit/version.Version=$ver+debian-src -X github.com/moby/buildkit/version.Package=github.com/moby/buildkit"
  log "compiling buildkitd and buildctl with $("$go" version | awk '{print $3}') (takes 3-5 minutes on 2 cores)"
  "$go" build -trimpath -ldflags "$ld" -o "$W/out/buildkitd" github.com/moby/buildkit/cmd/buildkitd >"$W/go-build.log" 2>&1 \
    || { tail -n 40 "$W/go-build.log" >&2; die "go build of buildkitd failed (full log: $W/go-build.log)" "a Go package may be missing; add it to GO_PKGS in $0"; }
  "$go" build -trimpath -ldflags "$ld" -o "$W/out/buildctl" github.com/moby/buildkit/cmd/buildctl >>"$W/go-build.log" 2>&1 \
    || { tail -n 40 "$W/go-build.log" >&2; die "go build of buildctl failed (full log: $W/go-build.log)"; }
  log "compile: $(secs "$s" "$(now)")s"

  install -m 0755 "$W/out/buildkitd" "$W/out/buildctl" "$BIN/"
  "$BIN/buildkitd" --version 2>/dev/null >"$BIN/VERSION"
  if [ "${STACK_KEEP_BUILDKIT_WORK:-0}" != 1 ]; then rm -rf "$W"; fi
}

install_binaries() {
  local b
  for b in buildkitd buildctl; do
    if ! cmp -s "$BIN/$b" "/usr/local/bin/$b"; then
      install -m 0755 "$BIN/$b" "/usr/local/bin/$b.new" && mv -f "/usr/local/bin/$b.new" "/usr/local/bin/$b"
      log "installed /usr/local/bin/$b"
    fi
  done
}

build_image() {
  local sum have c runc l
  sum=$(sha256sum "$BIN/buildkitd" "$BIN/buildctl" "$(command -v runc)" | sha256sum | cut -c1-16)
  have=$(docker image inspect -f '{{ index .Config.Labels "org.multiarch-studio.stack.buildkit" }}' "$BUILDKIT_IMAGE" 2>/dev/null || true)
  if [ "$have" = "$sum" ]; then log "image $BUILDKIT_IMAGE is up to date"; return; fi
  [ -x "$BUSYBOX" ] || die "static busybox not found at $BUSYBOX" "run scripts/stack/setup.sh (it builds the rootfs folders first) or set BUSYBOX=/path/to/static/busybox"
  runc=$(command -v runc) || die "runc not found" "install Debian's runc package"
  c=$BK/image/ctx
  rm -rf "$BK/image"
  mkdir -p "$c"/{usr/bin,bin,etc/buildkit,var/lib/buildkit,tmp,lib64,lib/x86_64-linux-gnu,run}
  chmod 1777 "$c/tmp"
  cp "$BIN/buildkitd" "$BIN/buildctl" "$runc" "$c/usr/bin/"
  for l in $(ldd "$runc" | awk '/=>/ {print $3}'); do cp -L "$l" "$c/lib/x86_64-linux-gnu/"; done
  cp -L /lib64/ld-linux-x86-64.so.2 "$c/lib64/"
  cp "$BUSYBOX" "$c/bin/busybox"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$c/etc/passwd"
  printf 'root:x:0:\n' >"$c/etc/group"
  cat >"$BK/image/Dockerfile" <<EOF
# BuildKit daemon image for the buildx docker-container driver, built from Debian sources (no registry needed).
FROM scratch
COPY ctx/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.multiarch-studio.stack.buildkit="$sum" org.opencontainers.image.title="buildkit (Debian sources)" \
  org.opencontainers.image.version="$("$BIN/buildkitd" --version | awk '{print $3}')"
VOLUME /var/lib/buildkit
ENTRYPOINT ["buildkitd"]
EOF
  docker buildx build --builder default --provenance=false --platform linux/amd64 -q -t "$BUILDKIT_IMAGE" --load "$BK/image" >"$BK/image-build.log" 2>&1 \
    || { tail -n 30 "$BK/image-build.log" >&2; die "building the image $BUILDKIT_IMAGE failed (log: $BK/image-build.log)" "is dockerd running? try scripts/stack/dockerd.sh start"; }
  log "built image $BUILDKIT_IMAGE"
}

if [ "$MODE" = check ]; then binaries_ok; exit $?; fi
need_root
T0=$(now)
if binaries_ok; then
  log "buildkitd/buildctl already built: $(cat "$BIN/VERSION" 2>/dev/null)"
else
  [ ! -x "$BIN/buildkitd" ] || log "cached $(cat "$BIN/VERSION" 2>/dev/null || echo 'binaries') older than $BUILDKIT_MIN: building again"
  log "building buildkitd/buildctl from $BUILDKIT_SUITE sources into $BIN"
  build_binaries
  binaries_ok || die "the built binaries do not run or are older than $BUILDKIT_MIN: $(cat "$BIN/VERSION" 2>/dev/null)"
  log "built: $(cat "$BIN/VERSION")"
fi
install_binaries
if [ "$MODE" = image ]; then
  docker_ping || die "dockerd is not answering on $DOCKER_SOCK" "start it with scripts/stack/dockerd.sh start, or use --binaries-only"
  build_image
fi
log "done in $(secs "$T0" "$(now)")s"
