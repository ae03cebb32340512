// Runs the tiles of all images in chunks sized so the chunk's V and Mt buffers stay within
// kChunkBytes (a 640x640 OCR input would otherwise need hundreds of MiB): input transform
// (parallel over tiles), one GEMM per tile point on oneDNN (batched matmul), output transform
// with bias, Z and the activation (parallel over tiles).
#include "backends/cpu/winograd/winograd_conv.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string_view>
#include <vector>

#include "backends/cpu/channels_last_conv.h"
#include "backends/cpu/dnnl/batched_gemm.h"
#include "backends/cpu/dnnl/conv_kernels.h"
#include "backends/cpu/simd/post_activation.h"
#include "backends/cpu/winograd/winograd.h"
#include "core/cpu_features.h"
#include "core/parallel.h"
#include "ops/nn/window_geometry.h"

namespace kiln::cpu {

namespace {

constexpr int64_t kChunkBytes = int64_t{4} << 20;

std::atomic<int64_t> g_runs{0};

// Tiles per chunk: V and Mt of a chunk together within kChunkBytes.
int64_t chunk_tiles(const WinoParams& p) {
  const int64_t tile_bytes = p.points() * (p.cp + p.mp) * static_cast<int64_t>(sizeof(float));
  return std::clamp<int64_t>(kChunkBytes / tile_bytes, 1, std::max<int64_t>(p.tiles(), 1));
}

// F(2x2, 3x3) or F(4x4, 3x3) for n images of oh x ow outputs, c -> m channels: the one with the
// lower estimated time, in ms on one AVX2 core, from per-stage timings of ResNet-50's 3x3s:
// - GEMMs: oneDNN's batched matmul ran 57 GFLOP/s with >= 49 rows per GEMM (tiles per chunk)
//   and 26 with 16 (F(4x4) on 14x14 x 256: 36 thin GEMMs streaming 10 MB of weights), so the
//   rate falls with rows below 40;
// - transforms: 1.0-1.3 ns per V and Mt element for F(2x2), 1.6-1.8 for F(4x4) (36-point tiles).
// F(4x4) took 56x56 x 64 from 3.4 to 2.6 ms and 28x28 x 128 from 2.7 to 2.0; F(2x2) kept
// 14x14 x 256 at 2.3 ms against 3.4 (1 thread, resnet50 b1).
int64_t winograd_tile(int64_t n, int64_t oh, int64_t ow, int64_t c, int64_t m) {
  double best_ms = 0;
  int64_t best = 2;
  for (int64_t r : {2, 4}) {
    WinoParams p;
    p.r = r, p.n = n, p.th = (oh + r - 1) / r, p.tw = (ow + r - 1) / r;
    p.cp = wino_pad_channels(c), p.mp = wino_pad_channels(m);
    const double tiles = static_cast<double>(p.tiles()), points = static_cast<double>(p.points());
    const double rows = static_cast<double>(std::min(p.tiles(), chunk_tiles(p)));
    const double gflops = 2e-9 * points * tiles * static_cast<double>(p.cp * p.mp);
    const double gemm_ms = gflops / (57e-3 * std::min(1.0, rows / 40));
    const double transform_ms = points * tiles * static_cast<double>(p.cp + p.mp) * (r == 4 ? 1.7e-6 : 1.2e-6);
    if (r == 2 || gemm_ms + transform_ms < best_ms) best = r, best_ms = gemm_ms + transform_ms;
  }
  return best;
}

struct Entry {
  WinoParams p;  // p.n, p.h, p.w: the input size this entry is for
  int64_t chunk_tiles = 0;  // tiles per full chunk
  std::unique_ptr<onednn::BatchedGemm> full, last;  // GEMMs for a full chunk and the remainder
};

class WinogradConvKernel final : public OpKernel {
 public:
  WinogradConvKernel(int64_t r, int64_t c, int64_t m, std::vector<float> u, int64_t ldu, std::vector<float> bias,
                     Activation act)
      : r_(r), c_(c), m_(m), u_(std::move(u)), ldu_(ldu), bias_(std::move(bias)), act_(act) {
    switch (cpu_isa()) {
      case Isa::kAvx512: input_ = wino_input_avx512, output_ = wino_output_avx512; break;
      case Isa::kAvx2: input_ = wino_input_avx2, output_ = wino_output_avx2; break;
      default: input_ = wino_input_scalar, output_ = wino_output_scalar; break;
    }
  }

