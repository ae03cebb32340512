#!/usr/bin/python3
"""Kiln vs ONNX Runtime, side by side on this machine; writes docs/PERFORMANCE.md.

    /usr/bin/python3 benchmarks/compare_ort.py [--rows SUBSTR] [--rounds 3] [--seconds 5]

Sets up the peer harness once (../shared/bench/setup.sh into .peer-bench/: onnxruntime-node and the
models), then for each row of the target table runs `kiln bench --json` and `node ort_bench.js`
interleaved (Kiln, ORT, Kiln, ORT, ...; --rounds rounds), each run a fresh process whose peak RSS
comes from wait4(). A row's figure is the median over rounds of each run's median latency, so one
noisy run (other jobs on the machine) moves it little. Needs build/tools/kiln/kiln (or --kiln).
"""
import argparse
import datetime
import json
import re
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Row:
    def __init__(self, label, model, threads, target, note=""):
        self.label, self.model, self.threads, self.target, self.note = label, model, threads, target, note


# Targets are Kiln/ORT median-latency ratios (lower is better): the row is met when ratio <= target.
ROWS = [
    Row("resnet50 b1", "resnet50_b1", 2, 0.95),
    Row("resnet50 b1", "resnet50_b1", 1, 1.00),
    Row("resnet50 b16 (ms per batch)", "resnet50_b16", 2, 0.95),
    Row("mobilenet_v2 b1", "mobilenet_v2_b1", 1, 0.85),
    Row("mobilenet_v2 b1", "mobilenet_v2_b1", 2, 0.85),
    Row("PP-OCRv4 det 1x3x640x640", "ocr_det", 2, 0.75),
    Row("PP-OCRv4 rec 1x3x48x320", "ocr_rec", 2, 0.80),
    Row("PP-OCR cls 1x3x48x192", "ocr_cls", 1, 0.70),
    Row("PP-OCR cls 1x3x48x192", "ocr_cls", 2, 0.70),
    Row("BERT-base-shaped seq 128", "bert_base_s128", 2, 0.95),
]
PREPARE_TARGET_MS = 2000  # resnet50: ONNX file -> session ready


def paired_ratio(runs):
    """Median over rounds of (Kiln run / the ORT run right after it): each pair ran back to back
    under the same load, so a noisy stretch of the machine moves one ratio, not both medians."""
    ratios = [k["median_ms"] / o["median_ms"] for k, o in zip(runs["kiln"], runs["ort"])
              if "median_ms" in k and "median_ms" in o and o["median_ms"] > 0]
    return statistics.median(ratios) if ratios else None


def row_id(row):
    return f"{row.label} {row.threads} thr"


def find_shared():
    """KILN_SHARED, else <repo>/../shared, else next to the main checkout when this is a worktree."""
    candidates = [os.environ.get("KILN_SHARED"), os.path.join(REPO, "..", "shared")]
    try:
        common = subprocess.run(["git", "-C", REPO, "rev-parse", "--path-format=absolute", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        candidates.append(os.path.join(os.path.dirname(common), "..", "shared"))
    except (OSError, subprocess.CalledProcessError):
        pass
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "bench", "setup.sh")):
            return os.path.abspath(c)
    sys.exit("cannot find the shared folder (bench/setup.sh); set KILN_SHARED. Tried: "
             + ", ".join(c for c in candidates if c))


