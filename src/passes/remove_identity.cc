// remove_identity: drops nodes that pass their input through unchanged — Identity, inference
// Dropout (mask unused), Cast to the same dtype, Reshape to the identical static shape, Transpose
// with the identity perm — so the later fusion patterns see producer and consumer directly.
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

bool same_static_shape(const ir::Value* a, const ir::Value* b) {
  return a && b && a->type.is_tensor() && b->type.is_tensor() && a->type.fully_known() && b->type.fully_known() &&
         a->type.concrete() == b->type.concrete();
}

bool passes_through(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() || !n.has_input(0) || !n.has_output(0)) return false;
  const ir::Value* x = n.inputs[0];
  const std::string& op = n.op_type;
  if (op == "Identity") return x->type.is_tensor();
  if (op == "Dropout") {
    // The mask (output 1) is only meaningful in training; an explicit training_mode must be false.
    if (n.has_output(1) && (!n.outputs[1]->consumers.empty() || passes::is_graph_output(g, n.outputs[1]))) return false;
    if (n.has_input(2)) {
      auto training = passes::scalar_of(n.inputs[2]);
      if (!training || *training != 0) return false;
    }
    return n.attr_int("is_test", 1) != 0 || n.opset >= 7;
  }
  if (op == "Cast") {
    return x->type.is_tensor() && n.has_attr("to") && static_cast<int64_t>(x->type.elem) == n.attr_int("to", -1) &&
           x->type.elem != DType::kUndefined;
  }
  if (op == "Reshape") return same_static_shape(x, n.outputs[0]);
  if (op == "Transpose") {
    std::vector<int64_t> perm = passes::transpose_perm(n);
    return x->type.has_rank() && static_cast<int64_t>(perm.size()) == x->type.rank() && passes::is_identity_perm(perm);
  }
  return false;
}

}  // namespace

Expected<bool> remove_identity(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& n, passes::Rewrite& rw) -> Expected<bool> {
    if (!passes_through(rw.graph, n)) return false;
    return passes::bypass(rw, n, n.outputs[0], n.inputs[0]);
  });
}

}  // namespace kiln
