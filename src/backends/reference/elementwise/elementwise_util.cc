#include "backends/reference/elementwise/elementwise_util.h"

namespace kiln::reference {

Expected<Shape> broadcast_pair(const KernelContext& ctx, const Shape& a, const Shape& b) {
  auto out = broadcast_shapes(a, b);
  if (!out) return ctx.error("inputs cannot be broadcast: {}", out.status().message());
  return out;
}

}  // namespace kiln::reference
