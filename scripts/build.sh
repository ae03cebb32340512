#!/usr/bin/env bash
# scripts/build.sh [BUILD_DIR=build] [extra cmake args]: configure (once) and build with Ninja -j2
# and ccache. Warnings are errors (-DKILN_WERROR=ON) unless the extra args say otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
shift || true
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
# Debug info would otherwise put the build folder into every cache key: without this, a fresh
# clone in another folder (as CI makes) misses the whole cache.
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
cmake -S "$root" -B "$root/$dir" -G Ninja -DKILN_WERROR=ON "$@" >/dev/null
ninja -C "$root/$dir" -j"${KILN_JOBS:-2}"
