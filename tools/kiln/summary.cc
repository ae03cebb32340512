#include "summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

namespace kiln::tools {

namespace {

std::string summarize_tensor(const Tensor& t) {
  std::string s = fmt::format("{} {}", dtype_name(t.dtype()), t.rank() ? "[" + shape_str(t.shape()) + "]" : "scalar");
  const int64_t n = t.numel();
  if (t.dtype() == DType::kString) {
    if (n > 0) s += fmt::format("  first \"{}\"", t.data<std::string>()[0]);
    return s;
  }
  if (n == 0) return s + "  (empty)";
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = t.as_double(i);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  s += fmt::format("  min {:.6g}  max {:.6g}  mean {:.6g}\n    first [", lo, hi, sum / static_cast<double>(n));
  for (int64_t i = 0; i < std::min<int64_t>(n, 8); ++i) s += fmt::format("{}{:.6g}", i ? ", " : "", t.as_double(i));
  s += n > 8 ? ", ...]" : "]";
  // Score vectors (1-D, or 2-D with one row): print the top-5 classes.
  const bool scores = dtype_is_float(t.dtype()) &&
                      (t.rank() == 1 || (t.rank() == 2 && t.dim(0) == 1)) && n > 1;
  if (scores) {
    std::vector<int64_t> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    const int64_t k = std::min<int64_t>(5, n);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                      [&](int64_t a, int64_t b) { return t.as_double(a) > t.as_double(b); });
    s += "\n    top-5 [";
    for (int64_t i = 0; i < k; ++i) s += fmt::format("{}{}: {:.6g}", i ? ", " : "", idx[static_cast<size_t>(i)], t.as_double(idx[static_cast<size_t>(i)]));
    s += "]";
  }
  return s;
}

}  // namespace

std::string summarize_value(const std::string& name, const Value& v) {
  if (v.is_tensor()) return name + ": " + summarize_tensor(v.tensor());
  if (v.is_sequence()) {
    std::string s = fmt::format("{}: sequence of {} tensor(s)", name, v.sequence().items.size());
    for (size_t i = 0; i < v.sequence().items.size() && i < 4; ++i) {
      s += fmt::format("\n  [{}] {}", i, summarize_tensor(v.sequence().items[i]));
    }
    return s;
  }
  return name + ": (empty optional)";
}

namespace {

void count_ops(const ir::Graph& g, std::map<std::string, int>& hist) {
  for (const auto& node : g.nodes) {
    ++hist[(node->domain.empty() ? "" : node->domain + ".") + node->op_type];
    for (const auto& [key, attr] : node->attrs) {
      if (attr.g) count_ops(*attr.g, hist);
      for (const auto& sub : attr.graphs) count_ops(*sub, hist);
    }
  }
}

}  // namespace

void print_op_histogram(const ir::Graph& g, std::string_view note) {
  std::map<std::string, int> hist;
  count_ops(g, hist);
  std::vector<std::pair<std::string, int>> sorted(hist.begin(), hist.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.second > b.second; });
  int total = 0;
  for (auto& [op, n] : sorted) total += n;
  fmt::print("ops ({} nodes{}):\n", total, note);
  for (auto& [op, n] : sorted) fmt::print("  {:<28} {}\n", op, n);
}

}  // namespace kiln::tools
