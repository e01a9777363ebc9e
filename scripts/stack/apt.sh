# shellcheck shell=bash
# apt helpers of the test stack (sourced by setup.sh after lib.sh): the system's own packages, and .deb files of
# newer Debian suites fetched through private apt lists in $STACK_CACHE (the system's apt sources are never changed).
# Every install of another suite's packages is simulated first against the system's own package database, so a
# package that cannot install here (e.g. it needs a newer libc) is named with its dependency line, not half-installed.

CREATED_POLICY_RC=0
SYSTEM_APT_UPDATED=0
declare -A SUITE_ARCHES=() # suite -> the foreign architectures its lists were updated with in this run ("-" for none)
SIM_PROBLEM="" # the unmet dependency lines of the last failed simulate_debs

deny_service_starts() { # keep package maintainer scripts from starting docker/containerd/registry services
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from scripts/stack/setup.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    CREATED_POLICY_RC=1
  fi
}
allow_service_starts() { if [ "$CREATED_POLICY_RC" = 1 ]; then rm -f /usr/sbin/policy-rc.d; CREATED_POLICY_RC=0; fi; }

system_apt_update() {
  [ "$SYSTEM_APT_UPDATED" = 1 ] && return 0
  log "apt-get update (system sources)"
  apt-get update -qq >"$LOGS/apt-update.log" 2>&1 || { tail -n 5 "$LOGS/apt-update.log" >&2; warn "apt-get update reported errors (log: $LOGS/apt-update.log); trying to go on"; }
  SYSTEM_APT_UPDATED=1
}

apt_install() { # apt_install ARGS... (packages of the system's sources or ./file.deb)
  deny_service_starts
  if ! apt-get install -y -qq --no-install-recommends "$@" >>"$LOGS/apt-install.log" 2>&1; then
    tail -n 20 "$LOGS/apt-install.log" >&2
    die "apt-get install $* failed (log: $LOGS/apt-install.log)" \
      "read the apt output above; 'apt-get -f install' may repair a half-done install; then re-run $0"
  fi
}

# suite_opts SUITE: SUITE_APT for the private lists of SUITE (with the architectures they were updated with)
suite_opts() {
  local a=${SUITE_ARCHES[$1]:--}
  # shellcheck disable=SC2086
  suite_apt_opts "$STACK_CACHE/apt-$1" "$1" amd64 ${a#-}
}

# suite_lists SUITE [ARCH...]: private, up-to-date package lists of SUITE (amd64 plus ARCHs), once per run
suite_lists() {
  local suite=$1; shift
  [ "${SUITE_ARCHES[$suite]:-}" = "${*:--}" ] && return 0
  suite_apt_opts "$STACK_CACHE/apt-$suite" "$suite" amd64 "$@"
  log "apt-get update ($suite, private lists in $STACK_CACHE/apt-$suite)"
  apt-get "${SUITE_APT[@]}" update -qq >"$LOGS/apt-update-$suite.log" 2>&1 || {
    tail -n 10 "$LOGS/apt-update-$suite.log" >&2
    die "apt-get update for $suite failed" "check that $DEBIAN_MIRROR is reachable and $STACK_KEYRING is current (package debian-archive-keyring)"
  }
  SUITE_ARCHES[$suite]=${*:--}
}

# suite_download SUITE DIR PKG...: the .deb files of PKG (name, name:arch or name=version) from SUITE into DIR
suite_download() {
  local suite=$1 d=$2; shift 2
  mkdir -p "$d"
  [ -n "${SUITE_ARCHES[$suite]:-}" ] || suite_lists "$suite"
  suite_opts "$suite"
  (cd "$d" && apt-get "${SUITE_APT[@]}" download "$@" >"$LOGS/apt-download.log" 2>&1) || {
    tail -n 10 "$LOGS/apt-download.log" >&2
    die "downloading $* from $suite failed" "check that $DEBIAN_MIRROR is reachable; re-run $0"
  }
}

# suite_version SUITE PKG: the candidate version of PKG in SUITE's lists (empty if it has none); call suite_lists
# SUITE first (this is used in $(...), where the lists' bookkeeping would be lost)
suite_version() {
  suite_opts "$1"
  apt-cache "${SUITE_APT[@]}" show "$2" 2>/dev/null | awk '/^Version: /{print $2; exit}'
}

# simulate_debs DEB...: can these .deb files be installed here, with the rest from the system's sources?
# Returns 1 and leaves the unmet dependency lines in SIM_PROBLEM when not; the simulation is logged.
simulate_debs() {
  local out
  out=$(apt-get -s install --no-install-recommends "$@" 2>&1) && { SIM_PROBLEM=""; printf '%s\n' "$out" >>"$LOGS/apt-simulate.log"; return 0; }
  printf '%s\n' "$out" >>"$LOGS/apt-simulate.log"
  SIM_PROBLEM=$(printf '%s\n' "$out" | grep -E '^ .*: (Pre)?Depends:|Breaks:|Conflicts:|^ +(Depends|PreDepends):' | sed 's/^ *//' | sort -u)
  [ -n "$SIM_PROBLEM" ] || SIM_PROBLEM=$(printf '%s\n' "$out" | grep '^E:' | head -n 3)
  return 1
}

# debs_from_suite SUITE DIR PKG...: downloads PKG from SUITE into DIR (emptied first) and simulates installing them.
# A dependency the system cannot satisfy but SUITE has (e.g. tini-static for docker.io) is added, up to 3 rounds.
# Returns 1 with SIM_PROBLEM set when the set cannot install here.
debs_from_suite() {
  local suite=$1 d=$2 round extra; shift 2
  local pkgs=("$@")
  rm -rf "$d"
  for round in 1 2 3; do
    suite_download "$suite" "$d" "${pkgs[@]}"
    simulate_debs "$d"/*.deb && return 0
    # "docker.io : Depends: tini-static but it is not installable" -> tini-static, if SUITE has it
    extra=$(printf '%s\n' "$SIM_PROBLEM" | sed -n 's/.*Depends: \([a-z0-9.+-]*\) but it is not installable.*/\1/p' | sort -u)
    [ -n "$extra" ] || return 1
    local e added=0
    for e in $extra; do
      [ -n "$(suite_version "$suite" "$e")" ] || continue
      printf '%s\n' "${pkgs[@]}" | grep -qx "$e" && continue
      pkgs+=("$e"); added=1
    done
    [ "$added" = 1 ] || return 1
    log "  $suite: adding ${extra//$'\n'/ } (a dependency the system's sources do not have)"
  done
  return 1
}
