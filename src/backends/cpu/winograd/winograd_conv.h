// kiln.FusedConv on Winograd F(2x2, 3x3) or F(4x4, 3x3) (winograd.h): channels-last, 3x3, stride 1,
// dilation 1, group 1, at least kWinoMinChannels input and output channels, and where oneDNN has
// brgconv (onednn::dense_conv_is_brgemm) more than kWinoMinPixelsOverBrgemm output pixels per image.
// Declines everything else.
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu {

// Below this many input or output channels the GEMMs are too thin to pay for the transforms.
inline constexpr int64_t kWinoMinChannels = 32;
// Output pixels per image up to which brgconv takes the node instead (8x8; ResNet's 7x7 stage).
inline constexpr int64_t kWinoMinPixelsOverBrgemm = 64;

Expected<std::unique_ptr<OpKernel>> prepare_winograd_conv(const PrepareContext& pctx);

// How many times a Winograd convolution ran (tests assert their cases took this kernel).
int64_t winograd_conv_runs();

}  // namespace kiln::cpu
