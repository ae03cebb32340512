#!/usr/bin/python3
"""`kiln bench` end to end on a tiny model: options, the trtexec-style summary, --json,
--exportTimes, --dumpProfile, --streams and the error messages.

    /usr/bin/python3 bench_cli_test.py KILN MODEL.onnx WORK_DIR
"""
import json
import os
import re
import subprocess
import sys

kiln, model, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def bench(*args, ok=True):
    cmd = [kiln, "bench", "-m", model, *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if ok and p.returncode != 0:
        print(" ".join(cmd), "\n", p.stdout, p.stderr)
        sys.exit(f"kiln bench failed (rc {p.returncode})")
    return p


def load(path):
    with open(path) as f:
        return json.load(f)


NUM = r"[0-9.e+-]+"

# 1. Fixed iteration count, every output file, trtexec's comma-separated --shapes list.
out_json, out_times = os.path.join(work, "b.json"), os.path.join(work, "times.json")
for path in (out_json, out_times):
    if os.path.exists(path):
        os.remove(path)
p = bench("--shapes", "X:2x3x8x8,Z:2x5", "--iterations", "3", "--warmUp", "0", "--threads", "1", "--seed", "3",
          "--json", out_json, "--exportTimes", out_times, "--dumpProfile")
text = p.stdout
for line in ["Warmup completed 0 queries over 0 ms", "Timing trace has 3 queries over ", "=== Performance summary ===",
             "Threads: 1 (1 stream x 1 thread)", "Input: X float32 2x3x8x8", "Input: Z float32 2x5",
             "=== Profile (10 runs, median per node) ===", "=== Profile by op type ==="]:
    check(line in text, f"summary has '{line}'")
check(re.search(rf"^Throughput: {NUM} qps$", text, re.M), "Throughput line")
check(re.search(rf"^Latency: min = {NUM} ms, max = {NUM} ms, mean = {NUM} ms, median = {NUM} ms, "
                rf"percentile\(90%\) = {NUM} ms, percentile\(95%\) = {NUM} ms, percentile\(99%\) = {NUM} ms$",
                text, re.M), "Latency line in trtexec's words")
check(re.search(rf"^Total Host Walltime: {NUM} s$", text, re.M), "Total Host Walltime line")
check(re.search(rf"^Total Compute Time: {NUM} s$", text, re.M), "Total Compute Time line")
check(re.search(r"^Model load time: [0-9.]+ ms$", text, re.M), "load time line")
check(re.search(r"^Session prepare time: [0-9.]+ ms \(model file -> ready: [0-9.]+ ms\)$", text, re.M), "prepare line")
check(re.search(r"^Peak resident memory: [0-9.]+ MiB \(growth from before load: [0-9.]+ MiB\)$", text, re.M),
      "memory line")
check(re.search(r"^Backend: cpu, ISA: (scalar|avx2|avx512)$", text, re.M), "backend/ISA line")

j = load(out_json)
for key in ["tool", "model", "backend", "isa", "threads", "streams", "threads_per_stream", "seed", "inputs", "load_ms",
            "prepare_ms", "ready_ms", "rss_before_load_kb", "peak_rss_kb", "peak_rss_growth_kb", "warmup_queries",
            "warmup_ms", "queries", "walltime_s", "throughput_qps", "total_compute_s", "latency_ms", "profile"]:
    check(key in j, f"JSON has '{key}'")
check(j.get("queries") == 3 and j.get("warmup_queries") == 0, "3 timed queries, no warm-up")
check(j.get("seed") == 3 and j.get("threads") == 1 and j.get("streams") == 1, "seed/threads/streams recorded")
check(j.get("inputs") == [{"name": "X", "dtype": "float32", "shape": [2, 3, 8, 8]},
                          {"name": "Z", "dtype": "float32", "shape": [2, 5]}], "inputs recorded")
lat = j.get("latency_ms", {})
check(set(lat) == {"min", "max", "mean", "median", "percentiles"}, "latency keys")
check(set(lat.get("percentiles", {})) == {"90", "95", "99"}, "default percentiles 90,95,99")
check(0 < lat.get("min", 0) <= lat.get("median", 0) <= lat.get("max", 0), "min <= median <= max")
check(abs(j["ready_ms"] - j["load_ms"] - j["prepare_ms"]) < 1e-3, "ready = load + prepare")
check(j["peak_rss_kb"] > 0 and j["peak_rss_kb"] >= j["rss_before_load_kb"], "peak RSS measured")
prof = j.get("profile", {})
check(prof.get("runs") == 10, "profile runs")
check(len(prof.get("nodes", [])) >= 1 and all(set(n) == {"name", "op", "kernel", "median_ms", "percent"}
                                             for n in prof.get("nodes", [])), "profile node entries")
check(abs(sum(n["percent"] for n in prof.get("nodes", [])) - 100) < 0.01 or prof.get("total_ms") == 0,
      "profile percents add up")
check(sum(o["nodes"] for o in prof.get("ops", [])) == len(prof.get("nodes", [])), "per-op summary covers every node")
times = load(out_times)
check(len(times) == 3, "exportTimes has one entry per timed query")
check(all(set(t) == {"stream", "startComputeMs", "endComputeMs", "computeMs", "latencyMs"} for t in times),
      "exportTimes keys")
check(all(a["endComputeMs"] <= b["startComputeMs"] + 1e-6 for a, b in zip(times, times[1:])),
      "one stream: queries do not overlap")

# 2. Streams on the reference backend, one --shapes option per input, a single percentile.
out_json2, out_times2 = os.path.join(work, "streams.json"), os.path.join(work, "streams_times.json")
p = bench("--shapes", "X:1x3x8x8", "--shapes", "Z:1x5", "--iterations", "6", "--warmUp", "5", "--streams", "2",
          "--threads", "2", "--percentile", "50", "--backend", "reference", "--json", out_json2,
          "--exportTimes", out_times2)
j = load(out_json2)
check(j["queries"] == 6 and j["streams"] == 2 and j["threads_per_stream"] == 1, "streams split the threads")
check(j["backend"] == "reference" and "profile" not in j, "reference backend, no profile without --dumpProfile")
check(set(j["latency_ms"]["percentiles"]) == {"50"}, "--percentile 50")
check(j["warmup_queries"] >= 1, "warm-up ran")
check({t["stream"] for t in load(out_times2)} <= {0, 1}, "stream ids")
check("percentile(50%) = " in p.stdout and "Threads: 2 (2 streams x 1 thread)" in p.stdout, "streams summary")

# 3. --duration bounds the run from below (with --iterations: both hold).
p = bench("--shapes", "X:1x3x8x8,Z:1x5", "--iterations", "2", "--duration", "0.3", "--warmUp", "0", "--json",
          out_json)
j = load(out_json)
# The first query may start a little after the phase (thread wake-up on a loaded machine).
check(j["queries"] >= 2 and j["walltime_s"] >= 0.2, "--duration 0.3 with --iterations 2")

# 4. Errors: a message that names the fix, and a non-zero exit.
for args, want in [(["--iterations", "1"], "dynamic shape"),
                   (["--shapes", "X:1x3x8x8,Z:1x5", "--percentile", "101"], "--percentile"),
                   (["--shapes", "X:1x3x8x8,Z:1x5", "--streams", "0"], "--streams must be >= 1"),
                   (["--shapes", "X:1x3xAx8"], "is not a shape like"),
                   (["--shapes", "Q:1x5"], "model's inputs are: X, Z")]:
    p = bench(*args, ok=False)
    check(p.returncode != 0 and want in p.stderr, f"{args}: exits non-zero saying '{want}' (got: {p.stderr.strip()})")

if failures:
    sys.exit(f"{len(failures)} check(s) failed")
print("all kiln bench checks passed")
