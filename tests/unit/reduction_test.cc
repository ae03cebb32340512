// Hand-computed cases for the reduction family's tricky corners: empty axes / noop, empty-set
// identities, integer accumulation, select_last_index, opset-dependent Softmax coercion, loss
// ignore_index, and Dropout's seeded stream. Each case runs one node through a Session with
// verify_inference on, so inference and kernel are checked against each other as well.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "one_node.h"
#include "runtime/session.h"

namespace kiln {
namespace {

using test_util::OneNode;
using test_util::values;

TEST(Reduce, SumAxesInputAndNoop) {
  OneNode n("ReduceSum", 13);
  n.input(Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  n.input(Tensor::from_vector<int64_t>({-1}, {1}));
  n.attr_int("keepdims", 0);
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ((*out)[0].tensor().shape(), (Shape{2}));
  EXPECT_EQ(values<float>((*out)[0]), (std::vector<float>{6, 15}));

  OneNode noop("ReduceSum", 13);
  noop.input(Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2}));
  noop.input(Tensor(DType::kInt64, {0}));
  noop.attr_int("noop_with_empty_axes", 1);
  auto out2 = noop.run();
  ASSERT_TRUE(out2) << out2.status().to_string();
  EXPECT_EQ((*out2)[0].tensor().shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>((*out2)[0]), (std::vector<float>{1, 2, 3, 4}));
}

TEST(Reduce, EmptySetIdentities) {
  auto reduce_empty = [](const std::string& op) {
    OneNode n(op, 13);
    n.input(Tensor(DType::kFloat32, {2, 0, 4}));
    n.attr_ints("axes", {1});
    auto out = n.run();
    EXPECT_TRUE(out) << out.status().to_string();
    EXPECT_EQ((*out)[0].tensor().shape(), (Shape{2, 1, 4}));
    return values<float>((*out)[0])[0];
  };
  EXPECT_EQ(reduce_empty("ReduceProd"), 1.0f);
  EXPECT_EQ(reduce_empty("ReduceSumSquare"), 0.0f);
  EXPECT_EQ(reduce_empty("ReduceL1"), 0.0f);
  EXPECT_EQ(reduce_empty("ReduceMax"), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(reduce_empty("ReduceMin"), std::numeric_limits<float>::infinity());
  EXPECT_EQ(reduce_empty("ReduceLogSum"), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(reduce_empty("ReduceLogSumExp"), -std::numeric_limits<float>::infinity());
}

TEST(Reduce, IntegersAccumulateExactlyAndMeanTruncates) {
  OneNode n("ReduceSum", 11);
  n.input(Tensor::from_vector<int64_t>({(int64_t{1} << 60) + 1, 1}, {2}));
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<int64_t>((*out)[0]), (std::vector<int64_t>{(int64_t{1} << 60) + 2}));

  OneNode mean("ReduceMean", 11);
  mean.input(Tensor::from_vector<int32_t>({1, 2}, {2}));
  mean.attr_int("keepdims", 0);
  auto out2 = mean.run();
  ASSERT_TRUE(out2) << out2.status().to_string();
  EXPECT_EQ((*out2)[0].tensor().rank(), 0);
  EXPECT_EQ(values<int32_t>((*out2)[0]), (std::vector<int32_t>{1}));
}

TEST(Reduce, BadAxisIsAnError) {
  OneNode n("ReduceMax", 11);
  n.input(Tensor::from_vector<float>({1, 2}, {2}));
  n.attr_ints("axes", {3});
  EXPECT_FALSE(n.run());
}

TEST(ArgMax, SelectLastIndex) {
  for (int64_t last : {0, 1}) {
    OneNode n("ArgMax", 12);
    n.input(Tensor::from_vector<float>({5, 5, 1, 1}, {2, 2}));
    n.attr_int("axis", 1);
    n.attr_int("keepdims", 0);
    n.attr_int("select_last_index", last);
    auto out = n.run();
    ASSERT_TRUE(out) << out.status().to_string();
    EXPECT_EQ(values<int64_t>((*out)[0]), (std::vector<int64_t>{last, last}));
  }
  OneNode n("ArgMin", 12);
  n.input(Tensor::from_vector<int32_t>({3, 1, 1}, {3}));
  n.attr_int("select_last_index", 1);
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ((*out)[0].tensor().shape(), (Shape{1}));
  EXPECT_EQ(values<int64_t>((*out)[0]), (std::vector<int64_t>{2}));
}

TEST(Softmax, OldOpsetsCoerceTo2D) {
  // Opset 11, axis 0 on [2, 2]: one softmax over all four elements.
  OneNode n("Softmax", 11);
  n.input(Tensor::from_vector<float>({0, 0, 0, 0}, {2, 2}));
  n.attr_int("axis", 0);
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<float>((*out)[0]), (std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f}));
  // Opset 13, axis 0: each column on its own.
  OneNode m("Softmax", 13);
  m.input(Tensor::from_vector<float>({0, 0, 0, 0}, {2, 2}));
  m.attr_int("axis", 0);
  auto out2 = m.run();
  ASSERT_TRUE(out2) << out2.status().to_string();
  EXPECT_EQ(values<float>((*out2)[0]), (std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}));
}

TEST(Hardmax, FirstMaximumWins) {
  OneNode n("Hardmax", 13);
  n.input(Tensor::from_vector<float>({1, 3, 3, 0}, {1, 4}));
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<float>((*out)[0]), (std::vector<float>{0, 1, 0, 0}));
}

TEST(NegativeLogLikelihoodLoss, IgnoreIndexAndWeightedMean) {
  OneNode n("NegativeLogLikelihoodLoss", 13);
  n.input(Tensor::from_vector<float>({-1, -2, -3, -4, -5, -6}, {3, 2}));
  n.input(Tensor::from_vector<int64_t>({1, 0, 1}, {3}));
  n.input(Tensor::from_vector<float>({2, 3}, {2}));
  n.attr_int("ignore_index", 0);
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  // Rows 0 and 2 count: (2*3 + 6*3) / (3 + 3) = 4.
  EXPECT_EQ((*out)[0].tensor().rank(), 0);
  EXPECT_FLOAT_EQ(values<float>((*out)[0])[0], 4.0f);
}

TEST(NegativeLogLikelihoodLoss, TargetOutOfRangeIsAnError) {
  OneNode n("NegativeLogLikelihoodLoss", 13);
  n.input(Tensor::from_vector<float>({-1, -2}, {1, 2}));
  n.input(Tensor::from_vector<int64_t>({2}, {1}));
  n.attr_string("reduction", "none");
  EXPECT_FALSE(n.run());
}

TEST(Dropout, SeededStreamMatchesNumpy) {
  // numpy.random.RandomState(0).uniform(0, 1, 3) = [0.5488135, 0.71518937, 0.60276338].
  OneNode n("Dropout", 13, 2);
  n.input(Tensor::from_vector<float>({1, 1, 1}, {3}));
  n.input(Tensor::scalar<float>(0.6f));
  n.input(Tensor::scalar<bool>(true));
  n.attr_int("seed", 0);
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<bool>((*out)[1]), (std::vector<bool>{false, true, true}));
  const std::vector<float> y = values<float>((*out)[0]);
  EXPECT_FLOAT_EQ(y[0], 0.0f);
  EXPECT_FLOAT_EQ(y[1], 2.5f);
}

}  // namespace
}  // namespace kiln
