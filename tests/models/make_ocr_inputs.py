#!/usr/bin/python3
"""Write the PP-OCR test inputs: OCR_DIR/<case>/inputs/<input-name>.npy (fixed seed).

    /usr/bin/python3 make_ocr_inputs.py OCR_DIR

The inputs look like PaddleOCR's preprocessed images (values in [-1, 1] after mean/std
normalization): a smooth background plus dark horizontal strokes, so the detector and
recognizer see something text-like rather than pure noise.
"""
import os
import sys

import numpy as np
import onnx

# case -> (model file, N, C, H, W)
CASES = {
    "det_640x640": ("ch_PP-OCRv4_det_infer.onnx", (1, 3, 640, 640)),
    "det_480x800": ("ch_PP-OCRv4_det_infer.onnx", (1, 3, 480, 800)),  # dynamic H/W, non-square
    "rec_48x320": ("ch_PP-OCRv4_rec_infer.onnx", (1, 3, 48, 320)),
    "cls_48x192": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", (1, 3, 48, 192)),
}


def image(shape, seed):
    rs = np.random.RandomState(seed)
    n, c, h, w = shape
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    img = np.empty(shape, np.float32)
    for b in range(n):
        for ch in range(c):
            img[b, ch] = 0.6 + 0.2 * np.sin(3 * xx + ch) * np.cos(2 * yy)
        for _ in range(max(3, h * w // 20000)):  # "text lines": runs of dark strokes
            y0, x0 = rs.randint(0, max(1, h - 16)), rs.randint(0, max(1, w - 64))
            hh, ww = rs.randint(6, min(32, h)), rs.randint(16, min(256, w - x0) + 17)
            for k in range(x0, min(w, x0 + ww), 6):
                img[b, :, y0:y0 + hh, k:k + 3] = -0.8 + 0.1 * rs.rand()
    img += 0.05 * rs.randn(*shape).astype(np.float32)
    return np.clip(img, -1, 1).astype(np.float32)


def main():
    out = sys.argv[1]
    for i, (case, (fname, shape)) in enumerate(sorted(CASES.items())):
        m = onnx.load(os.path.join(out, fname), load_external_data=False)
        inits = {t.name for t in m.graph.initializer}
        names = [v.name for v in m.graph.input if v.name not in inits]
        d = os.path.join(out, case, "inputs")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(out, case, "model.txt"), "w") as f:
            f.write(fname + "\n")
        np.save(os.path.join(d, names[0] + ".npy"), image(shape, 100 + i))
        print(f"ocr input {case}: {names[0]} {list(shape)}")


if __name__ == "__main__":
    main()
