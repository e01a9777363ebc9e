#!/usr/bin/env bash
# Multiarch Studio test stack: a real Docker multi-architecture build environment on Debian 12 (amd64, root)
# that needs no container registry on the internet, only Debian's package mirrors.
#
# Idempotent: a re-run checks each part and only redoes what is missing (seconds).
#
# What it installs and starts:
#   * Debian 12 packages: qemu-user-static, binfmt-support, docker-registry, runc, chromium (for e2e tests), ...
#   * Docker Engine 26, containerd, docker-cli and docker-buildx from Debian $STACK_SUITE through a private apt
#     configuration (the system's apt sources are not changed); bookworm's runc is kept
#   * /etc/docker/daemon.json with the containerd image store (features.containerd-snapshotter=true) and
#     registry.mas-test.invalid:5000 as an insecure registry (a name only the proxy tests' proxy resolves)
#   * dockerd in the background (scripts/stack/dockerd.sh; pid + log in $STACK_DIR)
#   * QEMU emulators in binfmt_misc with the flags P and F (scripts/stack/restore-binfmt.sh)
#   * a local registry (distribution 2.8) on 127.0.0.1:5000, storage in memory (see start_registry)
#   * busybox-static root filesystems per architecture in $STACK_DIR/rootfs/rootfs-<TARGETARCH><TARGETVARIANT>
#     and, built FROM scratch from them, the multi-platform base image 127.0.0.1:5000/stack/busybox:1
#     (pushed to the registry and kept in the engine's image store)
#   * multiarch-studio/binfmt-standin:1, an offline stand-in for the tonistiigi/binfmt installer image
#   * buildkitd/buildctl built from Debian sources (/usr/local/bin) and the local image moby/buildkit:buildx-stable-1
#     for the docker-container buildx driver (scripts/stack/build-buildkit.sh; cached in $STACK_CACHE)
#   * a smoke test (4-platform build + push + `docker run --platform` per platform) and $STACK_DIR/stack.env
#
# Usage: sudo scripts/stack/setup.sh
# Environment: STACK_DIR (default /var/lib/multiarch-studio-stack), STACK_CACHE (default
#   /var/cache/multiarch-studio-stack), DEBIAN_MIRROR, STACK_SUITE (default trixie), SMOKE_TEST=0 to skip the smoke test.
# Stop: scripts/stack/stop.sh      Daemon only: scripts/stack/dockerd.sh start|stop|status
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=stack
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR
export DOCKER_HOST=unix://$DOCKER_SOCK

SMOKE_TEST=${SMOKE_TEST:-1}
SMOKE_PLATFORMS=linux/amd64,linux/arm64,linux/arm/v7,linux/riscv64
SMOKE_IMAGE=$REGISTRY_ADDR/stack/smoke:1
# A registry name only the proxy tests' own proxy knows (it forwards to $REGISTRY_ADDR); insecure in daemon.json.
PROXIED_REGISTRY=registry.mas-test.invalid:5000
BOOKWORM_PKGS=(ca-certificates curl openssl xz-utils patch util-linux iptables runc tini adduser pigz
  qemu-user-static binfmt-support docker-registry chromium fonts-liberation)
SUITE_PKGS=(containerd docker.io docker-cli docker-buildx)
BUSYBOX_ARCHES=(amd64 arm64 armhf armel riscv64 ppc64el s390x i386)
PLATFORM_ORDER=(linux/amd64 linux/arm64 linux/arm/v7 linux/arm/v6 linux/riscv64 linux/ppc64le linux/s390x linux/386)
ROOTFS=$STACK_DIR/rootfs
LOGS=$STACK_DIR/logs
SUITE_APT_DIR=$STACK_CACHE/apt-$STACK_SUITE

T0=$(now)
CREATED_POLICY_RC=0
SYSTEM_APT_UPDATED=0
SUITE_LISTS_READY=0
DOCKER_PKGS_CHANGED=0
DAEMON_JSON_CHANGED=0
BK_PID=""

