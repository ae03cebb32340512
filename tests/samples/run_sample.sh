#!/usr/bin/env bash
# run_sample.sh PREFIX SAMPLE_DIR WORK_DIR LOG [ARGS...]: builds a C++ sample out of tree exactly
# as the AscendCL sample READMEs say (source set_env.sh; cmake reads DDK_PATH and NPU_HOST_LIB),
# then runs `main ARGS` from WORK_DIR and writes its output to LOG.
set -euo pipefail
prefix=$1 sample=$2 work=$3 log=$4
shift 4
rm -rf "$work/build"
mkdir -p "$work/build"
env -i HOME="$HOME" PATH=/usr/local/bin:/usr/bin:/bin bash -c "
  set -e
  . '$prefix/set_env.sh'
  cmake -S '$sample' -B '$work/build' -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build '$work/build' -j2 >/dev/null
  cd '$work'
  ./build/main $(printf "'%s' " "$@")
" >"$log" 2>&1 || { cat "$log"; exit 1; }
cat "$log"
