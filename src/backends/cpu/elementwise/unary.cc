// Float32 unary maps: activations, math functions, Clip, kiln.Gelu and kiln.Silu. One contiguous
// run over the tensor, split across threads above kParallelMin elements.
#include <cfloat>
#include <cmath>
#include <memory>
#include <string_view>

#include "backends/cpu/elementwise/broadcast.h"
#include "backends/cpu/elementwise/kernels.h"
#include "backends/cpu/elementwise/ops.h"
#include "core/cpu_features.h"

namespace kiln::cpu::elementwise {

namespace {

class UnaryKernel : public OpKernel {
 public:
  // dynamic_clip: Clip's min/max are inputs 1/2 known only at run time.
  UnaryKernel(UnOp op, UnaryParams p, bool dynamic_clip = false)
      : op_(op), params_(p), dynamic_clip_(dynamic_clip), table_(&kernel_table(cpu_isa())) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32) return run_reference(ctx);
    UnaryParams p = params_;
    if (dynamic_clip_) {
      for (size_t i = 1; i < 3; ++i) {
        if (!ctx.has_input(i)) continue;
        const Tensor& bound = ctx.input(i);
        if (bound.dtype() != DType::kFloat32 || bound.numel() != 1) return run_reference(ctx);  // its error
        (i == 1 ? p.alpha : p.beta) = bound.data<float>()[0];
      }
    }
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, x.shape());
    const float* px = x.data<float>();
    float* py = y.data<float>();
    parallel_for(
        x.numel(), [&](int64_t b, int64_t e) { table_->unary_f32(op_, p, px + b, py + b, e - b); },
        kParallelMin / 2);
    return Status::ok();
  }

 private:
  UnOp op_;
  UnaryParams params_;
  bool dynamic_clip_;
  const KernelTable* table_;
};

struct UnaryRow {
  std::string_view domain, name;
  UnOp op;
};

constexpr UnaryRow kUnaryOps[] = {
    {"", "Relu", UnOp::kRelu},
    {"", "LeakyRelu", UnOp::kLeakyRelu},
    {"", "Elu", UnOp::kElu},
    {"", "Sigmoid", UnOp::kSigmoid},
    {"", "Tanh", UnOp::kTanh},
    {"", "HardSigmoid", UnOp::kHardSigmoid},
    {"", "HardSwish", UnOp::kHardSwish},
    {"", "Erf", UnOp::kErf},
    {"", "Exp", UnOp::kExp},
    {"", "Log", UnOp::kLog},
    {"", "Sqrt", UnOp::kSqrt},
    {"", "Neg", UnOp::kNeg},
    {"", "Abs", UnOp::kAbs},
    {"", "Reciprocal", UnOp::kReciprocal},
    {"", "Floor", UnOp::kFloor},
    {"", "Ceil", UnOp::kCeil},
    {"kiln", "Silu", UnOp::kSilu},
    {"kiln", "Gelu", UnOp::kGelu},
};

std::unique_ptr<OpKernel> make(UnOp op, UnaryParams p = {}, bool dynamic_clip = false) {
  return std::make_unique<UnaryKernel>(op, p, dynamic_clip);
}

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_unary(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (input_dtype(pctx, 0) != DType::kFloat32) return std::unique_ptr<OpKernel>();
  const std::string_view domain = node.domain == "ai.onnx" ? std::string_view() : std::string_view(node.domain);
  for (const UnaryRow& row : kUnaryOps) {
    if (row.domain != domain || row.name != node.op_type) continue;
    UnaryParams p;
    switch (row.op) {
      case UnOp::kLeakyRelu: p.alpha = node.attr_float("alpha", 0.01f); break;
      case UnOp::kElu: p.alpha = node.attr_float("alpha", 1.0f); break;
      case UnOp::kHardSigmoid:
        p.alpha = node.attr_float("alpha", 0.2f);
        p.beta = node.attr_float("beta", 0.5f);
        break;
      case UnOp::kGelu: {
        const std::string approx = node.attr_string("approximate", "none");
        if (approx == "tanh") return make(UnOp::kGeluTanh);
        if (approx != "none") return std::unique_ptr<OpKernel>();  // the reference reports it
        break;
      }
      default: break;
    }
    return make(row.op, p);
  }
  return std::unique_ptr<OpKernel>();
}

// Clip: attributes min/max before opset 11 (defaults -FLT_MAX/FLT_MAX), optional scalar inputs
// from 11 on (defaults -inf/inf), baked in when constant.
Expected<std::unique_ptr<OpKernel>> prepare_clip(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (input_dtype(pctx, 0) != DType::kFloat32) return std::unique_ptr<OpKernel>();
  UnaryParams p;
  if (node.opset < 11) {
    p.alpha = node.attr_float("min", -FLT_MAX);
    p.beta = node.attr_float("max", FLT_MAX);
    return make(UnOp::kClip, p);
  }
  p.alpha = -INFINITY;
  p.beta = INFINITY;
  bool dynamic = false;
  for (size_t i = 1; i < 3 && i < node.inputs.size(); ++i) {
    if (!node.inputs[i]) continue;
    if (input_dtype(pctx, i) != DType::kFloat32) return std::unique_ptr<OpKernel>();
    const Tensor* c = pctx.constant(i);
    if (!c || !c->valid()) {
      dynamic = true;
      continue;
    }
    if (c->dtype() != DType::kFloat32 || c->numel() != 1) return std::unique_ptr<OpKernel>();
    (i == 1 ? p.alpha : p.beta) = c->data<float>()[0];
  }
  return make(UnOp::kClip, p, dynamic);
}

}  // namespace kiln::cpu::elementwise
