// fuse_activation_patterns: exporters spell common activations as chains of elementwise ops;
// this pass recognises them and writes the single op (one pass over memory instead of 4-10):
//   HardSigmoid  Clip(x + 3, 0, 6) / 6                        -> HardSigmoid(alpha=1/6, beta=0.5)
//   HardSwish    x * Clip(x + 3, 0, 6) / 6, x * HardSigmoid(x) -> HardSwish (opset 14)
//   SiLU         x * Sigmoid(x)                               -> kiln.Silu
//   GELU         0.5 * x * (1 + Erf(x / sqrt(2)))             -> kiln.Gelu
//                0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 x^3)))  -> kiln.Gelu(approximate=tanh)
//   LayerNorm    (x - mean) / sqrt(var + eps) * scale + bias  -> LayerNormalization (opset 17)
// Every constant must match within 1e-6 relative, every intermediate must feed only the pattern.
#include <cmath>

#include "ops/kiln/kiln_ops.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

using passes::producer_if;
using passes::Rewrite;
using passes::scalar_is;

// A matched chain: the nodes to remove (all but the anchor's output are pattern-internal).
struct Match {
  ir::Value* x = nullptr;
  std::vector<ir::Node*> nodes;
};

bool internal(const Rewrite& rw, const ir::Value* v) { return passes::sole_use(rw.graph, v); }

// `n` is the binary op `op` of v and a scalar constant equal to c (either operand order when
// commutative); returns v.
ir::Value* with_scalar(const ir::Node* n, std::string_view op, double c, bool commutative) {
  if (!n || n->op_type != op || !n->domain.empty() || n->inputs.size() != 2 || !n->inputs[0] || !n->inputs[1]) return nullptr;
  if (scalar_is(n->inputs[1], c)) return n->inputs[0];
  if (commutative && scalar_is(n->inputs[0], c)) return n->inputs[1];
  return nullptr;
}

// v == y / c  or  y * (1/c): returns y.
ir::Value* divided_by(const Rewrite& rw, const ir::Value* v, double c, std::vector<ir::Node*>* nodes) {
  ir::Node* n = v ? v->producer : nullptr;
  if (rw.dead(n)) return nullptr;
  ir::Value* y = with_scalar(n, "Div", c, false);
  if (!y) y = with_scalar(n, "Mul", 1.0 / c, true);
  if (y) nodes->push_back(n);
  return y;
}

// v == Clip(x + 3, 0, 6) (Relu6 with bounds as inputs or attributes): returns x.
ir::Value* relu6_of_x_plus_3(const Rewrite& rw, const ir::Value* v, std::vector<ir::Node*>* nodes) {
  ir::Node* clip = producer_if(rw, v, "Clip");
  if (!clip || !internal(rw, v)) return nullptr;
  auto act = passes::activation_of(*clip);
  if (!act || act->alpha != 0 || !passes::near(act->beta, 6)) return nullptr;
  ir::Node* add = producer_if(rw, clip->inputs[0], "Add");
  if (!add || !internal(rw, clip->inputs[0])) return nullptr;
  ir::Value* x = with_scalar(add, "Add", 3, true);
  if (!x) return nullptr;
  nodes->push_back(clip);
  nodes->push_back(add);
  return x;
}

// Replaces the matched nodes by one node `op` reading `inputs` and writing the anchor's output.
ir::Node* replace(Rewrite& rw, ir::Node& anchor, const std::vector<ir::Node*>& nodes, std::string op,
                  std::string domain, int opset, std::vector<ir::Value*> inputs) {
  ir::Node* f = rw.graph.add_node(std::move(op), std::move(domain), opset, std::move(inputs), {anchor.outputs[0]}, anchor.name);
  for (ir::Node* n : nodes) rw.remove(n);
  rw.remove(&anchor);
  return f;
}

bool is_float(const ir::Value* v) { return v && v->type.is_tensor() && v->type.elem == DType::kFloat32; }

