// Det: determinant of each [M, M] matrix in the last two axes, by LU decomposition with partial
// pivoting in double precision.
#include <cmath>
#include <utility>
#include <vector>

#include "backends/reference/misc/misc_kernels.h"

namespace kiln::reference {

namespace {

// Determinant of the row-major n x n matrix `a` (destroyed).
double lu_det(std::vector<double>& a, int64_t n) {
  double det = 1.0;
  auto at = [&](int64_t r, int64_t c) -> double& { return a[static_cast<size_t>(r * n + c)]; };
  for (int64_t col = 0; col < n; ++col) {
    int64_t pivot = col;
    for (int64_t r = col + 1; r < n; ++r) {
      if (std::fabs(at(r, col)) > std::fabs(at(pivot, col))) pivot = r;
    }
    if (at(pivot, col) == 0.0) return 0.0;
    if (pivot != col) {
      for (int64_t c = 0; c < n; ++c) std::swap(at(pivot, c), at(col, c));
      det = -det;
    }
    const double p = at(col, col);
    det *= p;
    for (int64_t r = col + 1; r < n; ++r) {
      const double f = at(r, col) / p;
      if (f == 0.0) continue;
      for (int64_t c = col + 1; c < n; ++c) at(r, c) -= f * at(col, c);
    }
  }
  return det;
}

}  // namespace

Status det(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2 || x.dim(x.rank() - 1) != x.dim(x.rank() - 2)) {
    return ctx.error("X must be [..., M, M], got {}", x.describe());
  }
  const int64_t n = x.dim(x.rank() - 1);
  const Shape out_shape(x.shape().begin(), x.shape().end() - 2);
  const int64_t batch = shape_numel(out_shape);
  bool handled = KILN_DISPATCH_FLOAT(x.dtype(), T, {
    Tensor& out = ctx.allocate_output(0, x.dtype(), out_shape);
    const T* px = x.data<T>();
    std::vector<double> a(static_cast<size_t>(n * n));
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t i = 0; i < n * n; ++i) a[static_cast<size_t>(i)] = misc_load(px[b * n * n + i]);
      out.data<T>()[b] = misc_store<T>(lu_det(a, n));
    }
  });
  if (!handled) return ctx.error("X must be a float tensor, got {}", x.describe());
  return Status::ok();
}

}  // namespace kiln::reference
