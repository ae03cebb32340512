// The optimized CPU backend: prepared kernels (oneDNN for the heavy ops, our own vectorized
// kernels for the rest). A node the backend does not handle runs on the reference kernel.
//
//   for (PrepareFn prepare : cpu::find_prepare(node.domain, node.op_type)) {
//     KILN_ASSIGN_OR_RETURN(auto kernel, prepare(pctx));
//     if (kernel) return kernel;  // nullptr: this candidate declined, try the next
//   }
#pragma once

#include <span>
#include <vector>

#include "backends/kernel.h"

namespace kiln::cpu {

// Candidates for (domain, op_type) in priority order (specialised kernels first). The
// environment variable KILN_CPU_DISABLE (comma-separated family names: depthwise, pointwise_depthwise, gemm_conv, winograd, pool, dnnl_conv,
// dnnl_matmul, elementwise, tensor, aipp) removes families, for A/B benchmarks and bisecting.
const std::vector<PrepareFn>& find_prepare(std::string_view domain, std::string_view op_type);

// The family tables, in priority order (families.h lists them).
std::span<const PreparedKernelEntry> depthwise_kernels();   // own NHWC depthwise conv
std::span<const PreparedKernelEntry> pointwise_depthwise_kernels();  // fused NHWC 1x1 expand + 3x3 depthwise
std::span<const PreparedKernelEntry> gemm_conv_kernels();   // im2col + GEMM conv, small outputs
std::span<const PreparedKernelEntry> winograd_kernels();    // own NHWC Winograd 3x3 conv
std::span<const PreparedKernelEntry> pool_kernels();        // own NHWC max pool
std::span<const PreparedKernelEntry> dnnl_conv_kernels();   // oneDNN conv, deconv, pools, LRN
std::span<const PreparedKernelEntry> dnnl_matmul_kernels(); // oneDNN matmul/gemm, softmax, norms
std::span<const PreparedKernelEntry> elementwise_kernels(); // vectorized element-wise math
std::span<const PreparedKernelEntry> tensor_kernels();      // data movement, resize, reductions
std::span<const PreparedKernelEntry> aipp_kernels();        // kiln.Aipp pre-processing

}  // namespace kiln::cpu
