// Broadcasting binary arithmetic on float32 (Add, Sub, Mul, Div, Max, Min, PRelu, Pow) and on
// int32/int64 (Add, Sub, Mul). Integer Div/Mod are declined: division by zero must be reported,
// which the reference does.
#include <cmath>
#include <memory>

#include "backends/cpu/elementwise/broadcast.h"
#include "backends/cpu/elementwise/kernels.h"
#include "backends/cpu/elementwise/ops.h"
#include "backends/reference/backend.h"
#include "core/cpu_features.h"

namespace kiln::cpu::elementwise {

Status run_reference(KernelContext& ctx) {
  KernelFn fn = reference::find_kernel(ctx.node().domain, ctx.node().op_type);
  if (!fn) return ctx.unsupported_error("no reference kernel to fall back to");
  return fn(ctx);
}

DType input_dtype(const PrepareContext& pctx, size_t i) {
  const ir::TypeInfo* t = pctx.input_type(i);
  return t && t->is_tensor() ? t->elem : DType::kUndefined;
}

namespace {

Bcast mode_of(const bool repeat[2]) {
  return repeat[1] ? Bcast::kVS : repeat[0] ? Bcast::kSV : Bcast::kVV;
}

// Output shape of a and b broadcast (nullptr if they do not broadcast); points at an input's
// shape when it is one, so the common cases do not build a new Shape.
// True when s broadcasts to t unchanged (each of s's dims, right-aligned, is t's or 1).
bool broadcasts_to(const Shape& s, const Shape& t) {
  if (s.size() > t.size()) return false;
  const size_t pad = t.size() - s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != t[pad + i] && s[i] != 1) return false;
  }
  return true;
}

const Shape* output_shape(const Shape& a, const Shape& b, Shape& storage) {
  if (broadcasts_to(b, a)) return &a;
  if (broadcasts_to(a, b)) return &b;
  auto s = broadcast_shapes(a, b);
  if (!s) return nullptr;
  storage = std::move(*s);
  return &storage;
}

class BinaryKernel : public OpKernel {
 public:
  BinaryKernel(BinOp op, DType dtype) : op_(op), dtype_(dtype), table_(&kernel_table(cpu_isa())) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != dtype_ || b.dtype() != dtype_) return run_reference(ctx);
    Shape storage;
    const Shape* out = output_shape(a.shape(), b.shape(), storage);
    // PRelu's slope broadcasts one way only: the output must have X's shape.
    if (!out || (op_ == BinOp::kPRelu && *out != a.shape())) return run_reference(ctx);
    BroadcastPlan<2> plan;
    const Shape* ins[2] = {&a.shape(), &b.shape()};
    if (!plan_broadcast(*out, ins, plan)) return run_reference(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, dtype_, *out);
    if (y.numel() == 0) return Status::ok();
    const Bcast mode = mode_of(plan.repeat);
    if (dtype_ == DType::kFloat32) {
      launch(plan, mode, a.data<float>(), b.data<float>(), y.data<float>(), table_->binary_f32);
    } else if (dtype_ == DType::kInt32) {
      launch(plan, mode, a.data<int32_t>(), b.data<int32_t>(), y.data<int32_t>(), table_->binary_i32);
    } else {
      launch(plan, mode, a.data<int64_t>(), b.data<int64_t>(), y.data<int64_t>(), table_->binary_i64);
    }
    return Status::ok();
  }

 private:
  template <typename T, typename Fn>
  void launch(const BroadcastPlan<2>& plan, Bcast mode, const T* a, const T* b, T* y, Fn fn) const {
    for_each_run(plan, [&](const int64_t* off, int64_t out, int64_t len) {
      fn(op_, mode, a + off[0], b + off[1], y + out, len);
    });
  }

  BinOp op_;
  DType dtype_;
  const KernelTable* table_;
};

