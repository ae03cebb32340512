// kiln.FusedConv as im2col + one GEMM (oneDNN matmul), for channels-last dense convolutions whose
// outputs are small: ResNet's 7x7 stage and its strided 3x3 convolutions. There the direct AVX2
// kernel streams the whole weight tensor for a handful of output rows (40-50% of the FMA peak),
// and Winograd's 4x4 tiles waste a third of a 7x7 image; the GEMM [pixels x kh*kw*C] x
// [kh*kw*C x M] reads the weights once for all output pixels of all images.
//
// Taken when oneDNN has no brgconv here (onednn::dense_conv_is_brgemm(): AVX2 machines), and:
// channels-last, 2-D, group 1, a static input shape, kernel larger than 1x1, at least
// kGemmConvMinChannels input channels, and per image at most kGemmConvMaxPixels output pixels
// with stride > 1, or kGemmConvMaxPixelsStride1 with stride 1 (Winograd is faster beyond).
#pragma once

#include <cstdint>

#include "backends/kernel.h"
#include "ops/kiln/activation.h"

namespace kiln::cpu {

inline constexpr int64_t kGemmConvMinChannels = 64;
inline constexpr int64_t kGemmConvMaxPixels = 196;        // 14x14
inline constexpr int64_t kGemmConvMaxPixelsStride1 = 64;  // 8x8

Expected<std::unique_ptr<OpKernel>> prepare_gemm_conv(const PrepareContext& pctx);

// How many times a GEMM convolution ran (tests assert their cases took this kernel).
int64_t gemm_conv_runs();

// y[r][:m] = act(y[r][:m] + bias[:m] + z[r][:m]) for rows [0, rows); z may be nullptr. bias is
// padded to a multiple of 16 floats. act holds only in-register kinds (simd/epilogue.h).
using GemmConvEpilogueFn = void (*)(const float* bias, const Activation& act, const float* z, float* y, int64_t m,
                                    int64_t rows);
void gemm_conv_epilogue_avx512(const float* bias, const Activation& act, const float* z, float* y, int64_t m, int64_t rows);
void gemm_conv_epilogue_avx2(const float* bias, const Activation& act, const float* z, float* y, int64_t m, int64_t rows);
void gemm_conv_epilogue_scalar(const float* bias, const Activation& act, const float* z, float* y, int64_t m, int64_t rows);

}  // namespace kiln::cpu
