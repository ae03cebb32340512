// fuse_matmul_add: MatMul by constant weights followed by the Add of a constant bias that varies
// only along the last axis becomes kiln.FusedMatMul(A, B, bias); a fused MatMul then absorbs a
// following single-consumer activation (ops/kiln/activation.h), so the GEMM writes its output once.
#include "ops/kiln/kiln_ops.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

// bias is [..., N] with every leading dim 1 and no more dims than the MatMul output has.
bool last_axis_bias(const ir::Value* bias, const ir::Value* a, const Tensor& b) {
  const Tensor* t = passes::known(bias);
  if (!t || t->dtype() != DType::kFloat32 || t->rank() == 0 || b.rank() < 1) return false;
  int64_t n = b.dim(b.rank() - 1);
  if (t->dim(t->rank() - 1) != n || t->numel() != n) return false;
  int64_t out_rank = std::max<int64_t>(b.rank(), a->type.has_rank() ? a->type.rank() : -1);
  return t->rank() == 1 || (a->type.has_rank() && t->rank() <= out_rank);
}

// A plain MatMul (no bias yet) with constant float weights, or a FusedMatMul without activation.
bool fusible_matmul(const ir::Node& n) {
  if (n.domain.empty() && n.op_type == "MatMul") {
    const Tensor* b = n.has_input(1) ? passes::known(n.inputs[1]) : nullptr;
    return b && b->dtype() == DType::kFloat32 && n.inputs[0]->type.elem == DType::kFloat32;
  }
  return n.domain == kKilnDomain && n.op_type == "FusedMatMul" && n.attr_string("activation", "").empty();
}

}  // namespace

Expected<bool> fuse_matmul_add(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& n, passes::Rewrite& rw) -> Expected<bool> {
    ir::Graph& g = rw.graph;
    if (!n.has_output(0) || !n.has_input(0)) return false;
    // Add(MatMul(A, B), bias) or Add(bias, MatMul(A, B))
    if (n.domain.empty() && n.op_type == "Add" && n.inputs.size() == 2) {
      for (int side = 0; side < 2; ++side) {
        ir::Node* mm = passes::producer_if(rw, n.inputs[side], "MatMul");
        if (!mm || !fusible_matmul(*mm) || !passes::sole_use(g, mm->outputs[0])) continue;
        ir::Value* bias = n.inputs[1 - side];
        if (bias == mm->outputs[0] || !last_axis_bias(bias, mm->inputs[0], *passes::known(mm->inputs[1]))) continue;
        g.add_node("FusedMatMul", std::string(kKilnDomain), 1, {mm->inputs[0], mm->inputs[1], bias}, {n.outputs[0]}, mm->name);
        rw.remove(mm);
        rw.remove(&n);
        return true;
      }
      return false;
    }
    // act(FusedMatMul(...)) or act(MatMul(A, constant B))
    auto act = passes::activation_of(n);
    if (!act || n.inputs.empty()) return false;
    ir::Node* mm = n.inputs[0]->producer;
    if (rw.dead(mm) || !fusible_matmul(*mm) || !passes::sole_use(g, mm->outputs[0])) return false;
    if (mm->op_type == "MatMul") {
      ir::Node* f = g.add_node("FusedMatMul", std::string(kKilnDomain), 1, {mm->inputs[0], mm->inputs[1]},
                               {n.outputs[0]}, mm->name);
      act->write_to(*f);
    } else {
      ir::Node* f = g.add_node("FusedMatMul", std::string(kKilnDomain), 1, mm->inputs, {n.outputs[0]}, mm->name);
      f->attrs = mm->attrs;
      act->write_to(*f);
    }
    rw.remove(mm);
    rw.remove(&n);
    return true;
  });
}

}  // namespace kiln
