// kiln.PointwiseDepthwise on the CPU backend (backends/cpu/pointwise_depthwise/) against the
// reference kernel, which runs the expand and the depthwise kiln.FusedConv one after the other.
#include <gtest/gtest.h>

#include <cmath>

#include "backends/cpu/pointwise_depthwise/pointwise_depthwise.h"
#include "backends/cpu/pointwise_depthwise/pointwise_depthwise_conv.h"
#include "core/cpu_features.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

struct Case {
  Shape x;   // [N, H, W, K]
  int64_t c;  // expanded channels
  int64_t stride = 1;
  std::vector<int64_t> pads = {1, 1, 1, 1};
  std::string auto_pad;
  std::string pw_act, act;
  std::vector<float> pw_params, params;
  std::vector<float> affine;  // on the depthwise activation
};

CpuCheck make(const Case& c, int threads, uint64_t seed) {
  CpuCheck chk("PointwiseDepthwise", 1, 1, "kiln");
  chk.threads = threads;
  const int64_t k = c.x[3];
  chk.input(random_tensor(c.x, seed, DType::kFloat32, -2, 2));
  const float s = 1.f / std::sqrt(static_cast<float>(k));
  chk.constant(random_tensor({c.c, k, 1, 1}, seed + 1, DType::kFloat32, -s, s));
  chk.constant(random_tensor({c.c}, seed + 2));
  chk.constant(random_tensor({c.c, 1, 3, 3}, seed + 3, DType::kFloat32, -0.5f, 0.5f));
  chk.constant(random_tensor({c.c}, seed + 4));
  chk.attr_int("group", c.c);
  chk.attr_ints("kernel_shape", {3, 3});
  chk.attr_ints("strides", {c.stride, c.stride});
  if (c.auto_pad.empty()) chk.attr_ints("pads", c.pads);
  else chk.attr_string("auto_pad", c.auto_pad);
  if (!c.pw_act.empty()) chk.attr_string("pw_activation", c.pw_act);
  if (!c.pw_params.empty()) chk.attr_floats("pw_activation_params", c.pw_params);
  if (!c.act.empty()) chk.attr_string("activation", c.act);
  if (!c.params.empty()) chk.attr_floats("activation_params", c.params);
  if (!c.affine.empty()) chk.attr_floats("activation_affine", c.affine);
  return chk;
}

TEST(CpuPointwiseDepthwise, MatchesTheTwoConvolutions) {
  const std::vector<Case> cases = {
      {{1, 14, 14, 16}, 96, 2, {1, 1, 1, 1}, "", "Clip", "Clip", {0, 6}, {0, 6}, {}},  // MobileNetV2 features.2, small
      {{1, 12, 12, 24}, 144, 1, {1, 1, 1, 1}, "", "Clip", "Clip", {0, 6}, {0, 6}, {}},  // features.3
      {{1, 13, 9, 24}, 48, 2, {1, 1, 1, 1}, "", "Relu", "Relu", {}, {}, {}},            // odd sizes: right / bottom edges
      {{1, 7, 11, 5}, 8, 1, {1, 1, 1, 1}, "", "", "", {}, {}, {}},                       // K = 5 (run-time K), no activations
      {{1, 9, 10, 32}, 40, 1, {0, 0, 0, 0}, "", "LeakyRelu", "HardSwish", {0.1f}, {}, {}},  // no pads; general epilogues
      {{1, 10, 10, 16}, 16, 2, {}, "SAME_UPPER", "Clip", "Clip", {-1, 1}, {0, 6}, {}},  // pads 0 before, 1 after
      {{1, 8, 8, 8}, 24, 1, {1, 0, 0, 1}, "", "Relu", "Clip", {}, {0, 6}, {0.5f, 0.25f}},  // asymmetric pads, affine
      {{1, 1, 1, 16}, 8, 1, {1, 1, 1, 1}, "", "Relu", "Relu", {}, {}, {}},               // one pixel: all padding around
      {{1, 2, 3, 16}, 8, 2, {1, 1, 1, 1}, "", "Relu", "Relu", {}, {}, {}},
      {{3, 11, 6, 24}, 32, 2, {1, 1, 1, 1}, "", "Clip", "Relu", {0, 6}, {}, {}},         // three images
      {{2, 17, 5, 64}, 72, 1, {1, 1, 1, 1}, "", "Clip", "Clip", {0, 6}, {0, 6}, {}},     // K = 64, 9 vectors (3 + 3 + 3)
      {{1, 6, 7, 40}, 56, 2, {1, 1, 1, 1}, "", "HardSigmoid", "", {0.2f, 0.5f}, {}, {}},  // 7 vectors: 3 + 3 + 1
  };
  int64_t runs = cpu::pointwise_depthwise_runs();
  uint64_t seed = 10;
  for (const Case& c : cases) {
    for (int threads : {1, 2, 3}) {
      CpuCheck chk = make(c, threads, seed);
      EXPECT_TRUE(chk.check()) << "threads " << threads;
    }
    seed += 10;
  }
  EXPECT_GT(cpu::pointwise_depthwise_runs(), runs) << "the cases ran on another kernel";
}

