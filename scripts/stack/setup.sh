#!/usr/bin/env bash
# Multiarch Studio test stack: a real Docker multi-architecture build environment on Debian 12 (amd64, root)
# that needs no container registry on the internet, only this machine's Debian mirror.
#
# Idempotent: a re-run checks each part and only redoes what is missing or out of date (seconds). A machine set up
# by an older version of this script (Docker 26.1 from trixie) is upgraded in place.
#
# What it installs and starts:
#   * Debian 12 packages: binfmt-support, docker-registry, runc, mmdebstrap, skopeo, chromium (for e2e tests), ...
#   * Docker Engine 28.5 + containerd 2.1 + docker-cli + docker-buildx 0.29 from Debian $STACK_SUITE (falls back to
#     $STACK_STABLE_SUITE where a package cannot install here), as .deb files fetched through private apt lists and
#     simulated against this system first; the system's apt sources are not changed. runc: the newest that installs.
#   * buildx 0.13.1 ($STACK_STABLE_SUITE) kept beside it: $BUILDX_LEGACY_CONFIG/cli-plugins/docker-buildx, used with
#     DOCKER_CONFIG=$BUILDX_LEGACY_CONFIG
#   * /etc/docker/daemon.json with the containerd image store and registry.mas-test.invalid:5000 as insecure
#   * dockerd in the background (scripts/stack/dockerd.sh; pid + log in $STACK_DIR)
#   * QEMU user emulators: $STACK_SUITE's qemu-user (static binaries) registered through binfmt-support with the
#     flags P and F (scripts/stack/restore-binfmt.sh); bookworm's qemu-user-static where qemu-user cannot install
#   * a local registry (distribution 2.8) on 127.0.0.1:5000, storage in memory (see start_registry)
#   * busybox-static root filesystems per architecture and, FROM scratch, the base image 127.0.0.1:5000/stack/busybox:1
#   * Debian bookworm images made with mmdebstrap (scripts/stack/debian-images.sh): stack/debian:bookworm and
#     stack/golang:bookworm for linux/amd64 + linux/arm64, root filesystems cached in $STACK_CACHE
#   * multiarch-studio/binfmt-standin:1, an offline stand-in for the tonistiigi/binfmt installer image
#   * buildkitd/buildctl built from Debian's BuildKit sources (/usr/local/bin) and the local image
#     moby/buildkit:buildx-stable-1 for the docker-container driver (scripts/stack/build-buildkit.sh)
#   * three extra buildkitd nodes with per-node platforms (scripts/stack/buildkit-nodes.sh)
#   * a smoke test (4-platform build + push + `docker run --platform` per platform) and $STACK_DIR/stack.env
#
# Usage: sudo scripts/stack/setup.sh
# Environment: STACK_DIR, STACK_CACHE, DEBIAN_MIRROR, STACK_SUITE (forky), STACK_STABLE_SUITE (trixie) - see lib.sh;
#   SMOKE_TEST=0 to skip the smoke test.
# Stop: scripts/stack/stop.sh      Daemon only: scripts/stack/dockerd.sh start|stop|status
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=stack
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=apt.sh
. "$HERE/apt.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR
export DOCKER_HOST=unix://$DOCKER_SOCK

SMOKE_TEST=${SMOKE_TEST:-1}
SMOKE_PLATFORMS=linux/amd64,linux/arm64,linux/arm/v7,linux/riscv64
SMOKE_IMAGE=$REGISTRY_ADDR/stack/smoke:1
# A registry name only the proxy tests' own proxy knows (it forwards to $REGISTRY_ADDR); insecure in daemon.json.
PROXIED_REGISTRY=registry.mas-test.invalid:5000
BOOKWORM_PKGS=(ca-certificates curl openssl xz-utils patch util-linux iptables runc adduser pigz
  binfmt-support docker-registry mmdebstrap arch-test skopeo chromium fonts-liberation)
