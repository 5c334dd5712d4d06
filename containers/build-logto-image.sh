#!/usr/bin/env bash
# Build a Logto image from a Logto source tree (a checkout of logto-io/logto, or a .tar.gz of one),
# for testing a connector against a Logto that has no published image (an unreleased commit, a fork)
# or on a machine that cannot pull `svhd/logto`.
#
#   containers/build-logto-image.sh [--base IMAGE] [--work DIR] [--keep-work] SOURCE [TAG]
#
#   SOURCE   a Logto source directory (with pnpm-workspace.yaml) or a .tar.gz of one (`git archive`)
#   TAG      image tag; default logto-local:<core version>
#   --base   runtime base image with Node 22 on glibc; default OFFICIAL_NODE (containers/images.env;
#            the host builds native modules, so the base must be glibc like the host: not alpine)
#   --work   build directory; default ${TMPDIR:-/tmp}/logto-build-<source hash>. The source itself is
#            never modified: it is copied or extracted there. The built tree (~2 GB) is removed once
#            the image exists, unless --keep-work.
#
# The build runs on the host (Node 22 and pnpm 10 come from npm when absent), then the built tree
# is copied into a small image. Building offline from a source tree needs a few changes to that
# tree; every one of them is printed as it is made (lines starting with "logto-build: change:").
# Needs: bash, tar, docker, npm (any Node; Node 22 is fetched), network access to the npm registry.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SAY_PREFIX=logto-build
# shellcheck source=containers/lib.sh
. "$here/lib.sh"
# shellcheck source=containers/images.env
. "$here/images.env"
base_image=$OFFICIAL_NODE
work=
keep_work=
usage() { sed -n '2,19p' "$0" | sed -e 's/^# \{0,1\}//' -e "s|OFFICIAL_NODE|$OFFICIAL_NODE|"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --base) base_image=${2:?--base needs an image name}; shift 2 ;;
    --work) work=${2:?--work needs a directory}; shift 2 ;;
    --keep-work) keep_work=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --*) warn "unknown option $1 (see --help)"; exit 2 ;;
    *) break ;;
  esac
done
source=${1:-}
tag=${2:-}
if [ -z "$source" ] || [ ! -e "$source" ]; then
  warn "SOURCE '${source}' does not exist; give a Logto source directory or .tar.gz (see --help)"
  exit 2
fi

# Tools the build calls (Logto's own build scripts use rsync). apt-get installs a missing one.
for tool in rsync tar; do
  command -v "$tool" >/dev/null 2>&1 && continue
  apt_install "${TMPDIR:-/tmp}/logto-build-apt.log" "$tool" && continue
  case $? in
    2) warn "$tool is missing; install it and run again"; exit 2 ;;
    *) warn "could not install $tool; install it and run again"; exit 1 ;;
  esac
done
command -v docker >/dev/null 2>&1 || { warn "docker is missing"; exit 2; }

step_start=0
step() { step_start=$SECONDS; say "$*"; }
done_step() { say "  done in $((SECONDS - step_start)) s"; }

if [ -f "$source" ]; then
  source_id=$(sha256sum "$source" | cut -c1-64)
else
  source_id=$( (git -C "$source" rev-parse HEAD 2>/dev/null || echo "dir-$(realpath "$source" | sha256sum | cut -c1-12)") )
fi
work=${work:-${TMPDIR:-/tmp}/logto-build-${source_id:0:12}}
mkdir -p "$work"
log="$work/build.log"
: >"$log"
# Verbose output of every step goes to the log (run_logged); on failure its tail is shown.
say "building in $work (log: $log)"

# --- the source tree -------------------------------------------------------------------------
tree="$work/logto"
step "copying the source into $tree"
rm -rf "$tree" "$work/extract"
mkdir -p "$work/extract"
if [ -f "$source" ]; then
  run_logged "$log" tar -xzf "$source" -C "$work/extract"
else
  run_logged "$log" tar -C "$source" --exclude=node_modules --exclude=.git -cf - . | tar -C "$work/extract" -xf -
fi
root=$(dirname "$(find "$work/extract" -maxdepth 2 -name pnpm-workspace.yaml | head -n1)")
if [ ! -f "$root/packages/core/package.json" ]; then
  warn "$source holds no Logto tree (no pnpm-workspace.yaml with packages/core)"
  exit 2
fi
mv "$root" "$tree"
rm -rf "$work/extract"
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$tree/packages/core/package.json")
tag=${tag:-logto-local:$version}
say "  Logto core $version -> image $tag (base $base_image)"
done_step

# --- toolchain: Node 22 and pnpm 10 ----------------------------------------------------------
tools="$work/tools"
if ! node --version 2>/dev/null | grep -q '^v22\.'; then
  if [ ! -x "$tools/node_modules/.bin/node" ]; then
    step "installing Node 22 and pnpm 10 from npm into $tools"
    run_logged "$log" npm install --prefix "$tools" --no-save --no-audit --no-fund node@22 pnpm@10
    done_step
  fi
  export PATH="$tools/node_modules/.bin:$PATH"
elif ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  step "installing pnpm 10 from npm into $tools"
  run_logged "$log" npm install --prefix "$tools" --no-save --no-audit --no-fund pnpm@10
  export PATH="$tools/node_modules/.bin:$PATH"
  done_step
fi
say "  node $(node --version), pnpm $(pnpm --version)"

# --- changes an offline build needs (each printed) ------------------------------------------------
cd "$tree"
export CI=true PUPPETEER_SKIP_DOWNLOAD=true
node "$here/logto/offline-changes.mjs" "$tree" | sed "s/^/$SAY_PREFIX: change: /"

# --- install, build, connectors ---------------------------------------------------------------
step "pnpm install (all workspace packages)"
run_logged "$log" pnpm install --no-frozen-lockfile
done_step
step "pnpm build (every package but the integration tests; the slow part: minutes)"
run_logged "$log" pnpm -r --filter '!@logto/integration-tests' build
done_step
step "linking the official connectors (pnpm cli connector link)"
run_logged "$log" pnpm cli connector link -p .
done_step

# --- production dependencies only -------------------------------------------------------------
step "production install (dev dependencies dropped)"
find . -name node_modules -type d -prune -exec rm -rf {} +
node "$here/logto/runtime-dependencies.mjs" "$tree" | sed "s/^/$SAY_PREFIX: change: /"
run_logged "$log" env NODE_ENV=production pnpm install --prod --no-frozen-lockfile
node "$here/logto/port-oidc-fork.mjs" "$tree" | sed "s/^/$SAY_PREFIX: change: /"
rm -rf .scripts packages/cloud packages/integration-tests
done_step

# --- the image --------------------------------------------------------------------------------
step "docker build $tag FROM $base_image"
cp "$here/logto/Dockerfile" "$work/Dockerfile"
cat >"$work/.dockerignore" <<'IGN'
tools
build.log
Dockerfile
IGN
run_logged "$log" docker build --build-arg "BASE_IMAGE=$base_image" \
  --label "org.logto-harness.source-sha256=$source_id" --label "org.logto-harness.logto-version=$version" \
  -t "$tag" "$work"
done_step
[ -n "$keep_work" ] || rm -rf "$tree" "$work/tools"
say "built $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}'))"
say "run it: seed with 'npm run cli db seed -- --swe' (add '--dapc' where api.pwnedpasswords.com"
say "  is unreachable: the admin password breach check calls it), then 'npm start'; DB_URL points at PostgreSQL."
