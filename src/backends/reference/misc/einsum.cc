// Einsum: sums products of operand elements over every label not in the output. One odometer
// walks all labels (output labels first, row-major), so each output element is a contiguous run
// of `reduce_count` steps; per-operand offsets are updated incrementally from label strides
// (a label repeated in one operand adds its strides, which walks the diagonal).
#include <algorithm>
#include <map>
#include <type_traits>
#include <vector>

#include "backends/reference/misc/misc_kernels.h"
#include "ops/misc/misc_ops.h"

namespace kiln::reference {

Status einsum(KernelContext& ctx) {
  const std::string equation = ctx.node().attr_string("equation", "");
  if (ctx.num_inputs() == 0) return ctx.error("needs at least one input");
  std::vector<int64_t> ranks;
  const DType dt = ctx.input(0).dtype();
  for (size_t k = 0; k < ctx.num_inputs(); ++k) {
    if (!ctx.has_input(k)) return ctx.error("input {} is required", k);
    if (ctx.input(k).dtype() != dt) {
      return ctx.error("all inputs must share one dtype: input 0 is {}, input {} is {}", dtype_name(dt), k,
                       ctx.input(k).describe());
    }
    ranks.push_back(ctx.input(k).rank());
  }
  auto spec = parse_einsum(equation, ranks);
  if (!spec) return ctx.error("{}", spec.status().message());

  // Label sizes; ellipsis labels (>= 1000) broadcast size-1 dims.
  std::map<int, int64_t> size;
  for (size_t k = 0; k < spec->inputs.size(); ++k) {
    for (size_t a = 0; a < spec->inputs[k].size(); ++a) {
      const int label = spec->inputs[k][a];
      const int64_t d = ctx.input(k).dim(static_cast<int64_t>(a));
      auto it = size.find(label);
      if (it == size.end() || it->second == d) {
        size[label] = d;
      } else if (label >= 1000 && (it->second == 1 || d == 1)) {
        it->second = std::max(it->second, d);
      } else {
        return ctx.error("label size mismatch in '{}': {} vs {} (input {}, axis {})", equation, it->second, d, k, a);
      }
    }
  }
  // Walk order: output labels, then the summed ones.
  std::vector<int> labels = spec->output;
  Shape out_shape;
  for (int l : spec->output) out_shape.push_back(size.count(l) ? size[l] : 1);
  for (const auto& [l, s] : size) {
    if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
  }
  const size_t nl = labels.size(), nin = ctx.num_inputs();
  std::vector<int64_t> lsize(nl);
  int64_t reduce_count = 1, total = 1;
  for (size_t j = 0; j < nl; ++j) {
    lsize[j] = size.count(labels[j]) ? size[labels[j]] : 1;
    total *= lsize[j];
    if (j >= spec->output.size()) reduce_count *= lsize[j];
  }
  // strides[k][j]: element stride of label j in input k (0 when absent or broadcast).
  std::vector<std::vector<int64_t>> strides(nin, std::vector<int64_t>(nl, 0));
  for (size_t k = 0; k < nin; ++k) {
    const Tensor& t = ctx.input(k);
    const std::vector<int64_t> st = shape_strides(t.shape());
    for (size_t a = 0; a < spec->inputs[k].size(); ++a) {
      if (t.dim(static_cast<int64_t>(a)) == 1 && size[spec->inputs[k][a]] != 1) continue;
      const size_t j = static_cast<size_t>(std::find(labels.begin(), labels.end(), spec->inputs[k][a]) - labels.begin());
      strides[k][j] += st[a];
    }
  }
  bool handled = KILN_DISPATCH_NUMERIC(dt, T, {
    using Acc = std::conditional_t<std::is_floating_point_v<T> || std::is_same_v<T, float16> ||
                                       std::is_same_v<T, bfloat16>,
                                   double, std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
    Tensor& out = ctx.allocate_output(0, dt, out_shape);
    T* y = out.data<T>();
    std::vector<const T*> in(nin);
    for (size_t k = 0; k < nin; ++k) in[k] = ctx.input(k).template data<T>();
    std::vector<int64_t> counter(nl, 0), offset(nin, 0);
    Acc acc = 0;
    for (int64_t step = 0; step < total; ++step) {
      Acc prod = 1;
      for (size_t k = 0; k < nin; ++k) {
        if constexpr (std::is_same_v<Acc, double>) prod *= misc_load(in[k][offset[k]]);
        else prod *= static_cast<Acc>(in[k][offset[k]]);
      }
      acc += prod;
      if ((step + 1) % reduce_count == 0) {
        if constexpr (std::is_same_v<Acc, double>) y[step / reduce_count] = misc_store<T>(acc);
        else y[step / reduce_count] = static_cast<T>(acc);
        acc = 0;
      }
      for (size_t j = nl; j-- > 0;) {  // odometer increment
        ++counter[j];
        for (size_t k = 0; k < nin; ++k) offset[k] += strides[k][j];
        if (counter[j] < lsize[j]) break;
        counter[j] = 0;
        for (size_t k = 0; k < nin; ++k) offset[k] -= strides[k][j] * lsize[j];
      }
    }
  });
  if (!handled) return ctx.error("dtype {} is not supported", dtype_name(dt));
  return Status::ok();
}

}  // namespace kiln::reference
