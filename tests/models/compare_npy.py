#!/usr/bin/python3
"""Compare every .npy in EXPECTED_DIR with the same-named file in ACTUAL_DIR.

    compare_npy.py EXPECTED_DIR ACTUAL_DIR [--rtol 1e-4] [--atol 1e-5]

An element passes when |actual - expected| <= atol + rtol * |expected| (numpy.isclose).
Prints, per output, the shapes, the max absolute and relative difference and the number of
elements outside tolerance; exits 1 if any output is missing, has another shape or dtype, or
has an element outside tolerance (NaN only matches NaN).
"""
import argparse
import os
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    a = ap.parse_args()
    names = sorted(f for f in os.listdir(a.expected) if f.endswith(".npy"))
    if not names:
        print(f"compare: no .npy files in {a.expected}")
        return 1
    ref = os.path.join(a.expected, "reference.txt")
    if os.path.exists(ref):
        print(f"reference: {open(ref).read().strip()}")
    failed = 0
    for name in names:
        exp = np.load(os.path.join(a.expected, name))
        path = os.path.join(a.actual, name)
        if not os.path.exists(path):
            print(f"FAIL {name}: missing in {a.actual}")
            failed += 1
            continue
        act = np.load(path)
        if exp.shape != act.shape or exp.dtype != act.dtype:
            print(f"FAIL {name}: expected {exp.dtype}{list(exp.shape)}, got {act.dtype}{list(act.shape)}")
            failed += 1
            continue
        e = exp.astype(np.float64)
        x = act.astype(np.float64)
        with np.errstate(invalid="ignore"):
            diff = np.abs(x - e)
            ok = np.isclose(x, e, rtol=a.rtol, atol=a.atol, equal_nan=True)
            rel = diff / np.maximum(np.abs(e), np.finfo(np.float32).tiny)
        bad = int(ok.size - np.count_nonzero(ok))
        max_abs = float(np.nanmax(diff)) if diff.size else 0.0
        max_rel = float(np.nanmax(rel)) if rel.size else 0.0
        status = "ok  " if bad == 0 else "FAIL"
        line = (f"{status} {name}: {exp.dtype}{list(exp.shape)} max|diff| {max_abs:.3g} max rel {max_rel:.3g} "
                f"(rtol {a.rtol:g}, atol {a.atol:g}): {bad} of {ok.size} outside")
        if bad:
            i = np.unravel_index(int(np.argmin(ok.ravel())), ok.shape) if ok.ndim else ()
            line += f"; first at {tuple(int(v) for v in i)}: expected {e[i]!r} got {x[i]!r}"
            failed += 1
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
