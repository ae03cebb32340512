// kiln.Aipp on the CPU backend. prepare() parses and resolves the parameters once (static AIPP:
// one plan for every image); run() splits the output rows of the whole batch across threads and
// picks the ISA row kernel. Dynamic AIPP decodes and validates the parameter block of each batch
// element at run time (a bad block is an error naming the field, never a crash).
#include <algorithm>

#include <algorithm>

#include "backends/cpu/aipp/aipp.h"
#include "core/cpu_features.h"
#include "core/parallel.h"

namespace kiln::cpu {

AippPlan make_aipp_plan(const aipp::Params& p, int64_t c, int64_t h, int64_t w, bool channels_last) {
  AippPlan plan;
  plan.format = p.input_format;
  plan.csc = p.csc_switch;
  plan.yuv_csc = p.input_format == aipp::InputFormat::kYuv420spU8;
  plan.rbuv_swap = p.rbuv_swap_switch;
  plan.ax_swap = p.ax_swap_switch;
  plan.src_w = p.src_image_size_w, plan.src_h = p.src_image_size_h;
  const aipp::CropWindow crop = aipp::crop_window(p);
  plan.crop_x = crop.x, plan.crop_y = crop.y, plan.crop_w = crop.w, plan.crop_h = crop.h;
  plan.resize = p.resize;
  plan.resize_w = p.resize ? p.resize_output_w : crop.w;
  plan.resize_h = p.resize ? p.resize_output_h : crop.h;
  plan.left = p.left_padding_size, plan.top = p.top_padding_size;
  plan.pad_value = p.padding_value;
  plan.c = c, plan.h = h, plan.w = w;
  plan.channels_last = channels_last;
  for (int k = 0; k < 9; ++k) plan.matrix[k] = p.matrix[k];
  for (int k = 0; k < 3; ++k) plan.bias[k] = plan.yuv_csc ? p.input_bias[k] : p.output_bias[k];
  for (int i = 0; i < 4; ++i) {
    // (x - mean - min) * var_reci  ==  x * var_reci + (-(mean + min) * var_reci)
    plan.scale[i] = p.var_reci_chn[i];
    plan.offset[i] = -(static_cast<float>(p.mean_chn[i]) + p.min_chn[i]) * p.var_reci_chn[i];
  }
  return plan;
}

namespace {

using RowsFn = void (*)(const AippPlan&, const uint8_t*, float*, int64_t, int64_t);

class AippKernel final : public OpKernel {
 public:
  AippKernel(aipp::Params params, int64_t c, int64_t h, int64_t w, bool channels_last, bool dynamic)
      : params_(std::move(params)), c_(c), h_(h), w_(w), channels_last_(channels_last), dynamic_(dynamic) {
    plan_ = make_aipp_plan(params_, c, h, w, channels_last);
    image_bytes_ = params_.image_bytes(params_.src_image_size_w, params_.src_image_size_h);
    const bool avx2 = cpu_isa() >= Isa::kAvx2;
    rows_ = avx2 ? aipp_rows_avx2 : aipp_rows_scalar;
    crop_rows_ = avx2 ? aipp_crop_rows_avx2 : aipp_crop_rows_scalar;
  }

  Status run(KernelContext& ctx) const override {
    const Tensor& image = ctx.input(0);
    if (image.dtype() != DType::kUInt8) return ctx.error("the raw image must be uint8, got {}", image.describe());
    return dynamic_ ? run_dynamic(ctx, image) : run_static(ctx, image);
  }

 private:
  Shape out_shape(int64_t n) const { return channels_last_ ? Shape{n, h_, w_, c_} : Shape{n, c_, h_, w_}; }

