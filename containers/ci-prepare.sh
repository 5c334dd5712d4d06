#!/usr/bin/env bash
# For CI on a machine without an image registry: make sure a Docker engine answers, build the
# local stand-in images that are missing, and print the settings the container suites read:
#
#   eval "$(containers/ci-prepare.sh)"      # progress on stderr, `export …` lines on stdout
#
# Without an engine (none running, none installable) it prints nothing on stdout and exits 0: the
# container suites then skip with their one line. A failed image build exits 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if ! "$here/engine.sh" start >&2; then
  echo "ci-prepare: no Docker engine; the container suites will skip" >&2
  exit 0
fi
"$here/build-images.sh" >&2
prefix=${HARNESS_IMAGE_PREFIX:-harness-local}
cat <<ENV
export LOGTO_IMAGE=$prefix/logto:1.42.0
export POSTGRES_IMAGE=$prefix/postgres:17
export MOCK_IDP_IMAGE=$prefix/mock-idp:dev
export NODE_IMAGE=$prefix/node:22
export SSHD_CONTAINER_IMAGE=$prefix/sshd:1.4.0
export TESTCONTAINERS_RYUK_DISABLED=true
ENV
