// The shared row driver of the kiln.Aipp CPU kernels. A row is processed in chunks of
// kAippChunk pixels: fetch (format-specific, bytes -> int32 channel planes, swaps applied),
// CSC (integer, in place), then normalise + store. `Stages` supplies csc() and store(), so each
// ISA file instantiates the driver with its own arithmetic; fetch is shared (byte shuffling
// that the compiler handles well enough, and the cheap part).
#pragma once

#include <algorithm>

#include "backends/cpu/aipp/aipp.h"

// Unnamed namespace: each ISA file gets its own copy, so an AVX2-compiled inline function never
// replaces the scalar one at link time.
namespace kiln::cpu::aipp_detail {
namespace {

constexpr int64_t kAippChunk = 256;

struct Chunk {
  alignas(64) int32_t c[4][kAippChunk];
};

// Source pixels [x0, x0 + n) of source row sy into ch.c[0..3] (§3 channel extraction).
void fetch(const AippPlan& p, const uint8_t* img, int64_t sy, int64_t x0, int64_t n, Chunk& ch) {
  int32_t* c0 = ch.c[0];
  int32_t* c1 = ch.c[1];
  int32_t* c2 = ch.c[2];
  int32_t* c3 = ch.c[3];
  switch (p.format) {
    case aipp::InputFormat::kYuv420spU8: {
      const uint8_t* y = img + sy * p.src_w + x0;
      const uint8_t* uv = img + p.src_w * p.src_h + (sy / 2) * p.src_w;
      const int iu = p.rbuv_swap ? 1 : 0, iv = 1 - iu;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t pair = ((x0 + i) >> 1) << 1;
        c0[i] = y[i];
        c1[i] = uv[pair + iu];
        c2[i] = uv[pair + iv];
      }
      break;
    }
    case aipp::InputFormat::kRgb888U8: {
      const uint8_t* px = img + (sy * p.src_w + x0) * 3;
      const int i0 = p.rbuv_swap ? 2 : 0, i2 = 2 - i0;
      for (int64_t i = 0; i < n; ++i) {
        c0[i] = px[3 * i + i0];
        c1[i] = px[3 * i + 1];
        c2[i] = px[3 * i + i2];
      }
      break;
    }
    case aipp::InputFormat::kXrgb8888U8: {
      const uint8_t* px = img + (sy * p.src_w + x0) * 4;
      const int first = p.ax_swap ? 1 : 0, alpha = p.ax_swap ? 0 : 3;
      const int i0 = first + (p.rbuv_swap ? 2 : 0), i2 = first + (p.rbuv_swap ? 0 : 2);
      for (int64_t i = 0; i < n; ++i) {
        c0[i] = px[4 * i + i0];
        c1[i] = px[4 * i + first + 1];
        c2[i] = px[4 * i + i2];
        c3[i] = px[4 * i + alpha];
      }
      break;
    }
    default: {  // YUV400_U8
      const uint8_t* y = img + sy * p.src_w + x0;
      for (int64_t i = 0; i < n; ++i) c0[i] = y[i];
      break;
    }
  }
}

void fill(float* dst, int64_t n, float v) { std::fill(dst, dst + n, v); }

// Padding: whole rows above/below the crop window, and the left/right margins of the others.
void pad_row(const AippPlan& p, float* out, int64_t oy, int64_t x_begin, int64_t x_end) {
  if (x_end <= x_begin) return;
  if (p.channels_last) {
    fill(out + (oy * p.w + x_begin) * p.c, (x_end - x_begin) * p.c, p.pad_value);
  } else {
    for (int64_t c = 0; c < p.c; ++c) fill(out + (c * p.h + oy) * p.w + x_begin, x_end - x_begin, p.pad_value);
  }
}

template <typename Stages>
void rows(const AippPlan& p, const uint8_t* img, float* out, int64_t row_begin, int64_t row_end) {
  Chunk ch;
  for (int64_t oy = row_begin; oy < row_end; ++oy) {
    const int64_t cy = oy - p.top;
    if (cy < 0 || cy >= p.crop_h) {
      pad_row(p, out, oy, 0, p.w);
      continue;
    }
    pad_row(p, out, oy, 0, p.left);
    pad_row(p, out, oy, p.left + p.crop_w, p.w);
    for (int64_t x = 0; x < p.crop_w; x += kAippChunk) {
      const int64_t n = std::min(kAippChunk, p.crop_w - x);
      fetch(p, img, p.crop_y + cy, p.crop_x + x, n, ch);
      if (p.csc) Stages::csc(p, ch, n);
      Stages::store(p, ch, n, out, oy, p.left + x);
    }
  }
}

// Resize path, stage 1: post-CSC crop rows as uint8 planes [c][crop_h][crop_w].
template <typename Stages>
void crop_rows(const AippPlan& p, const uint8_t* img, uint8_t* planes, int64_t row_begin, int64_t row_end) {
  Chunk ch;
  const int64_t plane = p.crop_w * p.crop_h;
  for (int64_t cy = row_begin; cy < row_end; ++cy) {
    for (int64_t x = 0; x < p.crop_w; x += kAippChunk) {
      const int64_t n = std::min(kAippChunk, p.crop_w - x);
      fetch(p, img, p.crop_y + cy, p.crop_x + x, n, ch);
      if (p.csc) Stages::csc(p, ch, n);
      for (int64_t c = 0; c < p.c; ++c) {
        uint8_t* dst = planes + c * plane + cy * p.crop_w + x;
        for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(ch.c[c][i]);
      }
    }
  }
}

// Scalar stages (also the tails of the vector ones).
struct ScalarStages {
  static void csc(const AippPlan& p, Chunk& ch, int64_t n, int64_t from = 0) {
    const int32_t* m = p.matrix;
    for (int64_t i = from; i < n; ++i) {
      int32_t a = ch.c[0][i], b = ch.c[1][i], c = ch.c[2][i];
      if (p.yuv_csc) a -= p.bias[0], b -= p.bias[1], c -= p.bias[2];
      for (int k = 0; k < 3; ++k) {
        int32_t v = (m[3 * k] * a + m[3 * k + 1] * b + m[3 * k + 2] * c) >> 8;
        if (!p.yuv_csc) v += p.bias[k];
        ch.c[k][i] = std::clamp(v, 0, 255);
      }
    }
  }
  static void store(const AippPlan& p, const Chunk& ch, int64_t n, float* out, int64_t oy, int64_t ox, int64_t from = 0) {
    if (p.channels_last) {
      float* dst = out + (oy * p.w + ox) * p.c;
      for (int64_t i = from; i < n; ++i) {
        for (int64_t c = 0; c < p.c; ++c) dst[i * p.c + c] = static_cast<float>(ch.c[c][i]) * p.scale[c] + p.offset[c];
      }
    } else {
      for (int64_t c = 0; c < p.c; ++c) {
        float* dst = out + (c * p.h + oy) * p.w + ox;
        for (int64_t i = from; i < n; ++i) dst[i] = static_cast<float>(ch.c[c][i]) * p.scale[c] + p.offset[c];
      }
    }
  }
};

}  // namespace
}  // namespace kiln::cpu::aipp_detail