  Status run_static(KernelContext& ctx, const Tensor& image) const {
    if (!aipp::follows_image_size(params_)) return run_static_with(ctx, image, params_, plan_, image_bytes_);
    // --dynamic_image_size: this run's gear decides the source (= output) size.
    aipp::Params p = params_;
    KILN_TRY(aipp::resolve_size_from_image(p, image.shape(), ctx.node().label()));
    KILN_TRY(aipp::validate_against_input(p, {1, c_, p.src_image_size_h, p.src_image_size_w}, ctx.node().label()));
    return run_static_with(ctx, image, p, make_aipp_plan(p, c_, p.src_image_size_h, p.src_image_size_w, channels_last_),
                           p.image_bytes(p.src_image_size_w, p.src_image_size_h));
  }

  Status run_static_with(KernelContext& ctx, const Tensor& image, const aipp::Params& p, const AippPlan& plan,
                         int64_t image_bytes) const {
    const std::vector<int64_t> want = aipp::raw_image_dims(p, image.rank() > 0 ? image.dim(0) : 0);
    if (image.shape() != Shape(want.begin(), want.end())) {
      return ctx.error("the raw image must be uint8[{}] ({} {}x{}), got {}", shape_str(want),
                       aipp::input_format_name(p.input_format), p.src_image_size_w, p.src_image_size_h, image.describe());
    }
    const int64_t n = image.dim(0), h = plan.h;
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32,
                                           channels_last_ ? Shape{n, plan.h, plan.w, c_} : Shape{n, c_, plan.h, plan.w});
    const uint8_t* src = image.data<uint8_t>();
    float* dst = y.data<float>();
    const int64_t image_elems = c_ * plan.h * plan.w;
    if (plan.resize) {
      for (int64_t b = 0; b < n; ++b) resize_image(ctx, plan, src + b * image_bytes, dst + b * image_elems);
      return Status::ok();
    }
    // One task per output row of the batch; a task never spans two images.
    parallel_for(n * h, [&](int64_t begin, int64_t end) {
      while (begin < end) {
        const int64_t b = begin / h, row = begin % h;
        const int64_t stop = std::min(end, (b + 1) * h);
        rows_(plan, src + b * image_bytes, dst + b * image_elems, row, row + (stop - begin));
        begin = stop;
      }
    }, rows_grain(plan.w));
    return Status::ok();
  }

  // §5.4 for one image: crop + CSC into uint8 planes (ISA row kernel), then bilinear + normalise +
  // pad. Planes and taps live in the context's scratch (no allocation once a shape has run).
  void resize_image(KernelContext& ctx, const AippPlan& plan, const uint8_t* src, float* dst) const {
    const size_t plane_bytes = static_cast<size_t>(plan.c * plan.crop_w * plan.crop_h);
    const size_t taps = static_cast<size_t>(plan.resize_w);
    const size_t planes_padded = (plane_bytes + 63) / 64 * 64;
    auto* base = static_cast<uint8_t*>(ctx.scratch(planes_padded + taps * (2 * sizeof(int32_t) + sizeof(float))));
    uint8_t* planes = base;
    auto* x0 = reinterpret_cast<int32_t*>(base + planes_padded);
    int32_t* x1 = x0 + taps;
    auto* wx = reinterpret_cast<float*>(x1 + taps);
    aipp_resize_taps(plan.crop_w, plan.resize_w, x0, x1, wx);
    parallel_for(plan.crop_h, [&](int64_t begin, int64_t end) { crop_rows_(plan, src, planes, begin, end); },
                 rows_grain(plan.crop_w));
    parallel_for(plan.h, [&](int64_t begin, int64_t end) { aipp_resize_rows(plan, planes, x0, x1, wx, dst, begin, end); },
                 rows_grain(plan.w));
  }

  // Rows per thread worth a fork/join: ~32K output pixels (tens of microseconds). A 224x224 image
  // is one thread's work; a 1080p frame splits across the cores.
  static int64_t rows_grain(int64_t width) { return std::max<int64_t>(1, (32768 + width - 1) / std::max<int64_t>(1, width)); }

