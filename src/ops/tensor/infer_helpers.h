// Small accessors for the tensor family's inference functions.
#pragma once

#include <optional>

#include "ops/tensor/tensor_ops.h"

namespace kiln::tensor_infer {

// Input i's dims, or nullptr when the input is absent or its rank is unknown.
inline const std::vector<ir::Dim>* dims(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return nullptr;
  const ir::TypeInfo& t = ctx.input_type(i);
  if (t.kind != ir::TypeInfo::Kind::kTensor || !t.dims) return nullptr;
  return &*t.dims;
}

inline DType elem(const InferContext& ctx, size_t i) {
  return ctx.has_input(i) ? ctx.input_type(i).elem : DType::kUndefined;
}

// Input i's concrete shape when every dim is known.
inline std::optional<Shape> shape(const InferContext& ctx, size_t i) {
  if (const Tensor* t = ctx.input_constant(i); t && t->valid()) return t->shape();
  if (!ctx.has_input(i) || !ctx.input_type(i).fully_known()) return std::nullopt;
  return ctx.input_type(i).concrete();
}

inline std::vector<ir::Dim> unknown_dims(int64_t rank) {
  return std::vector<ir::Dim>(static_cast<size_t>(std::max<int64_t>(rank, 0)));
}

inline void set_unknown(InferContext& ctx, size_t o, DType e) {
  ctx.set_output(o, ir::TypeInfo::tensor_unknown_shape(e));
}

// Small int64 constants are folded so shape computations (Shape->Gather->Concat) stay static.
constexpr int64_t kFoldLimit = 4096;

}  // namespace kiln::tensor_infer
