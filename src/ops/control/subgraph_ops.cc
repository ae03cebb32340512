// Inference for If, Loop and Scan: output types come from the subgraphs' output types (the
// subgraphs are inferred before the node that holds them).
#include "ops/control/control_ops.h"

namespace kiln {

namespace {

Expected<const ir::Graph*> need_graph(const InferContext& ctx, const char* key) {
  const ir::Graph* g = ctx.node().attr_graph(key);
  if (!g) return ctx.error("missing graph attribute '{}'", key);
  return g;
}

// `t` with a new dim inserted at `axis` (a tensor of unknown rank stays unknown).
ir::TypeInfo insert_dim(const ir::TypeInfo& t, size_t axis, ir::Dim dim) {
  ir::TypeInfo out = t;
  if (out.kind == ir::TypeInfo::Kind::kUnknown) out.kind = ir::TypeInfo::Kind::kTensor;
  if (out.dims && axis <= out.dims->size()) {
    out.dims->insert(out.dims->begin() + static_cast<std::ptrdiff_t>(axis), dim);
  } else {
    out.dims.reset();
  }
  return out;
}

}  // namespace

Status infer_if(InferContext& ctx) {
  KILN_ASSIGN_OR_RETURN(const ir::Graph* then_g, need_graph(ctx, "then_branch"));
  KILN_ASSIGN_OR_RETURN(const ir::Graph* else_g, need_graph(ctx, "else_branch"));
  if (then_g->outputs.size() != ctx.num_outputs() || else_g->outputs.size() != ctx.num_outputs()) {
    return ctx.error("then_branch has {} outputs and else_branch {}, but the node has {}", then_g->outputs.size(),
                     else_g->outputs.size(), ctx.num_outputs());
  }
  const Tensor* cond = ctx.input_constant(0);
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    const ir::TypeInfo& a = then_g->outputs[i]->type;
    const ir::TypeInfo& b = else_g->outputs[i]->type;
    if (cond && cond->numel() == 1) {
      ctx.set_output(i, cond->as_int64(0) != 0 ? a : b);
    } else {
      ctx.set_output(i, union_types(a, b));
    }
  }
  return Status::ok();
}

// Loop(M?, cond?, v_initial...) -> (v_final..., scan_outputs...). The body maps
// (iter_num, cond, v...) -> (cond, v..., scan...).
Status infer_loop(InferContext& ctx) {
  KILN_ASSIGN_OR_RETURN(const ir::Graph* body, need_graph(ctx, "body"));
  const size_t n_carried = ctx.num_inputs() >= 2 ? ctx.num_inputs() - 2 : 0;
  if (body->inputs.size() != n_carried + 2) {
    return ctx.error("body takes {} inputs but the node has {} loop-carried values (expected {} body inputs)",
                     body->inputs.size(), n_carried, n_carried + 2);
  }
  if (body->outputs.size() < n_carried + 1) {
    return ctx.error("body has {} outputs, fewer than 1 + {} loop-carried values", body->outputs.size(), n_carried);
  }
  const size_t n_scan = body->outputs.size() - 1 - n_carried;
  if (ctx.num_outputs() > n_carried + n_scan) {
    return ctx.error("node has {} outputs but the body gives {} carried + {} scan outputs", ctx.num_outputs(),
                     n_carried, n_scan);
  }
  for (size_t i = 0; i < n_carried && i < ctx.num_outputs(); ++i) {
    const ir::TypeInfo& body_out = body->outputs[1 + i]->type;
    if (ctx.has_input(2 + i) && ctx.input_type(2 + i).kind == body_out.kind) {
      // The value after zero iterations is the initial one; otherwise the body's output.
      ctx.set_output(i, union_types(ctx.input_type(2 + i), body_out));
    } else {
      ctx.set_output(i, body_out);
    }
  }
  for (size_t k = 0; k < n_scan && n_carried + k < ctx.num_outputs(); ++k) {
    ctx.set_output(n_carried + k, insert_dim(body->outputs[1 + n_carried + k]->type, 0, ir::Dim()));
  }
  return Status::ok();
}

// Scan-9+: (state..., scan_input...) -> (state_final..., scan_output...).
// Scan-8: (sequence_lens?, state..., scan_input...) with a leading batch axis on everything.
Status infer_scan(InferContext& ctx) {
  KILN_ASSIGN_OR_RETURN(const ir::Graph* body, need_graph(ctx, "body"));
  const bool v8 = ctx.opset() < 9;
  const size_t first = v8 ? 1 : 0;
  const int64_t m = ctx.node().attr_int("num_scan_inputs", -1);
  if (ctx.num_inputs() < first) return ctx.error("missing inputs");
  const int64_t n_in = static_cast<int64_t>(ctx.num_inputs() - first);
  if (m < 1 || m > n_in) return ctx.error("num_scan_inputs is {} but the node has {} inputs", m, n_in);
  const size_t n_state = static_cast<size_t>(n_in - m);
  if (body->inputs.size() != static_cast<size_t>(n_in)) {
    return ctx.error("body takes {} inputs but the node passes {}", body->inputs.size(), n_in);
  }
  if (body->outputs.size() < n_state) return ctx.error("body has fewer outputs than state variables");
  const size_t n_scan_out = body->outputs.size() - n_state;
  if (ctx.num_outputs() > n_state + n_scan_out) {
    return ctx.error("node has {} outputs but the body gives {}", ctx.num_outputs(), body->outputs.size());
  }

  // Sequence length and (v8) batch size from the first scan input.
  ir::Dim seq_len, batch;
  if (ctx.has_input(first + n_state)) {
    const ir::TypeInfo& x = ctx.input_type(first + n_state);
    if (x.dims) {
      const int64_t r = static_cast<int64_t>(x.dims->size());
      int64_t axis = v8 ? 1 : 0;
      if (!v8) {
        std::vector<int64_t> axes = ctx.node().attr_ints("scan_input_axes");
        if (!axes.empty()) axis = axes[0];
        if (axis < 0) axis += r;
      }
      if (axis >= 0 && axis < r) seq_len = (*x.dims)[static_cast<size_t>(axis)];
      if (v8 && r > 0) batch = (*x.dims)[0];
    }
  }

  for (size_t i = 0; i < n_state && i < ctx.num_outputs(); ++i) {
    if (ctx.has_input(first + i)) {
      ctx.set_output(i, ctx.input_type(first + i));
    } else {
      ctx.set_output(i, v8 ? insert_dim(body->outputs[i]->type, 0, batch) : body->outputs[i]->type);
    }
  }
  std::vector<int64_t> out_axes = ctx.node().attr_ints("scan_output_axes");
  for (size_t k = 0; k < n_scan_out && n_state + k < ctx.num_outputs(); ++k) {
    const ir::TypeInfo& elem = body->outputs[n_state + k]->type;
    if (v8) {
      ctx.set_output(n_state + k, insert_dim(insert_dim(elem, 0, seq_len), 0, batch));
      continue;
    }
    int64_t axis = k < out_axes.size() ? out_axes[k] : 0;
    if (elem.dims) {
      const int64_t r = static_cast<int64_t>(elem.dims->size()) + 1;
      if (axis < -r || axis >= r) return ctx.error("scan_output_axes[{}] = {} out of range for rank {}", k, axis, r);
      if (axis < 0) axis += r;
    }
    ctx.set_output(n_state + k, insert_dim(elem, static_cast<size_t>(std::max<int64_t>(axis, 0)), seq_len));
  }
  return Status::ok();
}

}  // namespace kiln