// --- HardSigmoid / HardSwish ---
bool try_hard(ir::Node& n, Rewrite& rw) {
  if (n.op_type != "Div" && n.op_type != "Mul") return false;
  std::vector<ir::Node*> nodes;
  // Clip(x+3,0,6)/6 -> HardSigmoid; (x*Clip(x+3,0,6))/6 -> HardSwish
  for (int side = 0; side < 2; ++side) {
    nodes.clear();
    ir::Value* y = with_scalar(&n, n.op_type, n.op_type == "Div" ? 6.0 : 1.0 / 6.0, n.op_type == "Mul");
    if (!y || !internal(rw, y)) return false;
    if (ir::Value* x = relu6_of_x_plus_3(rw, y, &nodes); x && is_float(x)) {
      ir::Node* f = replace(rw, n, nodes, "HardSigmoid", "", std::max(n.opset, 6), {x});
      passes::set_float(*f, "alpha", 1.0f / 6.0f);
      passes::set_float(*f, "beta", 0.5f);
      return true;
    }
    ir::Node* mul = producer_if(rw, y, "Mul");
    if (!mul || mul->inputs.size() != 2) return false;
    ir::Value* x = mul->inputs[side];
    ir::Value* r = passes::other_input(*mul, x);
    if (!r) continue;
    nodes.push_back(mul);
    if (relu6_of_x_plus_3(rw, r, &nodes) == x && is_float(x)) {
      replace(rw, n, nodes, "HardSwish", "", 14, {x});
      return true;
    }
  }
  return false;
}

// x * HardSigmoid(x, 1/6, 0.5) -> HardSwish; x * Sigmoid(x) -> kiln.Silu
bool try_gated(ir::Node& n, Rewrite& rw) {
  if (n.op_type != "Mul" || n.inputs.size() != 2) return false;
  for (int side = 0; side < 2; ++side) {
    ir::Value* x = n.inputs[side];
    ir::Value* g = passes::other_input(n, x);
    if (!g || !internal(rw, g) || !is_float(x)) continue;
    if (ir::Node* hs = producer_if(rw, g, "HardSigmoid"); hs && hs->inputs[0] == x &&
        passes::near(hs->attr_float("alpha", 0.2f), 1.0 / 6.0) && passes::near(hs->attr_float("beta", 0.5f), 0.5)) {
      replace(rw, n, {hs}, "HardSwish", "", 14, {x});
      return true;
    }
    if (ir::Node* s = producer_if(rw, g, "Sigmoid"); s && s->inputs[0] == x) {
      replace(rw, n, {s}, "Silu", std::string(kKilnDomain), 1, {x});
      return true;
    }
  }
  return false;
}

// The leaves of a tree of Muls rooted at `v` whose inner values feed only the tree (at most 3).
void mul_leaves(const Rewrite& rw, ir::Value* v, bool root, std::vector<ir::Value*>* leaves, std::vector<ir::Node*>* nodes) {
  ir::Node* m = v->producer;
  bool expand = !rw.dead(m) && m->op_type == "Mul" && m->domain.empty() && m->inputs.size() == 2 &&
                (root || internal(rw, v)) && leaves->size() < 3;
  if (!expand) {
    leaves->push_back(v);
    return;
  }
  if (!root) nodes->push_back(m);
  mul_leaves(rw, m->inputs[0], false, leaves, nodes);
  mul_leaves(rw, m->inputs[1], false, leaves, nodes);
}

// x^3 as Pow(x, 3), x*x*x in either association: returns x.
ir::Value* cube_of(const Rewrite& rw, ir::Value* v, std::vector<ir::Node*>* nodes) {
  if (!internal(rw, v)) return nullptr;
  if (ir::Node* p = producer_if(rw, v, "Pow"); p && scalar_is(p->inputs[1], 3)) {
    nodes->push_back(p);
    return p->inputs[0];
  }
  std::vector<ir::Value*> leaves;
  mul_leaves(rw, v, true, &leaves, nodes);
  if (ir::Node* m = v->producer; !rw.dead(m) && m->op_type == "Mul") nodes->push_back(m);
  if (leaves.size() == 3 && leaves[0] == leaves[1] && leaves[1] == leaves[2]) return leaves[0];
  return nullptr;
}

// v == 1 + Erf(x / sqrt 2) (or the tanh form): returns x and sets *tanh_form.
ir::Value* gelu_gate(const Rewrite& rw, ir::Value* v, bool* tanh_form, std::vector<ir::Node*>* nodes) {
  ir::Node* add = producer_if(rw, v, "Add");
  ir::Value* e = with_scalar(add, "Add", 1.0, true);
  if (!e || !internal(rw, v) || !internal(rw, e)) return nullptr;
  nodes->push_back(add);
  if (ir::Node* erf = producer_if(rw, e, "Erf")) {
    nodes->push_back(erf);
    if (!internal(rw, erf->inputs[0])) return nullptr;
    *tanh_form = false;
    return divided_by(rw, erf->inputs[0], std::sqrt(2.0), nodes);
  }
  ir::Node* th = producer_if(rw, e, "Tanh");
  if (!th || !internal(rw, th->inputs[0])) return nullptr;
  nodes->push_back(th);
  *tanh_form = true;
  // sqrt(2/pi) * (x + 0.044715 * x^3)
  ir::Value* inner = with_scalar(th->inputs[0]->producer, "Mul", std::sqrt(2.0 / 3.14159265358979323846), true);
  if (!inner || rw.dead(th->inputs[0]->producer) || !internal(rw, inner)) return nullptr;
  nodes->push_back(th->inputs[0]->producer);
  ir::Node* sum = producer_if(rw, inner, "Add");
  if (!sum || sum->inputs.size() != 2) return nullptr;
  nodes->push_back(sum);
  for (int side = 0; side < 2; ++side) {
    ir::Value* x = sum->inputs[side];
    ir::Value* t = passes::other_input(*sum, x);
    ir::Node* tm = t ? t->producer : nullptr;
    ir::Value* cube = with_scalar(rw.dead(tm) ? nullptr : tm, "Mul", 0.044715, true);
    if (!cube || !internal(rw, t)) continue;
    std::vector<ir::Node*> more{tm};
    if (cube_of(rw, cube, &more) == x) {
      nodes->insert(nodes->end(), more.begin(), more.end());
      return x;
    }
  }
  return nullptr;
}

