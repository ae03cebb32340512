// The im2col + GEMM kiln.FusedConv kernel (backends/cpu/gemm_conv/) against the reference backend,
// and each ISA variant of its epilogue against the scalar one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backends/cpu/dnnl/conv_kernels.h"
#include "backends/cpu/gemm_conv/gemm_conv.h"
#include "core/cpu_features.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

struct GemmCase {
  int64_t n = 1, c = 64, m = 40, h = 14, w = 14, kh = 3, kw = 3;
  std::vector<int64_t> strides = {2, 2}, dilations = {1, 1}, pads = {1, 1, 1, 1};
  bool bias = true, sum = false;
  std::string act;
  std::vector<float> act_params, affine;
  int threads = 2;
};

std::vector<int64_t> out_size(const GemmCase& k) {
  std::vector<int64_t> out(2);
  const int64_t in[2] = {k.h, k.w}, kk[2] = {k.kh, k.kw};
  for (int i = 0; i < 2; ++i) out[i] = (in[i] + k.pads[i] + k.pads[i + 2] - ((kk[i] - 1) * k.dilations[i] + 1)) / k.strides[i] + 1;
  return out;
}

CpuCheck make(const GemmCase& k, uint64_t seed = 1) {
  CpuCheck c("FusedConv", 1, 1, "kiln");
  c.threads = k.threads;
  c.input(random_tensor({k.n, k.h, k.w, k.c}, seed, DType::kFloat32, -1, 1));
  c.constant(random_tensor({k.m, k.c, k.kh, k.kw}, seed + 1, DType::kFloat32, -0.1f, 0.1f));
  if (k.bias) c.constant(random_tensor({k.m}, seed + 2));
  else if (k.sum) c.omitted();
  if (k.sum) {
    auto o = out_size(k);
    c.input(random_tensor({k.n, o[0], o[1], k.m}, seed + 3));
  }
  c.attr_int("channels_last", 1);
  c.attr_ints("kernel_shape", {k.kh, k.kw});
  c.attr_ints("strides", k.strides);
  c.attr_ints("dilations", k.dilations);
  c.attr_ints("pads", k.pads);
  if (!k.act.empty()) {
    c.attr_string("activation", k.act);
    if (!k.act_params.empty()) c.attr_floats("activation_params", k.act_params);
  }
  if (!k.affine.empty()) c.attr_floats("activation_affine", k.affine);
  return c;
}

// Pins onednn::dense_conv_is_brgemm() for one check, so the kernel's AVX2-machine choices are
// tested on every machine (and the AVX-512 ones by the test that pins true).
struct PinBrgemm {
  explicit PinBrgemm(bool on) { cpu::onednn::set_dense_conv_is_brgemm_for_testing(on ? 1 : 0); }
  ~PinBrgemm() { cpu::onednn::set_dense_conv_is_brgemm_for_testing(-1); }
};

// Runs the case as on a machine without brgconv (unless `brgemm`); fails unless the GEMM
// convolution took the node (`expect_taken`) or did not.
::testing::AssertionResult check(const GemmCase& k, bool expect_taken = true, bool brgemm = false) {
  PinBrgemm pin(brgemm);
  const int64_t before = cpu::gemm_conv_runs();
  auto r = make(k).check();
  if (!r) return r;
  if ((cpu::gemm_conv_runs() > before) != expect_taken) {
    return ::testing::AssertionFailure() << "the GEMM convolution " << (expect_taken ? "did not run" : "ran");
  }
  return r;
}

TEST(CpuGemmConv, ResNetShapes) {
  GemmCase s2;  // layer4.0's strided 3x3 at a smaller width
  s2.c = 128, s2.m = 128, s2.act = "Relu";
  EXPECT_TRUE(check(s2));
  GemmCase s1;  // layer4's 7x7 stride-1 3x3
  s1.c = 96, s1.m = 80, s1.h = s1.w = 7, s1.strides = {1, 1}, s1.act = "Relu";
  EXPECT_TRUE(check(s1));
}