// Pow with a float32 base and exponent of any shape: std::pow in double, as the reference does
// (the common constant exponents 1, 2, 3, -1 take the vectorised unary path instead).
class PowKernel : public OpKernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != DType::kFloat32 || b.dtype() != DType::kFloat32) return run_reference(ctx);
    Shape storage;
    const Shape* out = output_shape(a.shape(), b.shape(), storage);
    BroadcastPlan<2> plan;
    const Shape* ins[2] = {&a.shape(), &b.shape()};
    if (!out || !plan_broadcast(*out, ins, plan)) return run_reference(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, *out);
    if (y.numel() == 0) return Status::ok();
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    float* py = y.data<float>();
    const int64_t sa = plan.repeat[0] ? 0 : 1, sb = plan.repeat[1] ? 0 : 1;
    for_each_run(plan, [&](const int64_t* off, int64_t o, int64_t len) {
      for (int64_t i = 0; i < len; ++i) {
        const double base = pa[off[0] + i * sa], e = pb[off[1] + i * sb];
        py[o + i] = static_cast<float>(std::pow(base, e));
      }
    });
    return Status::ok();
  }
};

class PowUnaryKernel : public OpKernel {
 public:
  explicit PowUnaryKernel(UnOp op) : op_(op), table_(&kernel_table(cpu_isa())) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || ctx.input(1).numel() != 1 || ctx.input(1).rank() > x.rank()) {
      return run_reference(ctx);
    }
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, x.shape());
    const float* px = x.data<float>();
    float* py = y.data<float>();
    parallel_for(
        x.numel(), [&](int64_t b, int64_t e) { table_->unary_f32(op_, UnaryParams{}, px + b, py + b, e - b); },
        kParallelMin / 2);
    return Status::ok();
  }

 private:
  UnOp op_;
  const KernelTable* table_;
};

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_binary(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  BinOp op;
  if (node.op_type == "Add") op = BinOp::kAdd;
  else if (node.op_type == "Sub") op = BinOp::kSub;
  else if (node.op_type == "Mul") op = BinOp::kMul;
  else if (node.op_type == "Div") op = BinOp::kDiv;
  else if (node.op_type == "Max") op = BinOp::kMax;
  else if (node.op_type == "Min") op = BinOp::kMin;
  else if (node.op_type == "PRelu") op = BinOp::kPRelu;
  else return std::unique_ptr<OpKernel>();
  // Before opset 7 (8 for Max/Min) broadcasting followed other rules.
  const int min_opset = op == BinOp::kMax || op == BinOp::kMin ? 8 : 7;
  if (node.opset < min_opset || node.inputs.size() != 2 || !node.inputs[0] || !node.inputs[1]) {
    return std::unique_ptr<OpKernel>();
  }
  const DType t = input_dtype(pctx, 0);
  if (t != input_dtype(pctx, 1)) return std::unique_ptr<OpKernel>();
  const bool int_ok = op == BinOp::kAdd || op == BinOp::kSub || op == BinOp::kMul;
  if (t != DType::kFloat32 && !(int_ok && (t == DType::kInt32 || t == DType::kInt64))) {
    return std::unique_ptr<OpKernel>();
  }
  return std::unique_ptr<OpKernel>(std::make_unique<BinaryKernel>(op, t));
}

Expected<std::unique_ptr<OpKernel>> prepare_pow(const PrepareContext& pctx) {
  if (pctx.node.opset < 7 || input_dtype(pctx, 0) != DType::kFloat32) return std::unique_ptr<OpKernel>();
  const Tensor* e = pctx.constant(1);
  const ir::TypeInfo* xt = pctx.input_type(0);
  // A constant scalar exponent that does not change X's shape: a unary map.
  if (e && e->valid() && e->numel() == 1 && e->dtype() != DType::kString && xt && xt->rank() >= e->rank()) {
    const double v = e->as_double(0);
    if (v == 1) return std::unique_ptr<OpKernel>(std::make_unique<PowUnaryKernel>(UnOp::kIdentity));
    if (v == 2) return std::unique_ptr<OpKernel>(std::make_unique<PowUnaryKernel>(UnOp::kSquare));
    if (v == 3) return std::unique_ptr<OpKernel>(std::make_unique<PowUnaryKernel>(UnOp::kCube));
    if (v == -1) return std::unique_ptr<OpKernel>(std::make_unique<PowUnaryKernel>(UnOp::kReciprocal));
  }
  if (input_dtype(pctx, 1) != DType::kFloat32) return std::unique_ptr<OpKernel>();
  return std::unique_ptr<OpKernel>(std::make_unique<PowKernel>());
}

}  // namespace kiln::cpu::elementwise
