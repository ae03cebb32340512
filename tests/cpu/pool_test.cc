// Our channels-last max pool (backends/cpu/pool/) against the reference kernel, on shapes chosen
// to hurt: window edges and padding, ceil_mode, dilation, auto_pad, channel tails, batches.
#include <gtest/gtest.h>

#include <cstring>

#include "backends/cpu/pool/max_pool.h"
#include "backends/cpu/pool/max_pool_op.h"
#include "core/cpu_features.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

struct PoolCase {
  Shape x;  // [N, H, W, C]
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t ceil_mode;
  std::string auto_pad;
};

PoolCase pc(Shape x, std::vector<int64_t> kernel, std::vector<int64_t> strides = {1, 1},
            std::vector<int64_t> pads = {0, 0, 0, 0}, std::vector<int64_t> dilations = {1, 1}, int64_t ceil_mode = 0,
            std::string auto_pad = "") {
  return {std::move(x), std::move(kernel), std::move(strides), std::move(pads), std::move(dilations), ceil_mode,
          std::move(auto_pad)};
}

::testing::AssertionResult check(const PoolCase& k, int threads = 2) {
  const int64_t before = cpu::nhwc_max_pool_runs();
  CpuCheck c("NhwcMaxPool", 1, 1, "kiln");
  c.threads = threads;
  c.input(random_tensor(k.x, 5));
  c.attr_ints("kernel_shape", k.kernel);
  c.attr_ints("strides", k.strides);
  c.attr_ints("dilations", k.dilations);
  if (k.auto_pad.empty()) c.attr_ints("pads", k.pads);
  else c.attr_string("auto_pad", k.auto_pad);
  if (k.ceil_mode) c.attr_int("ceil_mode", 1);
  auto r = c.check();
  if (r && cpu::nhwc_max_pool_runs() == before) return ::testing::AssertionFailure() << "our max pool did not run";
  return r;
}

TEST(CpuMaxPool, ResNetStemPoolAndChannelTails) {
  // ResNet's 3x3 / 2, pad 1; channel counts around the vector widths.
  for (int64_t c : {1, 7, 8, 17, 64}) {
    EXPECT_TRUE(check(pc({1, 13, 11, c}, {3, 3}, {2, 2}, {1, 1, 1, 1}))) << "C " << c;
  }
  EXPECT_TRUE(check(pc({2, 112, 112, 64}, {3, 3}, {2, 2}, {1, 1, 1, 1})));
  EXPECT_TRUE(check(pc({2, 112, 112, 64}, {3, 3}, {2, 2}, {1, 1, 1, 1}), 1));
}

TEST(CpuMaxPool, WindowsPadsCeilModeDilationAutoPad) {
  EXPECT_TRUE(check(pc({1, 8, 8, 16}, {2, 2}, {2, 2})));
  EXPECT_TRUE(check(pc({1, 9, 7, 5}, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1)));    // ceil_mode, odd sizes
  EXPECT_TRUE(check(pc({1, 10, 10, 9}, {3, 3}, {2, 2}, {1, 0, 0, 1}, {1, 1}, 1)));  // asymmetric pads
  EXPECT_TRUE(check(pc({1, 11, 12, 10}, {3, 2}, {1, 2}, {0, 0, 0, 0}, {2, 3})));    // dilations
  EXPECT_TRUE(check(pc({1, 7, 9, 12}, {3, 3}, {2, 2}, {}, {1, 1}, 0, "SAME_UPPER")));
  EXPECT_TRUE(check(pc({1, 7, 9, 12}, {4, 4}, {3, 3}, {}, {1, 1}, 0, "SAME_LOWER")));
  EXPECT_TRUE(check(pc({1, 1, 1, 3}, {1, 1})));                                      // 1x1
  EXPECT_TRUE(check(pc({1, 5, 5, 4}, {5, 5}, {1, 1}, {2, 2, 2, 2})));                // window wider than half
}

TEST(CpuMaxPool, EmptyBatch) { EXPECT_TRUE(check(pc({0, 6, 6, 8}, {2, 2}, {2, 2}))); }

TEST(CpuMaxPool, DeclinesTheIndicesOutput) {
  const int64_t before = cpu::nhwc_max_pool_runs();
  CpuCheck c("NhwcMaxPool", 1, 2, "kiln");
  c.input(random_tensor({1, 6, 6, 4}, 1));
  c.attr_ints("kernel_shape", {2, 2});
  c.require_cpu_kernel = false;
  EXPECT_TRUE(c.check());
  EXPECT_EQ(cpu::nhwc_max_pool_runs(), before);
}

// The ISA variants against the scalar one, straight on the row kernel: an all-negative input
// (so a missing -inf start would show) with a window hanging over every edge.
void expect_variant_matches(void (*rows)(const cpu::MaxPoolParams&, const float*, float*, int64_t, int64_t)) {
  cpu::MaxPoolParams p;
  p.h = 9, p.w = 10, p.c = 21, p.kh = 3, p.kw = 3, p.sh = 2, p.sw = 2, p.pt = 1, p.pl = 1;
  p.oh = 5, p.ow = 5;
  Tensor x = random_tensor({2, p.h, p.w, p.c}, 3, DType::kFloat32, -5.f, -1.f);
  std::vector<float> want(static_cast<size_t>(2 * p.oh * p.ow * p.c)), got(want.size());
  cpu::max_pool_rows_scalar(p, x.data<float>(), want.data(), 0, 2 * p.oh);
  rows(p, x.data<float>(), got.data(), 0, 2 * p.oh);
  EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)));
  // Corner output (0, 0, 0, c0): the max of the 2x2 in-bounds taps.
  const float* xd = x.data<float>();
  const float corner = std::max(std::max(xd[0], xd[p.c]), std::max(xd[p.w * p.c], xd[(p.w + 1) * p.c]));
  EXPECT_EQ(want[0], corner);
}

TEST(CpuMaxPool, Avx2VariantMatchesScalar) {
  if (cpu_isa() < Isa::kAvx2) GTEST_SKIP() << "no AVX2";
  expect_variant_matches(cpu::max_pool_rows_avx2);
}

TEST(CpuMaxPool, Avx512VariantMatchesScalar) {
  if (cpu_isa() < Isa::kAvx512) GTEST_SKIP() << "no AVX-512 on this CPU";
  expect_variant_matches(cpu::max_pool_rows_avx512);
}

}  // namespace
}  // namespace kiln