cleanup() {
  if [ "$CREATED_POLICY_RC" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  if [ -n "$BK_PID" ] && kill -0 "$BK_PID" 2>/dev/null; then
    warn "stopping the background BuildKit build (pid $BK_PID)"
    kill -TERM -- "-$BK_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# ------------------------------------------------------------------------------------------------ helpers
deny_service_starts() { # keep package maintainer scripts from starting docker/containerd/registry services
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from scripts/stack/setup.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    CREATED_POLICY_RC=1
  fi
}
system_apt_update() {
  [ "$SYSTEM_APT_UPDATED" = 1 ] && return 0
  log "apt-get update (system sources)"
  apt-get update -qq >"$LOGS/apt-update.log" 2>&1 || { tail -n 5 "$LOGS/apt-update.log" >&2; warn "apt-get update reported errors (log: $LOGS/apt-update.log); trying to go on"; }
  SYSTEM_APT_UPDATED=1
}
apt_install() { # apt_install ARGS... (packages or ./file.deb)
  deny_service_starts
  if ! apt-get install -y -qq --no-install-recommends "$@" >>"$LOGS/apt-install.log" 2>&1; then
    tail -n 20 "$LOGS/apt-install.log" >&2
    die "apt-get install $* failed (log: $LOGS/apt-install.log)" \
      "read the apt output above; 'apt-get -f install' may repair a half-done install; then re-run $0"
  fi
}
suite_lists() { # private $STACK_SUITE lists for the host and all busybox architectures (only when something is needed)
  [ "$SUITE_LISTS_READY" = 1 ] && return 0
  suite_apt_opts "$SUITE_APT_DIR" amd64 "${BUSYBOX_ARCHES[@]}"
  log "apt-get update ($STACK_SUITE, private lists in $SUITE_APT_DIR)"
  apt-get "${SUITE_APT[@]}" update -qq >"$LOGS/apt-update-$STACK_SUITE.log" 2>&1 || {
    tail -n 10 "$LOGS/apt-update-$STACK_SUITE.log" >&2
    die "apt-get update for $STACK_SUITE failed" "check that $DEBIAN_MIRROR is reachable and $STACK_KEYRING is current (package debian-archive-keyring)"
  }
  SUITE_LISTS_READY=1
}
suite_download() { # suite_download DIR PKG... -> .deb files in DIR (old ones of the same packages removed)
  local d=$1; shift
  mkdir -p "$d"
  suite_lists
  (cd "$d" && apt-get "${SUITE_APT[@]}" download "$@" >"$LOGS/apt-download.log" 2>&1) || {
    tail -n 10 "$LOGS/apt-download.log" >&2
    die "downloading $* from $STACK_SUITE failed" "check that $DEBIAN_MIRROR is reachable; re-run $0"
  }
}

# ------------------------------------------------------------------------------------------------ phases
preflight() {
  need_root
  [ -r /etc/debian_version ] || die "this is not a Debian system" "use Debian 12 (bookworm)"
  case "$(cat /etc/debian_version)" in 12.*) ;; *) warn "made for Debian 12 (bookworm); this is Debian $(cat /etc/debian_version)" ;; esac
  [ "$(dpkg --print-architecture)" = amd64 ] || die "made for amd64 hosts; this is $(dpkg --print-architecture)"
  [ -d "$BINFMT_MNT" ] || die "the kernel has no binfmt_misc support ($BINFMT_MNT missing)" "use a kernel with CONFIG_BINFMT_MISC"
  mkdir -p "$STACK_DIR" "$STACK_CACHE" "$LOGS" "$ROOTFS"
  exec 9>"$STACK_DIR/setup.lock"
  flock -w 1800 9 || die "another setup.sh holds $STACK_DIR/setup.lock" "wait for it to finish"
  local need_kb=2000000 avail
  [ -x "$STACK_CACHE/buildkit/bin/buildkitd" ] || need_kb=4000000
  avail=$(df -Pk "$STACK_CACHE" | awk 'NR==2 {print $4}')
  [ "$avail" -ge "$need_kb" ] || die "only $((avail / 1024)) MiB free in $STACK_CACHE, need $((need_kb / 1024)) MiB" "free disk space or set STACK_CACHE elsewhere"
}

base_packages() {
  local missing=() p
  for p in "${BOOKWORM_PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then log "Debian 12 packages already installed"; return; fi
  # mounted first, so that qemu-user-static's postinst registers its formats right away
  mountpoint -q "$BINFMT_MNT" || mount -t binfmt_misc binfmt_misc "$BINFMT_MNT" 2>/dev/null || true
  system_apt_update
  log "installing ${missing[*]}"
  apt_install "${missing[@]}"
}

buildkit_background() {
  if "$STACK_CACHE/buildkit/bin/buildkitd" --version >/dev/null 2>&1; then log "BuildKit binaries cached in $STACK_CACHE/buildkit/bin"; return; fi
  log "building BuildKit from $STACK_SUITE sources in the background (log: $LOGS/buildkit-build.log)"
  setsid "$HERE/build-buildkit.sh" --binaries-only >"$LOGS/buildkit-build.log" 2>&1 </dev/null 9>&- &
  BK_PID=$!
}