# Wanted versions: what the newest suite had when this was written; an installed package at least this new is kept.
DOCKER_PKGS=(containerd docker.io docker-cli docker-buildx)
declare -A DOCKER_MIN=([containerd]=2.1 [docker.io]=28.5 [docker-cli]=28.5 [docker-buildx]=0.29)
declare -A DOCKER_MIN_STABLE=([containerd]=1.7 [docker.io]=26.1 [docker-cli]=26.1 [docker-buildx]=0.13)
LEGACY_BUILDX_VERSION=0.13.1+ds1-3
QEMU_USER_MIN=1:9.1 # qemu-user ships static binaries (and replaces qemu-user-static) since 9.1
BUSYBOX_ARCHES=(amd64 arm64 armhf armel riscv64 ppc64el s390x i386)
PLATFORM_ORDER=(linux/amd64 linux/arm64 linux/arm/v7 linux/arm/v6 linux/riscv64 linux/ppc64le linux/s390x linux/386)
ROOTFS=$STACK_DIR/rootfs

T0=$(now)
DOCKER_PKGS_CHANGED=0
DAEMON_JSON_CHANGED=0
BK_PID="" IMG_PID=""

cleanup() {
  allow_service_starts
  local p
  for p in "$BK_PID" "$IMG_PID"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      warn "stopping background job (pid $p)"
      kill -TERM -- "-$p" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT

# wait_background PID NAME LOG: waits for a job started with setsid, dies with its log tail if it failed
wait_background() {
  local pid=$1 name=$2 logf=$3
  log "waiting for $name (pid $pid, log: $logf)"
  wait "$pid" || { tail -n 30 "$logf" >&2; die "$name failed (log: $logf)" "read the log; re-run $0 (downloads are retried, finished parts are cached)"; }
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
  local need_kb=3000000 avail
  [ -x "$STACK_CACHE/buildkit/bin/buildkitd" ] || need_kb=5000000
  avail=$(df -Pk "$STACK_CACHE" | awk 'NR==2 {print $4}')
  [ "$avail" -ge "$need_kb" ] || die "only $((avail / 1024)) MiB free in $STACK_CACHE, need $((need_kb / 1024)) MiB" "free disk space or set STACK_CACHE elsewhere"
  need_mirror
  log "Debian mirror (from this machine's apt sources): $DEBIAN_MIRROR; newest suite $STACK_SUITE, fallback $STACK_STABLE_SUITE"
}

base_packages() {
  local missing=() p
  for p in "${BOOKWORM_PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then log "Debian 12 packages already installed"; return; fi
  system_apt_update
  log "installing ${missing[*]}"
  apt_install "${missing[@]}"
}

buildkit_background() {
  if "$HERE/build-buildkit.sh" --check >/dev/null 2>&1; then log "BuildKit binaries cached: $(cat "$STACK_CACHE/buildkit/bin/VERSION")"; return; fi
  log "building BuildKit from $STACK_SUITE sources in the background (log: $LOGS/buildkit-build.log)"
  setsid "$HERE/build-buildkit.sh" --binaries-only >"$LOGS/buildkit-build.log" 2>&1 </dev/null 9>&- &
  BK_PID=$!
}

docker_current() { # docker_current MIN-ARRAY-NAME: are all Docker packages installed at least that new?
  local -n min=$1
  local p
  for p in "${DOCKER_PKGS[@]}"; do pkg_at_least "$p" "${min[$p]}" || return 1; done
}

docker_versions() { local p; for p in "${DOCKER_PKGS[@]}"; do printf '%s %s, ' "$p" "$(pkg_version "$p")"; done; printf 'runc %s' "$(pkg_version runc)"; }

docker_packages() {
  if docker_current DOCKER_MIN; then log "already installed: $(docker_versions)"; newer_runc; return; fi
  local suite min
  for suite in "$STACK_SUITE" "$STACK_STABLE_SUITE"; do
    if [ "$suite" = "$STACK_STABLE_SUITE" ]; then min=DOCKER_MIN_STABLE; else min=DOCKER_MIN; fi
    if [ "$suite" = "$STACK_STABLE_SUITE" ] && docker_current "$min"; then
      warn "keeping $(docker_versions) (the $STACK_SUITE packages cannot install here, see above)"
      newer_runc
      return
    fi
    log "fetching ${DOCKER_PKGS[*]} from $suite"
    if debs_from_suite "$suite" "$STACK_CACHE/debs/docker-$suite" "${DOCKER_PKGS[@]}"; then
      log "installing $(cd "$STACK_CACHE/debs/docker-$suite" && ls *.deb | tr '\n' ' ')"
      system_apt_update
      apt_install "$STACK_CACHE/debs/docker-$suite"/*.deb
      DOCKER_PKGS_CHANGED=1
      docker_current "$min" || die "after installing the $suite packages: $(docker_versions)" "read $LOGS/apt-install.log"
      log "installed: $(docker_versions)"
      break
    fi
    warn "the Docker packages of $suite cannot install on this system: ${SIM_PROBLEM//$'\n'/; }"
  done
  pkg_installed docker.io || die "no Docker packages could be installed" "read $LOGS/apt-simulate.log"
  [ -x /usr/libexec/docker/cli-plugins/docker-buildx ] || die "the buildx plugin is missing (/usr/libexec/docker/cli-plugins/docker-buildx)" "reinstall docker-buildx: apt-get install --reinstall docker-buildx"
  command -v dockerd >/dev/null || die "dockerd is missing after installing docker.io"
  newer_runc
}

# The newest runc that installs here; bookworm's is kept when the newer suites' need a newer libc (checked once per
# libc version, the verdict kept in $STACK_DIR/runc.verdict). Docker 28 and containerd 2.1 work with runc 1.1.5.
newer_runc() {
  local verdict=$STACK_DIR/runc.verdict key suite v why=()
  key="libc6 $(pkg_version libc6), runc $(pkg_version runc)"
  if [ -s "$verdict" ] && [ "$(head -n1 "$verdict")" = "$key" ]; then log "runc: $(tail -n +2 "$verdict")"; return; fi
  for suite in "$STACK_SUITE" "$STACK_STABLE_SUITE"; do
    suite_lists "$suite"
    v=$(suite_version "$suite" runc)
    [ -n "$v" ] && dpkg --compare-versions "$v" gt "$(pkg_version runc)" || continue
    if debs_from_suite "$suite" "$STACK_CACHE/debs/runc-$suite" runc; then
      apt_install "$STACK_CACHE/debs/runc-$suite"/*.deb
      DOCKER_PKGS_CHANGED=1
      printf '%s\n%s\n' "libc6 $(pkg_version libc6), runc $(pkg_version runc)" "runc $(pkg_version runc) from $suite" >"$verdict"
      log "runc: $(tail -n +2 "$verdict")"
      return
    fi
    why+=("$suite's runc $v: ${SIM_PROBLEM//$'\n'/; }")
  done
  [ ${#why[@]} -gt 0 ] || return 0
  printf '%s\n%s\n' "$key" "keeping runc $(pkg_version runc); newer ones cannot install here: $(IFS='|'; echo "${why[*]}" | sed 's/|/, /g')" >"$verdict"
  log "runc: $(tail -n +2 "$verdict")"
}

legacy_buildx() { # buildx 0.13.1 as the CLI plugin of a separate DOCKER_CONFIG
  local plugin=$BUILDX_LEGACY_CONFIG/cli-plugins/docker-buildx d=$STACK_CACHE/debs/buildx-legacy deb tmp
  if [ -x "$plugin" ] && "$plugin" version 2>/dev/null | grep -q " ${LEGACY_BUILDX_VERSION%%+*}"; then
    log "buildx $("$plugin" version | awk '{print $2}') in $BUILDX_LEGACY_CONFIG/cli-plugins"
    return
  fi
  deb=$(ls "$d"/docker-buildx_"${LEGACY_BUILDX_VERSION//:/%3a}"_amd64.deb 2>/dev/null || true)
  if [ -z "$deb" ]; then
    # an earlier setup left it in the Docker packages' cache
    deb=$(ls "$STACK_CACHE"/debs/docker/docker-buildx_"${LEGACY_BUILDX_VERSION}"_amd64.deb 2>/dev/null || true)
    [ -n "$deb" ] || { suite_download "$STACK_STABLE_SUITE" "$d" "docker-buildx=$LEGACY_BUILDX_VERSION"; deb=$(ls "$d"/docker-buildx_*.deb); }
  fi
  tmp=$(mktemp -d)
  dpkg -x "$deb" "$tmp"
  mkdir -p "$BUILDX_LEGACY_CONFIG/cli-plugins"
  install -m 0755 "$tmp/usr/libexec/docker/cli-plugins/docker-buildx" "$plugin"
  rm -rf "$tmp"
  "$plugin" version >/dev/null || die "$plugin does not run"
  log "buildx $("$plugin" version | awk '{print $2}') in $BUILDX_LEGACY_CONFIG/cli-plugins (from $(basename "$deb"))"
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
  local running
  running=$(docker_info_json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["ServerVersion"])' 2>/dev/null || true)
  # A daemon of other packages than the installed ones (e.g. 26.1 still running after the upgrade) is restarted too.
  if pid_alive "$DOCKERD_PIDFILE" dockerd && { [ "$DOCKER_PKGS_CHANGED" = 1 ] || [ "$DAEMON_JSON_CHANGED" = 1 ] || [ "${running%%+*}" != "$(dockerd --version | sed -n 's/^Docker version \([^+,]*\).*/\1/p')" ]; }; then
    log "restarting dockerd (packages or daemon.json changed; running: ${running:-?})"
    "$HERE/dockerd.sh" restart
  else
    "$HERE/dockerd.sh" start
  fi
  log "Docker Engine $(docker_info_json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ServerVersion"])'), containerd image store on"
}

