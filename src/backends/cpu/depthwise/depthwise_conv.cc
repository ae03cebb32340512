// kiln.FusedConv, channels-last, depthwise (group == C == M): prepare checks the configuration and
// repacks W to [kh][kw][C] and B to [C]; run picks the ISA row kernel and splits output rows
// across threads. Everything else is declined (the oneDNN or reference kernel takes it).
#include <mutex>
#include <vector>

#include "backends/cpu/depthwise/depthwise.h"
#include "backends/cpu/depthwise/depthwise_conv.h"
#include "backends/cpu/simd/post_activation.h"
#include "core/cpu_features.h"
#include "core/parallel.h"
#include "ops/nn/window_geometry.h"

namespace kiln::cpu {

namespace {

using RowsFn = void (*)(const DwParams&, const float*, const float*, float*, int64_t, int64_t);

struct Geometry {
  int64_t h, w;  // input size this entry is for
  int64_t oh, ow, pt, pl;
};

class DepthwiseConvKernel final : public OpKernel {
 public:
  DepthwiseConvKernel(const ir::Node& node, int64_t c, int64_t kh, int64_t kw, std::vector<float> weights,
                      std::vector<float> bias, Activation act)
      : c_(c), kh_(kh), kw_(kw), weights_(std::move(weights)), bias_(std::move(bias)), act_(act) {
    auto s = node.attr_ints("strides", {1, 1}), d = node.attr_ints("dilations", {1, 1});
    sh_ = s[0], sw_ = s[1], dh_ = d[0], dw_ = d[1];
    switch (cpu_isa()) {
      case Isa::kAvx512: rows_ = depthwise_rows_avx512; break;
      case Isa::kAvx2: rows_ = depthwise_rows_avx2; break;
      default: rows_ = depthwise_rows_scalar; break;
    }
  }

  // Z: each output element is finished from the Z element at its own index (depthwise.h).
  int in_place_input() const override { return 3; }

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.rank() != 4 || x.dim(3) != c_) {
      return ctx.error("input X must be float32 [N, H, W, {}] (channels-last), got {}", c_, x.describe());
    }
    KILN_ASSIGN_OR_RETURN(Geometry g, geometry(ctx, x.dim(1), x.dim(2)));
    const Shape out_shape = {x.dim(0), g.oh, g.ow, c_};
    const float* z = nullptr;
    if (ctx.has_input(3)) {
      const Tensor& zt = ctx.input(3);
      if (zt.dtype() != DType::kFloat32 || zt.shape() != out_shape) {
        return ctx.error("sum input Z {} must be float32 with the output's shape {}", zt.describe(), shape_str(out_shape));
      }
      z = zt.data<float>();
    }
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, out_shape);
    if (y.numel() == 0) return Status::ok();

    DwParams p;
    p.n = x.dim(0), p.h = x.dim(1), p.w = x.dim(2), p.c = c_;
    p.oh = g.oh, p.ow = g.ow, p.kh = kh_, p.kw = kw_, p.sh = sh_, p.sw = sw_, p.dh = dh_, p.dw = dw_;
    p.pt = g.pt, p.pl = g.pl;
    p.cp = static_cast<int64_t>(bias_.size());
    p.weights = weights_.data();
    p.bias = bias_.data();
    const bool post = !activation_in_registers(act_.kind);
    if (!post) p.act = act_;
    dw_set_interior(p);