def run_measured(cmd, timeout, env=None):
    """Runs cmd; returns (returncode, stdout, stderr, peak RSS in KiB of that process alone).
    returncode is -signal when killed by a signal, 124 when it ran past `timeout` seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        deadline = time.monotonic() + timeout
        timed_out = False
        while True:
            # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the max over all children).
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        rc = 124 if timed_out else proc.returncode
        return rc, out.read().decode(errors="replace"), err.read().decode(errors="replace"), usage.ru_maxrss


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON object in the output")


def machine_info(peer):
    model_name, logical, cores = "unknown CPU", os.cpu_count(), set()
    flags = set()
    phys = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "model name":
                model_name = value
            elif key == "physical id":
                phys = value
            elif key == "core id":
                cores.add((phys, value))
            elif key == "flags" and not flags:
                flags = set(value.split())
    simd = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16") if f in flags]
    peak_tool = os.path.join(peer, "tools", "peak")
    peak = None
    if os.path.exists(peak_tool):
        rc, out, err, _ = run_measured([peak_tool, "2"], 300)
        if rc == 0:
            try:
                peak = last_json_line(out)
            except ValueError:
                peak = None
        if peak is None:
            why = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit {rc}"
            peak = {"error": f"tools/peak failed ({why}); it is built for AVX-512, which this CPU "
                             f"{'has' if 'avx512f' in flags else 'lacks'}"}
    # Our own probe uses the widest FMA this CPU has (AVX2 or AVX-512), on 1 and 2 threads: the
    # % of peak columns need both (the shared tool reports its thread count only), so it runs
    # beside a working shared tool too.
    own = os.path.join(REPO, "build", "benchmarks", "fma_peak_bench")
    if peak is not None and "error" not in peak and os.path.exists(own):
        rc, out, err, _ = run_measured([own, "1", "2"], 300)
        for line in out.splitlines():
            m = re.search(r"\((\w+)\): (\d+) threads? ([0-9.]+) GFLOP/s", line)
            if m and rc == 0 and int(m.group(2)) > 0:
                peak.setdefault("fp32_gflops", {})[int(m.group(2))] = float(m.group(3))
                peak["own_isa"] = m.group(1)
    elif os.path.exists(own):
        rc, out, err, _ = run_measured([own, "1", "2"], 300)
        gflops = {}
        for line in out.splitlines():
            m = re.search(r"\((\w+)\): (\d+) threads? ([0-9.]+) GFLOP/s", line)
            if m:
                gflops[int(m.group(2))] = float(m.group(3))
                isa = m.group(1)
        if rc == 0 and gflops:
            peak = {"own_probe": True, "isa": isa, "fp32_gflops": gflops}
    return {"cpu": model_name, "logical_cpus": logical, "physical_cores": len(cores) or logical,
            "cpu_flags": simd, "kiln_isa": "?", "peak": peak, "loadavg_start": os.getloadavg()}


def shape_args(shapes):
    kiln = [f"{name}:{'x'.join(str(d) for d in dims)}" for name, dims in shapes.items()]
    ort = []
    for name, dims in shapes.items():
        ort += ["--shape", f"{name}={','.join(str(d) for d in dims)}"]
    return kiln, ort


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default="", help="only rows whose label (e.g. 'resnet50 b1 2 thr') contains this")
    ap.add_argument("--rounds", type=int, default=3, help="Kiln/ORT run pairs per row (default 3)")
    ap.add_argument("--seconds", type=float, default=5, help="timed seconds per run (default 5)")
    ap.add_argument("--min-iters", type=int, default=10, help="at least this many timed queries per run (default 10)")
    ap.add_argument("--kiln", default=os.path.join(REPO, "build", "tools", "kiln", "kiln"))
    ap.add_argument("--peer", default=os.path.join(REPO, ".peer-bench"), help="peer harness folder (gitignored)")
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "PERFORMANCE.md"))
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before one run is killed")
    ap.add_argument("--note", default="", help="a line for the report (e.g. which kernels were merged)")
    args = ap.parse_args()
    if args.rounds < 1:
        sys.exit("--rounds must be >= 1")
    if not os.access(args.kiln, os.X_OK):
        sys.exit(f"{args.kiln} not found: build first (scripts/build.sh) or pass --kiln")
    rows = [r for r in ROWS if args.rows in row_id(r)]
    if not rows:
        sys.exit(f"no row matches --rows {args.rows!r}; rows: " + "; ".join(row_id(r) for r in ROWS))

    shared = find_shared()
    subprocess.run(["bash", os.path.join(shared, "bench", "setup.sh"), args.peer], check=True)
    with open(os.path.join(args.peer, "models", "models.json")) as f:
        models = json.load(f)

    # Before the runs: the peak probe loads both cores for a few seconds.
    machine = machine_info(args.peer)
    # GFLOP per query (Conv/Gemm/MatMul, 2 x MACs) from models.json, for the % of peak columns.
    machine["gflop"] = {k: v["gflop"] for k, v in models.items() if isinstance(v, dict) and v.get("gflop")}
    results = []
    started = datetime.datetime.now(datetime.timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            m = models[row.model]
            model_path = os.path.join(args.peer, m["file"])
            kiln_shapes, ort_shapes = shape_args(m["bench_shape"])
            kiln_json = os.path.join(tmp, "kiln.json")
            kiln_cmd = [args.kiln, "bench", "-m", model_path, "--threads", str(row.threads), "--duration",
                        str(args.seconds), "--iterations", str(args.min_iters), "--warmUp", "500", "--seed", "1",
                        "--json", kiln_json] + sum((["--shapes", s] for s in kiln_shapes), [])
            ort_cmd = ["node", os.path.join(args.peer, "ort_bench.js"), model_path, "--threads", str(row.threads),
                       "--seconds", str(args.seconds), "--min-iters", str(args.min_iters), "--warmup", "5"] + ort_shapes
            runs = {"kiln": [], "ort": []}
            for rnd in range(args.rounds):
                for engine, cmd in (("kiln", kiln_cmd), ("ort", ort_cmd)):
                    rc, out, err, rss = run_measured(cmd, args.timeout)
                    if rc != 0:
                        msg = (err.strip() or out.strip()).splitlines()[-1:] or [""]
                        print(f"  {row_id(row)}: {engine} failed (rc {rc}): {msg[0]}", file=sys.stderr)
                        runs[engine].append({"error": f"rc {rc}: {msg[0]}", "peak_rss_kb": rss})
                        continue
                    if engine == "kiln":
                        with open(kiln_json) as f:
                            j = json.load(f)
                        machine["kiln_isa"] = j["isa"]
                        runs[engine].append({"median_ms": j["latency_ms"]["median"], "ready_ms": j["ready_ms"],
                                             "queries": j["queries"], "peak_rss_kb": rss})
                    else:
                        j = last_json_line(out)
                        runs[engine].append({"median_ms": j["median_ms"], "ready_ms": j["session_create_ms"],
                                             "queries": j["iters"], "peak_rss_kb": rss})
                    print(f"  {row_id(row)} round {rnd + 1}/{args.rounds} {engine}: "
                          f"{runs[engine][-1]['median_ms']:.3f} ms", flush=True)
            results.append({"row": row, "runs": runs, "kiln_cmd": kiln_cmd, "ort_cmd": ort_cmd})

    def med(runs, key):
        vals = [r[key] for r in runs if key in r]
        return statistics.median(vals) if vals else None

    machine["loadavg_end"] = os.getloadavg()
    lines = render(results, machine, args, started, med)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    # A hand-written "## Analysis" section (why a row is where it is) survives regeneration.
    kept = ""
    if os.path.exists(args.out):
        with open(args.out) as f:
            old = f.read()
        if "\n## Analysis" in old:
            kept = old[old.index("\n## Analysis"):]
    tmp_out = args.out + ".tmp"
    with open(tmp_out, "w") as f:
        f.write("\n".join(lines) + "\n" + kept)
    os.replace(tmp_out, args.out)
    raw = os.path.join(args.peer, "results", started.strftime("compare-%Y%m%dT%H%M%SZ.json"))
    os.makedirs(os.path.dirname(raw), exist_ok=True)
    with open(raw, "w") as f:
        json.dump({"machine": machine, "args": vars(args), "rows": [{"row": row_id(r["row"]), "runs": r["runs"], "kiln_cmd": r["kiln_cmd"],
                                                 "ort_cmd": r["ort_cmd"]} for r in results]}, f, indent=1)
    print("\n".join(lines))
    print(f"wrote {args.out} (raw runs: {raw})")


def fmt_ms(v):
    return "—" if v is None else (f"{v:.2f}" if v < 100 else f"{v:.1f}")


def render(results, machine, args, started, med):
    peak = machine["peak"]
    if peak is None:
        peak_text = "not measured (.peer-bench/tools/peak missing)"
    elif "error" in peak:
        peak_text = "not measured: " + peak["error"]
    elif peak.get("own_probe"):
        peak_text = ("fp32 FMA " + ", ".join(f"{g:.1f} GFLOP/s on {t} thread{'s' if t > 1 else ''}"
                                             for t, g in sorted(peak["fp32_gflops"].items()))
                     + f" ({peak['isa']}, `build/benchmarks/fma_peak_bench`, best of 5)")
    else:
        peak_text = (f"clock {peak['clock_ghz_measured']} GHz; fp32 FMA {peak['fma_fp32_gflops_nt_zmm']} GFLOP/s "
                     f"on {peak['threads']} threads (zmm), bf16 {peak['bf16_dp_gflops_nt']}, int8 VNNI "
                     f"{peak['int8_vnni_gops_nt']} GOP/s (`.peer-bench/tools/peak`)")
        if peak.get("fp32_gflops"):
            peak_text += ("; % of peak below uses `build/benchmarks/fma_peak_bench` (" + peak.get("own_isa", "?") + "): "
                          + ", ".join(f"{g:.1f} GFLOP/s on {t} thread{'s' if t > 1 else ''}"
                                      for t, g in sorted(peak["fp32_gflops"].items())))
    cmd = "/usr/bin/python3 benchmarks/compare_ort.py" + "".join(
        f" {flag} {shlex.quote(str(v))}" for flag, v in (("--rows", args.rows), ("--rounds", args.rounds),
                                                         ("--seconds", args.seconds), ("--min-iters", args.min_iters))
        if v != "")
    out = [
        "# Performance: Kiln vs ONNX Runtime",
        "",
        "Generated by `benchmarks/compare_ort.py` (do not edit by hand; rerun it). Both engines run the same",
        "models from `.peer-bench/models` on random inputs, side by side, interleaved run by run (Kiln, ORT,",
        "Kiln, ORT, ...), each run a fresh process. A figure is the median over rounds of each run's median",
        "latency; Kiln/ORT and met? compare those medians. \"paired Kiln/ORT\" is the median over rounds of",
        "each Kiln run's median over the ORT run right after it (one noisy stretch of the machine moves one",
        "pair, not a whole median). ORT is onnxruntime-node (CPU EP, all graph optimizations, sequential,",
        "intra-op threads as listed); Kiln is `kiln bench` on the CPU backend with the same thread count.",
        "",
        f"- Machine: {machine['cpu']}, {machine['physical_cores']} cores ({machine['logical_cpus']} logical), "
        f"CPU flags {' '.join(machine['cpu_flags']) or 'none of avx2/avx512'}; Kiln ISA: {machine['kiln_isa']}",
        f"- Measured peak: {peak_text}",
        f"- Load average (1/5/15 min) at start {' '.join(f'{x:.1f}' for x in machine['loadavg_start'])}, "
        f"at end {' '.join(f'{x:.1f}' for x in machine['loadavg_end'])} (above the core count means other jobs "
        "shared the CPU: treat the figures as noisy)",
        f"- Run: {started.strftime('%Y-%m-%d %H:%M UTC')}, command: `{cmd}`",
    ] + ([f"- Note: {args.note}"] if args.note else [])
    if results:
        def rel(cmd):
            def short(c):
                if not os.path.isabs(c):
                    return c
                if c.startswith(tempfile.gettempdir()):
                    return os.path.basename(c)
                return os.path.relpath(c, REPO)
            return " ".join(shlex.quote(short(c)) for c in cmd)

        out += [f"- Per run, e.g. {row_id(results[0]['row'])}: `{rel(results[0]['kiln_cmd'])}` and "
                f"`{rel(results[0]['ort_cmd'])}`"]
    out += [
        "",
        "| model | threads | Kiln ms | ORT ms | Kiln/ORT | target | met? | paired Kiln/ORT | Kiln GFLOP/s (% of peak) | ORT GFLOP/s (% of peak) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    peak_by_threads = (peak or {}).get("fp32_gflops", {}) if isinstance(peak, dict) else {}

    def rate(row, ms):
        gflop = machine.get("gflop", {}).get(row.model)
        if ms is None or not gflop:
            return "—"
        g = gflop / (ms / 1000)
        p = peak_by_threads.get(row.threads)
        return f"{g:.0f}" + (f" ({100 * g / p:.0f}%)" if p else "")
    for r in results:
        row, runs = r["row"], r["runs"]
        k, o = med(runs["kiln"], "median_ms"), med(runs["ort"], "median_ms")
        ratio = k / o if k is not None and o else None
        met = "—" if ratio is None else ("yes" if ratio <= row.target else "no")
        paired = paired_ratio(runs)
        out.append(f"| {row.label} | {row.threads} | {fmt_ms(k)} | {fmt_ms(o)} | "
                   f"{'—' if ratio is None else f'{ratio:.2f}'} | ≤ {row.target:.2f} | {met} | "
                   f"{'—' if paired is None else f'{paired:.2f}'} | {rate(row, k)} | {rate(row, o)} |")
    errors = [(row_id(r["row"]), e, run["error"]) for r in results for e in ("kiln", "ort") for run in r["runs"][e]
              if "error" in run]
    resnet = [r for r in results if r["row"].model == "resnet50_b1"]
    if resnet:
        r = resnet[0]
        k_rss, o_rss = med(r["runs"]["kiln"], "peak_rss_kb"), med(r["runs"]["ort"], "peak_rss_kb")
        k_ready, o_ready = med(r["runs"]["kiln"], "ready_ms"), med(r["runs"]["ort"], "ready_ms")
        out += [
            "",
            f"resnet50 b1 ({row_id(r['row'])} runs, medians over rounds):",
            "",
            "| figure | Kiln | ORT | Kiln/ORT | target | met? |",
            "|---|---|---|---|---|---|",
        ]
        if k_rss and o_rss:
            out.append(f"| peak RSS (process) | {k_rss / 1024:.0f} MiB | {o_rss / 1024:.0f} MiB | "
                       f"{k_rss / o_rss:.2f} | — | — |")
        if k_ready is not None and o_ready:
            met = "yes" if k_ready <= PREPARE_TARGET_MS else "no"
            out.append(f"| prepare (ONNX file -> ready) | {k_ready:.0f} ms | {o_ready:.0f} ms | "
                       f"{k_ready / o_ready:.2f} | ≤ {PREPARE_TARGET_MS} ms | {met} |")
        out += ["", "Peak RSS is each engine process's own ru_maxrss (wait4), so ORT's includes the Node.js runtime.",
                "Kiln's prepare is `kiln bench`'s ready_ms (model load + session prepare); ORT's is session creation."]
    if errors:
        out += ["", "Failed runs (not in the medians):", ""] + [f"- {rid}, {e}: {msg}" for rid, e, msg in errors]
    return out


if __name__ == "__main__":
    main()
