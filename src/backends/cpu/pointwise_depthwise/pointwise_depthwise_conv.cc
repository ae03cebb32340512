// kiln.PointwiseDepthwise on the CPU (pointwise_depthwise.h): prepare checks the configuration and
// repacks the weights ([k][c] for the expand, [9][c] for the depthwise); run splits the output rows
// of all images into one contiguous range per thread, each with its own ring of expanded rows, so a
// thread reads only rows it expanded itself (a range's first rows are expanded twice, once by
// each neighbour: 1-2 rows of 56 in MobileNetV2 features.2 on 2 threads).
#include <atomic>
#include <vector>

#include "backends/cpu/pointwise_depthwise/pointwise_depthwise.h"
#include "backends/cpu/pointwise_depthwise/pointwise_depthwise_conv.h"
#include "core/cpu_features.h"
#include "core/parallel.h"
#include "ops/nn/window_geometry.h"

namespace kiln::cpu {

namespace {

std::atomic<int64_t> g_runs{0};

using RowsFn = void (*)(const PwDwParams&, const float*, const float*, float*, int64_t, int64_t, float*);

// The calling thread's ring, kept by the thread (OpenMP's team threads live as long as the
// process) and shared by all PointwiseDepthwise nodes, so its lines stay in that core's cache.
// Not the run's scratch: other nodes' oneDNN scratchpads use that memory too, and on 2 threads a
// ring line last written there by the other core has to be fetched from that core's cache first
// (on this VM about as slow as DRAM). Profiles of features.2 on 2 threads read 0.57-0.76 ms in the
// network with the scratch ring and 0.45-0.46 with this one, but also 0.60-0.72 in another run
// with this one: the machine's noise did not resolve it, so it rests on the reasoning above.
float* thread_ring(int64_t floats) {
  thread_local std::vector<float> ring;
  if (static_cast<int64_t>(ring.size()) < floats) ring.resize(static_cast<size_t>(floats));  // first use only
  return ring.data();
}

struct Geometry {
  int64_t h = -1, w = -1, oh = 0, ow = 0, pt = 0, pl = 0;
};

// The optional project convolution's packed operands (m == 0: none).
struct Project {
  int64_t m = 0, ldq = 0;
  std::vector<float> w, b;  // [c][ldq], [ldq]
  Activation act;
};

class PointwiseDepthwiseKernel final : public OpKernel {
 public:
  PointwiseDepthwiseKernel(int64_t k, int64_t c, int64_t stride, std::vector<float> w_pw, std::vector<float> b_pw,
                           std::vector<float> w_dw, std::vector<float> b_dw, Activation act_pw, Activation act_dw,
                           Project project, Geometry fixed, RowsFn rows)
      : k_(k), c_(c), stride_(stride), w_pw_(std::move(w_pw)), b_pw_(std::move(b_pw)), w_dw_(std::move(w_dw)),
        b_dw_(std::move(b_dw)), act_pw_(act_pw), act_dw_(act_dw), project_(std::move(project)), fixed_(fixed),
        rows_(rows) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.rank() != 4 || x.dim(3) != k_) {
      return ctx.error("input X must be float32 [N, H, W, {}] (channels-last), got {}", k_, x.describe());
    }
    Geometry g = fixed_;
    if (x.dim(1) != g.h || x.dim(2) != g.w) {
      KILN_ASSIGN_OR_RETURN(g, geometry(ctx.node(), x.dim(1), x.dim(2)));
    }
    const int64_t out_c = project_.m > 0 ? project_.m : c_;
    const Shape out_shape = {x.dim(0), g.oh, g.ow, out_c};
    const float* z = nullptr;
    if (ctx.has_input(7)) {
      const Tensor& zt = ctx.input(7);
      if (zt.dtype() != DType::kFloat32 || zt.shape() != out_shape) {
        return ctx.error("sum input Z must be float32 {} (channels-last), got {}", shape_str(out_shape), zt.describe());
      }
      z = zt.data<float>();
    }
    Tensor& y = ctx.allocate_output_uninit(0, DType::kFloat32, out_shape);
    g_runs.fetch_add(1, std::memory_order_relaxed);
    if (y.numel() == 0) return Status::ok();

