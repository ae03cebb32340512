// Activations that Kiln's fused ops (kiln.FusedConv, kiln.FusedMatMul) apply after their main
// computation, given by the string attribute `activation` and float list `activation_params`.
// Shared by shape checking, the reference kernels, the optimized kernels and the fusion passes.
//
//   activation        activation_params     y =
//   ""                -                     x
//   "Relu"            -                     max(x, 0)
//   "LeakyRelu"       [alpha]               x >= 0 ? x : alpha * x
//   "Clip"            [min, max]            min(max(x, min), max)
//   "Sigmoid"         -                     1 / (1 + exp(-x))
//   "Tanh"            -                     tanh(x)
//   "HardSigmoid"     [alpha, beta]         max(0, min(1, alpha * x + beta))
//   "HardSwish"       -                     x * max(0, min(1, x / 6 + 0.5))
//   "Silu"            -                     x * sigmoid(x)
//   "Gelu"            -                     0.5 * x * (1 + erf(x / sqrt(2)))
//   "GeluTanh"        -                     0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
// Optionally `activation_affine` = [scale, shift] follows: y = act(x) * scale + shift (PP-LCNet's
// learnable affine block after each activation; oneDNN applies it as an eltwise_linear post-op).
// An op with two activations (kiln.PointwiseDepthwise) spells the second with a prefix:
// `pw_activation`, `pw_activation_params`, `pw_activation_affine`.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace kiln {

enum class ActKind { kNone, kRelu, kLeakyRelu, kClip, kSigmoid, kTanh, kHardSigmoid, kHardSwish, kSilu, kGelu, kGeluTanh };

struct Activation {
  ActKind kind = ActKind::kNone;
  float alpha = 0, beta = 0;  // LeakyRelu: alpha; Clip: [alpha, beta] = [min, max]; HardSigmoid: alpha, beta
  float scale = 1, shift = 0;  // activation_affine, applied after the activation
  bool has_affine() const { return scale != 1.f || shift != 0.f; }
  // y = min(max(x, lo), hi) for some bounds (none, Relu, Clip; no affine): what a kernel can fold
  // into two vector ops at its stores.
  bool is_clamp() const {
    return !has_affine() && (kind == ActKind::kNone || kind == ActKind::kRelu || kind == ActKind::kClip);
  }

  // Parses a node's `<prefix>activation` / `<prefix>activation_params` / `<prefix>activation_affine`;
  // the error names the node and the bad value.
  static Expected<Activation> from_node(const ir::Node& node, const std::string& prefix = "");
  // The attribute spelling ("" for kNone), for passes that write fused nodes.
  std::string name() const;
  std::vector<float> params() const;
  // Writes `<prefix>activation` / `<prefix>activation_params` on a node (nothing for kNone).
  void write_to(ir::Node& node, const std::string& prefix = "") const;

  double apply(double x) const {
    const double y = apply_kind(x);
    return has_affine() ? y * scale + shift : y;
  }
  double apply_kind(double x) const {
    switch (kind) {
      case ActKind::kNone: return x;
      case ActKind::kRelu: return x > 0 ? x : 0;
      case ActKind::kLeakyRelu: return x >= 0 ? x : alpha * x;
      case ActKind::kClip: return x < alpha ? alpha : x > beta ? beta : x;
      case ActKind::kSigmoid: return 1 / (1 + std::exp(-x));
      case ActKind::kTanh: return std::tanh(x);
      case ActKind::kHardSigmoid: return std::max(0.0, std::min(1.0, alpha * x + beta));
      case ActKind::kHardSwish: return x * std::max(0.0, std::min(1.0, x / 6 + 0.5));
      case ActKind::kSilu: return x / (1 + std::exp(-x));
      case ActKind::kGelu: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
      case ActKind::kGeluTanh: {
        const double k = std::sqrt(2.0 / 3.14159265358979323846);
        return 0.5 * x * (1 + std::tanh(k * (x + 0.044715 * x * x * x)));
      }
    }
    return x;
  }
};

// True for the activations the CPU kernels' vector epilogue (backends/cpu/simd/epilogue.h)
// applies in registers; the fusion passes that target only such kernels check it too.
inline bool activation_in_registers(ActKind k) {
  return k == ActKind::kNone || k == ActKind::kRelu || k == ActKind::kLeakyRelu || k == ActKind::kClip ||
         k == ActKind::kHardSigmoid || k == ActKind::kHardSwish;
}

}  // namespace kiln
