// Vector-ops struct for the kernels written once over an ISA (depthwise, Winograd):
// Portable: one float per "vector" (the fallback without AVX2, and a second implementation tests compare against).
// Provides V, M (lane mask), Full (tag: all lanes), kWidth, mask(n), full(), load(p, m) /
// store(p, v, m) for M (never touches lanes >= n) and Full, loadw(p) (full width), set1, zero,
// fma(a, b, c) = a*b + c, add, sub, mul, max, min, select_neg(x, a, b) = x < 0 ? a : b, pin(v) (an
// empty asm that keeps v in a register).
// Include only from files compiled for this ISA (*_scalar.cc); internal linkage per translation unit.
#pragma once

#include <algorithm>
#include <cstdint>

namespace kiln::cpu {
namespace {

struct ScalarOps {
  using V = float;
  using M = bool;
  static constexpr int64_t kWidth = 1;
  static M mask(int64_t n) { return n > 0; }
  static V load(const float* p, M m) { return m ? *p : 0.f; }
  struct Full {};
  static Full full() { return {}; }
  static V load(const float* p, Full) { return *p; }
  static void store(float* p, V v, Full) { *p = v; }
  static V loadw(const float* p) { return *p; }
  static void store(float* p, V v, M m) {
    if (m) *p = v;
  }
  static void pin(V&) {}
  static V set1(float v) { return v; }
  static V zero() { return 0.f; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V add(V a, V b) { return a + b; }
  static V sub(V a, V b) { return a - b; }
  static V mul(V a, V b) { return a * b; }
  static V max(V a, V b) { return std::max(a, b); }
  static V min(V a, V b) { return std::min(a, b); }
  static V select_neg(V x, V a, V b) { return x < 0 ? a : b; }
};

}  // namespace
}  // namespace kiln::cpu
