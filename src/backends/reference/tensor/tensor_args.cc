#include "backends/reference/tensor/tensor_args.h"

#include <optional>

namespace kiln::reference {

Expected<std::vector<SliceDim>> slice_plan_of(const KernelContext& ctx, const Shape& x) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.node().attr_ints("starts");
    ends = ctx.node().attr_ints("ends");
    axes = ctx.node().attr_ints("axes");
  } else {
    if (!ctx.has_input(1) || !ctx.has_input(2)) return ctx.error("starts and ends inputs are required");
    starts = ctx.input(1).to_int64_vector();
    ends = ctx.input(2).to_int64_vector();
    if (ctx.has_input(3)) axes = ctx.input(3).to_int64_vector();
    if (ctx.has_input(4)) steps = ctx.input(4).to_int64_vector();
  }
  auto plan = slice_plan(x, starts, ends, axes, steps);
  if (!plan) return ctx.error("{}", plan.status().message());
  return plan;
}

Expected<PadArgs> pad_args_of(const KernelContext& ctx, int64_t rank) {
  PadArgs args;
  std::vector<int64_t> pads;
  std::optional<std::vector<int64_t>> axes;
  if (ctx.opset() < 11) {
    pads = ctx.node().attr_ints(ctx.opset() < 2 ? "paddings" : "pads");
    args.value = ctx.node().attr_float("value", 0.0f);
  } else {
    if (!ctx.has_input(1)) return ctx.error("the pads input is required");
    pads = ctx.input(1).to_int64_vector();
    if (ctx.has_input(2) && ctx.input(2).numel() > 0) args.value_tensor = &ctx.input(2);
    if (ctx.has_input(3)) axes = ctx.input(3).to_int64_vector();
  }
  auto full = full_pads(pads, axes, rank);
  if (!full) return ctx.error("{}", full.status().message());
  args.pads = std::move(*full);
  return args;
}

}  // namespace kiln::reference
