// The depthwise kiln.FusedConv kernel (backends/cpu/depthwise/) against the reference backend, and
// each ISA variant of its row kernel against a naive loop.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "backends/cpu/depthwise/depthwise.h"
#include "backends/cpu/depthwise/depthwise_conv.h"
#include "core/cpu_features.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

struct DwCase {
  int64_t n = 1, c = 16, h = 7, w = 7, kh = 3, kw = 3;
  std::vector<int64_t> strides = {1, 1}, dilations = {1, 1}, pads = {1, 1, 1, 1};
  std::string auto_pad;  // empty: explicit pads
  bool bias = true, sum = false;
  std::string act;
  std::vector<float> act_params;
  std::vector<float> affine;  // activation_affine [scale, shift]
};

std::vector<int64_t> out_size(const DwCase& k) {
  std::vector<int64_t> out(2);
  const int64_t in[2] = {k.h, k.w}, kk[2] = {k.kh, k.kw};
  for (int i = 0; i < 2; ++i) {
    const int64_t dk = (kk[i] - 1) * k.dilations[i] + 1;
    if (!k.auto_pad.empty()) out[i] = (in[i] + k.strides[i] - 1) / k.strides[i];
    else out[i] = (in[i] + k.pads[i] + k.pads[i + 2] - dk) / k.strides[i] + 1;
  }
  return out;
}

// Depthwise convolutions run on oneDNN in production (depthwise_conv.h); here they exercise this kernel.
struct OwnKernelOn {
  OwnKernelOn() { cpu::set_own_depthwise_for_testing(true); }
  ~OwnKernelOn() { cpu::set_own_depthwise_for_testing(false); }
};

::testing::AssertionResult check(const DwCase& k, uint64_t seed = 1) {
  OwnKernelOn on;
  const int64_t before = cpu::depthwise_conv_runs();
  CpuCheck c("FusedConv", 1, 1, "kiln");
  c.input(random_tensor({k.n, k.h, k.w, k.c}, seed));
  c.constant(random_tensor({k.c, 1, k.kh, k.kw}, seed + 1));
  if (k.bias) c.constant(random_tensor({k.c}, seed + 2));
  else if (k.sum) c.omitted();
  if (k.sum) {
    auto o = out_size(k);
    c.input(random_tensor({k.n, o[0], o[1], k.c}, seed + 3));
  }
  c.attr_int("channels_last", 1);
  c.attr_int("group", k.c);
  c.attr_ints("kernel_shape", {k.kh, k.kw});
  c.attr_ints("strides", k.strides);
  c.attr_ints("dilations", k.dilations);
  if (k.auto_pad.empty()) c.attr_ints("pads", k.pads);
  else c.attr_string("auto_pad", k.auto_pad);
  if (!k.act.empty()) {
    c.attr_string("activation", k.act);
    if (!k.act_params.empty()) c.attr_floats("activation_params", k.act_params);
  }
  if (!k.affine.empty()) c.attr_floats("activation_affine", k.affine);
  auto r = c.check();
  if (r && cpu::depthwise_conv_runs() == before) return ::testing::AssertionFailure() << "the depthwise kernel did not run";
  return r;
}

TEST(CpuDepthwise, ChannelsAndSizes3x3) {
  for (int64_t ch : {1, 7, 16, 17, 33, 144}) {
    for (int64_t hw : {1, 2, 7, 13, 56}) {
      if (ch == 144 && hw == 56) continue;  // covered by the MobileNet shape test
      DwCase k;
      k.c = ch, k.h = hw, k.w = hw == 13 ? 7 : hw;
      for (int64_t s : {1, 2}) {
        k.strides = {s, s};
        EXPECT_TRUE(check(k));
      }
    }
  }
}

TEST(CpuDepthwise, Kernel5x5StridesAndPads) {
  for (int64_t s : {1, 2}) {
    for (int64_t ch : {7, 17, 33}) {
      DwCase k;
      k.c = ch, k.h = 13, k.w = 13, k.kh = 5, k.kw = 5, k.strides = {s, s}, k.pads = {2, 2, 2, 2};
      EXPECT_TRUE(check(k));
      k.pads = {0, 1, 2, 0};  // asymmetric
      EXPECT_TRUE(check(k));
    }
  }
}

TEST(CpuDepthwise, MixedStridesLikePPOcr) {
  DwCase k;
  k.c = 24, k.h = 12, k.w = 40, k.strides = {2, 1};
  EXPECT_TRUE(check(k));
  k.kh = k.kw = 5, k.pads = {2, 2, 2, 2}, k.c = 40;
  EXPECT_TRUE(check(k));
  k.strides = {1, 2};
  EXPECT_TRUE(check(k));
}

