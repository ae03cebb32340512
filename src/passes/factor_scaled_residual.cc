// factor_scaled_residual: Add(x, Mul(x, s)) -> Mul(x, Add(s, 1)) when s is a small tensor
// broadcast over x (a per-channel attention weight). PP-OCRv4 det's neck (RSE blocks) computes
// x + x * hardsigmoid(se(x)) on tensors up to 160x160x96: the rewrite saves a full pass over x,
// and the tiny Add(s, 1) then folds into the HardSigmoid conv's activation_affine (fuse_conv), so
// it costs nothing. Runs before fuse_conv for that reason.
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

bool static_f32(const ir::Value* v) {
  return v && v->type.is_tensor() && v->type.elem == DType::kFloat32 && v->type.fully_known();
}

}  // namespace

Expected<bool> factor_scaled_residual(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& add, passes::Rewrite& rw) -> Expected<bool> {
    if (add.op_type != "Add" || !add.domain.empty() || add.inputs.size() != 2 || !add.has_output(0)) return false;
    for (int side = 0; side < 2; ++side) {
      ir::Value* x = add.inputs[side];
      ir::Value* m = add.inputs[1 - side];
      ir::Node* mul = passes::producer_if(rw, m, "Mul");
      if (!mul || !passes::sole_use(rw.graph, m)) continue;
      ir::Value* s = passes::other_input(*mul, x);  // Mul(x, s) or Mul(s, x)
      if (!s || !static_f32(x) || !static_f32(s) || !static_f32(add.outputs[0])) continue;
      // s must broadcast into x (the result keeps x's shape) and be much smaller than x.
      if (add.outputs[0]->type.concrete() != x->type.concrete() || s->type.rank() > x->type.rank()) continue;
      if (shape_numel(s->type.concrete()) * 16 > shape_numel(x->type.concrete())) continue;
      ir::Value* s1 = rw.graph.new_value(s->name + "_plus_one");
      rw.graph.add_node("Add", "", add.opset, {s, passes::add_constant(rw.graph, "one", Tensor::scalar<float>(1.f))},
                        {s1}, add.name.empty() ? "" : add.name + "_scale");
      add.op_type = "Mul";
      add.inputs = {x, s1};
      rw.remove(mul);
      return true;
    }
    return false;
  });
}

}  // namespace kiln
