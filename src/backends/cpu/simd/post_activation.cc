#include "backends/cpu/simd/post_activation.h"

#include <cmath>

namespace kiln::cpu {

void apply_post_activation(const Activation& act, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = y[i];
    switch (act.kind) {
      case ActKind::kSigmoid: y[i] = 1.f / (1.f + std::exp(-v)); break;
      case ActKind::kTanh: y[i] = std::tanh(v); break;
      case ActKind::kSilu: y[i] = v / (1.f + std::exp(-v)); break;
      case ActKind::kGelu: y[i] = 0.5f * v * (1.f + std::erf(v * 0.70710678118654752f)); break;
      case ActKind::kGeluTanh: y[i] = 0.5f * v * (1.f + std::tanh(0.79788456080286536f * (v + 0.044715f * v * v * v))); break;
      default: break;
    }
    if (act.has_affine()) y[i] = y[i] * act.scale + act.shift;
  }
}

}  // namespace kiln::cpu
