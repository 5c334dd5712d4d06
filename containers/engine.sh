#!/usr/bin/env bash
# Make sure a Docker engine answers: install Debian's docker.io when there is no daemon binary,
# start dockerd when `docker info` fails, and wait until it answers. A compose command comes with
# it: Debian's docker-compose is installed when neither `docker compose` nor `docker-compose` runs.
#
#   containers/engine.sh start   (default) ensure an engine; prints one line saying what it did
#   containers/engine.sh stop    stop the engine only if `start` started it (pid file), by its pid
#
# The pid file (default /tmp/harness-dockerd.pid, override with HARNESS_DOCKERD_PIDFILE) exists only
# when this script started the daemon, so an engine that was already running is never stopped.
# Exit codes: 0 engine answers (or stopped), 1 no engine could be had.
set -euo pipefail
SAY_PREFIX=engine
# shellcheck source=containers/lib.sh
. "$(dirname "$0")/lib.sh"

pidfile=${HARNESS_DOCKERD_PIDFILE:-/tmp/harness-dockerd.pid}
dockerd_log=${HARNESS_DOCKERD_LOG:-/var/log/dockerd.log}
action=${1:-start}

answers() { docker info >/dev/null 2>&1; }
has_compose() { docker compose version >/dev/null 2>&1 || docker-compose version >/dev/null 2>&1; }

# The compose suite and the README's compose steps need one; without it only they skip.
ensure_compose() {
  has_compose && return 0
  apt_install /tmp/harness-compose-install.log docker-compose || warn "no compose command; the docker compose suite will skip"
}

start() {
  if command -v docker >/dev/null 2>&1 && answers; then
    say "a Docker engine already answers ($(docker version -f '{{.Server.Version}}' 2>/dev/null)); nothing to do"
    ensure_compose
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    apt_install /tmp/harness-docker-install.log docker.io || { warn "no Docker engine could be had"; return 1; }
  fi
  ensure_compose
  # Fully detached: a daemon that inherits this script's stdout keeps CI's pipe open forever.
  setsid dockerd </dev/null >"$dockerd_log" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidfile"
  for _ in $(seq 1 60); do
    if answers; then
      say "started dockerd (pid $pid, log $dockerd_log)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 1
  done
  warn "dockerd did not answer within 60 s; last lines of $dockerd_log:"
  tail -n 20 "$dockerd_log" >&2
  kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  return 1
}

stop() {
  if [ ! -f "$pidfile" ]; then
    say "not started by engine.sh; left running"
    return 0
  fi
  local pid
  pid=$(cat "$pidfile")
  rm -f "$pidfile"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    say "stopped dockerd (pid $pid)"
  else
    say "dockerd (pid $pid) was no longer running"
  fi
}

case "$action" in
  -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' ;;
  start) start ;;
  stop) stop ;;
  *) warn "unknown action '$action' (start or stop)"; exit 2 ;;
esac
