// The GEMM convolution's epilogue (gemm_conv.h), written once over a vector-ops struct A
// (simd/ops_<isa>.h) and instantiated in gemm_conv_<isa>.cc. Included only by those files.
#pragma once

#include "backends/cpu/gemm_conv/gemm_conv.h"
#include "backends/cpu/simd/epilogue.h"

namespace kiln::cpu {
namespace {

template <class A>
void gemm_conv_epilogue(const float* bias, const Activation& act, const float* z, float* y, int64_t m, int64_t rows) {
  for (int64_t r = 0; r < rows; ++r) {
    float* yr = y + r * m;
    const float* zr = z ? z + r * m : nullptr;
    int64_t o = 0;
    for (; o + A::kWidth <= m; o += A::kWidth) {
      auto v = A::add(A::load(yr + o, A::full()), A::loadw(bias + o));
      if (zr) v = A::add(v, A::load(zr + o, A::full()));
      A::store(yr + o, activate<A>(act, v), A::full());
    }
    if (o < m) {
      const auto mask = A::mask(m - o);
      auto v = A::add(A::load(yr + o, mask), A::loadw(bias + o));
      if (zr) v = A::add(v, A::load(zr + o, mask));
      A::store(yr + o, activate<A>(act, v), mask);
    }
  }
}

}  // namespace
}  // namespace kiln::cpu
