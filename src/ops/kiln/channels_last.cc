// kiln.Nhwc<Op>: an ONNX windowed/spatial op whose data input 0 and output 0 are channels-last
// ([N, spatial..., C]); every other input and attribute is the ONNX op's. The layout pass makes
// them so that consecutive spatial ops exchange channels-last tensors without reorders.
// Inference is the ONNX op's inference on the permuted types.
#include "ops/kiln/kiln_ops.h"

namespace kiln {

std::string_view channels_last_base_op(std::string_view op_type) {
  constexpr std::string_view kPrefix = "Nhwc";
  return op_type.substr(0, kPrefix.size()) == kPrefix ? op_type.substr(kPrefix.size()) : std::string_view();
}

Status infer_channels_last(InferContext& ctx) {
  std::string_view base = channels_last_base_op(ctx.node().op_type);
  const OpSchema* schema = base.empty() ? nullptr : find_op_schema("", base);
  if (!schema || !schema->infer) return ctx.error("no ONNX op '{}' to wrap", base);
  if (!ctx.has_input(0)) return ctx.error("input 0 is required");
  ir::TypeInfo x = ctx.input_type(0);
  if (x.dims) {
    if (x.dims->size() < 3) return ctx.error("channels-last input must have rank >= 3, got {}", x.str());
    x.dims = to_channels_first(*x.dims);
  }
  std::vector<const ir::TypeInfo*> types;
  std::vector<const Tensor*> consts;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    types.push_back(i == 0 ? &x : ctx.has_input(i) ? &ctx.input_type(i) : nullptr);
    consts.push_back(i == 0 ? nullptr : ctx.input_constant(i));
  }
  InferContext inner(ctx.node(), std::move(types), std::move(consts));
  KILN_TRY(schema->infer(inner));
  for (size_t i = 0; i < ctx.num_outputs() && i < inner.outputs().size(); ++i) {
    ir::TypeInfo y = inner.outputs()[i];
    if (i == 0 && y.dims) y.dims = to_channels_last(*y.dims);
    ctx.set_output(i, y);
  }
  return Status::ok();
}

}  // namespace kiln
