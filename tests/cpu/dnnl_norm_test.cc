// oneDNN softmax and normalization kernels against the reference backend.
#include <gtest/gtest.h>

#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

TEST(DnnlSoftmax, AxesAndOpsets) {
  struct Case {
    Shape shape;
    int64_t axis;
    int opset;
  };
  const std::vector<Case> cases = {
      {{2, 5, 17}, -1, 13}, {{2, 5, 17}, 1, 13},  {{2, 5, 17}, 0, 13},  {{2, 5, 17}, -2, 13}, {{7}, 0, 13},
      {{2, 5, 17}, 1, 11},  {{2, 5, 17}, -1, 11}, {{2, 5, 17}, 0, 11},  {{2, 5, 17}, 2, 11},  {{2, 5, 17}, 3, 11},
      {{1, 1}, -1, 13},     {{3, 127}, -1, 13},   {{4, 3, 2, 9}, 1, 13}, {{0, 5}, -1, 13},    {{3, 1, 4}, 1, 13}};
  for (const auto& op : {"Softmax", "LogSoftmax"}) {
    for (const Case& k : cases) {
      CpuCheck c(op, k.opset);
      c.input(random_tensor(k.shape, 1, DType::kFloat32, -5, 5));
      c.attr_int("axis", k.axis);
      EXPECT_TRUE(c.check()) << op << " axis " << k.axis << " opset " << k.opset;
    }
    CpuCheck d(op, 11);  // default axis 1 before opset 13
    d.input(random_tensor({3, 4, 5}, 2));
    EXPECT_TRUE(d.check());
    CpuCheck e(op, 13);  // default axis -1
    e.input(random_tensor({3, 4, 5}, 3));
    EXPECT_TRUE(e.check());
  }
}

TEST(DnnlLayerNorm, Axes) {
  for (int64_t axis : {-1, -2, 1, 0}) {
    for (bool with_b : {true, false}) {
      for (bool const_params : {true, false}) {
        CpuCheck c("LayerNormalization", 17);
        c.input(random_tensor({2, 5, 17}, 1));
        Shape norm = axis == -1 ? Shape{17} : axis == 0 ? Shape{2, 5, 17} : Shape{5, 17};
        Tensor scale = random_tensor(norm, 2), bias = random_tensor(norm, 3);
        if (const_params) c.constant(scale);
        else c.input(scale);
        if (with_b) {
          if (const_params) c.constant(bias);
          else c.input(bias);
        }
        c.attr_int("axis", axis);
        c.attr_float("epsilon", 1e-3f);
        EXPECT_TRUE(c.check()) << axis << " " << with_b;
      }
    }
  }
}

TEST(DnnlLayerNorm, OddShapesAndBroadcastParams) {
  {
    CpuCheck c("LayerNormalization", 17);
    c.input(random_tensor({3, 1, 127}, 4));
    c.constant(random_tensor({1, 127}, 5));  // normalized shape [1, 127]; B without its leading 1
    c.constant(random_tensor({127}, 6));
    c.attr_int("axis", -2);
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("LayerNormalization", 17);  // Scale broadcast inside the normalized shape
    c.input(random_tensor({2, 5, 17}, 7));
    c.constant(random_tensor({17}, 8));
    c.attr_int("axis", -2);
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("LayerNormalization", 17);  // empty
    c.input(random_tensor({0, 17}, 9));
    c.constant(random_tensor({17}, 10));
    EXPECT_TRUE(c.check());
  }
}

TEST(DnnlLayerNorm, DeclinesStatsOutputs) {
  CpuCheck c("LayerNormalization", 17, 3);
  c.input(random_tensor({2, 5, 17}, 1));
  c.constant(random_tensor({17}, 2));
  c.require_cpu_kernel = false;
  EXPECT_TRUE(c.check());
  std::string kind;
  ASSERT_TRUE(c.run(Backend::kCpu, &kind));
  EXPECT_NE(kind, "cpu");
}

void add_params(CpuCheck& c, int64_t C, bool constant, uint64_t seed) {
  for (int i = 0; i < 4; ++i) {
    // variance must be positive
    Tensor t = random_tensor({C}, seed + static_cast<uint64_t>(i), DType::kFloat32, i == 3 ? 0.1f : -2.f, 2.f);
    if (constant) c.constant(t);
    else c.input(t);
  }
}

TEST(DnnlBatchNorm, Shapes) {
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 13, 1, 1}, Shape{3, 5}, Shape{2, 4, 9}, Shape{1, 3, 2, 3, 5}}) {
    for (bool constant : {true, false}) {
      CpuCheck c("BatchNormalization", 15);
      c.input(random_tensor(s, 1));
      add_params(c, s[1], constant, 2);
      c.attr_float("epsilon", 1e-3f);
      EXPECT_TRUE(c.check());
    }
  }
  CpuCheck c9("BatchNormalization", 9);
  c9.input(random_tensor({2, 3, 4, 4}, 1));
  add_params(c9, 3, true, 7);
  EXPECT_TRUE(c9.check());
}

TEST(DnnlBatchNorm, ChannelsLast) {
  for (const Shape& s : {Shape{2, 5, 7, 3}, Shape{1, 9, 16}, Shape{1, 1, 1, 13}}) {
    CpuCheck c("NhwcBatchNormalization", 1, 1, "kiln");
    c.input(random_tensor(s, 1));
    add_params(c, s.back(), true, 2);
    EXPECT_TRUE(c.check());
  }
}

TEST(DnnlInstanceNorm, Shapes) {
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 13, 1, 1}, Shape{2, 4, 9}, Shape{3, 2, 1, 17}}) {
    CpuCheck c("InstanceNormalization", 6);
    c.input(random_tensor(s, 1));
    c.constant(random_tensor({s[1]}, 2));
    c.input(random_tensor({s[1]}, 3));
    c.attr_float("epsilon", 1e-3f);
    EXPECT_TRUE(c.check());
    CpuCheck n("NhwcInstanceNormalization", 1, 1, "kiln");
    Shape cl = s;
    cl.erase(cl.begin() + 1);
    cl.push_back(s[1]);
    n.input(random_tensor(cl, 4));
    n.constant(random_tensor({s[1]}, 5));
    n.constant(random_tensor({s[1]}, 6));
    EXPECT_TRUE(n.check());
  }
}

}  // namespace
}  // namespace kiln
