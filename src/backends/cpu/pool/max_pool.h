// Channels-last 2-D max pooling for kiln.NhwcMaxPool:
//   Y[n, oh, ow, c] = max over the window's taps inside the input of X[n, ih, iw, c]
//   (-inf when a window has none, as in the reference kernel).
// One call computes a range of output rows (n*OH + oh); the ISA variants share one template.
// Why our own: oneDNN's jit pooling took 0.80 ms (nhwc) and 0.72 ms (nChw8c) for ResNet-50's
// 3x3/2 pool over 112x112x64 on one thread, for what is a single pass over 3 MiB.
#pragma once

#include <cstdint>

namespace kiln::cpu {

struct MaxPoolParams {
  int64_t h = 0, w = 0, c = 0;  // input [n, h, w, c]
  int64_t oh = 0, ow = 0;       // output [n, oh, ow, c]
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0;
};

void max_pool_rows_avx512(const MaxPoolParams& p, const float* x, float* y, int64_t row_begin, int64_t row_end);
void max_pool_rows_avx2(const MaxPoolParams& p, const float* x, float* y, int64_t row_begin, int64_t row_end);
void max_pool_rows_scalar(const MaxPoolParams& p, const float* x, float* y, int64_t row_begin, int64_t row_end);

}  // namespace kiln::cpu
