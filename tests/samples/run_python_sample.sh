#!/usr/bin/env bash
# run_python_sample.sh PREFIX SCRIPT WORK_DIR LOG [ARGS...]: runs a pyACL sample as its README says
# (a clean environment, `source PREFIX/set_env.sh`, Debian's python3) from WORK_DIR and writes its
# output to LOG.
set -euo pipefail
prefix=$1 script=$2 work=$3 log=$4
shift 4
mkdir -p "$work"
env -i HOME="$HOME" PATH=/usr/local/bin:/usr/bin:/bin bash -c "
  set -e
  . '$prefix/set_env.sh'
  cd '$work'
  /usr/bin/python3 '$script' $(printf "'%s' " "$@")
" >"$log" 2>&1 || { cat "$log"; exit 1; }
cat "$log"