# QEMU: the newest suite's qemu-user (static binaries, no libc dependency) replaces bookworm's qemu-user-static 7.2.
# Its binfmt registration package (qemu-user-binfmt) needs systemd-binfmt and dpkg's native-architecture, which this
# host lacks, so the stack writes binfmt-support format files for it (write_qemu_formats) and registers those.
qemu_packages() {
  if pkg_at_least qemu-user "$QEMU_USER_MIN"; then
    log "qemu-user $(pkg_version qemu-user) already installed"
  elif debs_from_suite "$STACK_SUITE" "$STACK_CACHE/debs/qemu-$STACK_SUITE" qemu-user; then
    log "installing $(basename "$STACK_CACHE/debs/qemu-$STACK_SUITE"/qemu-user_*.deb) from $STACK_SUITE (replaces qemu-user-static $(pkg_version qemu-user-static))"
    system_apt_update
    apt_install "$STACK_CACHE/debs/qemu-$STACK_SUITE"/qemu-user_*.deb
  else
    warn "qemu-user of $STACK_SUITE cannot install here: ${SIM_PROBLEM//$'\n'/; }"
    warn "keeping bookworm's qemu-user-static $(pkg_version qemu-user-static || echo '(installing it)')"
  fi
  if ! pkg_at_least qemu-user "$QEMU_USER_MIN" && ! pkg_installed qemu-user-static; then
    system_apt_update
    apt_install qemu-user-static
  fi
  if pkg_at_least qemu-user "$QEMU_USER_MIN"; then write_qemu_formats; fi
  log "QEMU $(qemu_version)"
}
qemu_version() { local q; q=$(command -v qemu-aarch64-static || command -v qemu-aarch64); "$q" --version | head -n1; }