    const float* xd = x.data<float>();
    float* yd = y.data<float>();
    const int64_t rows = p.n * p.oh, row_elems = p.ow * p.c;
    // A row is little work: give each thread at least ~0.3 MFLOP so small layers (late
    // MobileNet stages, PP-OCR cls) stay on one thread, where a fork/join would cost more.
    const int64_t row_flops = std::max<int64_t>(1, 2 * row_elems * p.kh * p.kw);
    const int64_t grain = std::max<int64_t>(1, 300000 / row_flops);
    const RowsFn rows_fn = rows_;
    const Activation act = act_;
    parallel_for(
        rows,
        [&](int64_t b, int64_t e) {
          rows_fn(p, xd, z, yd, b, e);
          if (post) apply_post_activation(act, yd + b * row_elems, (e - b) * row_elems);
        },
        grain);
    return Status::ok();
  }

 private:
  // Output size and begin pads for an input size, cached per (H, W): forward_window allocates.
  Expected<Geometry> geometry(KernelContext& ctx, int64_t h, int64_t w) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Geometry& g : cache_) {
      if (g.h == h && g.w == w) return g;
    }
    KILN_ASSIGN_OR_RETURN(WindowGeometry wg, forward_window(ctx.node(), {h, w}, {kh_, kw_}, false));
    Geometry g{h, w, wg.out[0], wg.out[1], wg.pads_begin[0], wg.pads_begin[1]};
    if (cache_.size() < 16) cache_.push_back(g);
    return g;
  }

  int64_t c_, kh_, kw_, sh_ = 1, sw_ = 1, dh_ = 1, dw_ = 1;
  std::vector<float> weights_;  // [kh][kw][cp]
  std::vector<float> bias_;     // [cp]
  Activation act_;
  RowsFn rows_ = nullptr;
  mutable std::mutex mu_;
  mutable std::vector<Geometry> cache_;
};

// "Not this kernel": the next candidate (oneDNN, then the reference) takes the node.
Expected<std::unique_ptr<OpKernel>> decline() { return std::unique_ptr<OpKernel>(); }

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_depthwise_conv(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  if (node.attr_int("channels_last", 0) != 1) return decline();
  const ir::TypeInfo* xt = pctx.input_type(0);
  if (!xt || !xt->is_tensor() || xt->elem != DType::kFloat32 || xt->rank() != 4) return decline();
  const ir::Dim& cdim = (*xt->dims)[3];
  if (!cdim.known()) return decline();
  const int64_t c = cdim.value;
  const Tensor* w = pctx.constant(1);
  if (!w || w->dtype() != DType::kFloat32 || w->rank() != 4) return decline();
  if (w->dim(0) != c || w->dim(1) != 1 || node.attr_int("group", 1) != c || c < 1) return decline();
  const int64_t kh = w->dim(2), kw = w->dim(3);
  if (kh < 1 || kw < 1) return decline();
  auto ks = node.attr_ints("kernel_shape", {kh, kw});
  if (ks.size() != 2 || ks[0] != kh || ks[1] != kw) return decline();
  // Validates strides / dilations / pads / auto_pad (sizes unknown here).
  if (!forward_window(node, {-1, -1}, {kh, kw}, false)) return decline();
  if (node.attr_ints("strides", {1, 1}).size() != 2 || node.attr_ints("dilations", {1, 1}).size() != 2) return decline();
  const Tensor* b = nullptr;
  if (pctx.input_type(2)) {
    b = pctx.constant(2);
    if (!b || b->dtype() != DType::kFloat32 || b->numel() != c || b->rank() != 1) return decline();
  }
  if (const ir::TypeInfo* zt = pctx.input_type(3); zt && (!zt->is_tensor() || zt->elem != DType::kFloat32)) return decline();
  auto act = Activation::from_node(node);
  if (!act) return decline();  // the reference kernel reports the bad attribute

  const int64_t cp = (c + kDwChannelPad - 1) / kDwChannelPad * kDwChannelPad;
  std::vector<float> packed(static_cast<size_t>(kh * kw * cp), 0.f), bias(static_cast<size_t>(cp), 0.f);
  const float* wd = w->data<float>();
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t k = 0; k < kh * kw; ++k) packed[static_cast<size_t>(k * cp + ch)] = wd[ch * kh * kw + k];
    if (b) bias[static_cast<size_t>(ch)] = b->data<float>()[ch];
  }
  return std::unique_ptr<OpKernel>(
      std::make_unique<DepthwiseConvKernel>(node, c, kh, kw, std::move(packed), std::move(bias), *act));
}

}  // namespace kiln::cpu
