// Element copying helpers used by the control kernels (slicing scan inputs, stacking outputs).
#include <cstring>

#include "backends/reference/control/control_kernels.h"

namespace kiln::reference {

void copy_elements(const Tensor& src, int64_t src_off, Tensor& dst, int64_t dst_off, int64_t count) {
  if (count <= 0) return;
  if (src.dtype() == DType::kString) {
    const std::string* s = src.data<std::string>() + src_off;
    std::string* d = dst.data<std::string>() + dst_off;
    for (int64_t i = 0; i < count; ++i) d[i] = s[i];
    return;
  }
  const size_t es = dtype_size(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw()) + static_cast<size_t>(dst_off) * es,
              static_cast<const char*>(src.raw()) + static_cast<size_t>(src_off) * es, static_cast<size_t>(count) * es);
}

Tensor take_along(const Tensor& t, int64_t axis, int64_t index) {
  Shape out_shape = t.shape();
  const int64_t len = out_shape[static_cast<size_t>(axis)];
  out_shape.erase(out_shape.begin() + axis);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= t.dim(i);
  for (int64_t i = axis + 1; i < t.rank(); ++i) inner *= t.dim(i);
  Tensor out(t.dtype(), out_shape);
  for (int64_t o = 0; o < outer; ++o) copy_elements(t, (o * len + index) * inner, out, o * inner, inner);
  return out;
}

Tensor stack_along(const std::vector<Tensor>& items, int64_t axis, DType dtype, const Shape& item_shape) {
  Shape out_shape = item_shape;
  const int64_t n = static_cast<int64_t>(items.size());
  out_shape.insert(out_shape.begin() + axis, n);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= item_shape[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(axis); i < item_shape.size(); ++i) inner *= item_shape[i];
  Tensor out(dtype, out_shape);
  for (int64_t k = 0; k < n; ++k) {
    for (int64_t o = 0; o < outer; ++o) copy_elements(items[static_cast<size_t>(k)], o * inner, out, (o * n + k) * inner, inner);
  }
  return out;
}

}  // namespace kiln::reference
