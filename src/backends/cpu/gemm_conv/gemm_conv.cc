// Runs output pixels of all images in chunks (so the im2col buffer stays cache-sized): im2col
// rows (parallel), one GEMM on oneDNN writing the chunk's output rows in place (y is [pixels, M]
// channels-last), then bias, Z and the activation over those rows (parallel).
#include "backends/cpu/gemm_conv/gemm_conv.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "backends/cpu/channels_last_conv.h"
#include "backends/cpu/dnnl/batched_gemm.h"
#include "backends/cpu/dnnl/conv_kernels.h"
#include "backends/cpu/simd/post_activation.h"
#include "core/cpu_features.h"
#include "core/parallel.h"
#include "ops/nn/window_geometry.h"

namespace kiln::cpu {

namespace {

constexpr int64_t kChunkBytes = int64_t{4} << 20;

std::atomic<int64_t> g_runs{0};

struct Geometry {
  int64_t n, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
};

// Rows [r0, r1) of the im2col matrix (row = n*OH*OW + oy*OW + ox, column = (ky*kw + kx)*C + c).
void im2col(const Geometry& g, const float* x, float* col, int64_t first, int64_t r0, int64_t r1) {
  const int64_t k = g.kh * g.kw * g.c, per_image = g.oh * g.ow;
  const size_t row_bytes = static_cast<size_t>(g.c) * sizeof(float);
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t p = first + r, img = p / per_image, oy = p % per_image / g.ow, ox = p % g.ow;
    const float* xn = x + img * g.h * g.w * g.c;
    float* dst = col + r * k;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t iy = oy * g.sh - g.pt + ky * g.dh;
      for (int64_t kx = 0; kx < g.kw; ++kx, dst += g.c) {
        const int64_t ix = ox * g.sw - g.pl + kx * g.dw;
        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) std::memset(dst, 0, row_bytes);
        else std::memcpy(dst, xn + (iy * g.w + ix) * g.c, row_bytes);
      }
    }
  }
}

class GemmConvKernel final : public OpKernel {
 public:
  GemmConvKernel(const Geometry& g, int64_t m, std::vector<float> weights, int64_t ldb, std::vector<float> bias,
                 Activation act)
      : g_(g), m_(m), weights_(std::move(weights)), ldb_(ldb), bias_(std::move(bias)), act_(act) {
    switch (cpu_isa()) {
      case Isa::kAvx512: epilogue_ = gemm_conv_epilogue_avx512; break;
      case Isa::kAvx2: epilogue_ = gemm_conv_epilogue_avx2; break;
      default: epilogue_ = gemm_conv_epilogue_scalar; break;
    }
    if (activation_in_registers(act_.kind)) in_registers_ = act_;
    const int64_t k = g_.kh * g_.kw * g_.c, pixels = g_.n * g_.oh * g_.ow;
    chunk_ = std::clamp<int64_t>(kChunkBytes / (k * static_cast<int64_t>(sizeof(float))), 1, pixels);
  }

  Status create_gemms() {
    const int64_t k = g_.kh * g_.kw * g_.c, pixels = g_.n * g_.oh * g_.ow;
    KILN_ASSIGN_OR_RETURN(full_, onednn::BatchedGemm::create(1, chunk_, k, m_, ldb_));
    if (const int64_t rest = pixels % chunk_; rest > 0) {
      KILN_ASSIGN_OR_RETURN(last_, onednn::BatchedGemm::create(1, rest, k, m_, ldb_));
    }
    return Status::ok();
  }

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape want = {g_.n, g_.h, g_.w, g_.c};
    if (x.dtype() != DType::kFloat32 || x.shape() != want) {
      // Prepared for the static shape only (the planner sized everything for it).
      return ctx.error("input X must be float32 {} (channels-last), got {}", shape_str(want), x.describe());
    }
    const Shape out_shape = {g_.n, g_.oh, g_.ow, m_};
    KILN_ASSIGN_OR_RETURN(const float* z, sum_input(ctx, out_shape));
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, out_shape);
    g_runs.fetch_add(1, std::memory_order_relaxed);
    const int64_t pixels = g_.n * g_.oh * g_.ow, k = g_.kh * g_.kw * g_.c;
    if (pixels == 0) return Status::ok();
    auto* col = static_cast<float*>(ctx.scratch(static_cast<size_t>(chunk_ * k) * sizeof(float)));
    const float* xd = x.data<float>();
    float* yd = y.data<float>();
    const bool post = !activation_in_registers(act_.kind);
    for (int64_t first = 0; first < pixels; first += chunk_) {
      const int64_t rows = std::min(chunk_, pixels - first);
      parallel_for(rows, [&](int64_t b, int64_t e) { im2col(g_, xd, col, first, b, e); }, std::max<int64_t>(1, 8192 / k));
      float* yc = yd + first * m_;
      KILN_TRY((rows == chunk_ ? *full_ : *last_).run(ctx, col, weights_.data(), yc));
      const float* zc = z ? z + first * m_ : nullptr;
      parallel_for(
          rows,
          [&](int64_t b, int64_t e) {
            epilogue_(bias_.data(), in_registers_, zc ? zc + b * m_ : nullptr, yc + b * m_, m_, e - b);
            if (post) apply_post_activation(act_, yc + b * m_, (e - b) * m_);
          },
          std::max<int64_t>(1, 4096 / m_));
    }
    return Status::ok();
  }

 private:
  Geometry g_;
  int64_t m_;
  std::vector<float> weights_;  // [kh*kw*C][ldb], row (ky*kw + kx)*C + c
  int64_t ldb_;
  std::vector<float> bias_;  // [M padded to 16], zeros when the node has none
  Activation act_, in_registers_;
  GemmConvEpilogueFn epilogue_ = nullptr;
  int64_t chunk_ = 1;
  std::unique_ptr<onednn::BatchedGemm> full_, last_;
};

