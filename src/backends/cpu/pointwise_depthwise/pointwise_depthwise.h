// kiln.PointwiseDepthwise on the CPU: a 1x1 expand convolution and a 3x3 depthwise convolution
// (stride 1 or 2, dilation 1, pads 0 or 1), channels-last, computed row by row so that the expanded
// tensor T never goes to memory:
//
//   for each output row r of the thread's range:
//     expand the (at most three) input rows the depthwise window of row r reads, unless the ring
//     still holds them (stride 1 reuses two rows, stride 2 one), into ring slot (row % 3);
//     run the depthwise window over the three ring rows (a missing row is padding) into Y's row r.
//
// Why: in MobileNetV2 features.2 (112x112x16 -> 96 channels, depthwise stride 2), T is 4.8 MB; the
// two oneDNN convolutions write it and read it back through memory, and in the network those two
// nodes took 0.58 + 0.44 ms on 1 thread where the same calls with hot caches take 0.50 + 0.21
// (docs/PERFORMANCE.md). A ring of three expanded rows (3 x 112 x 96 floats, 129 KB) stays in L2.
#pragma once

#include <cstdint>

#include "ops/kiln/activation.h"

namespace kiln::cpu {

struct PwDwParams {
  int64_t h = 0, w = 0, k = 0;        // one image of X: [h, w, k]
  int64_t c = 0;                      // expanded channels, a multiple of 8
  int64_t oh = 0, ow = 0, stride = 1; // Y: [oh, ow, c]
  int64_t pt = 0, pl = 0;             // depthwise pads at the top / left (bottom / right follow from oh / ow)
  const float* w_pw = nullptr;        // [k][c]; null: no expand, T = X (k == c)
  const float* b_pw = nullptr;        // [c]
  const float* w_dw = nullptr;        // [9][c], tap-major
  const float* b_dw = nullptr;        // [c]
  Activation act_pw, act_dw;          // kinds activation_in_registers() accepts
  // The optional project convolution (m > 0): Y = act_pj(D x w_pj + b_pj + Z), D the depthwise
  // result, computed one output row at a time from a row buffer after the ring.
  int64_t m = 0;                      // project output channels (0: no project; Y is [oh, ow, c])
  int64_t ldq = 0;                    // w_pj row length: m rounded up to kPwDwProjectPad
  const float* w_pj = nullptr;        // [c][ldq], zero-padded
  const float* b_pj = nullptr;        // [ldq], zero-padded
  Activation act_pj;
};

// The project weights' rows and bias are padded to this many floats (the widest vector).
inline constexpr int64_t kPwDwProjectPad = 16;

// Channels of Y: the project's when there is one.
inline int64_t pwdw_out_channels(const PwDwParams& p) { return p.m > 0 ? p.m : p.c; }

// Floats of ring one thread needs: three expanded rows (with an expand), and with a project one
// depthwise row.
inline int64_t pwdw_ring_floats(const PwDwParams& p) {
  return (p.w_pw ? 3 * p.w * p.c : 0) + (p.m > 0 ? p.ow * p.c : 0);
}

// Output rows [r0, r1) of one image: x is the image's [h, w, k], y its [oh, ow, out channels], z
// (with a project only; may be null) the sum input laid out like y, ring holds
// pwdw_ring_floats(p) floats of this thread's own.
void pwdw_rows_avx2(const PwDwParams& p, const float* x, const float* z, float* y, int64_t r0, int64_t r1, float* ring);
void pwdw_rows_avx512(const PwDwParams& p, const float* x, const float* z, float* y, int64_t r0, int64_t r1,
                      float* ring);  // C % 16 == 0
void pwdw_rows_scalar(const PwDwParams& p, const float* x, const float* z, float* y, int64_t r0, int64_t r1,
                      float* ring);

}  // namespace kiln::cpu
