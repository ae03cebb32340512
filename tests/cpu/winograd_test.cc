// The Winograd kiln.FusedConv kernel (backends/cpu/winograd/), F(2x2, 3x3) and F(4x4, 3x3), against
// the reference backend, and each ISA variant of its tile transforms against the scalar one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "backends/cpu/dnnl/conv_kernels.h"
#include "backends/cpu/winograd/winograd.h"
#include "backends/cpu/winograd/winograd_conv.h"
#include "core/cpu_features.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

struct WinoCase {
  int64_t n = 1, c = 32, m = 32, h = 8, w = 8;
  std::vector<int64_t> pads = {1, 1, 1, 1};
  std::string auto_pad;
  bool bias = true, sum = false;
  std::string act;
  std::vector<float> act_params, affine;
  int threads = 2;
};

std::vector<int64_t> out_size(const WinoCase& k) {
  if (!k.auto_pad.empty() && k.auto_pad != "VALID") return {k.h, k.w};
  if (k.auto_pad == "VALID") return {k.h - 2, k.w - 2};
  return {k.h + k.pads[0] + k.pads[2] - 2, k.w + k.pads[1] + k.pads[3] - 2};
}

// Pins onednn::dense_conv_is_brgemm() for one check, so the kernel's AVX2-machine choices are
// tested on every machine (and the AVX-512 ones by the test that pins true).
struct PinBrgemm {
  explicit PinBrgemm(bool on) { cpu::onednn::set_dense_conv_is_brgemm_for_testing(on ? 1 : 0); }
  ~PinBrgemm() { cpu::onednn::set_dense_conv_is_brgemm_for_testing(-1); }
};

// Runs the case on the CPU backend with output tile r (KILN_WINOGRAD_TILE) and on the reference,
// as on a machine without brgconv; fails unless Winograd took the node.
::testing::AssertionResult check_tile(const WinoCase& k, const char* r, uint64_t seed) {
  PinBrgemm pin(false);
  ::setenv("KILN_WINOGRAD_TILE", r, 1);
  CpuCheck c("FusedConv", 1, 1, "kiln");
  c.threads = k.threads;
  // F(4x4, 3x3) rounds ~10x more than F(2x2) (its output transform sums terms up to 8x8 times the
  // result): up to ~2.5e-5 of the output's RMS in a float32 simulation of 256 channels, against
  // 1e-6 for F(2x2). Its bound is rtol 1e-4 of that scale.
  if (std::string_view(r) == "4") c.rms_atol = 1e-4;
  // Weights of a trained net's magnitude (|w| <= 0.1): outputs stay O(1), so rtol/atol apply
  // as they would to a real model.
  c.input(random_tensor({k.n, k.h, k.w, k.c}, seed, DType::kFloat32, -1, 1));
  c.constant(random_tensor({k.m, k.c, 3, 3}, seed + 1, DType::kFloat32, -0.1f, 0.1f));
  if (k.bias) c.constant(random_tensor({k.m}, seed + 2));
  else if (k.sum) c.omitted();
  if (k.sum) {
    auto o = out_size(k);
    c.input(random_tensor({k.n, o[0], o[1], k.m}, seed + 3));
  }
  c.attr_int("channels_last", 1);
  c.attr_ints("kernel_shape", {3, 3});
  if (k.auto_pad.empty()) c.attr_ints("pads", k.pads);
  else c.attr_string("auto_pad", k.auto_pad);
  if (!k.act.empty()) {
    c.attr_string("activation", k.act);
    if (!k.act_params.empty()) c.attr_floats("activation_params", k.act_params);
  }
  if (!k.affine.empty()) c.attr_floats("activation_affine", k.affine);
  const int64_t before = cpu::winograd_conv_runs();
  auto result = c.check();
  ::unsetenv("KILN_WINOGRAD_TILE");
  if (!result) return result << " (F(" << r << "x" << r << ", 3x3))";
  if (cpu::winograd_conv_runs() == before) return ::testing::AssertionFailure() << "the Winograd kernel did not run";
  return result;
}

