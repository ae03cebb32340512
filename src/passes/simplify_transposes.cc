// simplify_transposes: removes data movement the exporters and the layout pass leave behind:
//   Transpose(Transpose(x))          -> one Transpose with the composed perm (none if identity)
//   Reshape(Reshape(x))              -> Reshape(x)
//   T2(op(T1(x))), T2 . T1 = id      -> op(x), for a layout-agnostic unary op or a binary op with a
//                                       scalar constant (the NCHW<->NHWC pairs around activations)
//   Transpose that moves only size-1 dims -> Reshape (a view instead of a copy)
//   Transpose(kiln.Aipp(x)) NCHW<->NHWC  -> kiln.Aipp(x) with channels_last flipped (AIPP writes
//                                       either layout at the same cost, so a channels-last network
//                                       reads the pre-processed image without a reorder)
#include <algorithm>

#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

using passes::Rewrite;

bool is_op(const ir::Node* n, std::string_view op) { return n && n->op_type == op && n->domain.empty(); }

// perm of Transpose(outer) . Transpose(inner): out[j] reads x axis inner[outer[j]].
std::vector<int64_t> compose(const std::vector<int64_t>& inner, const std::vector<int64_t>& outer) {
  std::vector<int64_t> p;
  for (int64_t j : outer) p.push_back(inner[static_cast<size_t>(j)]);
  return p;
}

