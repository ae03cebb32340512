// Inference functions of the elementwise family (rows in table.cc).
#pragma once

#include "ops/infer_util.h"
#include "ops/op_schema.h"

namespace kiln {

// unary.cc
Status infer_unary(InferContext& ctx);          // output type = input 0's (Abs, Sin, Relu, Not...)
Status infer_unary_to_bool(InferContext& ctx);  // same shape, bool (IsNaN, IsInf)

// binary.cc
Status infer_arith(InferContext& ctx);     // A, B same dtype, broadcast (Add, Sub, Mul, Div, Mod, BitShift)
Status infer_pow(InferContext& ctx);       // broadcast, dtype of the base
Status infer_compare(InferContext& ctx);   // A, B same dtype, broadcast, bool (Equal, Less, ...)
Status infer_logical(InferContext& ctx);   // bool inputs, broadcast, bool (And, Or, Xor)
Status infer_variadic(InferContext& ctx);  // 1+ inputs of one dtype, broadcast (Max, Min, Mean, Sum)
Status infer_where(InferContext& ctx);     // bool cond, X, Y broadcast, dtype of X
Status infer_prelu(InferContext& ctx);     // slope broadcasts to X; output is X's type

// clip.cc
Status infer_clip(InferContext& ctx);

// cast.cc
Status infer_cast(InferContext& ctx);
Status infer_cast_like(InferContext& ctx);

}  // namespace kiln