docker_packages() {
  local need=() p v
  for p in "${SUITE_PKGS[@]}"; do
    if ! pkg_installed "$p"; then need+=("$p"); continue; fi
    case "$p" in
      docker.io | docker-cli) v=$(pkg_version "$p"); dpkg --compare-versions "$v" ge 26 || need+=("$p") ;;
    esac
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} from $STACK_SUITE"
    rm -f "$STACK_CACHE"/debs/docker/*.deb
    suite_download "$STACK_CACHE/debs/docker" "${need[@]}"
    system_apt_update
    apt_install "$STACK_CACHE"/debs/docker/*.deb
    DOCKER_PKGS_CHANGED=1
  else
    log "docker.io $(pkg_version docker.io), containerd $(pkg_version containerd), docker-buildx $(pkg_version docker-buildx) already installed"
  fi
  [ -x /usr/libexec/docker/cli-plugins/docker-buildx ] || die "the buildx plugin is missing (/usr/libexec/docker/cli-plugins/docker-buildx)" "reinstall docker-buildx: apt-get install --reinstall docker-buildx"
  command -v dockerd >/dev/null || die "dockerd is missing after installing docker.io"
}

daemon_json() { # the containerd image store, and PROXIED_REGISTRY as insecure (plain HTTP) for the proxy tests
  local f=/etc/docker/daemon.json out
  mkdir -p /etc/docker
  [ -s "$f" ] || echo '{}' >"$f"
  out=$(python3 - "$f" "$PROXIED_REGISTRY" <<'EOF'
import json, os, sys
p, registry = sys.argv[1], sys.argv[2]
d = json.load(open(p))
changed = []
if d.get("features", {}).get("containerd-snapshotter") is not True:
    d.setdefault("features", {})["containerd-snapshotter"] = True
    changed.append("features.containerd-snapshotter=true")
if registry not in d.setdefault("insecure-registries", []):
    d["insecure-registries"].append(registry)
    changed.append("insecure-registries += " + registry)
if changed:
    with open(p + ".new", "w") as fh:
        json.dump(d, fh, indent=2)
        fh.write("\n")
    os.replace(p + ".new", p)
print(", ".join(changed))
EOF
  ) || die "could not update $f (is it valid JSON?)" "fix the file by hand: it needs {\"features\": {\"containerd-snapshotter\": true}, \"insecure-registries\": [\"$PROXIED_REGISTRY\"]}"
  if [ -n "$out" ]; then
    DAEMON_JSON_CHANGED=1
    log "$f: $out"
  else
    log "$f has the containerd image store and $PROXIED_REGISTRY as insecure"
  fi
}

start_dockerd() {
  if { [ "$DOCKER_PKGS_CHANGED" = 1 ] || [ "$DAEMON_JSON_CHANGED" = 1 ]; } && pid_alive "$DOCKERD_PIDFILE" dockerd; then
    log "restarting dockerd (packages or daemon.json changed)"
    "$HERE/dockerd.sh" restart
  else
    "$HERE/dockerd.sh" start
  fi
  log "Docker Engine $(docker_info_json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ServerVersion"])'), containerd image store on"
}

binfmt() {
  "$HERE/restore-binfmt.sh" --quiet
  local n
  for n in qemu-aarch64 qemu-arm qemu-riscv64 qemu-ppc64le qemu-s390x; do
    grep -q '^flags: .*F' "$BINFMT_MNT/$n" && grep -q '^flags: .*P' "$BINFMT_MNT/$n" \
      || die "$n is not registered with the flags P and F" "run scripts/stack/restore-binfmt.sh and read its output"
  done
  log "QEMU emulators registered: $(ls "$BINFMT_MNT" | grep -c '^qemu-') (flags PF)"
}

start_registry() {
  local cfg=$STACK_DIR/registry/config.yml i
  # In-memory storage on purpose: distribution 2.8's filesystem driver rewrites a tag's link file in place, and
  # the engine's multi-platform push sends every platform's manifest to the same tag at once, so a HEAD that
  # reads the half-written file fails with "500 invalid checksum digest format". The in-memory driver locks.
  # A restarted registry is empty; base_image below pushes the base image again when it is missing.
  mkdir -p "$STACK_DIR/registry"
  rm -rf "$STACK_DIR/registry/data" # left by earlier versions of this script
  cat >"$cfg.new" <<EOF
# local registry of the Multiarch Studio test stack (written by scripts/stack/setup.sh)
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  inmemory: {}
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  if cmp -s "$cfg.new" "$cfg"; then rm -f "$cfg.new"; else
    mv "$cfg.new" "$cfg"
    if pid_alive "$REGISTRY_PIDFILE" docker-registry; then stop_pidfile "$REGISTRY_PIDFILE" docker-registry "registry (config changed)"; fi
  fi
  if pid_alive "$REGISTRY_PIDFILE" docker-registry && registry_ping; then
    log "registry already running on $REGISTRY_ADDR (pid $(pid_of "$REGISTRY_PIDFILE"))"
    return
  fi
  rm -f "$REGISTRY_PIDFILE"
  if registry_ping; then
    warn "a registry not started from $STACK_DIR already answers on http://$REGISTRY_ADDR/v2/: using it"
    return
  fi
  printf '\n==== %s registry start\n' "$(date -u +%FT%TZ)" >>"$REGISTRY_LOG"
  setsid /usr/bin/docker-registry serve "$cfg" >>"$REGISTRY_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$REGISTRY_PIDFILE"
  for ((i = 0; i < 100; i++)); do registry_ping && break; sleep 0.1; done
  registry_ping || { tail -n 20 "$REGISTRY_LOG" >&2; die "the registry did not answer on http://$REGISTRY_ADDR/v2/ (log: $REGISTRY_LOG)" "is port 5000 taken? ss -ltnp | grep 5000"; }
  log "registry started on $REGISTRY_ADDR (pid $(pid_of "$REGISTRY_PIDFILE"))"
}

rootfs_folders() {
  local a p d need=() deb tmp
  for a in "${BUSYBOX_ARCHES[@]}"; do
    p=$(deb_to_platform "$a"); d=$ROOTFS/rootfs-$(platform_to_dir "$p")
    [ "$a" = armel ] && [ -e "$STACK_DIR/armv6.skip" ] && continue
    [ -x "$d/bin/busybox" ] && continue
    ls "$STACK_CACHE"/debs/busybox/busybox-static_*_"$a".deb >/dev/null 2>&1 || need+=("busybox-static:$a")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "downloading ${need[*]} from $STACK_SUITE"
    suite_download "$STACK_CACHE/debs/busybox" "${need[@]}"
  fi
  for a in "${BUSYBOX_ARCHES[@]}"; do
    p=$(deb_to_platform "$a"); d=$ROOTFS/rootfs-$(platform_to_dir "$p")
    [ "$a" = armel ] && [ -e "$STACK_DIR/armv6.skip" ] && continue
    [ -x "$d/bin/busybox" ] && continue
    deb=$(ls "$STACK_CACHE"/debs/busybox/busybox-static_*_"$a".deb | sort -V | tail -n1)
    tmp=$(mktemp -d)
    dpkg -x "$deb" "$tmp"
    rm -rf "$d"
    mkdir -p "$d/bin" "$d/etc" "$d/tmp" "$d/root"
    chmod 1777 "$d/tmp"
    if [ -x "$tmp/usr/bin/busybox" ]; then cp "$tmp/usr/bin/busybox" "$d/bin/busybox"; else cp "$tmp/bin/busybox" "$d/bin/busybox"; fi
    rm -rf "$tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$d/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
    log "rootfs-$(platform_to_dir "$p") ($p) from $(basename "$deb")"
  done
  # the build context of the base image; also usable by tests (COPY rootfs-${TARGETARCH}${TARGETVARIANT}/ /)
  cat >"$ROOTFS/Dockerfile" <<'EOF'
# Base image of the Multiarch Studio test stack: busybox-static from Debian, one rootfs per platform.
# No base image is pulled (FROM scratch) and no `# syntax=` line is used (the daemon's built-in frontend).
FROM scratch
ARG TARGETARCH
ARG TARGETVARIANT
COPY rootfs-${TARGETARCH}${TARGETVARIANT}/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/bin/sh"]
EOF
  printf '*\n!rootfs-*\n' >"$ROOTFS/.dockerignore"
}

probe_armv6() { # keep linux/arm/v6 (Debian armel busybox) only if it really runs as --platform linux/arm/v6
  local img=multiarch-studio/stack-probe:armv6 out
  [ -d "$ROOTFS/rootfs-armv6" ] || { log "linux/arm/v6 skipped (see $STACK_DIR/armv6.skip)"; return; }
  [ -e "$STACK_DIR/armv6.ok" ] && { log "linux/arm/v6 works (checked before)"; return; }
  if docker buildx build --builder default --provenance=false --platform linux/arm/v6 -t "$img" --load "$ROOTFS" >"$LOGS/armv6-probe.log" 2>&1 \
    && out=$(docker run --rm --platform linux/arm/v6 "$img" uname -m 2>>"$LOGS/armv6-probe.log") && [ "${out#armv}" != "$out" ]; then
    log "linux/arm/v6 runs (uname -m: $out): keeping rootfs-armv6"
    touch "$STACK_DIR/armv6.ok"
  else
    warn "linux/arm/v6 (Debian armel busybox) does not run (log: $LOGS/armv6-probe.log): leaving arm/v6 out"
    rm -rf "$ROOTFS/rootfs-armv6"
    touch "$STACK_DIR/armv6.skip"
  fi
  docker image rm "$img" >/dev/null 2>&1 || true
}

BASE_PLATFORMS=""
base_image() {
  local p list=() sum have_label have_digest reg_digest
  for p in "${PLATFORM_ORDER[@]}"; do [ -x "$ROOTFS/rootfs-$(platform_to_dir "$p")/bin/busybox" ] && list+=("$p"); done
  BASE_PLATFORMS=$(IFS=,; echo "${list[*]}")
  sum=$( { echo "$BASE_PLATFORMS"; cat "$ROOTFS/Dockerfile"; for p in "${list[@]}"; do sha256sum <"$ROOTFS/rootfs-$(platform_to_dir "$p")/bin/busybox"; done; } | sha256sum | cut -c1-16)
  have_label=$(docker image inspect -f '{{ index .Config.Labels "org.multiarch-studio.stack.base" }}' "$BASE_IMAGE" 2>/dev/null || true)
  have_digest=$(docker image inspect -f '{{ .Id }}' "$BASE_IMAGE" 2>/dev/null || true)
  reg_digest=$(registry_digest stack/busybox 1)
  if [ "$have_label" = "$sum" ] && [ -n "$reg_digest" ] && [ "$have_digest" = "$reg_digest" ]; then
    log "$BASE_IMAGE is up to date locally and in the registry ($BASE_PLATFORMS)"
    return
  fi
  log "building $BASE_IMAGE for $BASE_PLATFORMS"
  docker buildx build --builder default --provenance=false --platform "$BASE_PLATFORMS" \
    --label "org.multiarch-studio.stack.base=$sum" -t "$BASE_IMAGE" --push "$ROOTFS" >"$LOGS/base-image.log" 2>&1 || {
    tail -n 30 "$LOGS/base-image.log" >&2
    die "building/pushing $BASE_IMAGE failed (log: $LOGS/base-image.log)" "check that binfmt is registered (scripts/stack/restore-binfmt.sh) and the registry answers"
  }
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "$BASE_IMAGE was pushed but is not in the local image store"
  reg_digest=$(registry_digest stack/busybox 1)
  [ -n "$reg_digest" ] || die "$BASE_IMAGE is not in the registry after the push"
  log "$BASE_IMAGE: $reg_digest"
}
registry_digest() { # registry_digest REPO TAG -> manifest (list) digest, or nothing
  curl -fsS --max-time 10 -o /dev/null -D - -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REGISTRY_ADDR/v2/$1/manifests/$2" 2>/dev/null | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}' || true
}

binfmt_standin() {
  "$HERE/binfmt-standin/build.sh"
}

buildkit() {
  if [ -n "$BK_PID" ]; then
    log "waiting for the BuildKit build (pid $BK_PID, log: $LOGS/buildkit-build.log)"
    if ! wait "$BK_PID"; then
      BK_PID=""
      tail -n 30 "$LOGS/buildkit-build.log" >&2
      die "building BuildKit from $STACK_SUITE sources failed (log: $LOGS/buildkit-build.log)" "read the log; re-run $0 (downloads are retried)"
    fi
    BK_PID=""
    grep -E '^\[stack:buildkit\] (Go packages|sources|compile|built)' "$LOGS/buildkit-build.log" | sed 's/^/  /' >&2 || true
  fi
  "$HERE/build-buildkit.sh"
}

smoke_test() {
  local d=$STACK_DIR/smoke p out want
  docker buildx version >/dev/null 2>&1 || die "'docker buildx version' fails with $(command -v docker)" "the buildx plugin must be in /usr/libexec/docker/cli-plugins (package docker-buildx)"
  mkdir -p "$d"
  cat >"$d/Dockerfile" <<EOF
FROM $BASE_IMAGE
RUN uname -m > /built-on
CMD ["/bin/sh", "-c", "cat /built-on; uname -m"]
EOF
  docker buildx build --builder default --no-cache --provenance=false --platform "$SMOKE_PLATFORMS" -t "$SMOKE_IMAGE" --push "$d" >"$LOGS/smoke-build.log" 2>&1 || {
    tail -n 30 "$LOGS/smoke-build.log" >&2
    die "smoke test: multi-platform build + push failed (log: $LOGS/smoke-build.log)"
  }
  for p in ${SMOKE_PLATFORMS//,/ }; do
    want=$(expected_uname "$p")
    out=$(docker run --rm --pull always --platform "$p" "$SMOKE_IMAGE" 2>"$LOGS/smoke-run.err") || {
      cat "$LOGS/smoke-run.err" >&2
      die "smoke test: docker run --platform $p failed"
    }
    [ "$(printf '%s' "$out" | tr '\n' ' ')" = "$want $want" ] || die "smoke test: docker run --platform $p printed '$(printf '%s' "$out" | tr '\n' ' ')', expected '$want' twice (build + run)"
    log "smoke: --platform $p -> $want"
  done
}

write_env() {
  local f=$STACK_DIR/stack.env
  cat >"$f.new" <<EOF
# Multiarch Studio test stack, written by scripts/stack/setup.sh ($(date -u +%FT%TZ)). KEY=VALUE, no quoting.
DOCKER_HOST=unix://$DOCKER_SOCK
MAS_TEST_STACK_DIR=$STACK_DIR
MAS_TEST_REGISTRY=$REGISTRY_ADDR
MAS_TEST_PROXIED_REGISTRY=$PROXIED_REGISTRY
MAS_TEST_BASE_IMAGE=$BASE_IMAGE
MAS_TEST_PLATFORMS=$BASE_PLATFORMS
MAS_TEST_ROOTFS_DIR=$ROOTFS
MAS_TEST_BINFMT_IMAGE=$BINFMT_IMAGE
MAS_TEST_BUILDKIT_IMAGE=$BUILDKIT_IMAGE
MAS_TEST_BUILDKITD=/usr/local/bin/buildkitd
MAS_TEST_BUILDCTL=/usr/local/bin/buildctl
MAS_TEST_CHROMIUM=/usr/bin/chromium
MAS_TEST_DOCKERD_CTL=$HERE/dockerd.sh
MAS_TEST_RESTORE_BINFMT=$HERE/restore-binfmt.sh
EOF
  mv "$f.new" "$f"
  log "wrote $f"
}

summary() {
  print_timings "$T0"
  log "dockerd   pid $(pid_of "$DOCKERD_PIDFILE" || echo '?')  log $DOCKERD_LOG  socket $DOCKER_SOCK"
  log "registry  pid $(pid_of "$REGISTRY_PIDFILE" || echo '?')  log $REGISTRY_LOG  http://$REGISTRY_ADDR"
  log "versions  docker.io $(pkg_version docker.io), containerd $(pkg_version containerd), docker-buildx $(pkg_version docker-buildx), runc $(pkg_version runc), qemu-user-static $(pkg_version qemu-user-static), chromium $(pkg_version chromium)"
  log "images    $BASE_IMAGE ($BASE_PLATFORMS), $BINFMT_IMAGE, $BUILDKIT_IMAGE"
  log "env       $STACK_DIR/stack.env"
}

phase "preflight" preflight
phase "Debian 12 packages" base_packages
phase "BuildKit binaries (start)" buildkit_background
phase "Docker packages ($STACK_SUITE)" docker_packages
phase "daemon.json" daemon_json
phase "dockerd" start_dockerd
phase "binfmt emulators" binfmt
phase "registry" start_registry
phase "busybox rootfs" rootfs_folders
phase "linux/arm/v6 check" probe_armv6
phase "base image" base_image
phase "binfmt stand-in image" binfmt_standin
phase "BuildKit (binaries + image)" buildkit
if [ "$SMOKE_TEST" = 1 ]; then phase "smoke test" smoke_test; else warn "smoke test skipped (SMOKE_TEST=$SMOKE_TEST)"; fi
phase "stack.env" write_env
summary
log "stack ready"
