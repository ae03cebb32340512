// Inference for the sequence ops. Element shapes are tracked where they are easy to know;
// otherwise the element is a tensor of unknown shape.
#include "ops/control/control_ops.h"

namespace kiln {

namespace {

using Kind = ir::TypeInfo::Kind;

// The element type of sequence input i (kUnknown when it is not a known sequence).
ir::TypeInfo seq_elem(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return {};
  return element_type(ctx.input_type(i));
}

Status need_sequence(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return ctx.error("input {} (the sequence) is missing", i);
  Kind k = ctx.input_type(i).kind;
  if (k == Kind::kTensor) return ctx.error("input {} must be a sequence, got a tensor", i);
  return Status::ok();
}

}  // namespace

Status infer_sequence_empty(InferContext& ctx) {
  const int64_t code = ctx.node().attr_int("dtype", static_cast<int64_t>(DType::kFloat32));
  if (!dtype_is_valid(static_cast<int32_t>(code))) return ctx.error("dtype {} is not supported", code);
  ctx.set_output(0, ir::TypeInfo::sequence_of(ir::TypeInfo::tensor_unknown_shape(static_cast<DType>(code))));
  return Status::ok();
}

Status infer_sequence_construct(InferContext& ctx) {
  if (ctx.num_inputs() == 0 || !ctx.has_input(0)) return ctx.error("needs at least one input tensor");
  ir::TypeInfo elem = ctx.input_type(0);
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) return ctx.error("input {} is missing", i);
    const ir::TypeInfo& t = ctx.input_type(i);
    if (t.elem != DType::kUndefined && elem.elem != DType::kUndefined && t.elem != elem.elem) {
      return ctx.error("all inputs must have one dtype: input 0 is {}, input {} is {}", dtype_name(elem.elem), i,
                       dtype_name(t.elem));
    }
    elem = union_types(elem, t);
  }
  ctx.set_output(0, ir::TypeInfo::sequence_of(elem));
  return Status::ok();
}

Status infer_sequence_at(InferContext& ctx) {
  KILN_TRY(need_sequence(ctx, 0));
  ir::TypeInfo elem = seq_elem(ctx, 0);
  if (elem.kind == Kind::kUnknown) {
    elem = ir::TypeInfo::tensor_unknown_shape(ctx.input_type(0).elem);
  }
  ctx.set_output(0, elem);
  return Status::ok();
}

Status infer_sequence_erase(InferContext& ctx) {
  KILN_TRY(need_sequence(ctx, 0));
  ctx.set_output(0, ctx.input_type(0));
  return Status::ok();
}

Status infer_sequence_insert(InferContext& ctx) {
  KILN_TRY(need_sequence(ctx, 0));
  if (!ctx.has_input(1)) return ctx.error("input 1 (the tensor to insert) is missing");
  const ir::TypeInfo& t = ctx.input_type(1);
  ir::TypeInfo elem = seq_elem(ctx, 0);
  const DType seq_dtype = ctx.input_type(0).elem;
  if (seq_dtype != DType::kUndefined && t.elem != DType::kUndefined && seq_dtype != t.elem) {
    return ctx.error("the tensor's dtype {} differs from the sequence's {}", dtype_name(t.elem), dtype_name(seq_dtype));
  }
  ir::TypeInfo merged = elem.kind == Kind::kTensor ? union_types(elem, t) : ir::TypeInfo::tensor_unknown_shape(t.elem);
  if (merged.elem == DType::kUndefined) merged.elem = seq_dtype != DType::kUndefined ? seq_dtype : t.elem;
  ctx.set_output(0, ir::TypeInfo::sequence_of(merged));
  return Status::ok();
}

Status infer_sequence_length(InferContext& ctx) {
  KILN_TRY(need_sequence(ctx, 0));
  ctx.set_output(0, ir::TypeInfo::tensor(DType::kInt64, {}));
  return Status::ok();
}