bool try_gelu(ir::Node& n, Rewrite& rw) {
  if (n.op_type != "Mul" || n.inputs.size() != 2) return false;
  std::vector<ir::Value*> leaves;
  std::vector<ir::Node*> nodes;
  mul_leaves(rw, n.outputs[0], true, &leaves, &nodes);
  if (leaves.size() != 3) return false;
  for (int half = 0; half < 3; ++half) {
    if (!scalar_is(leaves[static_cast<size_t>(half)], 0.5)) continue;
    for (int gate = 0; gate < 3; ++gate) {
      if (gate == half) continue;
      ir::Value* x = leaves[static_cast<size_t>(3 - half - gate)];
      std::vector<ir::Node*> chain = nodes;
      bool tanh_form = false;
      if (!is_float(x) || gelu_gate(rw, leaves[static_cast<size_t>(gate)], &tanh_form, &chain) != x) continue;
      ir::Node* f = replace(rw, n, chain, "Gelu", std::string(kKilnDomain), 1, {x});
      if (tanh_form) passes::set_string(*f, "approximate", "tanh");
      return true;
    }
  }
  return false;
}

// ReduceMean over the last axis only, keepdims: returns its input.
ir::Value* mean_last_axis(const Rewrite& rw, ir::Value* v, std::vector<ir::Node*>* nodes) {
  ir::Node* r = producer_if(rw, v, "ReduceMean");
  if (!r || r->attr_int("keepdims", 1) != 1 || !r->inputs[0]->type.has_rank()) return nullptr;
  std::vector<int64_t> axes;
  if (r->opset >= 18) {
    const Tensor* t = r->has_input(1) ? passes::known(r->inputs[1]) : nullptr;
    if (!t) return nullptr;
    axes = t->to_int64_vector();
  } else {
    axes = r->attr_ints("axes");
  }
  int64_t rank = r->inputs[0]->type.rank();
  if (axes.size() != 1 || (axes[0] != -1 && axes[0] != rank - 1)) return nullptr;
  nodes->push_back(r);
  return r->inputs[0];
}

// A constant that varies only along the last axis (size c): its values as a 1-D [c] tensor.
std::optional<Tensor> last_axis_vector(const ir::Value* v, int64_t c, int64_t rank) {
  const Tensor* t = passes::known(v);
  if (!t || t->dtype() != DType::kFloat32 || t->rank() > rank) return std::nullopt;
  if (t->numel() != 1 && (t->rank() == 0 || t->numel() != c || t->dim(t->rank() - 1) != c)) return std::nullopt;
  Tensor out(DType::kFloat32, {c});
  for (int64_t i = 0; i < c; ++i) out.data<float>()[i] = static_cast<float>(t->as_double(t->numel() == 1 ? 0 : i));
  return out;
}