  // The entry for input size n x h x w, created on first use (at prepare for a static shape).
  Expected<const Entry*> entry(const ir::Node& node, int64_t n, int64_t h, int64_t w) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& e : cache_) {
      if (e->p.n == n && e->p.h == h && e->p.w == w) return e.get();
    }
    KILN_ASSIGN_OR_RETURN(WindowGeometry g, forward_window(node, {h, w}, {3, 3}, false));
    auto e = std::make_unique<Entry>();
    WinoParams& p = e->p;
    p.r = r_, p.n = n, p.h = h, p.w = w, p.c = c_, p.m = m_;
    p.oh = g.out[0], p.ow = g.out[1], p.pt = g.pads_begin[0], p.pl = g.pads_begin[1];
    p.th = (p.oh + r_ - 1) / r_, p.tw = (p.ow + r_ - 1) / r_;
    p.cp = wino_pad_channels(c_), p.mp = wino_pad_channels(m_);
    p.bias = bias_.data();
    if (activation_in_registers(act_.kind)) p.act = act_;
    if (p.tiles() > 0) {
      e->chunk_tiles = chunk_tiles(p);
      KILN_ASSIGN_OR_RETURN(e->full, onednn::BatchedGemm::create(p.points(), e->chunk_tiles, p.cp, p.mp, ldu_));
      if (const int64_t rest = p.tiles() % e->chunk_tiles; rest > 0) {
        KILN_ASSIGN_OR_RETURN(e->last, onednn::BatchedGemm::create(p.points(), rest, p.cp, p.mp, ldu_));
      }
    }
    cache_.push_back(std::move(e));
    return cache_.back().get();
  }

  // Z: the output transform reads each Z element right before writing y at its index.
  int in_place_input() const override { return 3; }

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.rank() != 4 || x.dim(3) != c_) {
      return ctx.error("input X must be float32 [N, H, W, {}] (channels-last), got {}", c_, x.describe());
    }
    KILN_ASSIGN_OR_RETURN(const Entry* e, entry(ctx.node(), x.dim(0), x.dim(1), x.dim(2)));
    const WinoParams& p = e->p;
    const Shape out_shape = {x.dim(0), p.oh, p.ow, m_};
    KILN_ASSIGN_OR_RETURN(const float* z, sum_input(ctx, out_shape));
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, out_shape);
    g_runs.fetch_add(1, std::memory_order_relaxed);
    if (y.numel() == 0) return Status::ok();

    const int64_t chunk = e->chunk_tiles;
    auto* v = static_cast<float*>(ctx.scratch(static_cast<size_t>(p.points() * chunk * p.cp) * sizeof(float)));
    auto* mt = static_cast<float*>(ctx.scratch(static_cast<size_t>(p.points() * chunk * p.mp) * sizeof(float)));
    const bool post = !activation_in_registers(act_.kind);  // then p.act is kNone
    // A tile is ~points x (cp + mp) adds: batch enough of them per thread to pay for the fork.
    const int64_t grain = std::max<int64_t>(1, 65536 / (p.points() * (p.cp + p.mp)));
    const float* xd = x.data<float>();
    float* yd = y.data<float>();
    for (int64_t first = 0; first < p.tiles(); first += chunk) {
      const WinoChunk ch{first, std::min(chunk, p.tiles() - first)};
      parallel_for(ch.count, [&](int64_t b, int64_t end) { input_(p, ch, xd, v, b, end); }, grain);
      KILN_TRY((ch.count == chunk ? *e->full : *e->last).run(ctx, v, u_.data(), mt));
      parallel_for(ch.count, [&](int64_t b, int64_t end) { output_(p, ch, mt, z, yd, b, end); }, grain);
    }
    if (post) {
      parallel_for(y.numel(), [&](int64_t b, int64_t end) { apply_post_activation(act_, yd + b, end - b); }, 1 << 14);
    }
    return Status::ok();
  }

 private:
  int64_t r_, c_, m_;
  std::vector<float> u_;  // [points][cp][ldu]
  int64_t ldu_;
  std::vector<float> bias_;  // [mp]
  Activation act_;
  WinoInputFn input_ = nullptr;
  WinoOutputFn output_ = nullptr;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Entry>> cache_;
};

Expected<std::unique_ptr<OpKernel>> decline() { return std::unique_ptr<OpKernel>(); }

}  // namespace

int64_t winograd_conv_runs() { return g_runs.load(std::memory_order_relaxed); }

