#include "backends/cpu/simd/post_activation.h"

#include "backends/cpu/elementwise/kernels.h"

namespace kiln::cpu {

// The vector kernels of the element-wise ops (elementwise/kernels.h, tested against the
// reference) do the transcendental kinds: std::erf per element cost BERT's fused GELU matmuls
// as much as the GEMM itself.
void apply_post_activation(const Activation& act, float* y, int64_t n) {
  using elementwise::UnOp;
  UnOp op = UnOp::kIdentity;
  switch (act.kind) {
    case ActKind::kSigmoid: op = UnOp::kSigmoid; break;
    case ActKind::kTanh: op = UnOp::kTanh; break;
    case ActKind::kSilu: op = UnOp::kSilu; break;
    case ActKind::kGelu: op = UnOp::kGelu; break;
    case ActKind::kGeluTanh: op = UnOp::kGeluTanh; break;
    default: break;
  }
  if (op != UnOp::kIdentity) elementwise::kernel_table(cpu_isa()).unary_f32(op, {}, y, y, n);
  if (act.has_affine()) {
    for (int64_t i = 0; i < n; ++i) y[i] = y[i] * act.scale + act.shift;
  }
}

}  // namespace kiln::cpu