// SequenceMap(input_sequence, additional_inputs...): each body output becomes a sequence.
Status infer_sequence_map(InferContext& ctx) {
  const ir::Graph* body = ctx.node().attr_graph("body");
  if (!body) return ctx.error("missing graph attribute 'body'");
  if (body->inputs.size() != ctx.num_inputs()) {
    return ctx.error("body takes {} inputs but the node has {}", body->inputs.size(), ctx.num_inputs());
  }
  if (body->outputs.size() != ctx.num_outputs()) {
    return ctx.error("body has {} outputs but the node has {}", body->outputs.size(), ctx.num_outputs());
  }
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    ir::TypeInfo elem = body->outputs[i]->type;
    if (elem.kind == Kind::kUnknown) elem = ir::TypeInfo::tensor_unknown_shape(DType::kUndefined);
    ctx.set_output(i, ir::TypeInfo::sequence_of(elem));
  }
  return Status::ok();
}

// SplitToSequence(input, split?) axis, keepdims.
Status infer_split_to_sequence(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 is missing");
  const ir::TypeInfo& x = ctx.input_type(0);
  ir::TypeInfo elem = ir::TypeInfo::tensor_unknown_shape(x.elem);
  if (x.dims) {
    const int64_t r = static_cast<int64_t>(x.dims->size());
    int64_t axis = ctx.node().attr_int("axis", 0);
    if (axis < -r || axis >= r) return ctx.error("axis {} is out of range for rank {}", axis, r);
    if (axis < 0) axis += r;
    std::vector<ir::Dim> dims = *x.dims;
    if (!ctx.has_input(1)) {
      if (ctx.node().attr_int("keepdims", 1) == 0) {
        dims.erase(dims.begin() + axis);
      } else {
        dims[static_cast<size_t>(axis)] = 1;
      }
    } else {
      // Chunk lengths: known when `split` is a known scalar dividing the dim, or all-equal.
      ir::Dim len;
      const ir::Dim total = (*x.dims)[static_cast<size_t>(axis)];
      if (auto split = constant_ints(ctx, 1)) {
        if (!split->empty()) {
          bool same = true;
          for (int64_t s : *split) same = same && s == (*split)[0];
          const Tensor* st = ctx.input_constant(1);
          if (st && st->rank() == 0) {
            if (total.known() && (*split)[0] > 0 && total.value % (*split)[0] == 0) len = (*split)[0];
          } else if (same) {
            len = (*split)[0];
          }
        }
      }
      dims[static_cast<size_t>(axis)] = len;
    }
    elem.dims = std::move(dims);
  }
  ctx.set_output(0, ir::TypeInfo::sequence_of(elem));
  return Status::ok();
}

// ConcatFromSequence(seq) axis, new_axis.
Status infer_concat_from_sequence(InferContext& ctx) {
  KILN_TRY(need_sequence(ctx, 0));
  ir::TypeInfo elem = seq_elem(ctx, 0);
  if (!ctx.node().has_attr("axis")) return ctx.error("missing required attribute 'axis'");
  const int64_t new_axis = ctx.node().attr_int("new_axis", 0);
  ir::TypeInfo out = ir::TypeInfo::tensor_unknown_shape(ctx.input_type(0).elem);
  if (elem.kind == Kind::kTensor && elem.dims) {
    std::vector<ir::Dim> dims = *elem.dims;
    const int64_t r = static_cast<int64_t>(dims.size()) + (new_axis ? 1 : 0);
    int64_t axis = ctx.node().attr_int("axis", 0);
    if (axis < -r || axis >= r) return ctx.error("axis {} is out of range for rank {}", axis, r);
    if (axis < 0) axis += r;
    if (new_axis) {
      dims.insert(dims.begin() + axis, ir::Dim());
    } else {
      dims[static_cast<size_t>(axis)] = ir::Dim();
    }
    out.dims = std::move(dims);
  }
  ctx.set_output(0, out);
  return Status::ok();
}

}  // namespace kiln