    PwDwParams p;
    p.h = g.h, p.w = g.w, p.k = k_, p.c = c_, p.oh = g.oh, p.ow = g.ow, p.stride = stride_, p.pt = g.pt, p.pl = g.pl;
    p.w_pw = w_pw_.empty() ? nullptr : w_pw_.data(), p.b_pw = b_pw_.data(), p.w_dw = w_dw_.data(), p.b_dw = b_dw_.data();
    p.act_pw = act_pw_, p.act_dw = act_dw_;
    p.m = project_.m, p.ldq = project_.ldq, p.act_pj = project_.act;
    p.w_pj = project_.w.data(), p.b_pj = project_.b.data();

    const float* xd = x.data<float>();
    float* yd = y.data<float>();
    const int64_t n = x.dim(0), total = n * g.oh;
    // A thread's range should be worth a fork: ~0.3 MFLOP at least (rows of late, small layers).
    const int64_t expand_flops = w_pw_.empty() ? 0 : stride_ * g.w * k_;
    const int64_t row_flops = std::max<int64_t>(1, 2 * c_ * (expand_flops + 9 * g.ow + g.ow * project_.m));
    const int64_t ring_floats = pwdw_ring_floats(p);
    const int64_t grain = std::max<int64_t>(1, 300000 / row_flops);
    const RowsFn rows = rows_;
    parallel_for(
        total,
        [&](int64_t b, int64_t e) {
          float* own = thread_ring(ring_floats);
          for (int64_t img = b / g.oh; img * g.oh < e; ++img) {
            const int64_t r0 = std::max(b, img * g.oh) - img * g.oh, r1 = std::min(e, (img + 1) * g.oh) - img * g.oh;
            const int64_t out_img = img * g.oh * g.ow * out_c;
            rows(p, xd + img * g.h * g.w * k_, z ? z + out_img : nullptr, yd + out_img, r0, r1, own);
          }
        },
        grain);
    return Status::ok();
  }

  static Expected<Geometry> geometry(const ir::Node& node, int64_t h, int64_t w) {
    KILN_ASSIGN_OR_RETURN(WindowGeometry wg, forward_window(node, {h, w}, {3, 3}, false));
    Geometry g;
    g.h = h, g.w = w, g.oh = wg.out[0], g.ow = wg.out[1], g.pt = wg.pads_begin[0], g.pl = wg.pads_begin[1];
    return g;
  }

 private:
  int64_t k_, c_, stride_;
  std::vector<float> w_pw_, b_pw_, w_dw_, b_dw_;
  Activation act_pw_, act_dw_;
  Project project_;
  Geometry fixed_;  // for the static input size (h = -1 when it is not known at prepare)
  RowsFn rows_;
};

Expected<std::unique_ptr<OpKernel>> decline() { return std::unique_ptr<OpKernel>(); }

// A 1x1 convolution's ONNX weights [out][in] as the row tiles read them: [in][ld], zero-padded.
std::vector<float> transpose_1x1(const Tensor& w, int64_t ld) {
  const int64_t out = w.dim(0), in = w.dim(1);
  std::vector<float> t(static_cast<size_t>(in * ld), 0.f);
  const float* wd = w.data<float>();
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i) t[static_cast<size_t>(i * ld + o)] = wd[o * in + i];
  return t;
}

const Tensor* constant_f32(const PrepareContext& pctx, size_t i, std::initializer_list<int64_t> shape) {
  const Tensor* t = pctx.constant(i);
  if (!t || t->dtype() != DType::kFloat32 || t->shape() != Shape(shape)) return nullptr;
  return t;
}

}  // namespace

int64_t pointwise_depthwise_runs() { return g_runs.load(std::memory_order_relaxed); }

