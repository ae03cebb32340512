// fuse_attention: FusedMatMul (scores) -> Softmax over the last axis -> FusedMatMul (context)
// becomes one kiln.Attention (ops/kiln/matmul_layout.h), after fuse_matmul_layout has folded the
// head transposes, the 1/sqrt(d) scale and the mask into the two products. As three nodes each
// step is spread over the threads its own way, so every step reads most of the scores
// (12 x 128 x 128 floats in BERT-base) from the other core's cache; one node works head by head
// and keeps a head's scores in the cache of the core that computes them.
#include "ops/kiln/kiln_ops.h"
#include "ops/kiln/matmul_layout.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

bool is_fused_matmul(const ir::Node* n) {
  return n && n->domain == kKilnDomain && n->op_type == "FusedMatMul" && n->outputs.size() == 1 &&
         n->attr_string("activation", "").empty();
}

bool is_f32(const ir::Value* v) { return v && v->type.elem == DType::kFloat32; }

// Softmax over the last axis of a tensor of known rank (before opset 13 Softmax flattens at
// `axis`, which for the last axis is the same).
bool last_axis_softmax(const ir::Node& n) {
  if (!n.domain.empty() || n.op_type != "Softmax" || n.inputs.size() != 1 || n.outputs.size() != 1) return false;
  const ir::Value* x = n.inputs[0];
  if (!x || !x->type.has_rank() || x->type.rank() < 2) return false;
  int64_t axis = n.attr_int("axis", n.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += x->type.rank();
  return axis == x->type.rank() - 1;
}

}  // namespace

Expected<bool> fuse_attention(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& sm, passes::Rewrite& rw) -> Expected<bool> {
    if (rw.dead(&sm) || !last_axis_softmax(sm)) return false;
    ir::Graph& g = rw.graph;
    ir::Node* s = sm.inputs[0]->producer;
    if (rw.dead(s) || !is_fused_matmul(s) || !passes::sole_use(g, s->outputs[0])) return false;
    ir::Value* probs = sm.outputs[0];
    if (!passes::sole_use(g, probs) || probs->consumers.size() != 1) return false;
    ir::Node* c = probs->consumers[0];
    if (rw.dead(c) || !is_fused_matmul(c) || c->inputs.size() != 2 || c->inputs[0] != probs || c->inputs[1] == probs) {
      return false;
    }
    auto ls = MatMulLayout::from_node(*s);
    auto lc = MatMulLayout::from_node(*c);
    if (!ls || !lc || !ls->perm_y.empty() || !lc->perm_a.empty() || lc->alpha != 1.f) return false;
    if (!is_f32(s->inputs[0]) || !is_f32(s->inputs[1]) || !is_f32(c->inputs[1])) return false;
    AttentionLayout l{ls->perm_a, ls->perm_b, lc->perm_b, lc->perm_y, ls->alpha};
    std::vector<ir::Value*> inputs = {s->inputs[0], s->inputs[1], c->inputs[1]};
    if (s->has_input(2)) inputs.push_back(s->inputs[2]);
    ir::Node* a = g.add_node("Attention", std::string(kKilnDomain), 1, inputs, {c->outputs[0]}, sm.name);
    l.write_to(*a);
    rw.remove(s);
    rw.remove(&sm);
    rw.remove(c);
    return true;
  });
}

}  // namespace kiln
