#include "ops/infer_util.h"

namespace kiln {

Status infer_same_as_input(InferContext& ctx, size_t input, size_t output) {
  if (!ctx.has_input(input)) return ctx.error("input {} is required", input);
  ctx.set_output(output, ctx.input_type(input));
  return Status::ok();
}

Expected<std::vector<ir::Dim>> broadcast_dims(const std::vector<ir::Dim>& a,
                                              const std::vector<ir::Dim>& b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<ir::Dim> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    ir::Dim da = i < rank - a.size() ? ir::Dim(1) : a[i - (rank - a.size())];
    ir::Dim db = i < rank - b.size() ? ir::Dim(1) : b[i - (rank - b.size())];
    if (da.known() && db.known()) {
      if (da.value == db.value || db.value == 1) {
        out[i] = da;
      } else if (da.value == 1) {
        out[i] = db;
      } else {
        return invalid_argument("dimension {} is {} in one input and {} in the other", i, da.value,
                                db.value);
      }
    } else if (da.known() && da.value == 1) {
      out[i] = db;
    } else if (db.known() && db.value == 1) {
      out[i] = da;
    } else if (da == db) {
      out[i] = da;
    } else {
      out[i] = ir::Dim();  // unknown: depends on run-time values
    }
  }
  return out;
}

Status infer_broadcast(InferContext& ctx, DType out) {
  DType elem = out;
  std::optional<std::vector<ir::Dim>> dims = std::vector<ir::Dim>{};
  bool first = true;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    const ir::TypeInfo& t = ctx.input_type(i);
    if (first && elem == DType::kUndefined) elem = t.elem;
    first = false;
    if (!dims) continue;
    if (!t.dims) {
      dims.reset();
      continue;
    }
    auto merged = broadcast_dims(*dims, *t.dims);
    if (!merged) return ctx.error("inputs cannot be broadcast: {}", merged.status().message());
    dims = std::move(*merged);
  }
  ir::TypeInfo result = dims ? ir::TypeInfo::tensor(elem, *dims) : ir::TypeInfo::tensor_unknown_shape(elem);
  for (size_t o = 0; o < ctx.num_outputs(); ++o) ctx.set_output(o, result);
  return Status::ok();
}

std::optional<std::vector<int64_t>> constant_ints(const InferContext& ctx, size_t input) {
  const Tensor* t = ctx.input_constant(input);
  if (!t || !t->valid()) return std::nullopt;
  return t->to_int64_vector();
}

}  // namespace kiln
