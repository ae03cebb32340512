// Unique: distinct elements (or distinct slices along `axis`), sorted or in first-seen order,
// with first-occurrence indices, inverse indices and counts.
#include <algorithm>
#include <numeric>

#include "backends/reference/tensor/tensor_kernels.h"

namespace kiln::reference {

Status unique(KernelContext& ctx) {
  KILN_TRY(require_tensors(ctx, 1));
  const Tensor& x = ctx.input(0);
  const bool sorted = ctx.node().attr_int("sorted", 1) != 0;
  const bool has_axis = ctx.node().has_attr("axis");
  int64_t axis = ctx.node().attr_int("axis", 0);
  // View as (outer, A, inner): item a is every x[o, a, i]. Without axis: the flattened elements.
  int64_t outer = 1, len = x.numel(), inner = 1;
  if (has_axis) {
    if (axis < -x.rank() || axis >= x.rank()) return ctx.error("axis {} is out of range for {}", axis, x.describe());
    if (axis < 0) axis += x.rank();
    len = x.dim(axis);
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  }
  std::vector<int64_t> first;    // per unique item (output order): index of its first occurrence
  std::vector<int64_t> inverse(static_cast<size_t>(len));
  std::vector<int64_t> counts;
  Tensor y;
  bool ok = KILN_DISPATCH_ALL(x.dtype(), T, {
    const T* src = x.data<T>();
    auto at = [&](int64_t a, int64_t k) { return src[((k / inner) * len + a) * inner + k % inner]; };
    const int64_t width = outer * inner;
    auto less = [&](int64_t a, int64_t b) {
      for (int64_t k = 0; k < width; ++k) {
        if (at(a, k) < at(b, k)) return true;
        if (at(b, k) < at(a, k)) return false;
      }
      return false;
    };
    std::vector<int64_t> order(static_cast<size_t>(len));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), less);
    // Groups of equal items, in sorted order; the first of each is its first occurrence.
    std::vector<int64_t> group_of(static_cast<size_t>(len));
    std::vector<int64_t> group_first, group_count;
    for (size_t i = 0; i < order.size(); ++i) {
      if (i == 0 || less(order[i - 1], order[i])) {
        group_first.push_back(order[i]);
        group_count.push_back(0);
      }
      group_of[static_cast<size_t>(order[i])] = static_cast<int64_t>(group_first.size()) - 1;
      ++group_count.back();
    }
    std::vector<int64_t> rank_of_group(group_first.size());
    std::vector<int64_t> groups(group_first.size());
    std::iota(groups.begin(), groups.end(), 0);
    if (!sorted) {
      std::sort(groups.begin(), groups.end(),
                [&](int64_t a, int64_t b) { return group_first[static_cast<size_t>(a)] < group_first[static_cast<size_t>(b)]; });
    }
    for (size_t r = 0; r < groups.size(); ++r) {
      const size_t g = static_cast<size_t>(groups[r]);
      rank_of_group[g] = static_cast<int64_t>(r);
      first.push_back(group_first[g]);
      counts.push_back(group_count[g]);
    }
    for (int64_t a = 0; a < len; ++a) {
      inverse[static_cast<size_t>(a)] = rank_of_group[static_cast<size_t>(group_of[static_cast<size_t>(a)])];
    }
    const int64_t u = static_cast<int64_t>(first.size());
    Shape out = {u};
    if (has_axis) {
      out = x.shape();
      out[static_cast<size_t>(axis)] = u;
    }
    y = Tensor(x.dtype(), out);
    T* dst = y.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t r = 0; r < u; ++r) {
        const T* from = src + (o * len + first[static_cast<size_t>(r)]) * inner;
        std::copy(from, from + inner, dst + (o * u + r) * inner);
      }
    }
  });
  if (!ok) return ctx.unsupported_error("dtype {}", dtype_name(x.dtype()));
  const int64_t u = static_cast<int64_t>(first.size());
  ctx.set_output(0, Value(std::move(y)));
  if (ctx.num_outputs() > 1 && ctx.wants_output(1)) ctx.set_output(1, Value(Tensor::from_vector<int64_t>(first, {u})));
  if (ctx.num_outputs() > 2 && ctx.wants_output(2)) ctx.set_output(2, Value(Tensor::from_vector<int64_t>(inverse, {len})));
  if (ctx.num_outputs() > 3 && ctx.wants_output(3)) ctx.set_output(3, Value(Tensor::from_vector<int64_t>(counts, {u})));
  return Status::ok();
}

}  // namespace kiln::reference
