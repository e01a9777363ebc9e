#!/bin/sh
# Stands in for `docker` in the benchmark: `buildx build` streams the synthetic rawjson log given in
# MAS_BENCH_LOG to stderr and exits 0; every other command runs the real docker CLI unchanged.
# A shell script that execs: the stand-in's own start and copying take next to no CPU from the two
# the app and the page share (a Node script piping the log took about a second per million lines).
if [ "$1" = buildx ] && [ "$2" = build ] && [ -n "$MAS_BENCH_LOG" ]; then
  exec cat -- "$MAS_BENCH_LOG" >&2
fi
exec "${MAS_BENCH_REAL_DOCKER:-/usr/bin/docker}" "$@"
