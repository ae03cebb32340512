// Softmax, LogSoftmax and Hardmax. From opset 13 they work along one axis (default -1); before,
// the input is coerced to 2-D [prod(dims[:axis]), prod(dims[axis:])] (default axis 1) and they
// work along the second dimension.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/reference/reduction/reduction_kernels.h"
#include "backends/reference/reduction/reduction_util.h"

namespace kiln::reference {

namespace {

enum class Kind { kSoftmax, kLogSoftmax, kHardmax };

template <typename T>
void softmax_typed(Kind kind, const Tensor& x, const AxisSplit& s, Tensor& y) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  std::vector<double> row(static_cast<size_t>(s.n));
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t in = 0; in < s.inner; ++in) {
      const int64_t base = o * s.n * s.inner + in;
      double mx = -std::numeric_limits<double>::infinity();
      int64_t arg = 0;
      for (int64_t k = 0; k < s.n; ++k) {
        const double v = to_double(px[base + k * s.inner]);
        row[static_cast<size_t>(k)] = v;
        if (v > mx) {
          mx = v;
          arg = k;
        }
      }
      if (kind == Kind::kHardmax) {
        for (int64_t k = 0; k < s.n; ++k) py[base + k * s.inner] = from_double<T>(k == arg ? 1.0 : 0.0);
        continue;
      }
      double sum = 0;
      for (double v : row) sum += std::exp(v - mx);
      const double log_sum = std::log(sum);
      for (int64_t k = 0; k < s.n; ++k) {
        const double shifted = row[static_cast<size_t>(k)] - mx;
        const double r = kind == Kind::kSoftmax ? std::exp(shifted) / sum : shifted - log_sum;
        py[base + k * s.inner] = from_double<T>(r);
      }
    }
  }
}

Status run_softmax(KernelContext& ctx, Kind kind) {
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();
  AxisSplit s;
  if (rank == 0) {
    // A scalar is a single-element row: s stays {1, 1, 1}.
  } else if (ctx.opset() >= 13) {
    auto axis = normalize_axis(ctx.node().attr_int("axis", -1), rank);
    if (!axis) return ctx.error("axis: {}", axis.status().message());
    s = split_at_axis(x.shape(), *axis);
  } else {
    int64_t axis = ctx.node().attr_int("axis", 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) return ctx.error("axis {} is out of range for rank {}", axis, rank);
    for (int64_t i = 0; i < rank; ++i) (i < axis ? s.outer : s.n) *= x.dim(i);
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  if (x.numel() == 0) return Status::ok();
  const bool handled = KILN_DISPATCH_FLOAT(x.dtype(), T, { softmax_typed<T>(kind, x, s, y); });
  if (!handled) return ctx.error("input dtype {} is not supported (expected a float type)", dtype_name(x.dtype()));
  return Status::ok();
}

}  // namespace

Status softmax(KernelContext& ctx) { return run_softmax(ctx, Kind::kSoftmax); }
Status log_softmax(KernelContext& ctx) { return run_softmax(ctx, Kind::kLogSoftmax); }
Status hardmax(KernelContext& ctx) { return run_softmax(ctx, Kind::kHardmax); }

}  // namespace kiln::reference
