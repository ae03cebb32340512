#include "backends/reference/elementwise/elementwise_util.h"

#include "ops/elementwise/elementwise_ops.h"

namespace kiln::reference {

Expected<Shape> broadcast_pair(const KernelContext& ctx, const Shape& a, const Shape& b) {
  auto out = broadcast_shapes(a, b);
  if (!out) return ctx.error("inputs cannot be broadcast: {}", out.status().message());
  return out;
}

Expected<Tensor> legacy_aligned_b(const KernelContext& ctx, const Tensor& a, const Tensor& b) {
  if (ctx.opset() >= 7) return b;
  KILN_ASSIGN_OR_RETURN(size_t pad, legacy_broadcast_padding(ctx.node(), a.rank(), b.rank()));
  if (pad == 0) return b;
  Shape shape = b.shape();
  shape.resize(shape.size() + pad, 1);
  return b.reshaped(shape);
}

}  // namespace kiln::reference
