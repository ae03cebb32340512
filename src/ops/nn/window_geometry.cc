#include "ops/nn/window_geometry.h"

#include <string>

namespace kiln {

namespace {

// Reads strides/dilations/pads of length n (pads 2n) with defaults; errors name the attribute.
Status read_common(const ir::Node& node, size_t n, const std::vector<int64_t>& kernel,
                   WindowGeometry* g) {
  if (kernel.size() != n) {
    return invalid_model("{}: kernel has {} spatial dims, input has {}", node.label(), kernel.size(), n);
  }
  g->kernel = kernel;
  g->strides = node.attr_ints("strides", std::vector<int64_t>(n, 1));
  g->dilations = node.attr_ints("dilations", std::vector<int64_t>(n, 1));
  std::vector<int64_t> pads = node.attr_ints("pads", std::vector<int64_t>(2 * n, 0));
  if (g->strides.size() != n) return invalid_model("{}: strides has {} values, expected {}", node.label(), g->strides.size(), n);
  if (g->dilations.size() != n) return invalid_model("{}: dilations has {} values, expected {}", node.label(), g->dilations.size(), n);
  if (pads.size() != 2 * n) return invalid_model("{}: pads has {} values, expected {}", node.label(), pads.size(), 2 * n);
  for (size_t i = 0; i < n; ++i) {
    if (g->kernel[i] < 1) return invalid_model("{}: kernel size {} on axis {} must be >= 1", node.label(), g->kernel[i], i);
    if (g->strides[i] < 1) return invalid_model("{}: stride {} on axis {} must be >= 1", node.label(), g->strides[i], i);
    if (g->dilations[i] < 1) return invalid_model("{}: dilation {} on axis {} must be >= 1", node.label(), g->dilations[i], i);
    if (pads[i] < 0 || pads[i + n] < 0) return invalid_model("{}: negative pad on axis {}", node.label(), i);
  }
  g->pads_begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(n));
  g->pads_end.assign(pads.begin() + static_cast<std::ptrdiff_t>(n), pads.end());
  return Status::ok();
}

int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

Expected<WindowGeometry> forward_window(const ir::Node& node, const std::vector<int64_t>& in,
                                        const std::vector<int64_t>& kernel, bool ceil_mode) {
  size_t n = in.size();
  WindowGeometry g;
  KILN_TRY(read_common(node, n, kernel, &g));
  std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  g.out.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    int64_t dk = (g.kernel[i] - 1) * g.dilations[i] + 1;
    int64_t s = g.strides[i];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      if (in[i] < 0) continue;
      int64_t out = ceil_div(in[i], s);
      int64_t total = std::max<int64_t>(0, (out - 1) * s + dk - in[i]);
      int64_t small = total / 2;
      g.pads_begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      g.pads_end[i] = total - g.pads_begin[i];
      g.out[i] = out;
      continue;
    }
    if (auto_pad == "VALID") {
      g.pads_begin[i] = g.pads_end[i] = 0;
    } else if (auto_pad != "NOTSET" && !auto_pad.empty()) {
      return invalid_model("{}: unknown auto_pad '{}'", node.label(), auto_pad);
    }
    if (in[i] < 0) continue;
    int64_t span = in[i] + g.pads_begin[i] + g.pads_end[i] - dk;
    if (span < 0) {
      return invalid_argument("{}: window of {} (kernel {}, dilation {}) is larger than the padded input {} on spatial axis {}",
                              node.label(), dk, g.kernel[i], g.dilations[i], in[i] + g.pads_begin[i] + g.pads_end[i], i);
    }
    int64_t out = (ceil_mode ? ceil_div(span, s) : floor_div(span, s)) + 1;
    // A window may not start inside the end padding (PyTorch / ONNX rule for ceil_mode).
    if (ceil_mode && (out - 1) * s >= in[i] + g.pads_begin[i]) --out;
    g.out[i] = out;
  }
  return g;
}

Expected<WindowGeometry> transpose_window(const ir::Node& node, const std::vector<int64_t>& in,
                                          const std::vector<int64_t>& kernel) {
  size_t n = in.size();
  WindowGeometry g;
  KILN_TRY(read_common(node, n, kernel, &g));
  std::vector<int64_t> out_pad = node.attr_ints("output_padding", std::vector<int64_t>(n, 0));
  if (out_pad.size() != n) return invalid_model("{}: output_padding has {} values, expected {}", node.label(), out_pad.size(), n);
  std::vector<int64_t> out_shape = node.attr_ints("output_shape");
  if (out_shape.size() == n + 2) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
  if (!out_shape.empty() && out_shape.size() != n) {
    return invalid_model("{}: output_shape has {} values, expected {}", node.label(), out_shape.size(), n);
  }
  std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && auto_pad != "VALID" && !auto_pad.empty()) {
    return invalid_model("{}: unknown auto_pad '{}'", node.label(), auto_pad);
  }
  g.out.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    int64_t dk = (g.kernel[i] - 1) * g.dilations[i] + 1;
    int64_t s = g.strides[i];
    if (auto_pad == "VALID") g.pads_begin[i] = g.pads_end[i] = 0;
    bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
    if (!out_shape.empty() || same) {
      if (in[i] < 0) continue;
      int64_t out = !out_shape.empty() ? out_shape[i] : in[i] * s;
      int64_t total = s * (in[i] - 1) + out_pad[i] + dk - out;
      if (total < 0) total = 0;  // extra output positions stay zero (plus bias)
      if (auto_pad == "SAME_UPPER") {
        g.pads_begin[i] = total / 2;
        g.pads_end[i] = total - total / 2;
      } else {
        g.pads_begin[i] = total - total / 2;
        g.pads_end[i] = total / 2;
      }
      g.out[i] = out;
      continue;
    }
    if (in[i] < 0) continue;
    int64_t out = s * (in[i] - 1) + out_pad[i] + dk - g.pads_begin[i] - g.pads_end[i];
    if (out < 0) return invalid_argument("{}: negative output size {} on spatial axis {}", node.label(), out, i);
    g.out[i] = out;
  }
  return g;
}

}  // namespace kiln
