#!/usr/bin/env bash
# Put the QEMU emulators in binfmt_misc back the way the test stack sets them up: every qemu-* format defined in
# binfmt-support's format files (/usr/share/binfmts/qemu-*: written by setup.sh for qemu-user, or Debian's own from
# qemu-user-static) registered, enabled, with that interpreter and the flags P (preserve-argv0) and F (fix-binary).
# qemu-* entries not defined there (e.g. qemu-x86_64 registered by an installer image) are removed. Entries that are
# already right are left untouched.
#
# Usage: restore-binfmt.sh [--check] [--quiet]
#   --check   change nothing; exit 1 (listing the differences) if the host is not as expected
#   --quiet   print only changes and errors
# Tests that uninstall or replace emulators call it to leave the host as they found it.
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_LOG_TAG=${STACK_LOG_TAG:-stack:binfmt}
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap 'stack_err_trap "$LINENO" "$BASH_COMMAND"' ERR

CHECK=0 QUIET=0
for a in "$@"; do
  case "$a" in
    --check) CHECK=1 ;;
    --quiet) QUIET=1 ;;
    *) die "unknown argument: $a" "usage: $0 [--check] [--quiet]" ;;
  esac
done
need_root
B=$BINFMT_MNT
DEFS=/usr/share/binfmts

[ -n "$(ls "$DEFS"/qemu-* 2>/dev/null)" ] || die "no QEMU binfmt definitions in $DEFS" "run scripts/stack/setup.sh (it installs qemu-user and binfmt-support and writes them)"
if [ ! -e "$B/register" ]; then
  [ "$CHECK" = 0 ] || { echo "binfmt_misc is not mounted at $B"; exit 1; }
  mount -t binfmt_misc binfmt_misc "$B" 2>/dev/null \
    || die "binfmt_misc is not mounted at $B and cannot be mounted" "run as root on the host (not in an unprivileged container)"
fi

# problem NAME -> prints why the kernel entry differs from Debian's definition, or nothing if it is right
problem() {
  local n=$1 want have flags
  [ -e "$B/$n" ] || { echo missing; return; }
  want=$(sed -n 's/^interpreter //p' "$DEFS/$n")
  have=$(sed -n 's/^interpreter //p' "$B/$n")
  flags=$(sed -n 's/^flags: //p' "$B/$n")
  [ "$(head -n1 "$B/$n")" = enabled ] || { echo disabled; return; }
  [ "$have" = "$want" ] || { echo "interpreter $have (expected $want)"; return; }
  case "$flags" in *P*) ;; *) echo "flags $flags (P missing)"; return ;; esac
  case "$flags" in *F*) ;; *) echo "flags $flags (F missing)"; return ;; esac
}

register() { # register NAME: the format file's definition with flags PF
  local n=$1 conf
  if [ -e "$B/$n" ]; then printf '%s' -1 >"$B/$n"; fi
  # binfmt-support's database entry comes from the format file: missing after a package switch, or stale
  # (qemu-user-static's /usr/libexec/qemu-binfmt/*-binfmt-P kept after qemu-user replaced it)
  local db=/var/lib/binfmts/$n want
  want=$(sed -n 's/^interpreter //p' "$DEFS/$n")
  [ ! -e "$db" ] || grep -qxF "$want" "$db" || rm -f "$db"
  [ -e "$db" ] || update-binfmts --import "$n" >/dev/null 2>&1 || true
  if update-binfmts --enable "$n" >/dev/null 2>&1 && [ -z "$(problem "$n")" ]; then return 0; fi
  # fall back to the systemd-binfmt line (flags OPF, shown by the kernel as POF), or one made from the format file
  [ -e "$B/$n" ] && printf '%s' -1 >"$B/$n"
  conf=/usr/lib/binfmt.d/$n.conf
  [ -r "$conf" ] || conf=/usr/share/qemu/binfmt.d/$n.conf
  if [ -r "$conf" ]; then
    printf '%s' "$(cat "$conf")" >"$B/register" || die "cannot register $n from $conf"
  else
    field() { sed -n "s/^$1 //p" "$DEFS/$n"; }
    printf '%s' ":$n:M:$(field offset):$(field magic):$(field mask):$want:POF" >"$B/register" \
      || die "cannot register $n from $DEFS/$n" "run 'update-binfmts --enable $n' to see why"
  fi
  [ -z "$(problem "$n")" ] || die "$n is still not right after registering: $(problem "$n")"
}

changed=0 bad=0 total=0
for f in "$DEFS"/qemu-*; do
  n=${f##*/}
  total=$((total + 1))
  p=$(problem "$n")
  [ -n "$p" ] || continue
  if [ "$CHECK" = 1 ]; then echo "$n: $p"; bad=1; continue; fi
  register "$n"
  log "re-registered $n (was: $p)"
  changed=$((changed + 1))
done
for f in "$B"/qemu-*; do
  [ -e "$f" ] || continue
  n=${f##*/}
  [ -e "$DEFS/$n" ] && continue
  if [ "$CHECK" = 1 ]; then echo "$n: registered but not defined in $DEFS"; bad=1; continue; fi
  printf '%s' -1 >"$f"
  log "removed $n (not one of the stack's emulators)"
  changed=$((changed + 1))
done
if [ "$CHECK" = 1 ]; then
  [ "$bad" = 0 ] && { [ "$QUIET" = 1 ] || log "all $total QEMU emulators registered as expected"; }
  exit "$bad"
fi
[ "$QUIET" = 1 ] && [ "$changed" = 0 ] || log "binfmt_misc: $total QEMU emulators registered with flags PF ($changed changed)"
