// kiln.PointwiseDepthwise on the CPU backend (backends/cpu/pointwise_depthwise/) against the
// reference kernel, which runs the expand and the depthwise kiln.FusedConv one after the other.
#include <gtest/gtest.h>

#include <cmath>

// The case tables name only the leading fields of Case; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

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
  int64_t m = 0;              // > 0: with a project to m channels (explicit pads only)
  bool z = false;             // the project's sum input
  std::string pj_act;
  std::vector<float> pj_params;
  bool no_expand = false;     // Wp / Bp omitted: the depthwise reads X (c must equal K)
};

CpuCheck make(const Case& c, int threads, uint64_t seed) {
  CpuCheck chk("PointwiseDepthwise", 1, 1, "kiln");
  chk.threads = threads;
  const int64_t k = c.x[3];
  chk.input(random_tensor(c.x, seed, DType::kFloat32, -2, 2));
  const float s = 1.f / std::sqrt(static_cast<float>(k));
  if (c.no_expand) {
    chk.omitted();
    chk.omitted();
  } else {
    chk.constant(random_tensor({c.c, k, 1, 1}, seed + 1, DType::kFloat32, -s, s));
    chk.constant(random_tensor({c.c}, seed + 2));
  }
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
  if (c.m > 0) {
    const float sq = 1.f / std::sqrt(static_cast<float>(c.c));
    chk.constant(random_tensor({c.m, c.c, 1, 1}, seed + 5, DType::kFloat32, -sq, sq));
    chk.constant(random_tensor({c.m}, seed + 6));
    if (c.z) {
      const int64_t oh = (c.x[1] + c.pads[0] + c.pads[2] - 3) / c.stride + 1;
      const int64_t ow = (c.x[2] + c.pads[1] + c.pads[3] - 3) / c.stride + 1;
      chk.input(random_tensor({c.x[0], oh, ow, c.m}, seed + 7, DType::kFloat32, -2, 2));
    }
    if (!c.pj_act.empty()) chk.attr_string("pj_activation", c.pj_act);
    if (!c.pj_params.empty()) chk.attr_floats("pj_activation_params", c.pj_params);
  }
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

// With the block's project convolution (inputs Wq, Bq and Z): MobileNetV2's 24- and 32-channel
// projects (24 is not a multiple of AVX-512's 16 lanes: a masked last vector), wider ones that
// take several channel groups, odd widths for the pixel tails, and activations on the project.
TEST(CpuPointwiseDepthwise, WithProjectMatchesTheThreeConvolutions) {
  const std::vector<Case> cases = {
      {{1, 14, 14, 16}, 96, 2, {1, 1, 1, 1}, "", "Clip", "Clip", {0, 6}, {0, 6}, {}, 24},            // features.2
      {{1, 12, 12, 24}, 144, 1, {1, 1, 1, 1}, "", "Clip", "Clip", {0, 6}, {0, 6}, {}, 24, true},     // features.3 + residual
      {{1, 13, 9, 24}, 48, 2, {1, 1, 1, 1}, "", "Relu", "Relu", {}, {}, {}, 32},                     // odd sizes
      {{2, 11, 7, 32}, 192, 1, {1, 1, 1, 1}, "", "Clip", "Clip", {0, 6}, {0, 6}, {}, 32, true},      // two images, Z
      {{1, 9, 10, 32}, 64, 1, {0, 0, 0, 0}, "", "Relu", "Relu", {}, {}, {}, 96, false, "Relu"},     // 96: 6 vectors / 2 groups
      {{1, 7, 7, 40}, 48, 1, {1, 1, 1, 1}, "", "", "", {}, {}, {}, 160, true, "Clip", {-1, 1}},     // 160: 10 vectors, Clip
      {{1, 5, 6, 8}, 16, 2, {1, 1, 1, 1}, "", "Relu", "", {}, {}, {}, 8, false, "HardSwish"},       // m = 8, general epilogue
      {{1, 3, 21, 24}, 40, 1, {1, 1, 1, 1}, "", "Clip", "Clip", {0, 6}, {0, 6}, {}, 56, true},       // 21 px: 8 + 8 + 5 tails
  };
  int64_t runs = cpu::pointwise_depthwise_runs();
  uint64_t seed = 200;
  for (const Case& c : cases) {
    for (int threads : {1, 2, 3}) {
      CpuCheck chk = make(c, threads, seed);
      EXPECT_TRUE(chk.check()) << "m " << c.m << " threads " << threads;
    }
    seed += 10;
  }
  EXPECT_GT(cpu::pointwise_depthwise_runs(), runs) << "the cases ran on another kernel";
}

// Without an expand (MobileNetV2 features.1: a depthwise 32 @112 and its project to 16): the
// kernel reads X's rows in place; with and without a project, strides 1 and 2, Z.
TEST(CpuPointwiseDepthwise, WithoutExpand) {
  Case f1{{1, 14, 13, 32}, 32, 1, {1, 1, 1, 1}, "", "", "Clip", {}, {0, 6}, {}, 16};
  f1.no_expand = true;
  Case s2z{{2, 9, 11, 48}, 48, 2, {1, 1, 1, 1}, "", "", "Relu", {}, {}, {}, 24, true};
  s2z.no_expand = true;
  Case plain{{1, 7, 8, 16}, 16, 1, {1, 1, 1, 1}, "", "", "Relu", {}, {}, {}};  // depthwise only
  plain.no_expand = true;
  int64_t runs = cpu::pointwise_depthwise_runs();
  uint64_t seed = 300;
  for (const Case& c : {f1, s2z, plain}) {
    for (int threads : {1, 2, 3}) EXPECT_TRUE(make(c, threads, seed).check()) << "m " << c.m << " threads " << threads;
    seed += 10;
  }
  EXPECT_GT(cpu::pointwise_depthwise_runs(), runs) << "the cases ran on another kernel";
}

TEST(CpuPointwiseDepthwise, BadSumInputIsReported) {
  Case c{{1, 8, 8, 16}, 16, 1, {1, 1, 1, 1}, "", "Relu", "Relu", {}, {}, {}, 24, true};
  CpuCheck chk = make(c, 1, 6);
  chk.inputs[7].first = random_tensor({1, 8, 8, 16}, 1);  // Z with the expanded, not the project's, channels
  auto r = chk.run(Backend::kCpu);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("Z"), std::string::npos) << r.status().message();
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

using RowsFn = void (*)(const cpu::PwDwParams&, const float*, const float*, float*, int64_t, int64_t, float*);

// A vector instantiation against the portable one (CPUs without AVX2), on the same rows: w = 21
// takes AVX-512's 8-pixel expand tiles, then a 4-pixel one, then single pixels.
void check_rows_against_scalar(RowsFn rows, int64_t c, const char* name) {
  const int64_t h = 9, w = 21, k = 24, m = 24;  // with a project to 24 channels: AVX-512's masked tail
  Tensor x = random_tensor({h, w, k}, 1), wp = random_tensor({k, c}, 2, DType::kFloat32, -0.2f, 0.2f),
         bp = random_tensor({c}, 3), wd = random_tensor({9, c}, 4), bd = random_tensor({c}, 5);
  const int64_t ldq = (m + cpu::kPwDwProjectPad - 1) / cpu::kPwDwProjectPad * cpu::kPwDwProjectPad;
  std::vector<float> wq(static_cast<size_t>(c * ldq), 0.f), bq(static_cast<size_t>(ldq), 0.f);
  const Tensor wq_values = random_tensor({c, m}, 6, DType::kFloat32, -0.1f, 0.1f), bq_values = random_tensor({m}, 7);
  for (int64_t i = 0; i < c; ++i)
    for (int64_t o = 0; o < m; ++o) wq[static_cast<size_t>(i * ldq + o)] = wq_values.data<float>()[i * m + o];
  std::copy(bq_values.data<float>(), bq_values.data<float>() + m, bq.begin());
  for (bool project : {false, true}) {
    for (int64_t stride : {1, 2}) {
      cpu::PwDwParams p;
      p.h = h, p.w = w, p.k = k, p.c = c, p.stride = stride, p.pt = 1, p.pl = 1;
      p.oh = (h + 2 - 3) / stride + 1, p.ow = (w + 2 - 3) / stride + 1;
      p.w_pw = wp.data<float>(), p.b_pw = bp.data<float>(), p.w_dw = wd.data<float>(), p.b_dw = bd.data<float>();
      p.act_pw.kind = ActKind::kClip, p.act_pw.alpha = 0, p.act_pw.beta = 6;
      p.act_dw.kind = ActKind::kRelu;
      if (project) p.m = m, p.ldq = ldq, p.w_pj = wq.data(), p.b_pj = bq.data();
      const int64_t out = p.oh * p.ow * cpu::pwdw_out_channels(p);
      Tensor z = random_tensor({out}, 8);
      const float* zp = project ? z.data<float>() : nullptr;
      std::vector<float> ring(static_cast<size_t>(cpu::pwdw_ring_floats(p))), a(static_cast<size_t>(out)), b(a.size());
      // Two ranges per call pattern: the second starts mid-image with an empty ring.
      rows(p, x.data<float>(), zp, a.data(), 0, 2, ring.data());
      rows(p, x.data<float>(), zp, a.data(), 2, p.oh, ring.data());
      cpu::pwdw_rows_scalar(p, x.data<float>(), zp, b.data(), 0, p.oh, ring.data());
      for (size_t i = 0; i < a.size(); ++i) {
        ASSERT_NEAR(a[i], b[i], 1e-4f * (1 + std::fabs(b[i])))
            << name << (project ? " with project" : "") << " stride " << stride << " at " << i;
      }
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
