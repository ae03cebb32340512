#include "ops/tensor/tensor_ops.h"

namespace kiln {

namespace {

// The single value attribute of a Constant node, as a tensor (value_float -> float32 scalar...).
Expected<Tensor> constant_value(const ir::Node& node) {
  if (const ir::Attribute* a = node.attr("value")) return a->t;
  if (const ir::Attribute* a = node.attr("value_float")) return Tensor::scalar<float>(a->f);
  if (const ir::Attribute* a = node.attr("value_int")) return Tensor::scalar<int64_t>(a->i);
  if (const ir::Attribute* a = node.attr("value_floats")) {
    return Tensor::from_vector<float>(a->floats, {static_cast<int64_t>(a->floats.size())});
  }
  if (const ir::Attribute* a = node.attr("value_ints")) {
    return Tensor::from_vector<int64_t>(a->ints, {static_cast<int64_t>(a->ints.size())});
  }
  if (const ir::Attribute* a = node.attr("value_string")) return Tensor::scalar<std::string>(a->s);
  if (const ir::Attribute* a = node.attr("value_strings")) {
    return Tensor::from_vector<std::string>(a->strings, {static_cast<int64_t>(a->strings.size())});
  }
  if (node.has_attr("sparse_value")) return unsupported("{}: sparse_value", node.label());
  return invalid_model("{}: needs one of value, value_float(s), value_int(s), value_string(s)", node.label());
}

}  // namespace

Expected<Tensor> constant_node_value(const ir::Node& node) { return constant_value(node); }

Status infer_constant(InferContext& ctx) {
  KILN_ASSIGN_OR_RETURN(Tensor t, constant_value(ctx.node()));
  ctx.set_output(0, ir::TypeInfo::tensor_of(t.dtype(), t.shape()));
  ctx.set_output_constant(0, t);
  return Status::ok();
}

}  // namespace kiln
