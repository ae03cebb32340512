#include "backends/reference/tensor/strided.h"

namespace kiln::reference {

Tensor materialize(const Tensor& src, const StridedView& view, const Shape& out_shape) {
  Tensor out(src.dtype(), out_shape);
  bool ok = KILN_DISPATCH_ALL(src.dtype(), T, { copy_view<T>(src.data<T>(), view, out.data<T>()); });
  return ok ? out : Tensor();
}

StridedView permuted_view(const Shape& shape, const std::vector<int64_t>& perm) {
  const std::vector<int64_t> strides = shape_strides(shape);
  StridedView v;
  for (int64_t p : perm) {
    v.shape.push_back(shape[static_cast<size_t>(p)]);
    v.strides.push_back(strides[static_cast<size_t>(p)]);
  }
  return v;
}

}  // namespace kiln::reference
