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

// How a kernel's tile stores finish: activate()'s switch costs about as much as the FMAs of a
// K = 16 expand tile when taken per vector, so kernels with short reductions compile the common
// kinds in (template argument E) and keep the switch for the rest.
enum Epilogue { kLinear, kClamp, kAnyActivation };  // kClamp: Relu and Clip without affine

inline Epilogue epilogue_of(const Activation& a) {
  if (!a.is_clamp()) return kAnyActivation;
  return a.kind == ActKind::kNone ? kLinear : kClamp;
}

// act(v) for epilogue E of `act` (epilogue_of(act) or kAnyActivation).
template <class A>
struct Finish {
  using V = typename A::V;
  const Activation& act;
  V lo, hi;
  explicit Finish(const Activation& a)
      : act(a), lo(A::set1(a.kind == ActKind::kClip ? a.alpha : 0.f)),
        hi(A::set1(a.kind == ActKind::kClip ? a.beta : __builtin_inff())) {}
  template <int E>
  inline V apply(V v) const {
    if constexpr (E == kLinear) return v;
    else if constexpr (E == kClamp) return A::min(A::max(v, lo), hi);
    else return activate<A>(act, v);
  }
};

}  // namespace
}  // namespace kiln::cpu
