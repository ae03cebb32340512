// Broadcasting comparisons (Equal, Less, LessOrEqual, Greater, GreaterOrEqual) on float32, int32,
// int64 and bool, logical And/Or/Xor and Not on bool; all produce bool. Plain loops over the
// broadcast plan's runs: these ops make masks, mostly small.
#include <memory>
#include <string_view>

#include "backends/cpu/elementwise/broadcast.h"
#include "backends/cpu/elementwise/ops.h"

namespace kiln::cpu::elementwise {

namespace {

enum class Cmp { kEq, kLt, kLe, kGt, kGe, kAnd, kOr, kXor };

template <Cmp kOp, typename T>
bool apply(T a, T b) {
  if constexpr (kOp == Cmp::kEq) return a == b;
  else if constexpr (kOp == Cmp::kLt) return a < b;
  else if constexpr (kOp == Cmp::kLe) return a <= b;
  else if constexpr (kOp == Cmp::kGt) return a > b;
  else if constexpr (kOp == Cmp::kGe) return a >= b;
  else if constexpr (kOp == Cmp::kAnd) return a && b;
  else if constexpr (kOp == Cmp::kOr) return a || b;
  else return a != b;
}

template <Cmp kOp, typename T>
void compare_runs(const BroadcastPlan<2>& plan, const T* a, const T* b, bool* y) {
  const int64_t sa = plan.repeat[0] ? 0 : 1, sb = plan.repeat[1] ? 0 : 1;
  for_each_run(plan, [&](const int64_t* off, int64_t o, int64_t len) {
    const T* pa = a + off[0];
    const T* pb = b + off[1];
    bool* py = y + o;
    for (int64_t i = 0; i < len; ++i) py[i] = apply<kOp>(pa[i * sa], pb[i * sb]);
  });
}

template <Cmp kOp>
class CompareKernel : public OpKernel {
 public:
  explicit CompareKernel(DType t) : dtype_(t) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != dtype_ || b.dtype() != dtype_) return run_reference(ctx);
    auto out = broadcast_shapes(a.shape(), b.shape());
    BroadcastPlan<2> plan;
    const Shape* ins[2] = {&a.shape(), &b.shape()};
    if (!out || !plan_broadcast(*out, ins, plan)) return run_reference(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kBool, *out);
    if (y.numel() == 0) return Status::ok();
    bool* py = y.data<bool>();
    switch (dtype_) {
      case DType::kFloat32: compare_runs<kOp>(plan, a.data<float>(), b.data<float>(), py); break;
      case DType::kInt32: compare_runs<kOp>(plan, a.data<int32_t>(), b.data<int32_t>(), py); break;
      case DType::kInt64: compare_runs<kOp>(plan, a.data<int64_t>(), b.data<int64_t>(), py); break;
      default: compare_runs<kOp>(plan, a.data<bool>(), b.data<bool>(), py); break;
    }
    return Status::ok();
  }

 private:
  DType dtype_;
};

class NotKernel : public OpKernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kBool) return run_reference(ctx);
    Tensor& y = ctx.allocate_output_uninit(0, DType::kBool, x.shape());
    const bool* px = x.data<bool>();
    bool* py = y.data<bool>();
    for (int64_t i = 0; i < x.numel(); ++i) py[i] = !px[i];
    return Status::ok();
  }
};

template <Cmp kOp>
std::unique_ptr<OpKernel> make(DType t) {
  return std::make_unique<CompareKernel<kOp>>(t);
}

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_compare(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  const std::string_view op = node.op_type;
  const DType t = input_dtype(pctx, 0);
  if (op == "Not") {
    if (t != DType::kBool) return std::unique_ptr<OpKernel>();
    return std::unique_ptr<OpKernel>(std::make_unique<NotKernel>());
  }
  // Before opset 7 broadcasting followed other rules.
  if (node.opset < 7 || node.inputs.size() != 2 || !node.inputs[0] || !node.inputs[1] || t != input_dtype(pctx, 1)) {
    return std::unique_ptr<OpKernel>();
  }
  const bool logical = op == "And" || op == "Or" || op == "Xor";
  if (logical ? t != DType::kBool
              : t != DType::kFloat32 && t != DType::kInt32 && t != DType::kInt64 && t != DType::kBool) {
    return std::unique_ptr<OpKernel>();
  }
  if (op == "Equal") return make<Cmp::kEq>(t);
  if (op == "Less") return make<Cmp::kLt>(t);
  if (op == "LessOrEqual") return make<Cmp::kLe>(t);
  if (op == "Greater") return make<Cmp::kGt>(t);
  if (op == "GreaterOrEqual") return make<Cmp::kGe>(t);
  if (op == "And") return make<Cmp::kAnd>(t);
  if (op == "Or") return make<Cmp::kOr>(t);
  if (op == "Xor") return make<Cmp::kXor>(t);
  return std::unique_ptr<OpKernel>();
}

}  // namespace kiln::cpu::elementwise
