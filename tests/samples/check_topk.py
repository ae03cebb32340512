#!/usr/bin/env python3
"""check_topk.py LOG EXPECTED.npy [--pictures N] [--k 5]: the top-k classes a sample printed for
each picture ("top 1: index[N] value[V]" lines, in order) are those of the reference scores
(PyTorch's output saved at export time, one row per picture); the values agree to 1e-3."""
import argparse
import re
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("log")
parser.add_argument("expected")
parser.add_argument("--pictures", type=int, default=None)
parser.add_argument("--k", type=int, default=5)
parser.add_argument("--top1-only", action="store_true", help="the log prints only top 1 per picture")
args = parser.parse_args()

expected = np.load(args.expected).reshape(-1, 1000)
text = open(args.log).read()
found = [(int(i), int(n), float(v)) for i, n, v in re.findall(r"top (\d+): index\[(\d+)\] value\[([-\d.e+]+)\]", text)]
k = 1 if args.top1_only else args.k
pictures = args.pictures if args.pictures is not None else len(found) // k
if pictures == 0 or len(found) < pictures * k:
    sys.exit(f"check_topk: expected {pictures} picture(s) x top {k} lines in {args.log}, found {len(found)}")
for p in range(pictures):
    row = expected[p % expected.shape[0]]
    order = np.argsort(-row, kind="stable")[:k]
    got = found[p * k:(p + 1) * k]
    for rank, (r, index, value) in enumerate(got):
        if r != rank + 1 or index != order[rank] or abs(value - row[index]) > 1e-3 * max(1.0, abs(row[index])):
            sys.exit(f"check_topk: picture {p} rank {rank + 1}: printed index {index} value {value}, "
                     f"expected index {order[rank]} value {row[order[rank]]:.6f}")
print(f"check_topk: {pictures} picture(s), top {k} classes and scores match the reference")
