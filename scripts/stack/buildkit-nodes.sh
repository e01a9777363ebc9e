#!/usr/bin/env bash
# Extra BuildKit daemons for multi-node builder tests: three buildkitd processes of the stack's binary
# (/usr/local/bin/buildkitd, built by build-buildkit.sh), each on its own unix socket with its own state root, and
# each worker restricted to some platforms (--oci-worker-platform), so that a multi-node buildx builder made of
# them (docker buildx create --driver remote ... --append) has one designated node per platform.
#
#   node-1  linux/amd64, linux/386
#   node-2  linux/arm64, linux/arm/v7                     (run under QEMU on this amd64 host)
#   node-3  linux/riscv64, linux/ppc64le, linux/s390x     (run under QEMU)
#
# Usage: buildkit-nodes.sh start|stop|restart|status [NODE...]   (default: all nodes)
#        buildkit-nodes.sh env                                   the KEY=VALUE lines for stack.env
#   start    start the nodes that are not running; returns once each answers `buildctl debug workers`
#   stop     stop them (SIGTERM, then SIGKILL after 20 s); returns once the processes are gone. Tests stop one
#            mid-build and start it again to see a node fail and come back.
#   status   one line per node; exit 3 if any is not running
# Sockets: /run/multiarch-studio-stack/buildkit/<node>.sock; state, pid files and logs: $STACK_DIR/buildkit-nodes/
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=${STACK_LOG_TAG:-stack:buildkit-nodes}
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR

NODES=(node-1 node-2 node-3)
declare -A PLATFORMS=([node-1]=linux/amd64,linux/386 [node-2]=linux/arm64,linux/arm/v7 [node-3]=linux/riscv64,linux/ppc64le,linux/s390x)
SOCKETS=/run/multiarch-studio-stack/buildkit
STATE=$STACK_DIR/buildkit-nodes
BUILDKITD=/usr/local/bin/buildkitd
BUILDCTL=/usr/local/bin/buildctl

addr() { echo "unix://$SOCKETS/$1.sock"; }
answers() { timeout 10 "$BUILDCTL" --addr "$(addr "$1")" debug workers >/dev/null 2>&1; }

start_node() {
  local n=$1 pid i p args=()
  if pid_alive "$STATE/$n.pid" buildkitd; then
    answers "$n" || die "$n (pid $(pid_of "$STATE/$n.pid")) runs but does not answer on $(addr "$n")" "see $STATE/$n.log; $0 restart $n"
    log "$n already running (pid $(pid_of "$STATE/$n.pid"), $(addr "$n"), ${PLATFORMS[$n]})"
    return
  fi
  [ -x "$BUILDKITD" ] || die "$BUILDKITD is missing" "run scripts/stack/build-buildkit.sh"
  command -v runc >/dev/null || die "runc is not installed (the nodes' OCI worker runs steps with it)"
  mkdir -p "$SOCKETS" "$STATE/$n"
  rm -f "$SOCKETS/$n.sock" "$STATE/$n.pid"
  for p in ${PLATFORMS[$n]//,/ }; do args+=(--oci-worker-platform "$p"); done
  printf '\n==== %s %s start\n' "$(date -u +%FT%TZ)" "$n" >>"$STATE/$n.log"
  setsid "$BUILDKITD" --addr "$(addr "$n")" --root "$STATE/$n" --oci-worker=true --containerd-worker=false \
    --oci-worker-net=host --oci-worker-gc --oci-worker-gc-keepstorage 2000 "${args[@]}" >>"$STATE/$n.log" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$STATE/$n.pid"
  for ((i = 0; i < 300; i++)); do
    answers "$n" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  answers "$n" || { tail -n 20 "$STATE/$n.log" >&2; die "$n did not answer on $(addr "$n") (log: $STATE/$n.log)"; }
  log "$n started (pid $pid, $(addr "$n"), ${PLATFORMS[$n]})"
}

stop_node() {
  if pid_alive "$STATE/$1.pid" buildkitd; then stop_pidfile "$STATE/$1.pid" buildkitd "$1" 20; else rm -f "$STATE/$1.pid"; log "$1 is not running"; fi
  rm -f "$SOCKETS/$1.sock"
}

status_node() {
  if pid_alive "$STATE/$1.pid" buildkitd && answers "$1"; then
    echo "$1 running (pid $(pid_of "$STATE/$1.pid")) $(addr "$1") ${PLATFORMS[$1]}"
  else
    echo "$1 stopped $(addr "$1") ${PLATFORMS[$1]}"
    return 3
  fi
}

print_env() {
  local n i=0
  echo "MAS_TEST_BUILDKIT_NODES=$(IFS=,; echo "${NODES[*]}")"
  for n in "${NODES[@]}"; do
    i=$((i + 1))
    echo "MAS_TEST_BUILDKIT_NODE_${i}_NAME=$n"
    echo "MAS_TEST_BUILDKIT_NODE_${i}_ADDR=$(addr "$n")"
    echo "MAS_TEST_BUILDKIT_NODE_${i}_PLATFORMS=${PLATFORMS[$n]}"
  done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${NODES[@]}")
for n in "${targets[@]}"; do [ -n "${PLATFORMS[$n]:-}" ] || die "unknown node: $n" "nodes: ${NODES[*]}"; done
case "$cmd" in
  start) need_root; for n in "${targets[@]}"; do start_node "$n"; done ;;
  stop) need_root; for n in "${targets[@]}"; do stop_node "$n"; done ;;
  restart) need_root; for n in "${targets[@]}"; do stop_node "$n"; start_node "$n"; done ;;
  status) rc=0; for n in "${targets[@]}"; do status_node "$n" || rc=3; done; exit "$rc" ;;
  env) print_env ;;
  *) die "usage: $0 start|stop|restart|status [NODE...] | env" ;;
esac
