// Transpose, DepthToSpace, SpaceToDepth: permutations of (a reshaped view of) the input.
#include "backends/reference/tensor/strided.h"
#include "backends/reference/tensor/tensor_kernels.h"
#include "ops/tensor/tensor_ops.h"

namespace kiln::reference {

namespace {

// Output = transpose(reshape(x, split_shape), perm), reshaped to out_shape.
Status permute_into(KernelContext& ctx, const Tensor& x, const Shape& split_shape, const std::vector<int64_t>& perm,
                    const Shape& out_shape) {
  Tensor y = materialize(x, permuted_view(split_shape, perm), out_shape);
  if (!y.valid()) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  ctx.set_output(0, Value(std::move(y)));
  return Status::ok();
}

}  // namespace

Status transpose(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> perm = ctx.node().attr_ints("perm");
  if (perm.empty()) {
    for (int64_t i = x.rank() - 1; i >= 0; --i) perm.push_back(i);
  }
  if (static_cast<int64_t>(perm.size()) != x.rank()) {
    return ctx.error("perm has {} entries but the input has rank {}", perm.size(), x.rank());
  }
  auto norm = normalize_axes(perm, x.rank());
  if (!norm) return ctx.error("perm: {}", norm.status().message());
  Shape out;
  for (int64_t p : *norm) out.push_back(x.dim(p));
  return permute_into(ctx, x, x.shape(), *norm, out);
}

Status depth_to_space(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  const int64_t b = ctx.node().attr_int("blocksize", 0);
  if (x.rank() != 4) return ctx.error("input must be 4-D, is {}", x.describe());
  if (b <= 0 || x.dim(1) % (b * b) != 0) return ctx.error("blocksize {} does not divide channels {}", b, x.dim(1));
  const int64_t n = x.dim(0), c = x.dim(1) / (b * b), h = x.dim(2), w = x.dim(3);
  const Shape out = {n, c, h * b, w * b};
  if (ctx.node().attr_string("mode", "DCR") == "CRD") {
    return permute_into(ctx, x, {n, c, b, b, h, w}, {0, 1, 4, 2, 5, 3}, out);
  }
  return permute_into(ctx, x, {n, b, b, c, h, w}, {0, 3, 4, 1, 5, 2}, out);
}

Status space_to_depth(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  const int64_t b = ctx.node().attr_int("blocksize", 0);
  if (x.rank() != 4) return ctx.error("input must be 4-D, is {}", x.describe());
  if (b <= 0 || x.dim(2) % b != 0 || x.dim(3) % b != 0) {
    return ctx.error("blocksize {} does not divide the spatial dims of {}", b, x.describe());
  }
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2) / b, w = x.dim(3) / b;
  return permute_into(ctx, x, {n, c, h, b, w, b}, {0, 3, 5, 1, 2, 4}, {n, c * b * b, h, w});
}

}  // namespace kiln::reference
