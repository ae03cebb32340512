// Gradient (ai.onnx.preview.training): reverse-mode differentiation of the forward subgraph that
// leads from the node's inputs `xs` (and constant inputs `zs`) to `y`. The forward nodes are found
// by walking consumers from the inputs in graph order, re-evaluated in double precision, then
// differentiated backwards starting from dy = 1 (so each output is d(sum y)/dx, x's shape).
// Supported forward ops: Add, Sub, Mul, Div, Neg, Identity (numpy broadcasting included).
#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "backends/reference/misc/misc_kernels.h"
#include "backends/reference/util.h"

namespace kiln::reference {

namespace {

struct Arr {
  Shape shape;
  std::vector<double> v;
};

Arr from_tensor(const Tensor& t) {
  Arr a{t.shape(), std::vector<double>(static_cast<size_t>(t.numel()))};
  for (int64_t i = 0; i < t.numel(); ++i) a.v[static_cast<size_t>(i)] = t.as_double(i);
  return a;
}

bool is_supported(const std::string& op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Neg" || op == "Identity";
}

// Elementwise binary op with broadcasting.
Expected<Arr> binary(const std::string& op, const Arr& a, const Arr& b) {
  KILN_ASSIGN_OR_RETURN(Shape out_shape, broadcast_shapes(a.shape, b.shape));
  Arr out{out_shape, std::vector<double>(static_cast<size_t>(shape_numel(out_shape)))};
  BroadcastWalker w(out_shape, {&a.shape, &b.shape});
  for (size_t i = 0; i < out.v.size(); ++i, w.next()) {
    const double x = a.v[static_cast<size_t>(w.offset(0))], y = b.v[static_cast<size_t>(w.offset(1))];
    out.v[i] = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
  }
  return out;
}

// Adds `g` (shaped like a broadcast output) into `acc`, summing over broadcast dims.
void accumulate(Arr& acc, const Shape& out_shape, const std::vector<double>& g) {
  BroadcastWalker w(out_shape, {&acc.shape});
  for (size_t i = 0; i < g.size(); ++i, w.next()) acc.v[static_cast<size_t>(w.offset(0))] += g[i];
}

}  // namespace

Status gradient(KernelContext& ctx) {
  const ir::Node& node = ctx.node();
  const std::vector<std::string> xs = node.attr_strings("xs");
  const std::vector<std::string> zs = node.attr_strings("zs");
  const std::string y = node.attr_string("y", "");
  if (xs.empty() || y.empty()) return ctx.error("attributes xs and y are required");
  if (ctx.num_inputs() != xs.size() + zs.size()) {
    return ctx.error("has {} inputs, expected xs ({}) then zs ({})", ctx.num_inputs(), xs.size(), zs.size());
  }
  // Known values: the node's inputs, by name.
  std::map<std::string, Arr> val;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i) || !ctx.input_value(i).is_tensor()) return ctx.error("input {} must be a tensor", i);
    const std::string& name = i < xs.size() ? xs[i] : zs[i - xs.size()];
    val[name] = from_tensor(ctx.input(i));
  }
  // Forward nodes reachable from the inputs, in graph (topological) order.
  std::set<const ir::Node*> seen;
  std::vector<const ir::Node*> frontier, forward;
  for (const ir::Value* in : node.inputs) {
    if (in) frontier.insert(frontier.end(), in->consumers.begin(), in->consumers.end());
  }
  while (!frontier.empty()) {
    const ir::Node* n = frontier.back();
    frontier.pop_back();
    if (n == &node || !seen.insert(n).second) continue;
    forward.push_back(n);
    for (const ir::Value* out : n->outputs) {
      if (out) frontier.insert(frontier.end(), out->consumers.begin(), out->consumers.end());
    }
  }
  std::sort(forward.begin(), forward.end(), [](const ir::Node* a, const ir::Node* b) { return a->index < b->index; });
  std::vector<const ir::Node*> tape;
  for (const ir::Node* n : forward) {
    if (val.count(y)) break;
    if (n->outputs.size() != 1 || !n->outputs[0]) continue;
    bool ready = true;
    for (const ir::Value* in : n->inputs) {
      if (!in) continue;
      if (!val.count(in->name) && in->constant) val[in->name] = from_tensor(*in->constant);
      if (!val.count(in->name)) ready = false;
    }
    if (!ready) continue;
    if (!is_supported(n->op_type) || !n->domain.empty()) {
      return ctx.unsupported_error("differentiating through {} is not implemented", n->label());
    }
    const size_t arity = n->op_type == "Neg" || n->op_type == "Identity" ? 1 : 2;
    if (n->inputs.size() != arity || !n->inputs[0] || (arity == 2 && !n->inputs[1])) {
      return ctx.error("{} must have {} inputs", n->label(), arity);
    }
    const Arr& a = val[n->inputs[0]->name];
    Arr out;
    if (n->op_type == "Identity") {
      out = a;
    } else if (n->op_type == "Neg") {
      out = a;
      for (double& e : out.v) e = -e;
    } else {
      auto r = binary(n->op_type, a, val[n->inputs[1]->name]);
      if (!r) return ctx.error("{}: {}", n->label(), r.status().message());
      out = std::move(*r);
    }
    val[n->outputs[0]->name] = std::move(out);
    tape.push_back(n);
  }
  if (!val.count(y)) return ctx.error("y '{}' is not computable from the inputs xs/zs", y);

  // Backward pass.
  std::map<std::string, Arr> grad;
  auto grad_of = [&](const std::string& name) -> Arr& {
    auto it = grad.find(name);
    if (it == grad.end()) {
      const Arr& v = val[name];
      it = grad.emplace(name, Arr{v.shape, std::vector<double>(v.v.size(), 0.0)}).first;
    }
    return it->second;
  };
  grad_of(y).v.assign(val[y].v.size(), 1.0);
  for (auto it = tape.rbegin(); it != tape.rend(); ++it) {
    const ir::Node* n = *it;
    const std::string& out_name = n->outputs[0]->name;
    if (!grad.count(out_name)) continue;
    const Arr g = grad[out_name];
    const std::string& an = n->inputs[0]->name;
    if (n->op_type == "Identity" || n->op_type == "Neg") {
      Arr& ga = grad_of(an);
      const double s = n->op_type == "Neg" ? -1.0 : 1.0;
      for (size_t i = 0; i < g.v.size(); ++i) ga.v[i] += s * g.v[i];
      continue;
    }
    const std::string& bn = n->inputs[1]->name;
    const Arr a = val[an], b = val[bn];
    std::vector<double> da(g.v.size()), db(g.v.size());
    BroadcastWalker w(g.shape, {&a.shape, &b.shape});
    for (size_t i = 0; i < g.v.size(); ++i, w.next()) {
      const double x = a.v[static_cast<size_t>(w.offset(0))], z = b.v[static_cast<size_t>(w.offset(1))];
      const std::string& op = n->op_type;
      da[i] = op == "Mul" ? g.v[i] * z : op == "Div" ? g.v[i] / z : g.v[i];
      db[i] = op == "Add" ? g.v[i] : op == "Sub" ? -g.v[i] : op == "Mul" ? g.v[i] * x : -g.v[i] * x / (z * z);
    }
    accumulate(grad_of(an), g.shape, da);
    accumulate(grad_of(bn), g.shape, db);
  }
  for (size_t i = 0; i < xs.size() && i < ctx.num_outputs(); ++i) {
    if (!ctx.wants_output(i)) continue;
    const Tensor& x = ctx.input(i);
    const Arr& g = grad_of(xs[i]);
    bool handled = KILN_DISPATCH_FLOAT(x.dtype(), T, {
      Tensor& out = ctx.allocate_output(i, x.dtype(), x.shape());
      for (size_t k = 0; k < g.v.size(); ++k) out.data<T>()[k] = misc_store<T>(g.v[k]);
    });
    if (!handled) return ctx.error("x '{}' must be a float tensor, got {}", xs[i], x.describe());
  }
  return Status::ok();
}

}  // namespace kiln::reference