Expected<std::unique_ptr<OpKernel>> prepare_pointwise_depthwise(const PrepareContext& pctx) {
  const ir::Node& node = pctx.node;
  const ir::TypeInfo* xt = pctx.input_type(0);
  if (!xt || !xt->is_tensor() || xt->elem != DType::kFloat32 || xt->rank() != 4 || !(*xt->dims)[3].known()) {
    return decline();
  }
  const int64_t k = (*xt->dims)[3].value;
  const bool has_expand = node.has_input(1) || node.has_input(2);
  const Tensor* wp = pctx.constant(1);
  if (k < 1 || (has_expand && (!wp || wp->rank() != 4))) return decline();
  const int64_t c = has_expand ? wp->dim(0) : k;
  if (c < 8 || c % 8 != 0) return decline();
  const Tensor* bp = has_expand ? constant_f32(pctx, 2, {c}) : nullptr;
  const Tensor* wd = constant_f32(pctx, 3, {c, 1, 3, 3});
  const Tensor* bd = constant_f32(pctx, 4, {c});
  if ((has_expand && (!constant_f32(pctx, 1, {c, k, 1, 1}) || !bp)) || !wd || !bd) return decline();
  if (node.attr_int("group", 1) != c || node.attr_ints("dilations", {1, 1}) != std::vector<int64_t>{1, 1}) return decline();
  auto ks = node.attr_ints("kernel_shape", {3, 3});
  auto strides = node.attr_ints("strides", {1, 1});
  if (ks != std::vector<int64_t>{3, 3} || strides.size() != 2 || strides[0] != strides[1] ||
      (strides[0] != 1 && strides[0] != 2)) {
    return decline();
  }
  auto act_pw = Activation::from_node(node, "pw_");
  auto act_dw = Activation::from_node(node);
  if (!act_pw || !act_dw || !activation_in_registers(act_pw->kind) || !activation_in_registers(act_dw->kind)) {
    return decline();
  }
  Project project;
  if (pctx.node.has_input(5)) {
    const Tensor* wq = pctx.constant(5);
    if (!wq || wq->rank() != 4) return decline();
    const int64_t m = wq->dim(0);
    const Tensor* bq = constant_f32(pctx, 6, {m});
    auto act_pj = Activation::from_node(node, "pj_");
    if (m < 1 || !constant_f32(pctx, 5, {m, c, 1, 1}) || !bq || !act_pj || !activation_in_registers(act_pj->kind)) {
      return decline();
    }
    project.m = m, project.act = *act_pj;
    project.ldq = (m + kPwDwProjectPad - 1) / kPwDwProjectPad * kPwDwProjectPad;
    project.w = transpose_1x1(*wq, project.ldq);
    project.b.assign(static_cast<size_t>(project.ldq), 0.f);
    std::copy(bq->data<float>(), bq->data<float>() + m, project.b.begin());
  }
  RowsFn rows = nullptr;
  switch (cpu_isa()) {
    case Isa::kAvx512: rows = c % 16 == 0 ? pwdw_rows_avx512 : pwdw_rows_avx2; break;
    case Isa::kAvx2: rows = pwdw_rows_avx2; break;
    default: rows = pwdw_rows_scalar; break;
  }
  Geometry fixed;
  if ((*xt->dims)[1].known() && (*xt->dims)[2].known()) {
    auto g = PointwiseDepthwiseKernel::geometry(node, (*xt->dims)[1].value, (*xt->dims)[2].value);
    if (!g) return decline();  // the reference kernel reports the bad geometry
    fixed = *g;
  } else if (!forward_window(node, {-1, -1}, {3, 3}, false)) {
    return decline();
  }
  // Without an expand, w_pw stays empty (the kernel reads X's rows in place).
  std::vector<float> w_pw = has_expand ? transpose_1x1(*wp, c) : std::vector<float>(), w_dw(static_cast<size_t>(9 * c));
  const float* wdd = wd->data<float>();
  for (int64_t m = 0; m < c; ++m) {
    for (int64_t t = 0; t < 9; ++t) w_dw[static_cast<size_t>(t * c + m)] = wdd[m * 9 + t];
  }
  std::vector<float> b_pw = has_expand ? std::vector<float>(bp->data<float>(), bp->data<float>() + c) : std::vector<float>();
  std::vector<float> b_dw(bd->data<float>(), bd->data<float>() + c);
  return std::unique_ptr<OpKernel>(std::make_unique<PointwiseDepthwiseKernel>(
      k, c, strides[0], std::move(w_pw), std::move(b_pw), std::move(w_dw), std::move(b_dw), *act_pw, *act_dw, std::move(project), fixed,
      rows));
}

}  // namespace kiln::cpu