TEST(CpuDepthwise, GenericKernelShapesAndDilation) {
  DwCase k;
  k.c = 17, k.h = 13, k.w = 13;
  k.kh = 1, k.kw = 7, k.pads = {0, 3, 0, 3};
  EXPECT_TRUE(check(k));
  k.strides = {2, 2};
  EXPECT_TRUE(check(k));
  k.kh = 3, k.kw = 3, k.strides = {1, 1}, k.dilations = {2, 2}, k.pads = {2, 2, 2, 2};
  EXPECT_TRUE(check(k));
  k.pads = {0, 1, 2, 0};
  EXPECT_TRUE(check(k));
  k.kh = 2, k.kw = 4, k.pads = {0, 0, 1, 2}, k.dilations = {1, 1}, k.strides = {3, 3};
  EXPECT_TRUE(check(k));
  k.kh = 1, k.kw = 1, k.pads = {0, 0, 0, 0};
  EXPECT_TRUE(check(k));
}

TEST(CpuDepthwise, AutoPadSameUpper) {
  for (int64_t s : {1, 2}) {
    DwCase k;
    k.c = 33, k.h = 13, k.w = 7, k.auto_pad = "SAME_UPPER", k.strides = {s, s};
    EXPECT_TRUE(check(k));
    k.kh = k.kw = 5;
    EXPECT_TRUE(check(k));
    k.auto_pad = "SAME_LOWER";
    EXPECT_TRUE(check(k));
  }
}

TEST(CpuDepthwise, BiasSumAndActivations) {
  const std::vector<std::pair<std::string, std::vector<float>>> acts = {
      {"", {}},          {"Relu", {}},         {"LeakyRelu", {0.1f}}, {"Clip", {-0.5f, 0.75f}},
      {"HardSigmoid", {0.2f, 0.5f}}, {"HardSwish", {}}, {"Sigmoid", {}}, {"Tanh", {}},
      {"Silu", {}},      {"Gelu", {}},         {"GeluTanh", {}}};
  for (const auto& [name, params] : acts) {
    for (int variant = 0; variant < 3; ++variant) {
      DwCase k;
      k.c = 17, k.h = 9, k.w = 11, k.act = name, k.act_params = params;
      k.bias = variant != 1;
      k.sum = variant >= 1;
      EXPECT_TRUE(check(k, 10 + variant)) << name << " variant " << variant;
    }
  }
}

TEST(CpuDepthwise, BatchAndMobileNetShapes) {
  DwCase k;
  k.n = 2, k.c = 144, k.h = 56, k.w = 56;
  EXPECT_TRUE(check(k));
  k.n = 1, k.strides = {2, 2};
  EXPECT_TRUE(check(k));
  k.c = 960, k.h = 7, k.w = 7, k.strides = {1, 1}, k.act = "Clip", k.act_params = {0, 6};
  EXPECT_TRUE(check(k));
}

TEST(CpuDepthwise, EmptyBatchAndSinglePixel) {
  DwCase k;
  k.n = 0, k.c = 17;
  EXPECT_TRUE(check(k));
  k.n = 1, k.h = 1, k.w = 1, k.kh = k.kw = 5, k.pads = {2, 2, 2, 2}, k.sum = true;
  EXPECT_TRUE(check(k));
}

// In production every depthwise convolution goes to oneDNN (faster at every stride), which must
// still match the reference.
TEST(CpuDepthwise, LeavesEveryStrideToOneDnnByDefault) {
  for (int64_t s : {1, 2}) {
    DwCase k;
    k.c = 24, k.h = k.w = 12, k.strides = {s, s};
    CpuCheck c("FusedConv", 1, 1, "kiln");
    c.input(random_tensor({1, 12, 12, 24}, 1));
    c.constant(random_tensor({24, 1, 3, 3}, 2));
    c.attr_int("channels_last", 1);
    c.attr_int("group", 24);
    c.attr_ints("pads", {1, 1, 1, 1});
    c.attr_ints("strides", {s, s});
    const int64_t before = cpu::depthwise_conv_runs();
    EXPECT_TRUE(c.check());
    EXPECT_EQ(cpu::depthwise_conv_runs(), before) << "stride " << s;
  }
}

TEST(CpuDepthwise, DeclinesNonDepthwise) {
  // group 1 with several channels: not ours (and, until oneDNN takes it, the reference runs it).
  CpuCheck c("FusedConv", 1, 1, "kiln");
  c.input(random_tensor({1, 5, 5, 4}, 1));
  c.constant(random_tensor({4, 4, 3, 3}, 2));
  c.attr_int("channels_last", 1);
  c.require_cpu_kernel = false;
  EXPECT_TRUE(c.check());
  // Depthwise but channels-first: declined too.
  CpuCheck d("FusedConv", 1, 1, "kiln");
  d.input(random_tensor({1, 4, 5, 5}, 3));
  d.constant(random_tensor({4, 1, 3, 3}, 4));
  d.attr_int("group", 4);
  d.require_cpu_kernel = false;
  EXPECT_TRUE(d.check());
}

// ---- Each ISA variant of the row kernel against a naive loop ----

