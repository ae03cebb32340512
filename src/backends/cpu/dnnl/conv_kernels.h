// Prepare functions of the dnnl_conv family (rows in table_conv.cc). Each returns nullptr for a
// configuration it does not take.
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu::onednn {

Expected<std::unique_ptr<OpKernel>> prepare_conv(const PrepareContext& pctx);            // Conv, kiln.FusedConv
Expected<std::unique_ptr<OpKernel>> prepare_conv_transpose(const PrepareContext& pctx);  // ConvTranspose, kiln.NhwcConvTranspose
Expected<std::unique_ptr<OpKernel>> prepare_pool(const PrepareContext& pctx);            // Max/Average/Global pools (+ Nhwc)
Expected<std::unique_ptr<OpKernel>> prepare_lrn(const PrepareContext& pctx);             // LRN, kiln.NhwcLRN

// Whether oneDNN runs dense fp32 convolutions on its brgemm kernels here (brgconv: AVX-512 and
// up), which take channels-last data in place at 69-84% of the FMA peak on ResNet-50's layers.
// The own dense kernels (gemm_conv, Winograd on small images) were written against AVX2's direct
// kernels and decline the shapes where brgconv beats them.
bool dense_conv_is_brgemm();
// Tests of those kernels pin the answer (-1: detect again), so every machine tests both choices.
void set_dense_conv_is_brgemm_for_testing(int value);

// How many runs of this family's kernels went to the reference kernel because the shape seen at
// run time was one oneDNN could not take (tests assert their cases stay on oneDNN).
int64_t reference_fallback_runs();
// How many times a convolution reordered its plain weights into a packed layout (offline models
// with prepacked weights use theirs in place: tests assert this stays unchanged).
int64_t conv_weight_reorders();
// How many channels-last convolution shapes were prepared to run through a blocked layout (with
// reorders in and out): strided ones with many channels and wide ones (tests assert the choice).
int64_t channels_last_blocked_convs();

}  // namespace kiln::cpu::onednn
