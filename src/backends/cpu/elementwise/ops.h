// Prepare functions of the CPU backend's element-wise family (rows in table.cc).
#pragma once

#include "backends/kernel.h"

namespace kiln::cpu::elementwise {

// binary.cc: Add, Sub, Mul, Div, Max, Min (2 inputs), PRelu, Pow.
Expected<std::unique_ptr<OpKernel>> prepare_binary(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_pow(const PrepareContext& pctx);
// unary.cc: float32 activations and math functions, Clip, kiln.Gelu, kiln.Silu.
Expected<std::unique_ptr<OpKernel>> prepare_unary(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_clip(const PrepareContext& pctx);
// cast_where.cc
Expected<std::unique_ptr<OpKernel>> prepare_cast(const PrepareContext& pctx);
Expected<std::unique_ptr<OpKernel>> prepare_where(const PrepareContext& pctx);
// compare.cc: Equal, Less, LessOrEqual, Greater, GreaterOrEqual, And, Or, Xor, Not.
Expected<std::unique_ptr<OpKernel>> prepare_compare(const PrepareContext& pctx);

// Runs the node on its reference kernel: for run-time inputs outside what a prepared kernel
// handles (a dtype or rank the static types did not promise, shapes that do not broadcast), so
// the user gets the reference's result or its error message.
Status run_reference(KernelContext& ctx);

// The static element type of input i, or kUndefined when unknown.
DType input_dtype(const PrepareContext& pctx, size_t i);

}  // namespace kiln::cpu::elementwise
