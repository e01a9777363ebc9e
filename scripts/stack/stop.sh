#!/usr/bin/env bash
# Stop what scripts/stack/setup.sh started: the extra BuildKit nodes, the local registry and dockerd (found by their
# pid files in $STACK_DIR). Installed packages, images and binfmt registrations are kept (the registry's content,
# held in memory, is not); setup.sh starts everything again and pushes the stack's images in a minute.
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=${STACK_LOG_TAG:-stack}
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR

need_root
"$HERE/buildkit-nodes.sh" stop
stop_pidfile "$REGISTRY_PIDFILE" docker-registry registry 30
"$HERE/dockerd.sh" stop
log "stack stopped"