using RowsFn = void (*)(const cpu::DwParams&, const float*, const float*, float*, int64_t, int64_t);

void check_variant(RowsFn fn, const char* name) {
  struct Geo { int64_t c, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr; ActKind act; };
  const Geo geos[] = {{17, 13, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, ActKind::kRelu},
                      {33, 7, 20, 3, 3, 2, 2, 1, 1, 1, 0, 1, 0, ActKind::kHardSwish},
                      {7, 13, 13, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, ActKind::kNone},
                      {16, 12, 19, 5, 5, 2, 2, 1, 1, 0, 2, 2, 1, ActKind::kLeakyRelu},
                      {9, 11, 11, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, ActKind::kClip},
                      {20, 5, 17, 1, 7, 1, 3, 1, 1, 0, 0, 3, 3, ActKind::kHardSigmoid},
                      {3, 1, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, ActKind::kNone}};
  for (const Geo& g : geos) {
    cpu::DwParams p;
    p.n = 2, p.h = g.h, p.w = g.w, p.c = g.c, p.kh = g.kh, p.kw = g.kw, p.sh = g.sh, p.sw = g.sw;
    p.dh = g.dh, p.dw = g.dw, p.pt = g.pt, p.pl = g.pl;
    p.oh = (g.h + g.pt + g.pb - ((g.kh - 1) * g.dh + 1)) / g.sh + 1;
    p.ow = (g.w + g.pl + g.pr - ((g.kw - 1) * g.dw + 1)) / g.sw + 1;
    p.cp = (g.c + 15) / 16 * 16;
    p.act.kind = g.act;
    p.act.alpha = g.act == ActKind::kClip ? -0.5f : 0.2f;
    p.act.beta = 0.5f;
    cpu::dw_set_interior(p);
    Tensor x = random_tensor({p.n, p.h, p.w, p.c}, 5), z = random_tensor({p.n, p.oh, p.ow, p.c}, 6);
    Tensor wt = random_tensor({p.kh * p.kw * p.cp}, 7), bt = random_tensor({p.cp}, 8);
    p.weights = wt.data<float>();
    p.bias = bt.data<float>();
    std::vector<float> y(static_cast<size_t>(p.n * p.oh * p.ow * p.c), -1e30f);
    fn(p, x.data<float>(), z.data<float>(), y.data(), 0, p.n * p.oh);
    const float* xd = x.data<float>();
    for (int64_t n = 0; n < p.n; ++n)
      for (int64_t oh = 0; oh < p.oh; ++oh)
        for (int64_t ow = 0; ow < p.ow; ++ow)
          for (int64_t ch = 0; ch < p.c; ++ch) {
            double acc = p.bias[ch];
            for (int64_t ky = 0; ky < p.kh; ++ky)
              for (int64_t kx = 0; kx < p.kw; ++kx) {
                const int64_t ih = oh * p.sh - p.pt + ky * p.dh, iw = ow * p.sw - p.pl + kx * p.dw;
                if (ih < 0 || ih >= p.h || iw < 0 || iw >= p.w) continue;
                acc += double(xd[((n * p.h + ih) * p.w + iw) * p.c + ch]) * p.weights[(ky * p.kw + kx) * p.cp + ch];
              }
            const int64_t o = ((n * p.oh + oh) * p.ow + ow) * p.c + ch;
            const double want = p.act.apply(acc + z.data<float>()[o]);
            ASSERT_NEAR(y[static_cast<size_t>(o)], want, 1e-4 + 1e-4 * std::fabs(want))
                << name << " c=" << g.c << " h=" << g.h << " w=" << g.w << " k=" << g.kh << "x" << g.kw << " at " << o;
          }
  }
}

TEST(CpuDepthwise, ScalarVariant) { check_variant(cpu::depthwise_rows_scalar, "scalar"); }

TEST(CpuDepthwise, Avx2Variant) {
  if (cpu_isa() < Isa::kAvx2) GTEST_SKIP() << "no AVX2 (or KILN_ISA caps it)";
  check_variant(cpu::depthwise_rows_avx2, "avx2");
}

TEST(CpuDepthwise, Avx512Variant) {
  if (cpu_isa() < Isa::kAvx512) GTEST_SKIP() << "no AVX-512 (or KILN_ISA caps it)";
  check_variant(cpu::depthwise_rows_avx512, "avx512");
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

// activation_affine after an in-register activation, a post-store activation and none, with Z.
TEST(CpuDepthwise, ActivationAffine) {
  for (const char* act : {"HardSwish", "Sigmoid", ""}) {
    for (bool sum : {false, true}) {
      DwCase k;
      k.c = 19, k.h = 9, k.w = 11;
      k.act = act;
      k.sum = sum;
      k.affine = {0.7f, -0.3f};
      EXPECT_TRUE(check(k)) << act << " sum " << sum;
    }
  }
}

}  // namespace
}  // namespace kiln
