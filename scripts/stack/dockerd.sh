#!/usr/bin/env bash
# Start, stop or query the test stack's Docker daemon (dockerd with the containerd image store).
#
# Usage: dockerd.sh start|stop|restart|status
#   start    start dockerd in the background if it is not running; returns once /_ping answers
#   stop     stop the dockerd started by start (pid file); returns once the process is gone
#   restart  stop, then start
#   status   print "running (pid N)" and exit 0, or "stopped" and exit 3
# pid file: $STACK_DIR/dockerd.pid, log: $STACK_DIR/dockerd.log, socket: /var/run/docker.sock
# Tests may call it to take the daemon away mid-session and bring it back.
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=${STACK_LOG_TAG:-stack:dockerd}
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR

START_TIMEOUT=${DOCKERD_START_TIMEOUT:-90}
STOP_TIMEOUT=${DOCKERD_STOP_TIMEOUT:-60}

containerd_pidfile=/var/run/docker/containerd/containerd.pid

dockerd_start() {
  local i pid
  if pid_alive "$DOCKERD_PIDFILE" dockerd; then
    pid=$(pid_of "$DOCKERD_PIDFILE")
    for ((i = 0; i < START_TIMEOUT * 5; i++)); do docker_ping && break; sleep 0.2; done
    docker_ping || die "dockerd (pid $pid) is running but does not answer on $DOCKER_SOCK" "see $DOCKERD_LOG; stop it with $0 stop and start again"
    log "dockerd already running (pid $pid)"
    return 0
  fi
  if docker_ping; then
    daemon_has_containerd_store || die "a Docker daemon not started by the stack answers on $DOCKER_SOCK and it does not use the containerd image store" \
      "stop that daemon (pid $(cat /var/run/docker.pid 2>/dev/null || echo '?')) and run $0 start again"
    log "a Docker daemon started elsewhere answers on $DOCKER_SOCK (containerd image store on): using it"
    return 0
  fi
  command -v dockerd >/dev/null || die "dockerd is not installed" "run scripts/stack/setup.sh"
  mkdir -p "$STACK_DIR"
  rm -f "$DOCKERD_PIDFILE"
  # leftovers of a daemon that was killed (e.g. when the session that started it ended)
  if [ -s "$containerd_pidfile" ] && ! pid_alive "$containerd_pidfile" containerd; then rm -f "$containerd_pidfile"; fi
  if [ -s /var/run/docker.pid ] && ! pid_alive /var/run/docker.pid dockerd; then rm -f /var/run/docker.pid; fi
  printf '\n==== %s dockerd start\n' "$(date -u +%FT%TZ)" >>"$DOCKERD_LOG"
  setsid dockerd --host "unix://$DOCKER_SOCK" --pidfile "$DOCKERD_PIDFILE" >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  for ((i = 0; i < START_TIMEOUT * 5; i++)); do
    docker_ping && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if ! docker_ping; then
    tail -n 25 "$DOCKERD_LOG" >&2
    kill -0 "$pid" 2>/dev/null && { kill -TERM "$pid" 2>/dev/null || true; wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null || true; }
    die "dockerd did not answer on $DOCKER_SOCK within ${START_TIMEOUT}s (log: $DOCKERD_LOG)" "read the log lines above; check /etc/docker/daemon.json"
  fi
  daemon_has_containerd_store || die "dockerd is running without the containerd image store" \
    "check that /etc/docker/daemon.json has {\"features\": {\"containerd-snapshotter\": true}} and run $0 restart"
  log "dockerd started (pid $(pid_of "$DOCKERD_PIDFILE"))"
}

dockerd_stop() {
  local i
  if ! pid_alive "$DOCKERD_PIDFILE" dockerd; then
    rm -f "$DOCKERD_PIDFILE"
    if docker_ping; then warn "a Docker daemon not started by the stack still answers on $DOCKER_SOCK; left alone"; fi
    log "dockerd is not running"
    return 0
  fi
  stop_pidfile "$DOCKERD_PIDFILE" dockerd dockerd "$STOP_TIMEOUT"
  for ((i = 0; i < 50; i++)); do docker_ping || break; sleep 0.2; done
  log "dockerd stopped"
}

dockerd_status() {
  if pid_alive "$DOCKERD_PIDFILE" dockerd && docker_ping; then
    echo "running (pid $(pid_of "$DOCKERD_PIDFILE"))"
  elif pid_alive "$DOCKERD_PIDFILE" dockerd; then
    echo "starting or not answering (pid $(pid_of "$DOCKERD_PIDFILE"))"
    return 3
  elif docker_ping; then
    echo "running (started elsewhere)"
  else
    echo stopped
    return 3
  fi
}

case "${1:-}" in
  start) need_root; dockerd_start ;;
  stop) need_root; dockerd_stop ;;
  restart) need_root; dockerd_stop; dockerd_start ;;
  status) dockerd_status || exit $? ;;
  *) die "usage: $0 start|stop|restart|status" ;;
esac
