# shellcheck shell=bash disable=SC2034
# Shared helpers for the Multiarch Studio test stack scripts (sourced, not executed).
#
# Environment (all optional):
#   STACK_DIR            state: pid files, logs, rootfs folders, stack.env (default /var/lib/multiarch-studio-stack)
#   STACK_CACHE          persistent cache: private apt lists and debs, BuildKit binaries, Debian image root filesystems
#                        (default /var/cache/multiarch-studio-stack)
#   DEBIAN_MIRROR        the Debian mirror; default: the one this machine's apt sources use for its own release
#   STACK_SUITE          newest suite, tried first for Docker, containerd, buildx, QEMU and BuildKit sources (default forky)
#   STACK_STABLE_SUITE   fallback for packages the newest suite cannot install here, busybox-static and the
#                        second buildx (default trixie)

STACK_DIR=${STACK_DIR:-/var/lib/multiarch-studio-stack}
STACK_CACHE=${STACK_CACHE:-/var/cache/multiarch-studio-stack}
STACK_SUITE=${STACK_SUITE:-forky}
STACK_STABLE_SUITE=${STACK_STABLE_SUITE:-trixie}
STACK_KEYRING=${STACK_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

DOCKER_SOCK=${STACK_DOCKER_SOCK:-/var/run/docker.sock} # another daemon only for trying the scripts out
DOCKERD_PIDFILE=$STACK_DIR/dockerd.pid
DOCKERD_LOG=$STACK_DIR/dockerd.log
REGISTRY_ADDR=127.0.0.1:5000
REGISTRY_PIDFILE=$STACK_DIR/registry.pid
REGISTRY_LOG=$STACK_DIR/registry.log
LOGS=$STACK_DIR/logs
BINFMT_MNT=/proc/sys/fs/binfmt_misc

BASE_IMAGE=$REGISTRY_ADDR/stack/busybox:1
DEBIAN_IMAGE=$REGISTRY_ADDR/stack/debian:bookworm
GOLANG_IMAGE=$REGISTRY_ADDR/stack/golang:bookworm
# a DOCKER_CONFIG whose cli-plugins/docker-buildx is the older buildx kept beside the default one
BUILDX_LEGACY_CONFIG=$STACK_DIR/buildx-0.13
BINFMT_IMAGE=multiarch-studio/binfmt-standin:1
BUILDKIT_IMAGE=moby/buildkit:buildx-stable-1

export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 LC_ALL=C
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}

STACK_LOG_TAG=${STACK_LOG_TAG:-stack}

# need_mirror: sets DEBIAN_MIRROR to this machine's Debian mirror, the repository its apt sources use for its own
# release (deb822 or one-line sources alike), unless it is set already.
need_mirror() {
  if [ -z "${DEBIAN_MIRROR:-}" ]; then
    local codename
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    DEBIAN_MIRROR=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Identifier: Packages' 2>/dev/null \
      | awk -v c="$codename" '$1 == c {print $2; exit}')
    DEBIAN_MIRROR=${DEBIAN_MIRROR%/}
    [ -n "$DEBIAN_MIRROR" ] || die "cannot find the Debian mirror in this machine's apt sources (no source for $codename)" \
      "add the Debian $codename repository to /etc/apt/sources.list.d/, or set DEBIAN_MIRROR"
  fi
}

