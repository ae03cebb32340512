// kiln.FusedConv, channels-last, strided depthwise (group == C == M): prepare checks the configuration and
// repacks W to [kh][kw][C] and B to [C]; run picks the ISA row kernel and splits output rows
// across threads. Everything else is declined (the oneDNN or reference kernel takes it).
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "backends/cpu/channels_last_conv.h"
#include "backends/cpu/depthwise/depthwise.h"
#include "backends/cpu/depthwise/depthwise_conv.h"
#include "backends/cpu/simd/post_activation.h"
#include "core/cpu_features.h"
#include "core/parallel.h"
#include "ops/nn/window_geometry.h"

namespace kiln::cpu {

namespace {

std::atomic<int64_t> g_runs{0};

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
    KILN_ASSIGN_OR_RETURN(const float* z, sum_input(ctx, out_shape));
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, out_shape);
    g_runs.fetch_add(1, std::memory_order_relaxed);
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

std::atomic<bool> g_own_override{false};

// This kernel takes nodes only when asked: KILN_OWN_DEPTHWISE=1 (benchmark A/B) or the tests.
bool own_depthwise_on() {
  static const bool env = [] {
    const char* v = std::getenv("KILN_OWN_DEPTHWISE");
    return v && std::string(v) == "1";
  }();
  return env || g_own_override.load(std::memory_order_relaxed);
}

// "Not this kernel": the next candidate (oneDNN, then the reference) takes the node.
Expected<std::unique_ptr<OpKernel>> decline() { return std::unique_ptr<OpKernel>(); }

}  // namespace

int64_t depthwise_conv_runs() { return g_runs.load(std::memory_order_relaxed); }

void set_own_depthwise_for_testing(bool on) { g_own_override.store(on, std::memory_order_relaxed); }

Expected<std::unique_ptr<OpKernel>> prepare_depthwise_conv(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  auto ops = channels_last_conv_operands(pctx);
  if (!ops) return decline();
  const int64_t c = ops->c;
  const Tensor* w = ops->w;
  if (w->dim(0) != c || w->dim(1) != 1 || node.attr_int("group", 1) != c) return decline();
  const int64_t kh = w->dim(2), kw = w->dim(3);
  if (kh < 1 || kw < 1) return decline();
  auto ks = node.attr_ints("kernel_shape", {kh, kw});
  if (ks.size() != 2 || ks[0] != kh || ks[1] != kw) return decline();
  // Validates strides / dilations / pads / auto_pad (sizes unknown here).
  if (!forward_window(node, {-1, -1}, {kh, kw}, false)) return decline();
  if (node.attr_ints("strides", {1, 1}).size() != 2 || node.attr_ints("dilations", {1, 1}).size() != 2) return decline();
  // oneDNN's channels-last jit_dw kernel is faster at every stride: depthwise_bench A/B (AVX2,
  // bias + Clip, alternating runs) measured this kernel 1.4-6.5x slower at stride 1 (MobileNetV2
  // 144@56: 0.40 vs 0.29 ms on 1 thread) and, since strided convolutions with few channels per
  // group stay channels-last in dnnl/conv.cc (no blocked detour any more), 1.8-5x slower at
  // stride 2 too (96@112: 0.37 vs 0.17-0.21 ms; det 32@320: 2.9 vs 0.54-1.3 ms, 1 thread).
  if (!own_depthwise_on()) return decline();
  const Tensor* b = ops->b;
  const Activation act = ops->act;

  const int64_t cp = (c + kDwChannelPad - 1) / kDwChannelPad * kDwChannelPad;
  std::vector<float> packed(static_cast<size_t>(kh * kw * cp), 0.f), bias(static_cast<size_t>(cp), 0.f);
  const float* wd = w->data<float>();
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t k = 0; k < kh * kw; ++k) packed[static_cast<size_t>(k * cp + ch)] = wd[ch * kh * kw + k];
    if (b) bias[static_cast<size_t>(ch)] = b->data<float>()[ch];
  }
  return std::unique_ptr<OpKernel>(
      std::make_unique<DepthwiseConvKernel>(node, c, kh, kw, std::move(packed), std::move(bias), act));
}

}  // namespace kiln::cpu
