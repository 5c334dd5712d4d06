# shellcheck shell=bash
# What the scripts in containers/ share; sourced, never run. Set SAY_PREFIX (the one prefix the
# sourcing script prints under) first.

: "${SAY_PREFIX:?set SAY_PREFIX before sourcing containers/lib.sh}"

# say MSG...: one progress line on stdout. warn MSG...: one line on stderr.
say() { echo "$SAY_PREFIX: $*"; }
warn() { echo "$SAY_PREFIX: $*" >&2; }

# local_image TAG: a stand-in's tag from images.env under HARNESS_IMAGE_PREFIX (default harness-local),
# which renames the whole set (e.g. to try a build from nothing next to a set in use).
local_image() { echo "${HARNESS_IMAGE_PREFIX:-harness-local}/${1#*/}"; }

# run_logged LOG CMD...: CMD's output goes to LOG; when it fails, the tail of LOG is shown and the
# script stops with exit code 1.
run_logged() {
  local log=$1
  shift
  if ! "$@" >>"$log" 2>&1; then
    warn "FAILED: $* (last lines of $log):"
    tail -n 40 "$log" >&2
    exit 1
  fi
}

# apt_install LOG PACKAGE...: a quiet apt-get install, its output in LOG (the tail shown when it
# fails). Returns 2 when this machine cannot install (no apt-get, not root), 1 when the install failed.
apt_install() {
  local log=$1
  shift
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    warn "cannot install $* here (needs root and apt-get)"
    return 2
  fi
  say "installing $* with apt (log: $log)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    warn "apt-get install $* failed"
    return 1
  fi
}
