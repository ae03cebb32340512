#!/usr/bin/python3
"""Write a synthetic 224x224 test picture as the raw NV12 (YUV420SP) bytes an AIPP model reads.

    /usr/bin/python3 tests/models/make_nv12.py OUT_DIR

OUT_DIR/input.npy: uint8 [1, 336, 224, 1] (224 rows of Y, then 112 rows of interleaved U,V), the
raw-byte dims AscendCL reports for a YUV420SP AIPP input (aclmdlGetInputDimsV2). The picture is
smooth (gradients, a disc and a bar) so 2x2 chroma subsampling loses little, and deterministic.
The conversion is JPEG / BT.601 full range, the inverse of the matrix in configs/aipp/*.cfg.
"""
import os
import sys

import numpy as np

H = W = 224


def picture():
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    r = 40 + 180 * x / (W - 1)
    g = 30 + 190 * y / (H - 1)
    b = 200 - 150 * (x + y) / (W + H - 2)
    disc = (x - 140) ** 2 + (y - 90) ** 2 < 45 ** 2
    r[disc], g[disc], b[disc] = 230, 200, 40
    bar = (y > 160) & (y < 190) & (x > 30) & (x < 120)
    r[bar], g[bar], b[bar] = 20, 60, 220
    return r, g, b


def to_nv12(r, g, b):
    yy = 0.299 * r + 0.587 * g + 0.114 * b
    u = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    v = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    # 4:2:0: average each 2x2 block of chroma.
    u = u.reshape(H // 2, 2, W // 2, 2).mean(axis=(1, 3))
    v = v.reshape(H // 2, 2, W // 2, 2).mean(axis=(1, 3))
    q = lambda a: np.clip(np.rint(a), 0, 255).astype(np.uint8)
    uv = np.stack([q(u), q(v)], axis=-1).reshape(H // 2, W)
    return np.concatenate([q(yy), uv], axis=0).reshape(1, H * 3 // 2, W, 1)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "input.npy"), to_nv12(*picture()))


if __name__ == "__main__":
    main()