// The case with both tile sizes, F(2x2, 3x3) and F(4x4, 3x3).
::testing::AssertionResult check(const WinoCase& k, uint64_t seed = 1) {
  auto two = check_tile(k, "2", seed);
  if (!two) return two;
  return check_tile(k, "4", seed);
}

TEST(CpuWinograd, ChannelsAndSizes) {
  // Odd sizes leave half tiles at the bottom/right edge; channel counts off the vector width
  // take the masked tails; 1x1 and 2x2 images are all padding but one tap.
  // (Fewer than kGemmConvMinChannels input channels: small images with more go to the GEMM
  // convolution, which runs first.)
  for (int64_t ch : {32, 40, 48, 63}) {
    for (auto [h, w] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {2, 2}, {7, 7}, {8, 5}, {14, 14}, {13, 17}}) {
      WinoCase k;
      k.c = ch, k.m = ch == 40 ? 48 : ch, k.h = h, k.w = w;
      EXPECT_TRUE(check(k)) << ch << " " << h << "x" << w;
    }
  }
}

TEST(CpuWinograd, ResNetShapes) {
  // 512 channels at 9x9 instead of ResNet's 7x7, which the GEMM convolution takes.
  for (auto [ch, hw] : std::vector<std::pair<int64_t, int64_t>>{{64, 56}, {128, 28}, {256, 14}, {512, 9}}) {
    WinoCase k;
    k.c = k.m = ch, k.h = k.w = hw;
    k.act = "Relu";
    EXPECT_TRUE(check(k)) << ch << "@" << hw;
  }
}

TEST(CpuWinograd, PadsAndAutoPad) {
  for (auto pads : std::vector<std::vector<int64_t>>{{0, 0, 0, 0}, {1, 0, 0, 1}, {2, 2, 2, 2}, {0, 2, 1, 0}}) {
    WinoCase k;
    k.h = 9, k.w = 6, k.pads = pads;
    EXPECT_TRUE(check(k)) << pads[0] << pads[1] << pads[2] << pads[3];
  }
  for (const char* ap : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    WinoCase k;
    k.h = 10, k.w = 7, k.auto_pad = ap;
    EXPECT_TRUE(check(k)) << ap;
  }
}

TEST(CpuWinograd, BiasSumActivationsAndAffine) {
  const std::vector<std::pair<std::string, std::vector<float>>> acts = {
      {"", {}}, {"Relu", {}}, {"LeakyRelu", {0.1f}}, {"Clip", {-0.5f, 0.5f}}, {"HardSigmoid", {0.2f, 0.5f}},
      {"HardSwish", {}}, {"Sigmoid", {}}, {"Silu", {}}, {"Gelu", {}}};
  for (const auto& [act, params] : acts) {
    for (bool sum : {false, true}) {
      for (bool bias : {false, true}) {
        WinoCase k;
        k.c = 35, k.m = 33, k.h = 7, k.w = 9;
        k.act = act, k.act_params = params, k.sum = sum, k.bias = bias;
        EXPECT_TRUE(check(k)) << act << " sum " << sum << " bias " << bias;
        k.affine = {0.7f, -0.3f};
        EXPECT_TRUE(check(k)) << act << " affine, sum " << sum << " bias " << bias;
      }
    }
  }
}

TEST(CpuWinograd, BatchOneThreadAndChunks) {
  WinoCase k;
  k.n = 3, k.h = 11, k.w = 12, k.sum = true;
  EXPECT_TRUE(check(k));
  k.threads = 1;
  EXPECT_TRUE(check(k));
  // 2 x 98x96 with 64 channels: several chunks, some spanning both images, and a shorter last one.
  WinoCase big;
  big.n = 2, big.c = big.m = 64, big.h = 98, big.w = 96, big.sum = true, big.act = "Sigmoid";
  EXPECT_TRUE(check(big));
}

