// Strided views for the tensor family's data-movement kernels. Transpose, Slice, Expand, Tile and
// DepthToSpace/SpaceToDepth are all "read an n-d strided view of the input into a contiguous
// output"; they differ only in the offset, strides and shape of the view.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace kiln::reference {

struct StridedView {
  int64_t offset = 0;             // element offset of the view's first element
  Shape shape;                    // the view's (= output's) shape
  std::vector<int64_t> strides;   // element strides in the source, per view dim (0 = repeat)
};

// dst[i] = src[view element i] in row-major order of view.shape; the inner dim is a plain loop.
template <typename T>
void copy_view(const T* src, const StridedView& v, T* dst) {
  const int64_t n = shape_numel(v.shape);
  if (n == 0) return;
  const size_t r = v.shape.size();
  if (r == 0) {
    dst[0] = src[v.offset];
    return;
  }
  const int64_t inner = v.shape[r - 1];
  const int64_t inner_stride = v.strides[r - 1];
  std::vector<int64_t> idx(r, 0);
  int64_t base = v.offset;
  for (int64_t o = 0; o < n; o += inner) {
    const T* s = src + base;
    for (int64_t j = 0; j < inner; ++j) dst[o + j] = s[j * inner_stride];
    for (int64_t k = static_cast<int64_t>(r) - 2; k >= 0; --k) {
      const size_t uk = static_cast<size_t>(k);
      if (++idx[uk] < v.shape[uk]) {
        base += v.strides[uk];
        break;
      }
      base -= v.strides[uk] * (v.shape[uk] - 1);
      idx[uk] = 0;
    }
  }
}

// Materializes the view of `src` as a new tensor of shape `out_shape` (same element count as the
// view). Returns an invalid Tensor for an unsupported dtype.
Tensor materialize(const Tensor& src, const StridedView& view, const Shape& out_shape);

// The view that permutes `shape`'s dims by `perm` (Transpose).
StridedView permuted_view(const Shape& shape, const std::vector<int64_t>& perm);

}  // namespace kiln::reference
