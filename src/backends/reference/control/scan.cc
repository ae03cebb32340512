// Scan: runs the body once per slice of the scan inputs, threading state variables through.
// Opset 9+: per-input axes/directions, per-output axes/directions. Opset 8: a leading batch
// axis on every input/output, optional sequence_lens, inputs scanned along axis 1.
#include <algorithm>

#include "backends/reference/control/control_kernels.h"

namespace kiln::reference {

namespace {

struct ScanSpec {
  std::vector<int64_t> in_axes, in_dirs, out_axes, out_dirs;  // normalized, one per input/output
};

struct ScanResult {
  std::vector<Value> states;
  std::vector<Tensor> outputs;  // one per scan output, with the sequence axis inserted
};

// One scan over `len` steps. Scan inputs are indexed along spec.in_axes.
Expected<ScanResult> run_scan(KernelContext& ctx, const ir::Graph& body, std::vector<Value> states,
                              const std::vector<Tensor>& inputs, const ScanSpec& spec, int64_t len) {
  const size_t n_state = states.size();
  const size_t n_out = body.outputs.size() - n_state;
  std::vector<std::vector<Tensor>> per_step(n_out);
  for (int64_t t = 0; t < len; ++t) {
    std::vector<Value> in = states;
    for (size_t j = 0; j < inputs.size(); ++j) {
      const int64_t idx = spec.in_dirs[j] == 1 ? len - 1 - t : t;
      in.emplace_back(take_along(inputs[j], spec.in_axes[j], idx));
    }
    KILN_ASSIGN_OR_RETURN(std::vector<Value> outs, ctx.run_subgraph(body, in));
    for (size_t i = 0; i < n_state; ++i) states[i] = std::move(outs[i]);
    for (size_t k = 0; k < n_out; ++k) {
      const Value& v = outs[n_state + k];
      if (!v.is_tensor()) return ctx.error("scan output {} of the body must be a tensor", k);
      if (!per_step[k].empty() && (per_step[k][0].shape() != v.tensor().shape() ||
                                   per_step[k][0].dtype() != v.tensor().dtype())) {
        return ctx.error("scan output {} changed from {} to {} between iterations", k, per_step[k][0].describe(),
                         v.tensor().describe());
      }
      per_step[k].push_back(v.tensor());
    }
  }
  ScanResult r;
  r.states = std::move(states);
  for (size_t k = 0; k < n_out; ++k) {
    std::vector<Tensor>& steps = per_step[k];
    if (spec.out_dirs[k] == 1) std::reverse(steps.begin(), steps.end());
    if (steps.empty()) {
      const ir::TypeInfo& t = body.outputs[n_state + k]->type;
      Shape shape = t.fully_known() ? t.concrete() : Shape{};
      const int64_t rank = static_cast<int64_t>(shape.size()) + 1;
      int64_t axis = spec.out_axes[k] < 0 ? spec.out_axes[k] + rank : spec.out_axes[k];
      axis = std::clamp<int64_t>(axis, 0, rank - 1);
      shape.insert(shape.begin() + axis, 0);
      r.outputs.emplace_back(t.elem == DType::kUndefined ? DType::kFloat32 : t.elem, shape);
      continue;
    }
    const int64_t rank = steps[0].rank() + 1;
    int64_t axis = spec.out_axes[k];
    if (axis < -rank || axis >= rank) return ctx.error("scan_output_axes[{}] = {} out of range for rank {}", k, axis, rank);
    if (axis < 0) axis += rank;
    r.outputs.push_back(stack_along(steps, axis, steps[0].dtype(), steps[0].shape()));
  }
  return r;
}

Status check_dirs(const KernelContext& ctx, const std::vector<int64_t>& dirs, const char* name) {
  for (int64_t d : dirs) {
    if (d != 0 && d != 1) return ctx.error("{} values must be 0 or 1, got {}", name, d);
  }
  return Status::ok();
}

}  // namespace

Status scan(KernelContext& ctx) {
  const ir::Graph* body = ctx.node().attr_graph("body");
  if (!body) return ctx.error("missing graph attribute 'body'");
  const bool v8 = ctx.opset() < 9;
  const size_t first = v8 ? 1 : 0;
  const int64_t m = ctx.node().attr_int("num_scan_inputs", -1);
  const int64_t n_in = static_cast<int64_t>(ctx.num_inputs()) - static_cast<int64_t>(first);
  if (m < 1 || m > n_in) return ctx.error("num_scan_inputs is {} but the node has {} inputs", m, n_in);
  const size_t n_state = static_cast<size_t>(n_in - m);
  const size_t n_scan_in = static_cast<size_t>(m);
  if (body->inputs.size() != static_cast<size_t>(n_in) || body->outputs.size() < n_state) {
    return ctx.error("body has {} inputs and {} outputs, which does not fit {} states and {} scan inputs",
                     body->inputs.size(), body->outputs.size(), n_state, n_scan_in);
  }
  const size_t n_scan_out = body->outputs.size() - n_state;
  for (size_t i = first; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i) || !ctx.input_value(i).is_tensor()) return ctx.error("input {} must be a tensor", i);
  }

  ScanSpec spec;
  spec.in_dirs = ctx.node().attr_ints(v8 ? "directions" : "scan_input_directions");
  if (spec.in_dirs.empty()) spec.in_dirs.assign(n_scan_in, 0);
  spec.in_axes = v8 ? std::vector<int64_t>() : ctx.node().attr_ints("scan_input_axes");
  if (spec.in_axes.empty()) spec.in_axes.assign(n_scan_in, 0);
  spec.out_dirs = v8 ? std::vector<int64_t>() : ctx.node().attr_ints("scan_output_directions");
  if (spec.out_dirs.empty()) spec.out_dirs.assign(n_scan_out, 0);
  spec.out_axes = v8 ? std::vector<int64_t>() : ctx.node().attr_ints("scan_output_axes");
  if (spec.out_axes.empty()) spec.out_axes.assign(n_scan_out, 0);
  if (spec.in_dirs.size() != n_scan_in || spec.in_axes.size() != n_scan_in) {
    return ctx.error("scan input axes/directions need {} entries", n_scan_in);
  }
  if (spec.out_dirs.size() != n_scan_out || spec.out_axes.size() != n_scan_out) {
    return ctx.error("scan output axes/directions need {} entries", n_scan_out);
  }
  KILN_TRY(check_dirs(ctx, spec.in_dirs, "scan input directions"));
  KILN_TRY(check_dirs(ctx, spec.out_dirs, "scan output directions"));

  if (!v8) {
    std::vector<Tensor> inputs;
    int64_t len = -1;
    for (size_t j = 0; j < n_scan_in; ++j) {
      const Tensor& x = ctx.input(n_state + j);
      int64_t axis = spec.in_axes[j];
      if (axis < -x.rank() || axis >= x.rank()) {
        return ctx.error("scan_input_axes[{}] = {} out of range for input of rank {}", j, axis, x.rank());
      }
      if (axis < 0) axis += x.rank();
      spec.in_axes[j] = axis;
      if (len >= 0 && x.dim(axis) != len) {
        return ctx.error("scan inputs disagree on the sequence length: {} vs {}", len, x.dim(axis));
      }
      len = x.dim(axis);
      inputs.push_back(x);
    }
    std::vector<Value> states;
    for (size_t i = 0; i < n_state; ++i) states.push_back(ctx.input_value(i));
    KILN_ASSIGN_OR_RETURN(ScanResult r, run_scan(ctx, *body, states, inputs, spec, len));
    for (size_t i = 0; i < n_state && i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move(r.states[i]));
    for (size_t k = 0; k < n_scan_out && n_state + k < ctx.num_outputs(); ++k) {
      ctx.set_output(n_state + k, std::move(r.outputs[k]));
    }
    return Status::ok();
  }

  // Opset 8: loop over the batch axis; per batch, scan along what was axis 1.
  int64_t batch = -1, max_len = -1;
  for (size_t i = first; i < ctx.num_inputs(); ++i) {
    const Tensor& x = ctx.input(i);
    const bool is_scan = i - first >= n_state;
    if (x.rank() < (is_scan ? 2 : 1)) return ctx.error("input {} needs a batch axis{}", i, is_scan ? " and a sequence axis" : "");
    if (batch >= 0 && x.dim(0) != batch) return ctx.error("inputs disagree on the batch size: {} vs {}", batch, x.dim(0));
    batch = x.dim(0);
    if (is_scan) {
      if (max_len >= 0 && x.dim(1) != max_len) return ctx.error("scan inputs disagree on the sequence length");
      max_len = x.dim(1);
    }
  }
  std::vector<int64_t> lens(static_cast<size_t>(batch), max_len);
  if (ctx.has_input(0)) {
    const Tensor& sl = ctx.input(0);
    if (sl.numel() != batch || !dtype_is_integer(sl.dtype())) {
      return ctx.error("sequence_lens must be an integer tensor of {} elements, got {}", batch, sl.describe());
    }
    for (int64_t b = 0; b < batch; ++b) {
      lens[static_cast<size_t>(b)] = sl.as_int64(b);
      if (lens[static_cast<size_t>(b)] < 0 || lens[static_cast<size_t>(b)] > max_len) {
        return ctx.error("sequence_lens[{}] = {} is outside [0, {}]", b, lens[static_cast<size_t>(b)], max_len);
      }
    }
  }
  std::vector<std::vector<Value>> states_b(static_cast<size_t>(batch));
  std::vector<std::vector<Tensor>> outs_b(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Value> states;
    for (size_t i = 0; i < n_state; ++i) states.emplace_back(take_along(ctx.input(first + i), 0, b));
    std::vector<Tensor> inputs;
    for (size_t j = 0; j < n_scan_in; ++j) inputs.push_back(take_along(ctx.input(first + n_state + j), 0, b));
    KILN_ASSIGN_OR_RETURN(ScanResult r, run_scan(ctx, *body, states, inputs, spec, lens[static_cast<size_t>(b)]));
    states_b[static_cast<size_t>(b)] = std::move(r.states);
    outs_b[static_cast<size_t>(b)] = std::move(r.outputs);
  }
  for (size_t i = 0; i < n_state && i < ctx.num_outputs(); ++i) {
    std::vector<Tensor> items;
    for (int64_t b = 0; b < batch; ++b) {
      const Value& v = states_b[static_cast<size_t>(b)][i];
      if (!v.is_tensor()) return ctx.error("state {} of the body must be a tensor", i);
      items.push_back(v.tensor());
    }
    const Tensor& like = ctx.input(first + i);
    Shape item_shape(like.shape().begin() + 1, like.shape().end());
    for (const Tensor& t : items) {
      if (t.shape() != item_shape || t.dtype() != like.dtype()) {
        return ctx.error("state {} changed from {} to {}", i, like.describe(), t.describe());
      }
    }
    ctx.set_output(i, stack_along(items, 0, like.dtype(), item_shape));
  }
  for (size_t k = 0; k < n_scan_out && n_state + k < ctx.num_outputs(); ++k) {
    // Pad each batch's [len_b, ...] output to [max_len, ...] with zeros, then stack.
    Shape step_shape;
    DType dtype = DType::kUndefined;
    for (int64_t b = 0; b < batch; ++b) {
      const Tensor& t = outs_b[static_cast<size_t>(b)][k];
      if (lens[static_cast<size_t>(b)] > 0) {
        step_shape.assign(t.shape().begin() + 1, t.shape().end());
        dtype = t.dtype();
      }
    }
    if (dtype == DType::kUndefined) {
      const ir::TypeInfo& t = body->outputs[n_state + k]->type;
      step_shape = t.fully_known() ? t.concrete() : Shape{};
      dtype = t.elem == DType::kUndefined ? DType::kFloat32 : t.elem;
    }
    Shape padded = step_shape;
    padded.insert(padded.begin(), max_len);
    std::vector<Tensor> items;
    for (int64_t b = 0; b < batch; ++b) {
      const Tensor& t = outs_b[static_cast<size_t>(b)][k];
      Tensor p(dtype, padded);
      if (lens[static_cast<size_t>(b)] > 0) {
        if (Shape(t.shape().begin() + 1, t.shape().end()) != step_shape) {
          return ctx.error("scan output {} has different shapes across batches", k);
        }
        copy_elements(t, 0, p, 0, t.numel());
      }
      items.push_back(p);
    }
    ctx.set_output(n_state + k, stack_along(items, 0, dtype, padded));
  }
  return Status::ok();
}

}  // namespace kiln::reference
