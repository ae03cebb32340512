// The element-wise row kernels of the CPU backend, one table per SIMD level. The op kernels
// (binary.cc, unary.cc) plan broadcasting and threading and call these on contiguous runs.
//
//   const KernelTable& k = kernel_table(cpu_isa());
//   k.binary_f32(BinOp::kAdd, Bcast::kVS, a, b, y, n);  // y[i] = a[i] + b[0]
#pragma once

#include <cstdint>

#include "core/cpu_features.h"

namespace kiln::cpu::elementwise {

enum class BinOp { kAdd, kSub, kMul, kDiv, kMax, kMin, kPRelu };

// How the two operands of a run are read: both element-wise, or one repeated (its element 0).
enum class Bcast { kVV, kVS, kSV };

enum class UnOp {
  kRelu, kLeakyRelu, kElu, kSigmoid, kTanh, kHardSigmoid, kHardSwish, kSilu, kGelu, kGeluTanh, kErf,
  kExp, kLog, kSqrt, kNeg, kAbs, kReciprocal, kFloor, kCeil, kClip, kSquare, kCube, kIdentity,
};

// alpha: LeakyRelu/Elu slope, HardSigmoid alpha, Clip min; beta: HardSigmoid beta, Clip max.
struct UnaryParams {
  float alpha = 0, beta = 0;
};

struct KernelTable {
  void (*binary_f32)(BinOp op, Bcast mode, const float* a, const float* b, float* y, int64_t n);
  // Add/Sub/Mul only (wrapping on overflow, like the reference); other ops leave y untouched.
  void (*binary_i32)(BinOp op, Bcast mode, const int32_t* a, const int32_t* b, int32_t* y, int64_t n);
  void (*binary_i64)(BinOp op, Bcast mode, const int64_t* a, const int64_t* b, int64_t* y, int64_t n);
  void (*unary_f32)(UnOp op, const UnaryParams& p, const float* x, float* y, int64_t n);
};

// The table for `isa` (tests call each level directly); callers pass cpu_isa() or lower.
const KernelTable& kernel_table(Isa isa);

// Per-ISA tables (kernels_<isa>.cc); call only what cpu_isa() allows.
const KernelTable& kernel_table_scalar();
const KernelTable& kernel_table_avx2();
const KernelTable& kernel_table_avx512();

}  // namespace kiln::cpu::elementwise