now() { printf '%s' "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }
log() { printf '[%s] %s\n' "$STACK_LOG_TAG" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$STACK_LOG_TAG" "$*" >&2; }
# die WHAT [WHAT-TO-DO]
die() {
  printf '[%s] ERROR: %s\n' "$STACK_LOG_TAG" "$1" >&2
  [ $# -lt 2 ] || printf '[%s]        what to do: %s\n' "$STACK_LOG_TAG" "$2" >&2
  exit 1
}

# An ERR trap that names the failing command, for failures not caught by an explicit die.
stack_err_trap() {
  local rc=$? line=$1 cmd=$2
  # report once, from the main shell (command substitutions and subshells also run this trap)
  [ "${BASH_SUBSHELL:-0}" = 0 ] || return 0
  printf '[%s] ERROR: command failed (exit %s) at %s line %s: %s\n' "$STACK_LOG_TAG" "$rc" "${BASH_SOURCE[1]##*/}" "$line" "$cmd" >&2
  printf '[%s]        what to do: read the log lines above; fix the cause and re-run the script (it only redoes what is missing)\n' "$STACK_LOG_TAG" >&2
}

# Phase timing: `phase NAME fn args...` runs fn and records its duration.
STACK_TIMINGS=()
phase() {
  local name=$1 s; shift
  s=$(now)
  log "== $name"
  "$@"
  STACK_TIMINGS+=("$(printf '%-36s %7ss' "$name" "$(secs "$s" "$(now)")")")
  log "   $name: $(secs "$s" "$(now)")s"
}
print_timings() { # print_timings START
  local t
  log "phase timings:"
  for t in "${STACK_TIMINGS[@]}"; do log "  $t"; done
  log "  $(printf '%-36s %7ss' TOTAL "$(secs "$1" "$(now)")")"
}

need_root() { [ "$(id -u)" = 0 ] || die "this script must run as root" "run it with sudo or as root"; }

# pid file helpers: a pid file is only "alive" if the process exists and has the expected command name.
pid_of() { [ -s "$1" ] && tr -dc '0-9' <"$1"; }
pid_alive() { # pid_alive PIDFILE COMM
  local pid; pid=$(pid_of "$1") || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}
wait_gone() { # wait_gone PID SECONDS
  local pid=$1 i n=$(( $2 * 10 ))
  for ((i = 0; i < n; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    # a zombie child of ours also counts as gone
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
    sleep 0.1
  done
  return 1
}
stop_pidfile() { # stop_pidfile PIDFILE COMM NAME [TIMEOUT]
  local f=$1 comm=$2 name=$3 t=${4:-30} pid
  if pid_alive "$f" "$comm"; then
    pid=$(pid_of "$f")
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$t"; then
      warn "$name (pid $pid) did not stop within ${t}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || die "$name (pid $pid) does not go away" "check 'ps -p $pid -o pid,stat,cmd' and stop it by hand"
    fi
  fi
  rm -f "$f"
}

docker_ping() { curl -fsS --max-time 3 --unix-socket "$DOCKER_SOCK" http://localhost/_ping >/dev/null 2>&1; }
docker_info_json() { curl -fsS --max-time 15 --unix-socket "$DOCKER_SOCK" http://localhost/info; }
daemon_has_containerd_store() { docker_info_json 2>/dev/null | grep -q '"io.containerd.snapshotter.v1"'; }
registry_ping() { curl -fsS --max-time 3 "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; }
registry_digest() { # registry_digest REPO TAG -> manifest (list) digest, or nothing
  curl -fsS --max-time 10 -o /dev/null -D - -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REGISTRY_ADDR/v2/$1/manifests/$2" 2>/dev/null | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}' || true
}

pkg_installed() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pkg_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null; }
pkg_at_least() { pkg_installed "$1" && dpkg --compare-versions "$(pkg_version "$1")" ge "$2"; } # pkg_at_least PKG VERSION

# Private apt configuration for another Debian suite. The system's sources are not touched.
# suite_apt_opts DIR SUITE ARCH... -> fills the array SUITE_APT
SUITE_APT=()
suite_apt_opts() {
  local d=$1 suite=$2 a; shift 2
  need_mirror
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  printf 'deb [signed-by=%s] %s %s main\n' "$STACK_KEYRING" "$DEBIAN_MIRROR" "$suite" >"$d/sources.list.new"
  if cmp -s "$d/sources.list.new" "$d/sources.list" 2>/dev/null; then rm -f "$d/sources.list.new"; else mv "$d/sources.list.new" "$d/sources.list"; fi
  SUITE_APT=(-oDir::Etc::SourceList="$d/sources.list" -oDir::Etc::SourceParts=/nonexistent
    -oDir::State::Lists="$d/lists" -oDir::Cache="$d/cache" -oDir::Cache::pkgcache= -oDir::Cache::srcpkgcache=
    -oAcquire::Languages=none -oAPT::Sandbox::User=root -oAcquire::Retries=3)
  for a in "$@"; do SUITE_APT+=(-oAPT::Architectures::="$a"); done
}

# Map a Debian architecture to the Docker platform and to the rootfs folder (rootfs-${TARGETARCH}${TARGETVARIANT}).
deb_to_platform() {
  case "$1" in
    amd64) echo linux/amd64 ;; arm64) echo linux/arm64 ;; armhf) echo linux/arm/v7 ;; armel) echo linux/arm/v6 ;;
    riscv64) echo linux/riscv64 ;; ppc64el) echo linux/ppc64le ;; s390x) echo linux/s390x ;; i386) echo linux/386 ;;
    *) return 1 ;;
  esac
}
platform_to_dir() { # linux/arm/v7 -> armv7, linux/386 -> 386
  local p=${1#linux/}
  echo "${p//\//}"
}
expected_uname() { # what `uname -m` prints in a container of that platform on an x86_64 host with Debian's qemu
  case "$1" in
    linux/amd64 | linux/386) echo x86_64 ;; linux/arm64) echo aarch64 ;;
    # qemu-arm's default CPU is v7+, so linux/arm/v6 (and v5) containers also report armv7l
    linux/arm/v7 | linux/arm/v6 | linux/arm/v5) echo armv7l ;;
    linux/riscv64) echo riscv64 ;; linux/ppc64le) echo ppc64le ;; linux/s390x) echo s390x ;;
    *) echo unknown ;;
  esac
}
