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
SAY_PREFIX=ci-prepare
# shellcheck source=containers/lib.sh
. "$here/lib.sh"
# shellcheck source=containers/images.env
. "$here/images.env"

if ! "$here/engine.sh" start >&2; then
  warn "no Docker engine; the container suites will skip"
  exit 0
fi
"$here/build-images.sh" >&2
# The seeded database every stack starts from, made now rather than by the first test's stack (which
# would spend its timeout on it). When it cannot be made here, the first stack tries again and says why.
if ! LOGTO_IMAGE=$(local_image "$LOCAL_LOGTO") POSTGRES_IMAGE=$(local_image "$LOCAL_POSTGRES") \
  npx --prefix "$here/.." --no-install node "$here/../bin/connector-harness.js" stacks --snapshot 2>&1 | sed "s/^/$SAY_PREFIX: /" >&2; then
  warn "could not make the seeded database snapshot now; the first stack start makes it"
fi
cat <<ENV
export LOGTO_IMAGE=$(local_image "$LOCAL_LOGTO")
export POSTGRES_IMAGE=$(local_image "$LOCAL_POSTGRES")
export MOCK_IDP_IMAGE=$(local_image "$LOCAL_MOCK_IDP")
export CONNECTOR_HARNESS_IMAGE=$(local_image "$LOCAL_HARNESS")
export NODE_IMAGE=$(local_image "$LOCAL_NODE")
export SSHD_CONTAINER_IMAGE=$(local_image "$LOCAL_SSHD")
export TESTCONTAINERS_RYUK_DISABLED=true
ENV
