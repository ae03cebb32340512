// Winograd F(2x2, 3x3) and F(4x4, 3x3) for channels-last kiln.FusedConv with a 3x3 kernel,
// stride 1, dilation 1, group 1 — ResNet's and the OCR models' dense 3x3 convolutions, which
// oneDNN's AVX2 direct kernel runs at 40-60% of the FMA peak. Each (r + 2)^2 input tile d gives
// r x r outputs:
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
// summed over input channels. The (r + 2)^2 element-wise products over channels are as many GEMMs
// [tiles x C] x [C x M]: 2.25x fewer multiply-adds than the direct convolution for r = 2, 4x for
// r = 4 (whose transformed weights are 36/16 as large: the kernel picks r per node, see
// winograd_conv.cc). The transforms here turn input tiles into those GEMMs' A operand and their
// results into output pixels (bias, sum input Z and the activation fused). Matrices from Lavin &
// Gray, "Fast Algorithms for Convolutional Neural Networks" (2015):
//   F(2x2, 3x3): B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]
//                A^T = [1 1 1 0; 0 1 -1 -1]
//   F(4x4, 3x3) (interpolation points 0, 1, -1, 2, -2, infinity):
//     B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//     G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//     A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
//
// Tile t = (img * th + ty) * tw + tx covers outputs [r ty, r ty + r) x [r tx, r tx + r) of image
// img: tiles of all images form one index space, so a batch of small images (ResNet's 7x7 stage
// at batch 16) makes one tall GEMM instead of many thin ones that each stream all weights. Tiles
// are processed in chunks (consecutive tiles, so the buffers stay cache-sized): V[P][count][cp]
// (transformed input), Mt[P][count][mp] (GEMM result), and U[P][cp][ldu] (transformed weights),
// P = (r + 2)^2 points. Channel counts are padded to kWinoChannelPad with zeros.
#pragma once

#include <cstdint>

#include "ops/kiln/activation.h"

namespace kiln::cpu {

inline constexpr int64_t kWinoChannelPad = 16;  // the widest ISA vector

// Points of the transformed tile for output tile size r (2 or 4).
inline constexpr int64_t wino_points(int64_t r) { return (r + 2) * (r + 2); }

struct WinoParams {
  int64_t r = 2;  // output tile r x r: F(2x2, 3x3) or F(4x4, 3x3)
  int64_t n = 0, h = 0, w = 0, c = 0, m = 0;  // input [n, h, w, c]; m output channels
  int64_t oh = 0, ow = 0, pt = 0, pl = 0;  // output size, begin pads
  int64_t th = 0, tw = 0;              // tiles: ceil(oh / r) x ceil(ow / r)
  int64_t cp = 0, mp = 0;              // c and m rounded up to kWinoChannelPad
  const float* bias = nullptr;         // [mp], zeros when the node has no B
  // Applied in registers; kinds without a vector form arrive as kNone (the caller applies them).
  Activation act;

  int64_t tiles() const { return n * th * tw; }
  int64_t points() const { return wino_points(r); }
};

// Tiles [first, first + count) of an image, the unit the V and Mt buffers hold.
struct WinoChunk {
  int64_t first = 0, count = 0;
};

inline int64_t wino_pad_channels(int64_t c) { return (c + kWinoChannelPad - 1) / kWinoChannelPad * kWinoChannelPad; }

// U[p][ci][co] = (G g G^T)[p] for g = w[co][ci] (w is ONNX's [m][c][3][3]) and output tile r;
// rows ldu floats apart, zeros for ci >= c and co >= m. u must hold wino_points(r) * cp * ldu
// floats.
void wino_transform_weights(int64_t r, const float* w, int64_t m, int64_t c, int64_t cp, int64_t ldu, float* u);

// V[p][l][:] = (B^T d B)[p] for the p.points() points p and chunk-local tiles l in
// [l_begin, l_end) of x [n, h, w, c]; taps outside the image (padding) read as zero.
using WinoInputFn = void (*)(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin,
                             int64_t l_end);
void wino_input_avx512(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin, int64_t l_end);
void wino_input_avx2(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin, int64_t l_end);
void wino_input_scalar(const WinoParams& p, const WinoChunk& chunk, const float* x, float* v, int64_t l_begin, int64_t l_end);

// y[oy, ox, :m] = act(A^T Mt A + bias + z) for the outputs of chunk-local tiles [l_begin, l_end);
// y and z (the sum input, may be nullptr) are [n, oh, ow, m].
using WinoOutputFn = void (*)(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                              int64_t l_begin, int64_t l_end);
void wino_output_avx512(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                        int64_t l_begin, int64_t l_end);
void wino_output_avx2(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                      int64_t l_begin, int64_t l_end);
void wino_output_scalar(const WinoParams& p, const WinoChunk& chunk, const float* mt, const float* z, float* y,
                        int64_t l_begin, int64_t l_end);

}  // namespace kiln::cpu