Expected<std::unique_ptr<OpKernel>> decline() { return std::unique_ptr<OpKernel>(); }

}  // namespace

int64_t gemm_conv_runs() { return g_runs.load(std::memory_order_relaxed); }

Expected<std::unique_ptr<OpKernel>> prepare_gemm_conv(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  // oneDNN's brgconv beats it at every shape it takes (ResNet-50 b1, 2 threads, AVX-512 Xeon:
  // layer3.0's 3x3/2 0.91 -> 0.68 ms, layer4.0's 0.99 -> 0.97, layer4.1's 3x3 @7 1.16 -> 0.90).
  if (onednn::dense_conv_is_brgemm()) return decline();
  auto ops = channels_last_conv_operands(pctx);
  const ir::TypeInfo* xt = pctx.input_type(0);
  if (!ops || node.attr_int("group", 1) != 1 || !xt->fully_known()) return decline();
  const Shape xs = xt->concrete();
  const Tensor* w = ops->w;
  if (w->dim(1) != xs[3]) return decline();
  const int64_t m = w->dim(0), c = xs[3], kh = w->dim(2), kw = w->dim(3);
  if (c < kGemmConvMinChannels || kh * kw < 2 || m < 1) return decline();
  auto wg = forward_window(node, {xs[1], xs[2]}, {kh, kw}, false);
  if (!wg || wg->out[0] < 1 || wg->out[1] < 1) return decline();
  const bool strided = wg->strides[0] > 1 || wg->strides[1] > 1;
  if (wg->out[0] * wg->out[1] > (strided ? kGemmConvMaxPixels : kGemmConvMaxPixelsStride1)) return decline();
  const Tensor* b = ops->b;
  const Geometry g{xs[0], xs[1], xs[2], c, wg->out[0], wg->out[1], kh, kw, wg->strides[0], wg->strides[1],
                   wg->dilations[0], wg->dilations[1], wg->pads_begin[0], wg->pads_begin[1]};
  // ONNX W[o][c][ky][kx] -> B[(ky*kw + kx)*C + c][o], rows ldb apart.
  const int64_t k = kh * kw * c, ldb = onednn::gemm_padded_ldb(m);
  std::vector<float> packed(static_cast<size_t>(k * ldb), 0.f);
  const float* wd = w->data<float>();
  for (int64_t o = 0; o < m; ++o)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t t = 0; t < kh * kw; ++t) packed[static_cast<size_t>((t * c + ci) * ldb + o)] = wd[(o * c + ci) * kh * kw + t];
  std::vector<float> bias(static_cast<size_t>((m + 15) / 16 * 16), 0.f);
  if (b) std::copy(b->data<float>(), b->data<float>() + m, bias.begin());
  auto kernel = std::make_unique<GemmConvKernel>(g, m, std::move(packed), ldb, std::move(bias), ops->act);
  if (!kernel->create_gemms().is_ok()) return decline();
  return std::unique_ptr<OpKernel>(std::move(kernel));
}

}  // namespace kiln::cpu