// Elementwise ops whose result does not depend on where an element sits.
bool layout_agnostic(const ir::Node& n) {
  static constexpr std::string_view kUnary[] = {
      "Relu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "LeakyRelu", "Elu", "Selu", "Exp", "Log", "Neg",
      "Abs", "Sqrt", "Erf", "Softplus", "Clip", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Cast", "Identity"};
  static constexpr std::string_view kBinary[] = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"};
  if (n.domain == "kiln") return (n.op_type == "Silu" || n.op_type == "Gelu") && n.inputs.size() == 1;
  if (!n.domain.empty() || n.outputs.size() != 1 || n.inputs.empty()) return false;
  if (std::find(std::begin(kUnary), std::end(kUnary), n.op_type) != std::end(kUnary)) {
    // Clip's bounds are scalars; every other listed op has a single input.
    for (size_t i = 1; i < n.inputs.size(); ++i) {
      if (n.inputs[i] && !passes::scalar_of(n.inputs[i])) return false;
    }
    return true;
  }
  if (std::find(std::begin(kBinary), std::end(kBinary), n.op_type) != std::end(kBinary) && n.inputs.size() == 2) {
    const Tensor* c = passes::known(n.inputs[1]);
    // A scalar with a rank above the data's would grow the output rank: only rank <= 1 here.
    return c && c->numel() == 1 && c->rank() <= 1;
  }
  return false;
}

bool try_transpose_pair(ir::Node& t2, Rewrite& rw) {
  ir::Graph& g = rw.graph;
  ir::Value* mid = t2.inputs[0];
  ir::Node* t1 = passes::producer_if(rw, mid, "Transpose");
  if (!t1 || !passes::sole_use(g, mid)) return false;
  std::vector<int64_t> p1 = passes::transpose_perm(*t1), p2 = passes::transpose_perm(t2);
  if (p1.empty() || p1.size() != p2.size()) return false;
  std::vector<int64_t> p = compose(p1, p2);
  if (passes::is_identity_perm(p)) {
    if (!passes::bypass(rw, t2, t2.outputs[0], t1->inputs[0])) {
      // Both ends are pinned by name (graph input to graph output): a copy is all that is left.
      t2.op_type = "Identity";
      t2.attrs.clear();
      t2.inputs[0] = t1->inputs[0];
    }
    rw.remove(t1);
    return true;
  }
  t2.inputs[0] = t1->inputs[0];
  passes::set_ints(t2, "perm", p);
  rw.remove(t1);
  return true;
}

bool try_pair_around_op(ir::Node& t2, Rewrite& rw) {
  ir::Graph& g = rw.graph;
  ir::Value* mid = t2.inputs[0];
  ir::Node* op = mid->producer;
  if (rw.dead(op) || !layout_agnostic(*op) || op->outputs[0] != mid || !passes::sole_use(g, mid)) return false;
  ir::Node* t1 = passes::producer_if(rw, op->inputs[0], "Transpose");
  if (!t1 || !passes::sole_use(g, op->inputs[0])) return false;
  std::vector<int64_t> p1 = passes::transpose_perm(*t1), p2 = passes::transpose_perm(t2);
  if (p1.empty() || p1.size() != p2.size() || !passes::is_identity_perm(compose(p1, p2))) return false;
  // op now reads x and writes T2's output (same shape as x), keeping that value's name.
  op->inputs[0] = t1->inputs[0];
  op->outputs[0] = t2.outputs[0];
  rw.remove(t1);
  rw.remove(&t2);
  return true;
}

bool try_fold_into_aipp(ir::Node& t, Rewrite& rw) {
  ir::Value* mid = t.inputs[0];
  ir::Node* aipp = passes::producer_if(rw, mid, "Aipp", "kiln");
  if (!aipp || aipp->outputs.size() != 1 || !passes::sole_use(rw.graph, mid)) return false;
  const bool channels_last = aipp->attr_int("channels_last", 0) != 0;
  const std::vector<int64_t> perm = passes::transpose_perm(t);
  const std::vector<int64_t> flip = channels_last ? std::vector<int64_t>{0, 3, 1, 2} : std::vector<int64_t>{0, 2, 3, 1};
  if (perm != flip) return false;
  passes::set_int(*aipp, "channels_last", channels_last ? 0 : 1);
  aipp->outputs[0] = t.outputs[0];
  rw.remove(&t);
  return true;
}

// Transpose that keeps the non-1 dims in order: a Reshape to the (static) output shape.
bool try_transpose_to_reshape(ir::Node& t, Rewrite& rw) {
  const ir::Value* x = t.inputs[0];
  const ir::Value* y = t.outputs[0];
  if (!x->type.fully_known() || !y->type.fully_known()) return false;
  std::vector<int64_t> perm = passes::transpose_perm(t);
  Shape xs = x->type.concrete();
  if (perm.size() != xs.size()) return false;
  int64_t last = -1;
  for (int64_t axis : perm) {
    if (xs[static_cast<size_t>(axis)] == 1) continue;
    if (axis < last) return false;
    last = axis;
  }
  Shape ys = y->type.concrete();
  ir::Value* shape = passes::add_constant(rw.graph, t.name.empty() ? "reshape_shape" : t.name + "_shape",
                                          Tensor::from_vector<int64_t>(ys, {static_cast<int64_t>(ys.size())}));
  rw.graph.add_node("Reshape", "", std::max(t.opset, 5), {t.inputs[0], shape}, {t.outputs[0]}, t.name);
  rw.remove(&t);
  return true;
}

bool try_reshape_pair(ir::Node& r2, Rewrite& rw) {
  if (r2.inputs.size() < 2) return false;
  ir::Node* r1 = passes::producer_if(rw, r2.inputs[0], "Reshape");
  if (!r1 || !passes::sole_use(rw.graph, r2.inputs[0])) return false;
  // A 0 in the shape copies the input's dim (unless allowzero): it must not start reading x's.
  const Tensor* s = passes::known(r2.inputs[1]);
  if (!s) return false;
  std::vector<int64_t> dims = s->to_int64_vector();
  if (std::find(dims.begin(), dims.end(), 0) != dims.end()) return false;
  r2.inputs[0] = r1->inputs[0];
  rw.remove(r1);
  return true;
}

}  // namespace

Expected<bool> simplify_transposes(ir::Graph& graph) {
  // Cancel pairs first, everywhere, so a Transpose that would cancel is not turned into a Reshape.
  KILN_ASSIGN_OR_RETURN(bool pairs, passes::rewrite_until_stable(graph, [](ir::Node& n, Rewrite& rw) -> Expected<bool> {
    if (!n.has_input(0) || !n.has_output(0)) return false;
    if (is_op(&n, "Transpose")) return try_transpose_pair(n, rw) || try_pair_around_op(n, rw) || try_fold_into_aipp(n, rw);
    if (is_op(&n, "Reshape")) return try_reshape_pair(n, rw);
    return false;
  }));
  KILN_ASSIGN_OR_RETURN(bool reshapes, passes::rewrite_until_stable(graph, [](ir::Node& n, Rewrite& rw) -> Expected<bool> {
    if (!is_op(&n, "Transpose") || !n.has_input(0) || !n.has_output(0)) return false;
    return try_transpose_to_reshape(n, rw);
  }));
  return pairs || reshapes;
}

}  // namespace kiln