// Configurations the kernel does not take run on the reference kernel, with the same results.
TEST(CpuPointwiseDepthwise, OtherConfigurationsFallBack) {
  Case odd_c{{1, 8, 8, 16}, 12, 1, {1, 1, 1, 1}, "", "Relu", "Relu", {}, {}, {}};  // C not a multiple of 8
  CpuCheck chk = make(odd_c, 2, 3);
  chk.require_cpu_kernel = false;
  EXPECT_TRUE(chk.check());
  Case sigmoid{{1, 8, 8, 16}, 16, 1, {1, 1, 1, 1}, "", "Sigmoid", "Relu", {}, {}, {}};  // no in-register form
  CpuCheck s = make(sigmoid, 2, 4);
  s.require_cpu_kernel = false;
  EXPECT_TRUE(s.check());
}

TEST(CpuPointwiseDepthwise, BadInputIsReported) {
  Case c{{1, 8, 8, 16}, 16, 1, {1, 1, 1, 1}, "", "Relu", "Relu", {}, {}, {}};
  CpuCheck chk = make(c, 1, 5);
  chk.inputs[0].first = random_tensor({1, 8, 8, 15}, 1);  // K does not match Wp
  auto r = chk.run(Backend::kCpu);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("PointwiseDepthwise"), std::string::npos) << r.status().message();
}

using RowsFn = void (*)(const cpu::PwDwParams&, const float*, float*, int64_t, int64_t, float*);

// A vector instantiation against the portable one (CPUs without AVX2), on the same rows: w = 21
// takes AVX-512's 8-pixel expand tiles, then a 4-pixel one, then single pixels.
void check_rows_against_scalar(RowsFn rows, int64_t c, const char* name) {
  const int64_t h = 9, w = 21, k = 24;
  Tensor x = random_tensor({h, w, k}, 1), wp = random_tensor({k, c}, 2, DType::kFloat32, -0.2f, 0.2f),
         bp = random_tensor({c}, 3), wd = random_tensor({9, c}, 4), bd = random_tensor({c}, 5);
  for (int64_t stride : {1, 2}) {
    cpu::PwDwParams p;
    p.h = h, p.w = w, p.k = k, p.c = c, p.stride = stride, p.pt = 1, p.pl = 1;
    p.oh = (h + 2 - 3) / stride + 1, p.ow = (w + 2 - 3) / stride + 1;
    p.w_pw = wp.data<float>(), p.b_pw = bp.data<float>(), p.w_dw = wd.data<float>(), p.b_dw = bd.data<float>();
    p.act_pw.kind = ActKind::kClip, p.act_pw.alpha = 0, p.act_pw.beta = 6;
    p.act_dw.kind = ActKind::kRelu;
    std::vector<float> ring(static_cast<size_t>(cpu::pwdw_ring_floats(p))), a(static_cast<size_t>(p.oh * p.ow * c)),
        b(a.size());
    // Two ranges per call pattern: the second starts mid-image with an empty ring.
    rows(p, x.data<float>(), a.data(), 0, 2, ring.data());
    rows(p, x.data<float>(), a.data(), 2, p.oh, ring.data());
    cpu::pwdw_rows_scalar(p, x.data<float>(), b.data(), 0, p.oh, ring.data());
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_NEAR(a[i], b[i], 1e-4f * (1 + std::fabs(b[i]))) << name << " stride " << stride << " at " << i;
    }
  }
}

TEST(CpuPointwiseDepthwise, ScalarRowsMatchAvx2) {
  if (cpu_isa() < Isa::kAvx2) GTEST_SKIP() << "no AVX2 (or KILN_ISA caps it)";
  check_rows_against_scalar(cpu::pwdw_rows_avx2, 40, "avx2");
}

TEST(CpuPointwiseDepthwise, ScalarRowsMatchAvx512) {
  if (cpu_isa() < Isa::kAvx512) GTEST_SKIP() << "no AVX-512 (or KILN_ISA caps it)";
  check_rows_against_scalar(cpu::pwdw_rows_avx512, 80, "avx512");  // one 3-vector tile, two 1-vector
}

}  // namespace
}  // namespace kiln
