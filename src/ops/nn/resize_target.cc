#include "ops/nn/resize_target.h"

#include <cmath>

namespace kiln {

int resize_scales_input(const ir::Node& node) {
  if (node.op_type == "Upsample") return node.opset >= 9 ? 1 : -1;
  return node.opset >= 11 ? 2 : 1;
}

int resize_sizes_input(const ir::Node& node) {
  // kiln.NhwcResize takes Resize's inputs (its node carries the Resize opset).
  return (node.op_type == "Resize" || node.op_type == "NhwcResize") && node.opset >= 11 ? 3 : -1;
}

Expected<ResizeTarget> resize_target(const ir::Node& node, const std::vector<int64_t>& in,
                                     const Tensor* scales, const Tensor* sizes) {
  size_t rank = in.size();
  ResizeTarget r;
  if (sizes && sizes->valid() && sizes->numel() > 0) {
    std::vector<int64_t> s = sizes->to_int64_vector();
    if (s.size() != rank) {
      return invalid_argument("{}: sizes has {} values, input has rank {}", node.label(), s.size(), rank);
    }
    for (size_t i = 0; i < rank; ++i) {
      if (s[i] < 0) return invalid_argument("{}: sizes[{}] = {} is negative", node.label(), i, s[i]);
      r.out.push_back(s[i]);
      r.scales.push_back(in[i] > 0 ? static_cast<double>(s[i]) / static_cast<double>(in[i]) : 1.0);
    }
    return r;
  }
  std::vector<double> sc;
  if (node.op_type == "Upsample" && node.opset < 9) {
    for (float f : node.attr_floats("scales")) sc.push_back(f);
  } else if (scales && scales->valid() && scales->numel() > 0) {
    for (int64_t i = 0; i < scales->numel(); ++i) sc.push_back(static_cast<double>(static_cast<float>(scales->as_double(i))));
  } else {
    return invalid_argument("{}: one of scales and sizes must be given", node.label());
  }
  if (sc.size() != rank) {
    return invalid_argument("{}: scales has {} values, input has rank {}", node.label(), sc.size(), rank);
  }
  for (size_t i = 0; i < rank; ++i) {
    if (!(sc[i] > 0)) return invalid_argument("{}: scales[{}] = {} must be > 0", node.label(), i, sc[i]);
    r.scales.push_back(sc[i]);
    r.out.push_back(static_cast<int64_t>(std::floor(static_cast<double>(in[i]) * sc[i])));
  }
  return r;
}

}  // namespace kiln