TEST(CpuWinograd, EmptyBatch) {
  WinoCase k;
  k.n = 0;
  EXPECT_TRUE(check(k));
}

TEST(CpuWinograd, DeclinesWhatItDoesNotTake) {
  // Strided, dilated, grouped, 5x5 and thin convolutions stay on the other kernels; the CPU
  // backend still takes them, so the check passes without a Winograd run.
  const int64_t before = cpu::winograd_conv_runs();
  CpuCheck c("FusedConv", 1, 1, "kiln");
  c.input(random_tensor({1, 9, 9, 32}, 1));
  c.constant(random_tensor({32, 32, 3, 3}, 2, DType::kFloat32, -0.1f, 0.1f));
  c.attr_int("channels_last", 1);
  c.attr_ints("strides", {2, 2});
  EXPECT_TRUE(c.check());
  CpuCheck thin("FusedConv", 1, 1, "kiln");
  thin.input(random_tensor({1, 9, 9, 16}, 1));
  thin.constant(random_tensor({32, 16, 3, 3}, 2, DType::kFloat32, -0.1f, 0.1f));
  thin.attr_int("channels_last", 1);
  EXPECT_TRUE(thin.check());
  EXPECT_EQ(cpu::winograd_conv_runs(), before);
}

// Each ISA's transforms against the scalar ones, for both tile sizes, on a chunk that starts inside
// the first of two images and ends inside the second, with edge tiles and channel tails.
void check_variant(cpu::WinoInputFn input, cpu::WinoOutputFn output, const char* name) {
  for (int64_t r : {2, 4}) {
    cpu::WinoParams p;
    p.r = r, p.n = 2, p.h = 9, p.w = 7, p.c = 21, p.m = 19, p.pt = 1, p.pl = 0, p.oh = 9, p.ow = 5;
    p.th = (p.oh + r - 1) / r, p.tw = (p.ow + r - 1) / r;
    p.cp = cpu::wino_pad_channels(p.c), p.mp = cpu::wino_pad_channels(p.m);
    Tensor bias = random_tensor({p.mp}, 3);
    p.bias = bias.data<float>();
    p.act.kind = ActKind::kLeakyRelu;
    p.act.alpha = 0.2f;
    const int64_t per_image = p.th * p.tw;  // 15 tiles for r = 2, 6 for r = 4
    const cpu::WinoChunk chunk{per_image * 2 / 3, per_image * 4 / 5};
    ASSERT_GT(chunk.first + chunk.count, per_image);
    ASSERT_LE(chunk.first + chunk.count, p.tiles());
    Tensor x = random_tensor({p.n, p.h, p.w, p.c}, 1), z = random_tensor({p.n, p.oh, p.ow, p.m}, 2);
    Tensor mt = random_tensor({p.points(), chunk.count, p.mp}, 4);
    std::vector<float> v_ref(static_cast<size_t>(p.points() * chunk.count * p.cp), -1.f), v = v_ref;
    cpu::wino_input_scalar(p, chunk, x.data<float>(), v_ref.data(), 0, chunk.count);
    input(p, chunk, x.data<float>(), v.data(), 0, chunk.count);
    for (size_t i = 0; i < v.size(); ++i) {
      ASSERT_NEAR(v[i], v_ref[i], 1e-5 * (1 + std::fabs(v_ref[i]))) << name << " F" << r << " input element " << i;
    }
    std::vector<float> y_ref(static_cast<size_t>(p.n * p.oh * p.ow * p.m), 7.f), y = y_ref;
    cpu::wino_output_scalar(p, chunk, mt.data<float>(), z.data<float>(), y_ref.data(), 0, chunk.count);
    output(p, chunk, mt.data<float>(), z.data<float>(), y.data(), 0, chunk.count);
    for (size_t i = 0; i < y.size(); ++i) {
      ASSERT_NEAR(y[i], y_ref[i], 1e-5 * (1 + std::fabs(y_ref[i]))) << name << " F" << r << " output element " << i;
    }
  }
}