void wino_transform_weights(int64_t r, const float* w, int64_t m, int64_t c, int64_t cp, int64_t ldu, float* u) {
  // G (winograd.h) for each tile size, rows of 3.
  static constexpr double kG2[4][3] = {{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};
  static constexpr double kG4[6][3] = {{1. / 4, 0, 0},           {-1. / 6, -1. / 6, -1. / 6}, {-1. / 6, 1. / 6, -1. / 6},
                                       {1. / 24, 1. / 12, 1. / 6}, {1. / 24, -1. / 12, 1. / 6}, {0, 0, 1}};
  const int alpha = static_cast<int>(r) + 2;
  const double(*gm)[3] = r == 4 ? kG4 : kG2;
  std::fill(u, u + wino_points(r) * cp * ldu, 0.f);
  for (int64_t co = 0; co < m; ++co) {
    for (int64_t ci = 0; ci < c; ++ci) {
      const float* g = w + (co * c + ci) * 9;
      // G g: alpha x 3, then (G g) G^T: alpha x alpha, in double (prepare time only).
      double gg[6][3];
      for (int i = 0; i < alpha; ++i) {
        for (int k = 0; k < 3; ++k) gg[i][k] = gm[i][0] * g[k] + gm[i][1] * g[3 + k] + gm[i][2] * g[6 + k];
      }
      for (int i = 0; i < alpha; ++i) {
        for (int j = 0; j < alpha; ++j) {
          const double v = gg[i][0] * gm[j][0] + gg[i][1] * gm[j][1] + gg[i][2] * gm[j][2];
          u[((i * alpha + j) * cp + ci) * ldu + co] = static_cast<float>(v);
        }
      }
    }
  }
}

Expected<std::unique_ptr<OpKernel>> prepare_winograd_conv(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  auto ops = channels_last_conv_operands(pctx);
  if (!ops || node.attr_int("group", 1) != 1) return decline();
  const int64_t c = ops->c;
  const Tensor* w = ops->w;
  if (w->dim(1) != c || w->dim(2) != 3 || w->dim(3) != 3) return decline();
  const int64_t m = w->dim(0);
  if (c < kWinoMinChannels || m < kWinoMinChannels) return decline();
  const std::vector<int64_t> ones = {1, 1}, three = {3, 3};
  if (node.attr_ints("strides", ones) != ones || node.attr_ints("dilations", ones) != ones) return decline();
  if (node.attr_ints("kernel_shape", three) != three) return decline();
  if (!forward_window(node, {-1, -1}, {3, 3}, false)) return decline();  // bad pads: the reference reports them
  const Tensor* b = ops->b;
  const int64_t cp = wino_pad_channels(c), mp = wino_pad_channels(m), ldu = onednn::gemm_padded_ldb(mp);
  const ir::TypeInfo* xt = pctx.input_type(0);
  int64_t r = 2;  // a dynamic input size keeps F(2x2, 3x3): its weights are the smaller
  if (xt->fully_known()) {
    const Shape s = xt->concrete();
    KILN_ASSIGN_OR_RETURN(WindowGeometry g, forward_window(node, {s[1], s[2]}, {3, 3}, false));
    // Small images waste much of their tiles (a third of a 7x7 one at F(4x4, 3x3)); with brgconv
    // oneDNN's direct kernel wins there (ResNet-50 layer4's 3x3 @7, 2 threads: 1.33 against
    // 0.90 ms), while from 14x14 up the Winograd kernel stays ahead (0.45 against 0.63 ms).
    if (onednn::dense_conv_is_brgemm() && g.out[0] * g.out[1] <= kWinoMinPixelsOverBrgemm) return decline();
    r = winograd_tile(s[0], g.out[0], g.out[1], c, m);
  }
  if (const char* env = std::getenv("KILN_WINOGRAD_TILE")) {  // A/B runs and the tests force one
    if (std::string_view(env) == "2" || std::string_view(env) == "4") r = env[0] - '0';
  }
  std::vector<float> u(static_cast<size_t>(wino_points(r) * cp * ldu));
  wino_transform_weights(r, w->data<float>(), m, c, cp, ldu, u.data());
  std::vector<float> bias(static_cast<size_t>(mp), 0.f);
  if (b) std::copy(b->data<float>(), b->data<float>() + m, bias.begin());
  auto k = std::make_unique<WinogradConvKernel>(r, c, m, std::move(u), ldu, std::move(bias), ops->act);
  if (xt->fully_known()) {
    const Shape s = xt->concrete();
    KILN_TRY(k->entry(node, s[0], s[1], s[2]).status());
  }
  return std::unique_ptr<OpKernel>(std::move(k));
}

}  // namespace kiln::cpu
