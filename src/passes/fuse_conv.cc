// fuse_conv: Conv with constant weights becomes kiln.FusedConv, which then absorbs
//   - a residual Add whose other operand has the conv output's exact shape (Z input: oneDNN's sum
//     post-op adds it while the output is still in registers), and
//   - a following activation (oneDNN eltwise post-op),
// so ResNet's relu(bn(conv(x)) + shortcut) and MobileNet's clip(conv(x), 0, 6) are one primitive.
// Order matters and mirrors oneDNN's post-op order: conv + bias, then sum, then activation.
#include "ops/kiln/activation.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

bool is_float32(const ir::Value* v) { return v && v->type.elem == DType::kFloat32; }

// The only consumer of `v`, or nullptr (none, several, or v is a graph output).
ir::Node* sole_consumer(const ir::Graph& graph, const ir::Value* v) {
  if (v->consumers.size() != 1) return nullptr;
  for (const ir::Value* out : graph.outputs) {
    if (out == v) return nullptr;
  }
  ir::Node* c = v->consumers[0];
  int uses = 0;
  for (const ir::Value* in : c->inputs) uses += in == v;
  return uses == 1 ? c : nullptr;
}

bool same_static_shape(const ir::TypeInfo& a, const ir::TypeInfo& b) {
  return a.fully_known() && b.fully_known() && a.concrete() == b.concrete();
}

bool conv_to_fused(ir::Node& node) {
  if (node.op_type != "Conv" || !node.domain.empty()) return false;
  if (!is_float32(node.inputs[0]) || !node.has_input(1) || !node.inputs[1]->known_value()) return false;
  if (node.has_input(2) && !node.inputs[2]->known_value()) return false;
  node.op_type = "FusedConv";
  node.domain = "kiln";
  node.opset = 1;
  return true;
}

// FusedConv -> Add(y, z) with z of y's shape: z becomes the sum input.
bool absorb_add(ir::Graph& graph, ir::Node& conv) {
  if (conv.has_input(3) || conv.has_attr("activation") || conv.has_attr("activation_affine")) return false;
  ir::Value* y = conv.outputs[0];
  ir::Node* add = sole_consumer(graph, y);
  if (!add || add->op_type != "Add" || !add->domain.empty()) return false;
  ir::Value* z = add->inputs[0] == y ? add->inputs[1] : add->inputs[0];
  if (!z || z->known_value() || !is_float32(z) || !same_static_shape(z->type, y->type)) return false;
  if (!same_static_shape(add->outputs[0]->type, y->type)) return false;
  conv.inputs.resize(3, nullptr);
  conv.inputs.push_back(z);
  // The conv now writes the Add's output value (its name may be a graph output).
  conv.outputs[0] = add->outputs[0];
  add->outputs.clear();
  add->inputs.clear();
  add->op_type = "";  // marked dead
  return true;
}

bool absorb_activation(ir::Graph& graph, ir::Node& conv) {
  if (conv.has_attr("activation") || conv.has_attr("activation_affine")) return false;
  ir::Node* act_node = sole_consumer(graph, conv.outputs[0]);
  if (!act_node || act_node->inputs.empty() || act_node->inputs[0] != conv.outputs[0]) return false;
  std::optional<Activation> act = passes::activation_of(*act_node);
  if (!act || act_node->outputs.size() != 1) return false;
  act->write_to(conv);
  conv.outputs[0] = act_node->outputs[0];
  act_node->outputs.clear();
  act_node->inputs.clear();
  act_node->op_type = "";
  return true;
}

// FusedConv -> Mul/Add/Sub/Div by a one-element constant: becomes activation_affine, so PP-LCNet's
// learnable affine block (y * scale + shift after each activation) costs no extra pass over memory.
bool absorb_affine(ir::Graph& graph, ir::Node& conv) {
  ir::Node* next = sole_consumer(graph, conv.outputs[0]);
  if (!next || !next->domain.empty() || next->inputs.size() != 2 || next->outputs.size() != 1) return false;
  const std::string& op = next->op_type;
  if (op != "Mul" && op != "Add" && op != "Sub" && op != "Div") return false;
  const bool conv_first = next->inputs[0] == conv.outputs[0];
  ir::Value* other = conv_first ? next->inputs[1] : next->inputs[0];
  const Tensor* c = other ? other->known_value() : nullptr;
  if (!c || c->numel() != 1 || c->dtype() != DType::kFloat32 || !conv.outputs[0]->type.dims ||
      c->rank() > conv.outputs[0]->type.rank()) {
    return false;
  }
  if (!conv_first && (op == "Sub" || op == "Div")) return false;  // c - y, c / y are not affine in y
  auto act = Activation::from_node(conv);
  if (!act) return false;
  const float k = c->data<float>()[0];
  if (op == "Mul") {
    act->scale *= k;
    act->shift *= k;
  } else if (op == "Div") {
    if (k == 0.f) return false;
    act->scale /= k;
    act->shift /= k;
  } else {
    act->shift += op == "Add" ? k : -k;
  }
  act->write_to(conv);
  conv.outputs[0] = next->outputs[0];
  next->outputs.clear();
  next->inputs.clear();
  next->op_type = "";
  return true;
}

}  // namespace

Expected<bool> fuse_conv(ir::Graph& graph) {
  bool changed = false;
  for (auto& node : graph.nodes) changed |= conv_to_fused(*node);
  if (!changed) {
    bool any_fused = false;
    for (auto& node : graph.nodes) any_fused |= node->op_type == "FusedConv";
    if (!any_fused) return false;
  }
  // Consumers must be current before looking for single-consumer patterns.
  KILN_TRY(graph.finalize());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    ir::Node& node = *graph.nodes[i];
    if (node.op_type != "FusedConv" || node.domain != "kiln") continue;
    if (absorb_add(graph, node) || absorb_activation(graph, node) || absorb_affine(graph, node)) {
      changed = true;
      graph.remove_nodes_if([](const ir::Node& n) { return n.op_type.empty(); });
      graph.prune_values();
      KILN_TRY(graph.finalize());
      i = static_cast<size_t>(-1);  // node indices moved: rescan (this node may absorb more)
    }
  }
  return changed;
}

}  // namespace kiln
