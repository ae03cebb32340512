// Sequence kernels: construction, access, insertion/erasure, splitting and concatenation.
#include "backends/reference/control/control_kernels.h"

namespace kiln::reference {

namespace {

Expected<const Sequence*> seq_input(const KernelContext& ctx, size_t i) {
  if (!ctx.has_input(i) || !ctx.input_value(i).is_sequence()) return ctx.error("input {} must be a sequence", i);
  return &ctx.input_value(i).sequence();
}

// Reads an optional position input (scalar int32/int64); `fallback` when absent.
Expected<int64_t> read_position(const KernelContext& ctx, size_t i, int64_t fallback) {
  if (!ctx.has_input(i)) return fallback;
  const Value& v = ctx.input_value(i);
  if (!v.is_tensor() || v.tensor().numel() != 1 || !dtype_is_integer(v.tensor().dtype())) {
    return ctx.error("position must be an int32/int64 scalar");
  }
  return v.tensor().as_int64(0);
}

}  // namespace

Status sequence_empty(KernelContext& ctx) {
  const int64_t code = ctx.node().attr_int("dtype", static_cast<int64_t>(DType::kFloat32));
  if (!dtype_is_valid(static_cast<int32_t>(code))) return ctx.error("dtype {} is not supported", code);
  ctx.set_output(0, Sequence{static_cast<DType>(code), {}});
  return Status::ok();
}

Status sequence_construct(KernelContext& ctx) {
  Sequence s;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i) || !ctx.input_value(i).is_tensor()) return ctx.error("input {} must be a tensor", i);
    const Tensor& t = ctx.input(i);
    if (i == 0) s.elem_type = t.dtype();
    if (t.dtype() != s.elem_type) {
      return ctx.error("all inputs must have one dtype: input 0 is {}, input {} is {}", dtype_name(s.elem_type), i,
                       dtype_name(t.dtype()));
    }
    s.items.push_back(t);
  }
  if (s.items.empty()) return ctx.error("needs at least one input tensor");
  ctx.set_output(0, std::move(s));
  return Status::ok();
}

Status sequence_at(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(const Sequence* s, seq_input(ctx, 0));
  if (!ctx.has_input(1)) return ctx.error("input 1 (position) is missing");
  KILN_ASSIGN_OR_RETURN(int64_t pos, read_position(ctx, 1, 0));
  const int64_t n = static_cast<int64_t>(s->items.size());
  if (pos < -n || pos >= n) return ctx.error("position {} is out of range for a sequence of length {}", pos, n);
  if (pos < 0) pos += n;
  ctx.set_output(0, s->items[static_cast<size_t>(pos)]);
  return Status::ok();
}

Status sequence_erase(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(const Sequence* s, seq_input(ctx, 0));
  KILN_ASSIGN_OR_RETURN(int64_t pos, read_position(ctx, 1, -1));
  const int64_t n = static_cast<int64_t>(s->items.size());
  if (pos < -n || pos >= n) return ctx.error("position {} is out of range for a sequence of length {}", pos, n);
  if (pos < 0) pos += n;
  Sequence out = *s;
  out.items.erase(out.items.begin() + pos);
  ctx.set_output(0, std::move(out));
  return Status::ok();
}

Status sequence_insert(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(const Sequence* s, seq_input(ctx, 0));
  if (!ctx.has_input(1) || !ctx.input_value(1).is_tensor()) return ctx.error("input 1 must be a tensor");
  const Tensor& t = ctx.input(1);
  if (s->elem_type != DType::kUndefined && t.dtype() != s->elem_type) {
    return ctx.error("the tensor's dtype {} differs from the sequence's {}", dtype_name(t.dtype()),
                     dtype_name(s->elem_type));
  }
  const int64_t n = static_cast<int64_t>(s->items.size());
  KILN_ASSIGN_OR_RETURN(int64_t pos, read_position(ctx, 2, n));
  if (pos < -n || pos > n) return ctx.error("position {} is out of range [-{}, {}]", pos, n, n);
  if (pos < 0) pos += n;
  Sequence out = *s;
  out.elem_type = t.dtype();
  out.items.insert(out.items.begin() + pos, t);
  ctx.set_output(0, std::move(out));
  return Status::ok();
}

Status sequence_length(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(const Sequence* s, seq_input(ctx, 0));
  ctx.set_output(0, Tensor::scalar<int64_t>(static_cast<int64_t>(s->items.size())));
  return Status::ok();
}

