#!/usr/bin/env bash
# Stop what scripts/stack/setup.sh started: the local registry and dockerd (found by their pid files in
# $STACK_DIR). Installed packages, images, registry data and binfmt registrations are kept; setup.sh starts
# everything again in seconds.
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=${STACK_LOG_TAG:-stack}
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR

need_root
stop_pidfile "$REGISTRY_PIDFILE" docker-registry registry 30
"$HERE/dockerd.sh" stop
log "stack stopped"
