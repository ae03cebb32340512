// Shape arithmetic shared by the tensor family's inference functions and reference kernels.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/ranges.h>

#include "ops/tensor/tensor_ops.h"

namespace kiln {

Expected<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(rank, 1)), false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) return invalid_argument("axis {} is out of range for rank {}", a, rank);
    int64_t n = a < 0 ? a + rank : a;
    if (seen[static_cast<size_t>(n)]) return invalid_argument("axis {} is repeated", a);
    seen[static_cast<size_t>(n)] = true;
    out.push_back(n);
  }
  return out;
}

Expected<Shape> reshape_output_shape(const Shape& in, const std::vector<int64_t>& spec, bool allowzero) {
  Shape out(spec.size());
  int64_t infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t s = spec[i];
    if (s == -1) {
      if (infer_at >= 0) return invalid_argument("shape {} has more than one -1", fmt::join(spec, ","));
      infer_at = static_cast<int64_t>(i);
      continue;
    }
    if (s < -1) return invalid_argument("shape entry {} is {}; must be >= -1", i, s);
    if (s == 0 && !allowzero) {
      if (i >= in.size()) return invalid_argument("shape entry {} is 0 but the input has rank {}", i, in.size());
      s = in[i];
    }
    out[i] = s;
    // Shape data may come from a damaged file: overflow is an error, not UB.
    if (__builtin_mul_overflow(known, s, &known)) {
      return invalid_argument("shape {} has more elements than an int64 holds", fmt::join(spec, ","));
    }
  }
  int64_t total = shape_numel(in);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0) {
      return invalid_argument("cannot infer the -1 in shape {} for {} elements", fmt::join(spec, ","), total);
    }
    out[static_cast<size_t>(infer_at)] = total / known;
  } else if (known != total) {
    return invalid_argument("shape {} holds {} elements but the input has {} ({})", fmt::join(spec, ","), known,
                            total, shape_str(in));
  }
  return out;
}

Expected<std::vector<SliceDim>> slice_plan(const Shape& in, const std::vector<int64_t>& starts,
                                           const std::vector<int64_t>& ends, const std::vector<int64_t>& axes_in,
                                           const std::vector<int64_t>& steps) {
  const int64_t rank = static_cast<int64_t>(in.size());
  if (starts.size() != ends.size()) {
    return invalid_argument("starts has {} entries but ends has {}", starts.size(), ends.size());
  }
  std::vector<int64_t> axes = axes_in;
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (axes.size() != starts.size()) {
    return invalid_argument("axes has {} entries but starts has {}", axes.size(), starts.size());
  }
  if (!steps.empty() && steps.size() != starts.size()) {
    return invalid_argument("steps has {} entries but starts has {}", steps.size(), starts.size());
  }
  KILN_ASSIGN_OR_RETURN(std::vector<int64_t> norm, normalize_axes(axes, rank));
  std::vector<SliceDim> plan(in.size());
  for (size_t d = 0; d < in.size(); ++d) plan[d] = {0, 1, in[d]};
  for (size_t i = 0; i < norm.size(); ++i) {
    const int64_t dim = in[static_cast<size_t>(norm[i])];
    const int64_t step = steps.empty() ? 1 : steps[i];
    if (step == 0) return invalid_argument("steps[{}] is 0", i);
    if (dim == 0) {
      plan[static_cast<size_t>(norm[i])] = {0, step, 0};
      continue;
    }
    int64_t start = starts[i];
    int64_t end = ends[i];
    if (start < 0) start = start < -dim ? -1 : start + dim;
    if (end < 0) end = end < -dim ? -1 : end + dim;
    int64_t count = 0;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      if (end > start) count = 1 + (end - start - 1) / step;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      if (start > end) count = 1 + (start - end - 1) / -std::max(step, -std::numeric_limits<int64_t>::max());
    }
    plan[static_cast<size_t>(norm[i])] = {start, count > 1 ? step : 1, count};  // huge steps never scale strides
  }
  return plan;
}

Expected<std::vector<int64_t>> split_sizes(int64_t dim, const std::optional<std::vector<int64_t>>& split,
                                           size_t num_outputs, int opset) {
  (void)opset;
  if (num_outputs == 0) return invalid_argument("Split needs at least one output");
  if (split) {
    if (split->size() != num_outputs) {
      return invalid_argument("split has {} entries but there are {} outputs", split->size(), num_outputs);
    }
    int64_t sum = 0;
    for (int64_t s : *split) {
      if (s < 0) return invalid_argument("split entry {} is negative", s);
      sum += s;
    }
    if (sum != dim) return invalid_argument("split sums to {} but the axis has length {}", sum, dim);
    return *split;
  }
  const int64_t n = static_cast<int64_t>(num_outputs);
  const int64_t chunk = (dim + n - 1) / n;  // equal parts; the last may be smaller (opset 18)
  std::vector<int64_t> sizes;
  int64_t left = dim;
  for (int64_t i = 0; i < n; ++i) {
    int64_t s = std::min(chunk, left);
    sizes.push_back(s);
    left -= s;
  }
  return sizes;
}

Expected<std::vector<int64_t>> full_pads(const std::vector<int64_t>& pads,
                                         const std::optional<std::vector<int64_t>>& axes, int64_t rank) {
  std::vector<int64_t> out(static_cast<size_t>(2 * rank), 0);
  if (!axes) {
    if (static_cast<int64_t>(pads.size()) != 2 * rank) {
      return invalid_argument("pads has {} entries; expected 2 * rank = {}", pads.size(), 2 * rank);
    }
    return pads;
  }
  KILN_ASSIGN_OR_RETURN(std::vector<int64_t> norm, normalize_axes(*axes, rank));
  const size_t n = norm.size();
  if (pads.size() != 2 * n) return invalid_argument("pads has {} entries; expected 2 * {} axes", pads.size(), n);
  for (size_t i = 0; i < n; ++i) {
    out[static_cast<size_t>(norm[i])] = pads[i];
    out[static_cast<size_t>(norm[i] + rank)] = pads[i + n];
  }
  return out;
}

Expected<int64_t> range_count(double start, double limit, double delta) {
  if (delta == 0) return invalid_argument("Range delta is 0");
  double n = std::ceil((limit - start) / delta);
  if (!(n > 0)) return int64_t{0};
  if (n > 1e12) return invalid_argument("Range would produce {} elements", n);
  return static_cast<int64_t>(n);
}

}  // namespace kiln