# One binfmt-support format file per QEMU target of qemu-user (from its systemd-binfmt lines in
# /usr/share/qemu/binfmt.d), flags P and F; the host's own architectures (x86_64, i386) are left out, as
# qemu-user-binfmt does. Changed files are imported again.
write_qemu_formats() {
  local conf n magic mask f changed=0
  mkdir -p /usr/share/binfmts
  for conf in /usr/share/qemu/binfmt.d/qemu-*.conf; do
    n=$(basename "$conf" .conf)
    case "$n" in qemu-x86_64 | qemu-i386) continue ;; esac
    # :name:type:offset:magic:mask:interpreter:flags
    magic=$(awk -F: '{print $5}' "$conf") mask=$(awk -F: '{print $6}' "$conf")
    f=/usr/share/binfmts/$n
    printf 'package qemu-user\ninterpreter /usr/bin/%s\nmagic %s\noffset 0\nmask %s\ncredentials no\nfix_binary yes\npreserve yes\n' \
      "$n" "$magic" "$mask" >"$f.new"
    if cmp -s "$f.new" "$f"; then rm -f "$f.new"; continue; fi
    [ -e "/var/lib/binfmts/$n" ] && update-binfmts --unimport "$n" >/dev/null 2>&1 || true
    mv "$f.new" "$f"
    update-binfmts --import "$n" >/dev/null 2>>"$LOGS/binfmt.log" || die "update-binfmts --import $n failed (log: $LOGS/binfmt.log)"
    changed=$((changed + 1))
  done
  [ "$changed" = 0 ] || log "binfmt-support formats for qemu-user written: $changed"
}