// With brgconv, images of at most 8x8 output pixels go to oneDNN; larger ones stay on Winograd.
TEST(CpuWinograd, SmallImagesGoToBrgconv) {
  PinBrgemm pin(true);
  for (int64_t hw : {7, 8, 9}) {
    const int64_t before = cpu::winograd_conv_runs();
    CpuCheck c("FusedConv", 1, 1, "kiln");
    c.input(random_tensor({1, hw, hw, 32}, 1));
    c.constant(random_tensor({32, 32, 3, 3}, 2, DType::kFloat32, -0.1f, 0.1f));
    c.attr_int("channels_last", 1);
    c.attr_ints("kernel_shape", {3, 3});
    c.attr_ints("pads", {1, 1, 1, 1});
    EXPECT_TRUE(c.check());
    EXPECT_EQ(cpu::winograd_conv_runs() > before, hw * hw > cpu::kWinoMinPixelsOverBrgemm) << hw << "x" << hw;
  }
}

TEST(CpuWinograd, Avx2Variant) {
  if (cpu_isa() < Isa::kAvx2) GTEST_SKIP() << "no AVX2 (or KILN_ISA caps it)";
  check_variant(cpu::wino_input_avx2, cpu::wino_output_avx2, "avx2");
}

TEST(CpuWinograd, Avx512Variant) {
  if (cpu_isa() < Isa::kAvx512) GTEST_SKIP() << "no AVX-512 (or KILN_ISA caps it)";
  check_variant(cpu::wino_input_avx512, cpu::wino_output_avx512, "avx512");
}

// The weight transform against G g G^T written out for one 3x3 kernel.
TEST(CpuWinograd, WeightTransformByHand) {
  const float g[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const int64_t cp = 16, ldu = 16;
  std::vector<float> u(static_cast<size_t>(cpu::wino_points(2) * cp * ldu), -1.f);
  cpu::wino_transform_weights(2, g, 1, 1, cp, ldu, u.data());
  // G g G^T for G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1], computed by hand.
  const float expected[16] = {1, 3, 1, 3, 6, 11.25f, 3.75f, 9, 2, 3.75f, 1.25f, 3, 7, 12, 4, 9};
  for (int pnt = 0; pnt < 16; ++pnt) EXPECT_FLOAT_EQ(u[static_cast<size_t>(pnt * cp * ldu)], expected[pnt]) << "point " << pnt;
  EXPECT_EQ(u[1], 0.f);  // padding columns (co >= m) are zero
}

// F(4x4, 3x3)'s weight transform on g = a b^T (a = e0 down the kernel's rows, b = e2 across):
// G g G^T = (G a)(G b)^T, with G a = G's first column and G b its last, both read off G
// (winograd.h). An outer product that is not symmetric catches a transposed U.
TEST(CpuWinograd, WeightTransformF4ByHand) {
  const float g[9] = {0, 0, 1, 0, 0, 0, 0, 0, 0};
  const int64_t cp = 16, ldu = 16;
  std::vector<float> u(static_cast<size_t>(cpu::wino_points(4) * cp * ldu), -1.f);
  cpu::wino_transform_weights(4, g, 1, 1, cp, ldu, u.data());
  const double ga[6] = {1. / 4, -1. / 6, -1. / 6, 1. / 24, 1. / 24, 0};
  const double gb[6] = {0, -1. / 6, -1. / 6, 1. / 6, 1. / 6, 1};
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) {
      EXPECT_NEAR(u[static_cast<size_t>((i * 6 + j) * cp * ldu)], ga[i] * gb[j], 1e-7) << "point " << i << "," << j;
    }
  }
  EXPECT_EQ(u[1], 0.f);
}

}  // namespace
}  // namespace kiln
