// ArgMax / ArgMin: index of the first (or, with select_last_index, last) extreme along `axis`.
#include <type_traits>

#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/reduction/reduction_util.h"

namespace kiln::reference {

namespace {

template <typename T>
void arg_reduce_typed(const Tensor& x, const AxisSplit& s, bool want_max, bool last, Tensor& y) {
  const T* px = x.data<T>();
  int64_t* py = y.data<int64_t>();
  using V = std::conditional_t<std::is_integral_v<T>, T, double>;
  auto value = [](T v) -> V {
    if constexpr (std::is_integral_v<T>) return v;
    else return to_double(v);
  };
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t in = 0; in < s.inner; ++in) {
      const T* base = px + o * s.n * s.inner + in;
      int64_t best = 0;
      V best_v = value(base[0]);
      for (int64_t k = 1; k < s.n; ++k) {
        const V v = value(base[k * s.inner]);
        const bool better = want_max ? (last ? v >= best_v : v > best_v) : (last ? v <= best_v : v < best_v);
        if (better) {
          best = k;
          best_v = v;
        }
      }
      py[o * s.inner + in] = best;
    }
  }
}

Status run_arg_reduce(KernelContext& ctx, bool want_max) {
  const Tensor& x = ctx.input(0);
  const ir::Node& node = ctx.node();
  auto axis = normalize_axis(node.attr_int("axis", 0), x.rank());
  if (!axis) return ctx.error("axis: {}", axis.status().message());
  const bool keepdims = node.attr_int("keepdims", 1) != 0;
  const bool last = node.attr_int("select_last_index", 0) != 0;
  Shape out_shape;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (i != *axis) out_shape.push_back(x.dim(i));
    else if (keepdims) out_shape.push_back(1);
  }
  const AxisSplit s = split_at_axis(x.shape(), *axis);
  if (s.n == 0 && s.outer * s.inner > 0) return ctx.error("cannot take the arg extreme over an empty axis {}", *axis);
  Tensor& y = ctx.allocate_output(0, DType::kInt64, out_shape);
  if (s.n == 0) return Status::ok();
  const bool handled = KILN_DISPATCH_NUMERIC(x.dtype(), T, { arg_reduce_typed<T>(x, s, want_max, last, y); });
  if (!handled) return ctx.error("input dtype {} is not supported", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace

Status arg_max(KernelContext& ctx) { return run_arg_reduce(ctx, true); }
Status arg_min(KernelContext& ctx) { return run_arg_reduce(ctx, false); }

}  // namespace kiln::reference
