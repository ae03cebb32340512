#include "passes/pass_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kiln::passes {

Expected<bool> rewrite_until_stable(ir::Graph& graph, const NodeRewriter& fn) {
  bool any = false;
  // Each sweep makes progress (it removes nodes), so this bound is only a guard against a buggy
  // rewriter that keeps re-adding what it removed.
  for (int sweep = 0; sweep < 1000; ++sweep) {
    Rewrite rw{graph, {}};
    std::vector<ir::Node*> snapshot;
    for (auto& n : graph.nodes) snapshot.push_back(n.get());
    bool changed = false;
    for (ir::Node* n : snapshot) {
      if (rw.dead(n)) continue;
      KILN_ASSIGN_OR_RETURN(bool c, fn(*n, rw));
      changed |= c;
    }
    if (!changed) return any;
    any = true;
    graph.remove_nodes_if([&](const ir::Node& n) { return rw.removed.count(&n) != 0; });
    KILN_TRY(graph.finalize());
  }
  return any;
}

bool is_graph_output(const ir::Graph& g, const ir::Value* v) {
  return std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
}

bool read_by_subgraph(const ir::Value* v) {
  for (const ir::Node* c : v->consumers) {
    if (std::find(c->implicit_inputs.begin(), c->implicit_inputs.end(), v) != c->implicit_inputs.end()) return true;
  }
  return false;
}

bool sole_use(const ir::Graph& g, const ir::Value* v) {
  return v && v->consumers.size() == 1 && !is_graph_output(g, v) && !read_by_subgraph(v);
}

const Tensor* known(const ir::Value* v) {
  if (!v || v->is_graph_input) return nullptr;
  return v->known_value();
}

std::optional<double> scalar_of(const ir::Value* v) {
  const Tensor* t = known(v);
  if (!t || t->numel() != 1 || !(dtype_is_float(t->dtype()) || dtype_is_integer(t->dtype()))) return std::nullopt;
  return t->as_double(0);
}

bool near(double a, double b, double rel) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)); }

bool scalar_is(const ir::Value* v, double expected) {
  auto s = scalar_of(v);
  return s && near(*s, expected);
}

ir::Node* producer_if(const Rewrite& rw, const ir::Value* v, std::string_view op_type, std::string_view domain) {
  if (!v || rw.dead(v->producer)) return nullptr;
  ir::Node* p = v->producer;
  return p->op_type == op_type && p->domain == domain ? p : nullptr;
}

ir::Value* other_input(const ir::Node& n, const ir::Value* v) {
  if (n.inputs.size() != 2 || !n.inputs[0] || !n.inputs[1]) return nullptr;
  if (n.inputs[0] == v && n.inputs[1] != v) return n.inputs[1];
  if (n.inputs[1] == v && n.inputs[0] != v) return n.inputs[0];
  return nullptr;
}

bool bypass(Rewrite& rw, ir::Node& n, ir::Value* out, ir::Value* src) {
  if (!out || !src || read_by_subgraph(out)) return false;
  ir::Graph& g = rw.graph;
  if (!is_graph_output(g, out)) {
    g.replace_uses(out, src);
    rw.remove(&n);
    return true;
  }
  // `out` is a graph output: keep its name by making src's producer write it (src must be an
  // ordinary intermediate that nothing else pins by name).
  ir::Node* p = src->producer;
  if (rw.dead(p) || src->is_graph_input || src->constant || is_graph_output(g, src) || read_by_subgraph(src)) return false;
  for (ir::Value*& o : p->outputs) {
    if (o == src) o = out;
  }
  rw.remove(&n);
  g.replace_uses(src, out);
  return true;
}

ir::Value* add_constant(ir::Graph& g, const std::string& hint, Tensor t) {
  ir::Value* v = g.new_value(hint);
  v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
  v->constant = std::move(t);
  return v;
}

std::optional<Activation> activation_of(const ir::Node& n) {
  Activation a;
  if (n.domain == "kiln") {
    if (n.op_type == "Silu") a.kind = ActKind::kSilu;
    else if (n.op_type == "Gelu") {
      std::string approx = n.attr_string("approximate", "none");
      if (approx == "none") a.kind = ActKind::kGelu;
      else if (approx == "tanh") a.kind = ActKind::kGeluTanh;
      else return std::nullopt;
    } else return std::nullopt;
    return a;
  }
  if (!n.domain.empty()) return std::nullopt;
  const std::string& op = n.op_type;
  if (op == "Relu") a.kind = ActKind::kRelu;
  else if (op == "Sigmoid") a.kind = ActKind::kSigmoid;
  else if (op == "Tanh") a.kind = ActKind::kTanh;
  else if (op == "HardSwish") a.kind = ActKind::kHardSwish;
  else if (op == "LeakyRelu") {
    a.kind = ActKind::kLeakyRelu;
    a.alpha = n.attr_float("alpha", 0.01f);
  } else if (op == "HardSigmoid") {
    a.kind = ActKind::kHardSigmoid;
    a.alpha = n.attr_float("alpha", 0.2f);
    a.beta = n.attr_float("beta", 0.5f);
  } else if (op == "Clip") {
    a.kind = ActKind::kClip;
    a.alpha = -std::numeric_limits<float>::infinity();
    a.beta = std::numeric_limits<float>::infinity();
    if (n.opset < 11) {
      a.alpha = n.attr_float("min", a.alpha);
      a.beta = n.attr_float("max", a.beta);
    } else {
      for (size_t i = 1; i < 3; ++i) {
        if (!n.has_input(i)) continue;
        auto s = scalar_of(n.inputs[i]);
        if (!s) return std::nullopt;
        (i == 1 ? a.alpha : a.beta) = static_cast<float>(*s);
      }
    }
  } else {
    return std::nullopt;
  }
  return a;
}

void set_int(ir::Node& n, const std::string& key, int64_t v) {
  auto& a = n.attrs[key];
  a = ir::Attribute{};
  a.kind = ir::Attribute::Kind::kInt;
  a.i = v;
}
void set_ints(ir::Node& n, const std::string& key, std::vector<int64_t> v) {
  auto& a = n.attrs[key];
  a = ir::Attribute{};
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
}
void set_float(ir::Node& n, const std::string& key, float v) {
  auto& a = n.attrs[key];
  a = ir::Attribute{};
  a.kind = ir::Attribute::Kind::kFloat;
  a.f = v;
}
void set_string(ir::Node& n, const std::string& key, std::string v) {
  auto& a = n.attrs[key];
  a = ir::Attribute{};
  a.kind = ir::Attribute::Kind::kString;
  a.s = std::move(v);
}

std::vector<int64_t> transpose_perm(const ir::Node& n) {
  if (n.has_attr("perm")) return n.attr_ints("perm");
  if (!n.has_input(0) || !n.inputs[0]->type.has_rank()) return {};
  int64_t r = n.inputs[0]->type.rank();
  std::vector<int64_t> p(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) p[static_cast<size_t>(i)] = r - 1 - i;
  return p;
}

bool is_identity_perm(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

}  // namespace kiln::passes