  Status run_dynamic(KernelContext& ctx, const Tensor& image) const {
    if (!ctx.has_input(1)) return ctx.error("dynamic AIPP needs the parameter block input");
    const Tensor& block = ctx.input(1);
    if (block.dtype() != DType::kUInt8 || block.rank() != 1 || block.dim(0) < 160 || (block.dim(0) - 64) % 96 != 0) {
      return ctx.error("the dynamic AIPP parameter block must be uint8 [64 + 96*N], got {}", block.describe());
    }
    const int64_t n = (block.dim(0) - 64) / 96;
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, out_shape(n));
    int64_t offset = 0;
    for (int64_t b = 0; b < n; ++b) {
      auto decoded = aipp::decode_dynamic_block(block.data<uint8_t>(), block.nbytes(), b);
      if (!decoded) return ctx.error("{}", decoded.status().message());
      aipp::Params p = std::move(decoded).value();
      KILN_TRY(aipp::validate_against_input(p, {n, c_, h_, w_}, ctx.node().label()).with_context("dynamic AIPP"));
      const int64_t bytes = p.image_bytes(p.src_image_size_w, p.src_image_size_h);
      if (offset + bytes > image.numel()) {
        return ctx.error("dynamic AIPP: batch element {} ({} {}x{}) needs bytes [{}, {}) of the raw input, which has {}", b,
                         aipp::input_format_name(p.input_format), p.src_image_size_w, p.src_image_size_h, offset,
                         offset + bytes, image.numel());
      }
      const AippPlan plan = make_aipp_plan(p, c_, h_, w_, channels_last_);
      const uint8_t* src = image.data<uint8_t>() + offset;
      float* dst = y.data<float>() + b * c_ * h_ * w_;
      if (plan.resize) {
        resize_image(ctx, plan, src, dst);
      } else {
        parallel_for(h_, [&](int64_t begin, int64_t end) { rows_(plan, src, dst, begin, end); }, rows_grain(w_));
      }
      offset += bytes;
    }
    return Status::ok();
  }

  aipp::Params params_;
  int64_t c_, h_, w_;
  bool channels_last_, dynamic_;
  AippPlan plan_;
  int64_t image_bytes_ = 0;
  RowsFn rows_ = nullptr;
  void (*crop_rows_)(const AippPlan&, const uint8_t*, uint8_t*, int64_t, int64_t) = nullptr;
};

}  // namespace

Expected<std::unique_ptr<OpKernel>> prepare_aipp(const PrepareContext& ctx) {
  const ir::Node& node = ctx.node;
  KILN_ASSIGN_OR_RETURN(aipp::Params params, aipp::from_json(node.attr_string("params", ""), node.label()));
  const std::vector<int64_t> chw = node.attr_ints("output_chw");
  const bool dynamic = node.has_input(1);
  const bool follows_image = !dynamic && aipp::follows_image_size(params);
  const bool sizes_ok = follows_image ? chw.size() == 3 && chw[1] == -1 && chw[2] == -1
                                      : chw.size() == 3 && chw[1] > 0 && chw[2] > 0;
  if (!sizes_ok || chw[0] < 1 || chw[0] > 4) {
    return invalid_model("{}: attribute output_chw must be [C, H, W]{}, got {}", node.label(),
                         follows_image ? " with H = W = -1 (source size 0)" : "", shape_str(chw));
  }
  if (!dynamic && !follows_image) {
    // The converter validated this; a hand-made node gets the same checks before run() trusts it.
    // (validation also normalises: switched-off crop/padding fields read as 0).
    KILN_TRY(aipp::validate_against_input(params, {1, chw[0], chw[1], chw[2]}, node.label()));
  }
  return std::unique_ptr<OpKernel>(std::make_unique<AippKernel>(std::move(params), chw[0], chw[1], chw[2],
                                                                node.attr_int("channels_last", 0) != 0, dynamic));
}

}  // namespace kiln::cpu
