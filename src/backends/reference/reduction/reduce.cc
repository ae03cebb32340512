// Reduce* kernels: one generic reduction over a set of axes, parameterized by the reduction kind.
#include <cmath>
#include <limits>
#include <type_traits>

#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/reduction/reduction_util.h"
#include "backends/reference/util.h"

namespace kiln::reference {

namespace {

enum class Kind { kL1, kL2, kLogSum, kLogSumExp, kMax, kMean, kMin, kProd, kSum, kSumSquare };

// True for kinds that integer inputs reduce exactly in an integer accumulator.
bool integer_exact(Kind k) {
  return k == Kind::kL1 || k == Kind::kMax || k == Kind::kMin || k == Kind::kProd || k == Kind::kSum ||
         k == Kind::kSumSquare;
}

template <typename T, typename Acc>
Acc initial_value(Kind kind) {
  switch (kind) {
    case Kind::kProd: return Acc(1);
    case Kind::kMax:
      if constexpr (std::is_floating_point_v<Acc>) return -std::numeric_limits<Acc>::infinity();
      else return static_cast<Acc>(std::numeric_limits<T>::lowest());
    case Kind::kMin:
      if constexpr (std::is_floating_point_v<Acc>) return std::numeric_limits<Acc>::infinity();
      else return static_cast<Acc>(std::numeric_limits<T>::max());
    default: return Acc(0);
  }
}

// Reduces x (shape `in`) into an accumulator per element of `keep` (in with 1 on reduced axes).
template <typename T, typename Acc>
void reduce_into(Kind kind, const Tensor& x, const Shape& keep, Tensor& y) {
  const int64_t out_n = shape_numel(keep);
  const int64_t count = out_n == 0 ? 0 : x.numel() / std::max<int64_t>(out_n, 1);
  const T* px = x.data<T>();
  std::vector<Acc> acc(static_cast<size_t>(out_n), initial_value<T, Acc>(kind));
  auto value = [](T v) -> Acc {
    if constexpr (std::is_floating_point_v<Acc>) return static_cast<Acc>(to_double(v));
    else return static_cast<Acc>(v);
  };

  // LogSumExp subtracts each group's maximum first so large inputs do not overflow.
  std::vector<double> shift;
  if (kind == Kind::kLogSumExp) {
    shift.assign(static_cast<size_t>(out_n), -std::numeric_limits<double>::infinity());
    BroadcastWalker w(x.shape(), {&keep});
    for (int64_t i = 0; i < x.numel(); ++i, w.next()) {
      double& m = shift[static_cast<size_t>(w.offset(0))];
      m = std::max(m, to_double(px[i]));
    }
    for (double& m : shift) {
      if (!std::isfinite(m)) m = 0;
    }
  }

  BroadcastWalker w(x.shape(), {&keep});
  for (int64_t i = 0; i < x.numel(); ++i, w.next()) {
    const size_t o = static_cast<size_t>(w.offset(0));
    const Acc v = value(px[i]);
    Acc& a = acc[o];
    switch (kind) {
      case Kind::kL1:
        if constexpr (std::is_signed_v<Acc>) a += v < Acc(0) ? -v : v;
        else a += v;
        break;
      case Kind::kL2:
      case Kind::kSumSquare: a += v * v; break;
      case Kind::kLogSumExp: a += static_cast<Acc>(std::exp(static_cast<double>(v) - shift[o])); break;
      case Kind::kMax:
        if (v > a || v != v) a = v;  // NaN propagates
        break;
      case Kind::kMin:
        if (v < a || v != v) a = v;
        break;
      case Kind::kProd: a *= v; break;
      default: a += v; break;  // Sum, Mean, LogSum
    }
  }

  T* py = y.data<T>();
  for (int64_t o = 0; o < out_n; ++o) {
    const Acc a = acc[static_cast<size_t>(o)];
    if constexpr (std::is_floating_point_v<Acc>) {
      double r = static_cast<double>(a);
      switch (kind) {
        case Kind::kL2: r = std::sqrt(r); break;
        case Kind::kLogSum: r = std::log(r); break;
        case Kind::kLogSumExp: r = std::log(r) + shift[static_cast<size_t>(o)]; break;
        case Kind::kMean: r = r / static_cast<double>(count); break;
        default: break;
      }
      py[o] = from_double<T>(r);
    } else {
      py[o] = static_cast<T>(a);
    }
  }
}

Status run_reduce(KernelContext& ctx, Kind kind) {
  const Tensor& x = ctx.input(0);
  const ir::Node& node = ctx.node();
  const bool keepdims = node.attr_int("keepdims", 1) != 0;
  const bool noop = node.attr_int("noop_with_empty_axes", 0) != 0;
  std::vector<int64_t> axes = ctx.has_input(1) ? ctx.input(1).to_int64_vector() : node.attr_ints("axes");
  if (axes.empty() && noop) {
    ctx.set_output(0, ctx.input_value(0));
    return Status::ok();
  }
  const int64_t rank = x.rank();
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) {
    auto axis = normalize_axis(a, rank);
    if (!axis) return ctx.error("axes: {}", axis.status().message());
    if (*axis < rank) reduced[static_cast<size_t>(*axis)] = true;
  }
  Shape keep;
  Shape out_shape;
  for (int64_t i = 0; i < rank; ++i) {
    const bool r = reduced[static_cast<size_t>(i)];
    keep.push_back(r ? 1 : x.dim(i));
    if (!r) out_shape.push_back(x.dim(i));
    else if (keepdims) out_shape.push_back(1);
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);
  const bool handled = KILN_DISPATCH_NUMERIC(x.dtype(), T, {
    if constexpr (std::is_integral_v<T>) {
      using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
      if (integer_exact(kind)) {
        reduce_into<T, Wide>(kind, x, keep, y);
        return;
      }
    }
    reduce_into<T, double>(kind, x, keep, y);
  });
  if (!handled) return ctx.error("input dtype {} is not supported", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace

Status reduce_l1(KernelContext& ctx) { return run_reduce(ctx, Kind::kL1); }
Status reduce_l2(KernelContext& ctx) { return run_reduce(ctx, Kind::kL2); }
Status reduce_log_sum(KernelContext& ctx) { return run_reduce(ctx, Kind::kLogSum); }
Status reduce_log_sum_exp(KernelContext& ctx) { return run_reduce(ctx, Kind::kLogSumExp); }
Status reduce_max(KernelContext& ctx) { return run_reduce(ctx, Kind::kMax); }
Status reduce_mean(KernelContext& ctx) { return run_reduce(ctx, Kind::kMean); }
Status reduce_min(KernelContext& ctx) { return run_reduce(ctx, Kind::kMin); }
Status reduce_prod(KernelContext& ctx) { return run_reduce(ctx, Kind::kProd); }
Status reduce_sum(KernelContext& ctx) { return run_reduce(ctx, Kind::kSum); }
Status reduce_sum_square(KernelContext& ctx) { return run_reduce(ctx, Kind::kSumSquare); }

}  // namespace kiln::reference
