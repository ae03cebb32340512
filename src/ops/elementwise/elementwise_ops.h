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

// Before opset 7, binary ops with broadcast=1 and an `axis` attribute align B's dims with A's
// starting at `axis`: returns how many trailing 1-dims B's shape needs for numpy rules to do the
// same (0 when the attributes are absent, or from opset 7 on).
Expected<size_t> legacy_broadcast_padding(const ir::Node& node, int64_t rank_a, int64_t rank_b);

// clip.cc
Status infer_clip(InferContext& ctx);

// cast.cc
Status infer_cast(InferContext& ctx);
// Cast's target dtype: the `to` attribute, an int (opset 6+) or a type name like "FLOAT" (opset 1).
Expected<DType> cast_target(const ir::Node& node);
// The Cast op's conversion: core's cast_tensor, except that bfloat16 results keep the upper half
// of the float32 value (truncation), as ONNX's reference Cast and its test data do.
Tensor cast_op_value(const Tensor& x, DType to);
Status infer_cast_like(InferContext& ctx);

}  // namespace kiln
