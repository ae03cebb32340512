// Channels-last depthwise convolution (group == C == M, multiplier 1) for kiln.FusedConv:
//   Y[n, oh, ow, c] = act(sum_{ky,kx} X[n, oh*sh - pt + ky*dh, ow*sw - pl + kx*dw, c] * W[c, ky, kx]
//                         + B[c] + Z[n, oh, ow, c])
// Taps that fall in the padding are skipped (no padded copy). One call computes a range of output
// rows (n*OH + oh); the ISA variants share one template (depthwise_kernel.h).
//
//   DwParams p = ...;                      // geometry + packed weights (depthwise_conv.cc)
//   depthwise_rows_avx512(p, x, z, y, 0, p.n * p.oh);
#pragma once

#include <cstdint>

#include "ops/kiln/activation.h"

namespace kiln::cpu {

// Channel blocks are padded to this many lanes in the packed weights and bias, so weight loads
// never need a mask (the widest ISA block).
inline constexpr int64_t kDwChannelPad = 16;

struct DwParams {
  int64_t n = 0, h = 0, w = 0, c = 0;     // input [n, h, w, c]
  int64_t oh = 0, ow = 0;                 // output [n, oh, ow, c]
  int64_t kh = 0, kw = 0, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0;
  int64_t cp = 0;                         // c rounded up to kDwChannelPad
  const float* weights = nullptr;         // [kh][kw][cp], channel-contiguous
  const float* bias = nullptr;            // [cp] (zeros when the node has no B)
  // Activation applied in registers; kinds without a cheap vector form (sigmoid, tanh, silu, gelu)
  // arrive here as kNone and the caller applies them afterwards (apply_post_activation).
  Activation act;
  // Output columns [ow_lo, ow_hi) whose kernel window lies wholly inside the input row.
  int64_t ow_lo = 0, ow_hi = 0;
};

// Rows [row_begin, row_end) of the output, row = n*OH + oh. z may be nullptr (no sum input).
void depthwise_rows_avx512(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin,
                           int64_t row_end);
void depthwise_rows_avx2(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin,
                         int64_t row_end);
void depthwise_rows_scalar(const DwParams& p, const float* x, const float* z, float* y, int64_t row_begin,
                           int64_t row_end);

// Sets ow_lo / ow_hi (0 <= ow_lo <= ow_hi <= ow) from the geometry: the columns whose window
// [ow*sw - pl, ow*sw - pl + (kw-1)*dw] lies inside [0, w).
inline void dw_set_interior(DwParams& p) {
  p.ow_lo = p.ow < (p.pl + p.sw - 1) / p.sw ? p.ow : (p.pl + p.sw - 1) / p.sw;
  const int64_t last = p.w - 1 + p.pl - (p.kw - 1) * p.dw;
  p.ow_hi = last < 0 ? 0 : (p.ow < last / p.sw + 1 ? p.ow : last / p.sw + 1);
  if (p.ow_hi < p.ow_lo) p.ow_hi = p.ow_lo;
}

}  // namespace kiln::cpu
