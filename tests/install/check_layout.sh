#!/usr/bin/env bash
# check_layout.sh PREFIX: the installed tree is what AscendCL applications expect
# (../shared/spec/acl-api.md §2). From a clean environment that only sources PREFIX/set_env.sh:
# the variables point into PREFIX, the headers compile as C99 and C++11, a program linked against
# the stub library runs against the real one through LD_LIBRARY_PATH, atc is on PATH, and the
# C++ package is found by CMake (find_package(Kiln)) and pkg-config.
set -euo pipefail
prefix=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check_layout: $*" >&2; exit 1; }

for f in runtime/include/acl/acl.h runtime/include/acl/acl_base.h runtime/include/acl/acl_rt.h \
         runtime/include/acl/acl_mdl.h runtime/include/acl/acl_op.h runtime/include/acl/acl_prof.h \
         runtime/include/acl/acl_op_compiler.h runtime/include/acl/ops/acl_cblas.h \
         runtime/include/acl/error_codes/rt_error_codes.h runtime/include/acl/error_codes/ge_error_codes.h \
         runtime/include/ge/ge_error_codes.h runtime/lib64/libascendcl.so runtime/lib64/stub/libascendcl.so \
         runtime/lib64/libacl_cblas.so runtime/lib64/stub/libacl_cblas.so compiler/bin/atc bin/atc bin/kiln \
         set_env.sh acllib/include/acl/acl.h lib/cmake/Kiln/KilnConfig.cmake lib/pkgconfig/kiln.pc \
         python/site-packages/acl.so python/site-packages/kiln.so include/kiln/kiln.hpp lib/libkiln.so; do
  [ -e "$prefix/$f" ] || fail "missing $prefix/$f"
done

# A clean environment: only what set_env.sh exports (plus a minimal PATH for the compilers).
run_env() { env -i HOME="$HOME" PATH=/usr/local/bin:/usr/bin:/bin bash -c ". '$prefix/set_env.sh' && $1"; }
vars=$(run_env 'echo "$ASCEND_TOOLKIT_HOME|$DDK_PATH|$NPU_HOST_LIB|$LD_LIBRARY_PATH|$PATH|$PYTHONPATH"')
IFS='|' read -r home ddk npu ld path py <<<"$vars"
[ "$home" = "$prefix" ] || fail "ASCEND_TOOLKIT_HOME is '$home', expected '$prefix'"
[ "$ddk" = "$prefix" ] || fail "DDK_PATH is '$ddk', expected '$prefix'"
[ "$npu" = "$prefix/runtime/lib64/stub" ] || fail "NPU_HOST_LIB is '$npu'"
[[ "$ld" == "$prefix/runtime/lib64"* ]] || fail "LD_LIBRARY_PATH does not start with $prefix/runtime/lib64: '$ld'"
[[ "$path" == *"$prefix/compiler/bin"* ]] || fail "PATH lacks $prefix/compiler/bin: '$path'"
[[ "$py" == "$prefix/python/site-packages"* ]] || fail "PYTHONPATH lacks $prefix/python/site-packages: '$py'"
[ "$(run_env 'command -v atc')" = "$prefix/compiler/bin/atc" ] || fail "atc on PATH is not $prefix/compiler/bin/atc"
run_env 'atc --help' >/dev/null || fail "atc --help failed"

# The headers as C99 and C++11 (-Wall -Wextra -pedantic -Werror), linked against the stub
# directory, run against the real library.
cat >"$work/probe.c" <<'C'
#include <stdio.h>
#include "acl/acl.h"
#include "acl/ops/acl_cblas.h"
int main(void) {
    int32_t major = -1, minor = -1, patch = -1;
    if (aclInit(NULL) != ACL_SUCCESS) return 1;
    if (aclrtGetVersion(&major, &minor, &patch) != ACL_SUCCESS) return 2;
    printf("%d.%d.%d %s\n", major, minor, patch, aclrtGetSocName());
    return aclFinalize() == ACL_SUCCESS ? 0 : 3;
}
C
cp "$work/probe.c" "$work/probe.cpp"
run_env "cc -std=c99 -Wall -Wextra -pedantic -Werror -I\$DDK_PATH/runtime/include '$work/probe.c' -L\$NPU_HOST_LIB -lascendcl -lacl_cblas -o '$work/probe_c'"
run_env "c++ -std=c++11 -Wall -Wextra -Werror -I\$DDK_PATH/runtime/include '$work/probe.cpp' -L\$NPU_HOST_LIB -lascendcl -o '$work/probe_cpp'"
out=$(run_env "'$work/probe_c'") || fail "the C probe failed to run: $out"
[ "$out" = "1.0.0 Ascend310" ] || fail "the C probe printed '$out', expected '1.0.0 Ascend310'"
out=$(run_env "'$work/probe_cpp'") || fail "the C++11 probe failed to run: $out"
# Without set_env.sh the loader must not find the library (no rpath: LD_LIBRARY_PATH decides).
if env -i "$work/probe_c" >/dev/null 2>&1; then fail "the probe ran without LD_LIBRARY_PATH: it has an rpath"; fi

# The C++ package: find_package(Kiln) and pkg-config.
if [ -f "$prefix/include/kiln/kiln.hpp" ]; then
  mkdir -p "$work/pkg"
  cat >"$work/pkg/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(consumer CXX)
find_package(Kiln REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE Kiln::kiln_cxx)
CM
  cat >"$work/pkg/main.cpp" <<'CPP'
#include <kiln/kiln.hpp>
int main() { return 0; }
CPP
  run_env "cmake -S '$work/pkg' -B '$work/pkg/build' >/dev/null && cmake --build '$work/pkg/build' >/dev/null && '$work/pkg/build/consumer'" ||
    fail "a find_package(Kiln) consumer did not build and run"
  run_env "c++ -std=c++17 '$work/pkg/main.cpp' \$(pkg-config --cflags --libs kiln) -o '$work/pc_consumer' && '$work/pc_consumer'" ||
    fail "a pkg-config consumer did not build and run"
fi
if [ -d "$prefix/python/site-packages" ]; then
  run_env "/usr/bin/python3 -c 'import acl; assert acl.init() == 0 and acl.finalize() == 0'" || fail "import acl after set_env.sh failed"
fi
echo "check_layout: $prefix is a complete toolkit tree"