TEST(CpuGemmConv, KernelsPadsDilationsAndTails) {
  GemmCase k;
  k.c = 67, k.m = 19, k.h = 9, k.w = 11, k.pads = {0, 2, 1, 0};
  EXPECT_TRUE(check(k));
  k.kh = 5, k.kw = 3, k.dilations = {2, 1}, k.pads = {2, 1, 2, 1};
  EXPECT_TRUE(check(k));
  k.kh = 1, k.kw = 2, k.dilations = {1, 1}, k.strides = {1, 2}, k.h = 6, k.w = 8, k.pads = {0, 0, 0, 0};
  EXPECT_TRUE(check(k));
}

TEST(CpuGemmConv, BiasSumActivationsAndAffine) {
  const std::vector<std::pair<std::string, std::vector<float>>> acts = {
      {"", {}}, {"Relu", {}}, {"Clip", {-0.5f, 0.5f}}, {"HardSwish", {}}, {"Sigmoid", {}}, {"Gelu", {}}};
  for (const auto& [act, params] : acts) {
    for (bool sum : {false, true}) {
      for (bool bias : {false, true}) {
        GemmCase k;
        k.m = 21, k.act = act, k.act_params = params, k.sum = sum, k.bias = bias;
        EXPECT_TRUE(check(k)) << act << " sum " << sum << " bias " << bias;
        k.affine = {0.7f, -0.3f};
        EXPECT_TRUE(check(k)) << act << " affine, sum " << sum << " bias " << bias;
      }
    }
  }
}

TEST(CpuGemmConv, BatchChunksAndOneThread) {
  // 5 images x 49 pixels with K = 9 * 512: more rows than one 4 MiB im2col chunk holds.
  GemmCase k;
  k.n = 5, k.c = 512, k.m = 64, k.sum = true;
  EXPECT_TRUE(check(k));
  k.threads = 1;
  EXPECT_TRUE(check(k));
}

TEST(CpuGemmConv, DeclinesWhatItDoesNotTake) {
  GemmCase thin;  // too few input channels
  thin.c = 32;
  EXPECT_TRUE(check(thin, false));
  GemmCase large;  // 28x28 outputs: the direct kernel's
  large.h = large.w = 56;
  EXPECT_TRUE(check(large, false));
  GemmCase stride1;  // 14x14 stride 1: Winograd's
  stride1.strides = {1, 1};
  EXPECT_TRUE(check(stride1, false));
  GemmCase pointwise;  // 1x1
  pointwise.kh = pointwise.kw = 1, pointwise.pads = {0, 0, 0, 0};
  EXPECT_TRUE(check(pointwise, false));
}

void check_variant(cpu::GemmConvEpilogueFn fn, const char* name) {
  const int64_t m = 21, rows = 5;
  Tensor bias = random_tensor({32}, 1), z = random_tensor({rows, m}, 2), y0 = random_tensor({rows, m}, 3);
  Activation act;
  act.kind = ActKind::kHardSwish;
  act.scale = 0.5f, act.shift = 0.25f;
  Tensor a = y0.clone(), b = y0.clone();
  cpu::gemm_conv_epilogue_scalar(bias.data<float>(), act, z.data<float>(), a.data<float>(), m, rows);
  fn(bias.data<float>(), act, z.data<float>(), b.data<float>(), m, rows);
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_NEAR(a.data<float>()[i], b.data<float>()[i], 1e-5) << name << " " << i;
}

// Where oneDNN has brgconv (AVX-512) it beats the GEMM convolution at every shape: declined.
TEST(CpuGemmConv, DeclinesWhereOneDnnHasBrgconv) {
  GemmCase s2;
  s2.c = 128, s2.m = 128, s2.act = "Relu";
  EXPECT_TRUE(check(s2, /*expect_taken=*/false, /*brgemm=*/true));
}

TEST(CpuGemmConv, Avx2Epilogue) {
  if (cpu_isa() < Isa::kAvx2) GTEST_SKIP() << "no AVX2 (or KILN_ISA caps it)";
  check_variant(cpu::gemm_conv_epilogue_avx2, "avx2");
}

TEST(CpuGemmConv, Avx512Epilogue) {
  if (cpu_isa() < Isa::kAvx512) GTEST_SKIP() << "no AVX-512 (or KILN_ISA caps it)";
  check_variant(cpu::gemm_conv_epilogue_avx512, "avx512");
}

}  // namespace
}  // namespace kiln
