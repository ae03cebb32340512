#!/usr/bin/env bash
# scripts/om_load_bench.sh [MODEL.onnx] [PROCESSES=7] [REPEAT=4]: the `.om` load-time contract.
# Converts the model once, then alternates fresh processes of `om_load_bench onnx` and
# `om_load_bench om` (warm page cache), and prints the medians of "ready to run" time for the
# first load in a process and for later loads in the same process, plus the ratio om / onnx.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$root/models/torch/resnet50_op17/model.onnx}
procs=${2:-7}
repeat=${3:-4}
bench=${KILN_BENCH:-$root/build/benchmarks/om_load_bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" convert "$model" "$tmp/model.om" >/dev/null
"$bench" onnx "$model" 1 >/dev/null  # warm the page cache
"$bench" om "$tmp/model.om" 1 >/dev/null
for ((p = 0; p < procs; ++p)); do
  "$bench" onnx "$model" "$repeat" >>"$tmp/onnx.log"
  "$bench" om "$tmp/model.om" "$repeat" >>"$tmp/om.log"
done
/usr/bin/python3 - "$tmp/onnx.log" "$tmp/om.log" <<'PY'
import statistics, sys
def parse(path):
    rows = []
    for line in open(path):
        f = dict(kv.split("=") for kv in line.split()[1:])
        rows.append({k: float(v) for k, v in f.items()})
    return rows
res = {}
for name, path in (("onnx", sys.argv[1]), ("om", sys.argv[2])):
    rows = parse(path)
    for which, sel in (("first in process", [r for r in rows if r["iter"] == 0]),
                       ("later in process", [r for r in rows if r["iter"] > 0])):
        med = {k: statistics.median(r[k] for r in sel) for k in ("load_ms", "create_ms", "ready_ms")}
        res[(name, which)] = med["ready_ms"]
        print(f"{name:4} {which:17} n={len(sel):2}  load {med['load_ms']:7.1f} ms  create {med['create_ms']:7.1f} ms"
              f"  ready {med['ready_ms']:7.1f} ms")
for which in ("first in process", "later in process"):
    r = res[("om", which)] / res[("onnx", which)]
    print(f"om/onnx ready ratio, {which}: {r:.3f} (contract: <= 0.200)")
PY