binfmt() {
  "$HERE/restore-binfmt.sh" --quiet
  local n
  for n in qemu-aarch64 qemu-arm qemu-riscv64 qemu-ppc64le qemu-s390x; do
    grep -q '^flags: .*F' "$BINFMT_MNT/$n" && grep -q '^flags: .*P' "$BINFMT_MNT/$n" \
      || die "$n is not registered with the flags P and F" "run scripts/stack/restore-binfmt.sh and read its output"
  done
  log "QEMU emulators registered: $(ls "$BINFMT_MNT" | grep -c '^qemu-') (flags PF, $(sed -n 's/^interpreter //p' "$BINFMT_MNT/qemu-aarch64"))"
}

debian_rootfs_background() {
  if "$HERE/debian-images.sh" rootfs --check >/dev/null 2>&1; then log "Debian root filesystems cached in $STACK_CACHE/debian-images"; return; fi
  log "making the Debian root filesystems in the background (log: $LOGS/debian-rootfs.log)"
  setsid "$HERE/debian-images.sh" rootfs >"$LOGS/debian-rootfs.log" 2>&1 </dev/null 9>&- &
  IMG_PID=$!
}

start_registry() {
  local cfg=$STACK_DIR/registry/config.yml i
  # In-memory storage on purpose: distribution 2.8's filesystem driver rewrites a tag's link file in place, and
  # the engine's multi-platform push sends every platform's manifest to the same tag at once, so a HEAD that
  # reads the half-written file fails with "500 invalid checksum digest format". The in-memory driver locks.
  # A restarted registry is empty; the image phases below push the stack's images again when they are missing.
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
    log "downloading ${need[*]} from $STACK_STABLE_SUITE"
    suite_lists "$STACK_STABLE_SUITE" "${BUSYBOX_ARCHES[@]}"
    suite_download "$STACK_STABLE_SUITE" "$STACK_CACHE/debs/busybox" "${need[@]}"
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

binfmt_standin() {
  "$HERE/binfmt-standin/build.sh"
}

buildkit() {
  if [ -n "$BK_PID" ]; then
    wait_background "$BK_PID" "the BuildKit build" "$LOGS/buildkit-build.log"
    BK_PID=""
    grep -E '^\[stack:buildkit\] (Go packages|sources|compile|built)' "$LOGS/buildkit-build.log" | sed 's/^/  /' >&2 || true
  fi
  "$HERE/build-buildkit.sh"
}

buildkit_nodes() {
  "$HERE/buildkit-nodes.sh" start
}

debian_images() {
  if [ -n "$IMG_PID" ]; then
    wait_background "$IMG_PID" "the Debian root filesystems" "$LOGS/debian-rootfs.log"
    IMG_PID=""
    grep -E '^\[stack:debian\] .*: [0-9.]+s' "$LOGS/debian-rootfs.log" | sed 's/^/  /' >&2 || true
  fi
  "$HERE/debian-images.sh" images
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
  {
    cat <<EOF
# Multiarch Studio test stack, written by scripts/stack/setup.sh ($(date -u +%FT%TZ)). KEY=VALUE, no quoting.
DOCKER_HOST=unix://$DOCKER_SOCK
MAS_TEST_STACK_DIR=$STACK_DIR
MAS_TEST_REGISTRY=$REGISTRY_ADDR
MAS_TEST_PROXIED_REGISTRY=$PROXIED_REGISTRY
MAS_TEST_BASE_IMAGE=$BASE_IMAGE
MAS_TEST_PLATFORMS=$BASE_PLATFORMS
MAS_TEST_DEBIAN_IMAGE=$DEBIAN_IMAGE
MAS_TEST_GOLANG_IMAGE=$GOLANG_IMAGE
MAS_TEST_DEBIAN_PLATFORMS=$("$HERE/debian-images.sh" platforms)
MAS_TEST_ROOTFS_DIR=$ROOTFS
MAS_TEST_BINFMT_IMAGE=$BINFMT_IMAGE
MAS_TEST_BUILDKIT_IMAGE=$BUILDKIT_IMAGE
MAS_TEST_BUILDKITD=/usr/local/bin/buildkitd
MAS_TEST_BUILDCTL=/usr/local/bin/buildctl
MAS_TEST_BUILDX_VERSION=$(docker buildx version | awk '{print $2}')
MAS_TEST_BUILDX_LEGACY_CONFIG=$BUILDX_LEGACY_CONFIG
MAS_TEST_BUILDX_LEGACY_VERSION=$("$BUILDX_LEGACY_CONFIG/cli-plugins/docker-buildx" version | awk '{print $2}')
MAS_TEST_CHROMIUM=/usr/bin/chromium
MAS_TEST_DOCKERD_CTL=$HERE/dockerd.sh
MAS_TEST_RESTORE_BINFMT=$HERE/restore-binfmt.sh
MAS_TEST_BUILDKIT_NODES_CTL=$HERE/buildkit-nodes.sh
EOF
    "$HERE/buildkit-nodes.sh" env
  } >"$f.new"
  mv "$f.new" "$f"
  log "wrote $f"
}

summary() {
  print_timings "$T0"
  log "dockerd   pid $(pid_of "$DOCKERD_PIDFILE" || echo '?')  log $DOCKERD_LOG  socket $DOCKER_SOCK"
  log "registry  pid $(pid_of "$REGISTRY_PIDFILE" || echo '?')  log $REGISTRY_LOG  http://$REGISTRY_ADDR"
  log "versions  $(docker_versions), $(qemu_version), chromium $(pkg_version chromium)"
  log "buildx    $(docker buildx version | awk '{print $2}') (default), $("$BUILDX_LEGACY_CONFIG/cli-plugins/docker-buildx" version | awk '{print $2}') (DOCKER_CONFIG=$BUILDX_LEGACY_CONFIG)"
  log "buildkit  $(cat "$STACK_CACHE/buildkit/bin/VERSION" 2>/dev/null)"
  log "docker    CLI on PATH: $(command -v docker) $(docker version -f '{{.Client.Version}}' 2>/dev/null)"
  log "images    $BASE_IMAGE ($BASE_PLATFORMS), $DEBIAN_IMAGE, $GOLANG_IMAGE ($("$HERE/debian-images.sh" platforms)), $BINFMT_IMAGE, $BUILDKIT_IMAGE"
  log "env       $STACK_DIR/stack.env"
}

phase "preflight" preflight
phase "Debian 12 packages" base_packages
phase "BuildKit binaries (start)" buildkit_background
phase "Docker packages" docker_packages
phase "buildx 0.13 beside it" legacy_buildx
phase "daemon.json" daemon_json
phase "dockerd" start_dockerd
phase "QEMU packages" qemu_packages
phase "binfmt emulators" binfmt
phase "Debian root filesystems (start)" debian_rootfs_background
phase "registry" start_registry
phase "busybox rootfs" rootfs_folders
phase "linux/arm/v6 check" probe_armv6
phase "base image" base_image
phase "binfmt stand-in image" binfmt_standin
phase "BuildKit (binaries + image)" buildkit
phase "BuildKit nodes" buildkit_nodes
phase "Debian images" debian_images
if [ "$SMOKE_TEST" = 1 ]; then phase "smoke test" smoke_test; else warn "smoke test skipped (SMOKE_TEST=$SMOKE_TEST)"; fi
phase "stack.env" write_env
summary
log "stack ready"