Status split_to_sequence(KernelContext& ctx) {
  if (!ctx.has_input(0) || !ctx.input_value(0).is_tensor()) return ctx.error("input 0 must be a tensor");
  const Tensor& x = ctx.input(0);
  if (x.rank() == 0) return ctx.error("input must have rank >= 1");
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -x.rank() || axis >= x.rank()) return ctx.error("axis {} is out of range for rank {}", axis, x.rank());
  if (axis < 0) axis += x.rank();
  const int64_t total = x.dim(axis);

  std::vector<int64_t> lengths;
  bool squeeze = false;
  if (!ctx.has_input(1)) {
    lengths.assign(static_cast<size_t>(total), 1);
    squeeze = ctx.node().attr_int("keepdims", 1) == 0;
  } else {
    const Tensor& split = ctx.input(1);
    if (!dtype_is_integer(split.dtype())) return ctx.error("split must be int32/int64, got {}", dtype_name(split.dtype()));
    if (split.rank() == 0) {
      const int64_t chunk = split.as_int64(0);
      if (chunk <= 0) return ctx.error("split must be positive, got {}", chunk);
      for (int64_t done = 0; done < total; done += chunk) lengths.push_back(std::min(chunk, total - done));
    } else if (split.rank() == 1) {
      int64_t sum = 0;
      for (int64_t i = 0; i < split.numel(); ++i) {
        const int64_t len = split.as_int64(i);
        if (len < 0) return ctx.error("split[{}] = {} is negative", i, len);
        lengths.push_back(len);
        sum += len;
      }
      if (sum != total) return ctx.error("split sums to {} but axis {} has length {}", sum, axis, total);
    } else {
      return ctx.error("split must be a scalar or 1-D, got {}", split.describe());
    }
  }

  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
  for (int64_t i = axis + 1; i < x.rank(); ++i) inner *= x.dim(i);
  Sequence out{x.dtype(), {}};
  int64_t start = 0;
  for (int64_t len : lengths) {
    Shape shape = x.shape();
    shape[static_cast<size_t>(axis)] = len;
    Tensor piece(x.dtype(), shape);
    for (int64_t o = 0; o < outer; ++o) copy_elements(x, (o * total + start) * inner, piece, o * len * inner, len * inner);
    if (squeeze) {
      shape.erase(shape.begin() + axis);
      piece = piece.reshaped(shape);
    }
    out.items.push_back(piece);
    start += len;
  }
  ctx.set_output(0, std::move(out));
  return Status::ok();
}

Status concat_from_sequence(KernelContext& ctx) {
  KILN_ASSIGN_OR_RETURN(const Sequence* s, seq_input(ctx, 0));
  if (!ctx.node().has_attr("axis")) return ctx.error("missing required attribute 'axis'");
  if (s->items.empty()) return ctx.error("cannot concatenate an empty sequence");
  const bool new_axis = ctx.node().attr_int("new_axis", 0) != 0;
  const Tensor& first = s->items[0];
  const int64_t out_rank = first.rank() + (new_axis ? 1 : 0);
  int64_t axis = ctx.node().attr_int("axis", 0);
  if (axis < -out_rank || axis >= out_rank) return ctx.error("axis {} is out of range for rank {}", axis, out_rank);
  if (axis < 0) axis += out_rank;
  if (new_axis) {
    for (const Tensor& t : s->items) {
      if (t.shape() != first.shape() || t.dtype() != first.dtype()) {
        return ctx.error("with new_axis all tensors must match: {} vs {}", first.describe(), t.describe());
      }
    }
    ctx.set_output(0, stack_along(s->items, axis, first.dtype(), first.shape()));
    return Status::ok();
  }
  Shape out_shape = first.shape();
  int64_t total = 0;
  for (const Tensor& t : s->items) {
    if (t.rank() != first.rank() || t.dtype() != first.dtype()) {
      return ctx.error("tensors must share rank and dtype: {} vs {}", first.describe(), t.describe());
    }
    for (int64_t d = 0; d < t.rank(); ++d) {
      if (d != axis && t.dim(d) != first.dim(d)) {
        return ctx.error("tensors differ outside axis {}: {} vs {}", axis, first.describe(), t.describe());
      }
    }
    total += t.dim(axis);
  }
  out_shape[static_cast<size_t>(axis)] = total;
  Tensor& out = ctx.allocate_output(0, first.dtype(), out_shape);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= first.dim(i);
  for (int64_t i = axis + 1; i < first.rank(); ++i) inner *= first.dim(i);
  int64_t offset = 0;
  for (const Tensor& t : s->items) {
    const int64_t len = t.dim(axis);
    for (int64_t o = 0; o < outer; ++o) copy_elements(t, o * len * inner, out, (o * total + offset) * inner, len * inner);
    offset += len;
  }
  return Status::ok();
}

}  // namespace kiln::reference