bool try_layernorm(ir::Node& n, Rewrite& rw) {
  // Anchor: Add(Mul(norm, scale), bias), or Mul(norm, scale) not followed by such an Add.
  ir::Value* bias = nullptr;
  ir::Node* mul = &n;
  std::vector<ir::Node*> nodes;
  if (n.op_type == "Add" && n.inputs.size() == 2) {
    for (int side = 0; side < 2 && !bias; ++side) {
      ir::Node* m = producer_if(rw, n.inputs[side], "Mul");
      if (m && internal(rw, n.inputs[side]) && passes::known(n.inputs[1 - side])) {
        mul = m;
        bias = n.inputs[1 - side];
      }
    }
    if (!bias) return false;
    nodes.push_back(mul);
  } else if (n.op_type == "Mul" && n.inputs.size() == 2) {
    const ir::Value* out = n.outputs[0];
    if (out->consumers.size() == 1 && out->consumers[0]->op_type == "Add" && passes::sole_use(rw.graph, out)) {
      ir::Node* a = out->consumers[0];
      if (a->inputs.size() == 2 && passes::known(passes::other_input(*a, out))) return false;  // the Add anchors
    }
  } else {
    return false;
  }
  for (int side = 0; side < 2; ++side) {
    ir::Value* norm = mul->inputs[side];
    ir::Value* scale = passes::other_input(*mul, norm);
    if (!scale || !passes::known(scale) || !internal(rw, norm)) continue;
    std::vector<ir::Node*> chain = nodes;
    // norm = d / sqrt(var + eps)  or  d * Reciprocal(sqrt(var + eps))
    ir::Node* div = producer_if(rw, norm, "Div");
    ir::Value *d = nullptr, *sd = nullptr;
    if (div) {
      d = div->inputs[0];
      sd = div->inputs[1];
      chain.push_back(div);
    } else if (ir::Node* m2 = producer_if(rw, norm, "Mul"); m2 && m2->inputs.size() == 2) {
      for (int s2 = 0; s2 < 2 && !d; ++s2) {
        if (ir::Node* rec = producer_if(rw, m2->inputs[s2], "Reciprocal"); rec && internal(rw, m2->inputs[s2])) {
          d = m2->inputs[1 - s2];
          sd = rec->inputs[0];
          chain.push_back(m2);
          chain.push_back(rec);
        }
      }
    }
    if (!d || !sd || !internal(rw, sd)) continue;
    ir::Node* sqrt = producer_if(rw, sd, "Sqrt");
    if (!sqrt || !internal(rw, sqrt->inputs[0])) continue;
    chain.push_back(sqrt);
    ir::Node* add_eps = producer_if(rw, sqrt->inputs[0], "Add");
    if (!add_eps || add_eps->inputs.size() != 2) continue;
    chain.push_back(add_eps);
    ir::Value* var = nullptr;
    std::optional<double> eps;
    for (int s3 = 0; s3 < 2 && !var; ++s3) {
      if ((eps = passes::scalar_of(add_eps->inputs[1 - s3]))) var = add_eps->inputs[s3];
    }
    if (!var || !internal(rw, var)) continue;
    ir::Value* sq = mean_last_axis(rw, var, &chain);
    if (!sq || !internal(rw, sq)) continue;
    ir::Node* p = sq->producer;
    bool squares_d = !rw.dead(p) && p->domain.empty() &&
                     ((p->op_type == "Pow" && p->inputs[0] == d && scalar_is(p->inputs[1], 2)) ||
                      (p->op_type == "Mul" && p->inputs.size() == 2 && p->inputs[0] == d && p->inputs[1] == d));
    if (!squares_d) continue;
    chain.push_back(p);
    // d = x - mean(x), feeding only the square and the division
    ir::Node* sub = producer_if(rw, d, "Sub");
    if (!sub || d->consumers.size() != 2 || passes::is_graph_output(rw.graph, d) || passes::read_by_subgraph(d)) continue;
    ir::Value* x = sub->inputs[0];
    if (!internal(rw, sub->inputs[1]) || mean_last_axis(rw, sub->inputs[1], &chain) != x) continue;
    chain.push_back(sub);
    if (!is_float(x) || !x->type.has_rank() || x->type.rank() < 1) continue;
    const ir::Dim& last = x->type.dims->back();
    if (!last.known()) continue;
    auto scale_v = last_axis_vector(scale, last.value, x->type.rank());
    std::optional<Tensor> bias_v;
    if (bias) bias_v = last_axis_vector(bias, last.value, x->type.rank());
    if (!scale_v || (bias && !bias_v)) continue;
    std::vector<ir::Value*> inputs{x, passes::add_constant(rw.graph, scale->name + "_ln", *scale_v)};
    if (bias) inputs.push_back(passes::add_constant(rw.graph, bias->name + "_ln", *bias_v));
    ir::Node* f = replace(rw, n, chain, "LayerNormalization", "", 17, inputs);
    passes::set_int(*f, "axis", -1);
    passes::set_float(*f, "epsilon", static_cast<float>(*eps));
    return true;
  }
  return false;
}

}  // namespace

Expected<bool> fuse_activation_patterns(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& n, Rewrite& rw) -> Expected<bool> {
    if (!n.domain.empty() || !n.has_output(0)) return false;
    return try_hard(n, rw) || try_gated(n, rw) || try_gelu(n, rw) || try_layernorm(n, rw);
  });
}

}  // namespace kiln
