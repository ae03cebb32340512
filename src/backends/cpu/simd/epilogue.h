// The activation epilogue of fused kernels (depthwise, Winograd), in vector registers: the kinds
// with a cheap vector form are applied here; the others (sigmoid, tanh, silu, gelu) come as kNone
// and the caller runs apply_post_activation (post_activation.h) over what it stored.
// Included only by ISA-templated kernel headers, after the ops struct (simd/ops_<isa>.h).
#pragma once

#include "backends/cpu/simd/post_activation.h"

namespace kiln::cpu {

namespace {

// act(v), then activation_affine. `act` must be a kind activation_in_registers() accepts (or
// kNone with the affine part only when the post pass applies neither).
template <class A>
inline typename A::V activate(const Activation& act, typename A::V v) {
  switch (act.kind) {
    case ActKind::kRelu: v = A::max(v, A::zero()); break;
    case ActKind::kLeakyRelu: v = A::select_neg(v, A::mul(v, A::set1(act.alpha)), v); break;
    case ActKind::kClip: v = A::min(A::max(v, A::set1(act.alpha)), A::set1(act.beta)); break;
    case ActKind::kHardSigmoid:
      v = A::max(A::zero(), A::min(A::set1(1.f), A::fma(v, A::set1(act.alpha), A::set1(act.beta))));
      break;
    case ActKind::kHardSwish: {
      const auto g = A::max(A::zero(), A::min(A::set1(1.f), A::fma(v, A::set1(1.f / 6.f), A::set1(0.5f))));
      v = A::mul(v, g);
      break;
    }
    default: break;
  }
  if (act.has_affine()) v = A::fma(v, A::set1(act.scale), A::set1(act.shift));
  return v;
}

}  // namespace
}  // namespace kiln::cpu
