// Hand-computed cases for the tensor family's tricky corners: shape arithmetic shared by inference
// and kernels (Reshape 0/-1, Slice clamping and negative steps, uneven Split, Pad axes), symbolic
// inference, and kernels whose edge cases the node suite does not reach. Kernel cases run one node
// through a Session with verify_inference on, so inference is checked against the kernel too.
#include <gtest/gtest.h>

#include <limits>

#include "ops/tensor/tensor_ops.h"
#include "one_node.h"
#include "runtime/session.h"

namespace kiln {
namespace {

using test_util::OneNode;
using test_util::values;

Tensor ints(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>(v, {n});
}

TEST(TensorShapeMath, ReshapeZeroAndMinusOne) {
  EXPECT_EQ(*reshape_output_shape({2, 3, 4}, {0, -1}, false), (Shape{2, 12}));
  EXPECT_EQ(*reshape_output_shape({0, 3}, {0, 3}, true), (Shape{0, 3}));
  EXPECT_FALSE(reshape_output_shape({2, 3}, {-1, -1}, false));
  EXPECT_FALSE(reshape_output_shape({2, 3}, {4, 2}, false));
  EXPECT_FALSE(reshape_output_shape({2, 3}, {0, 0, 0}, false));  // 0 past the input rank
  // Entries whose product overflows int64 (shape data from a damaged file) are an error, not UB.
  auto huge = reshape_output_shape({2, 3}, {4579033249307371430, 4560850273319898604}, false);
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.status().message().find("more elements than an int64 holds"), std::string::npos);
}

TEST(TensorShapeMath, SliceClampsAndStepsBackwards) {
  auto p = slice_plan({10}, {-1}, {std::numeric_limits<int64_t>::min()}, {}, {-3});
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)[0].start, 9);
  EXPECT_EQ((*p)[0].count, 4);  // 9, 6, 3, 0
  auto q = slice_plan({5, 4}, {1, 100}, {1000, 200}, {0, -1}, {});
  ASSERT_TRUE(q);
  EXPECT_EQ((*q)[0].count, 4);
  EXPECT_EQ((*q)[1].count, 0);
  EXPECT_FALSE(slice_plan({5}, {0}, {5}, {0}, {0}));  // zero step
  EXPECT_FALSE(slice_plan({5}, {0}, {5}, {1}, {}));   // axis out of range
}

TEST(TensorShapeMath, SplitAndPads) {
  EXPECT_EQ(*split_sizes(7, std::nullopt, 3, 18), (std::vector<int64_t>{3, 3, 1}));
  EXPECT_FALSE(split_sizes(7, std::vector<int64_t>{3, 3}, 2, 13));
  EXPECT_EQ(*full_pads({1, 2}, std::vector<int64_t>{-1}, 3), (std::vector<int64_t>{0, 0, 1, 0, 0, 2}));
  EXPECT_EQ(*range_count(0, 10, 3), 4);
  EXPECT_EQ(*range_count(10, 0, 3), 0);
}

TEST(TensorInfer, ReshapeKeepsSymbolicBatchAndInfersMinusOne) {
  ir::Node node;
  node.op_type = "Reshape";
  node.opset = 14;
  node.outputs.push_back(nullptr);
  ir::TypeInfo x = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("N"), 3, 4});
  ir::TypeInfo s = ir::TypeInfo::tensor_of(DType::kInt64, {2});
  Tensor spec = ints({0, -1});
  InferContext ctx(node, {&x, &s}, {nullptr, &spec});
  ASSERT_TRUE(infer_reshape(ctx).is_ok());
  EXPECT_EQ(ctx.outputs()[0].str(), "float32[N,12]");
}

TEST(TensorInfer, ShapeGatherConcatFoldToConstants) {
  ir::Node node;
  node.op_type = "Shape";
  node.opset = 15;
  node.outputs.push_back(nullptr);
  ir::TypeInfo x = ir::TypeInfo::tensor_of(DType::kFloat32, {2, 3, 4});
  InferContext ctx(node, {&x}, {nullptr});
  ASSERT_TRUE(infer_shape(ctx).is_ok());
  ASSERT_TRUE(ctx.output_constants()[0].valid());
  EXPECT_EQ(ctx.output_constants()[0].to_int64_vector(), (std::vector<int64_t>{2, 3, 4}));

  node.op_type = "Gather";
  ir::TypeInfo st = ir::TypeInfo::tensor_of(DType::kInt64, {3});
  ir::TypeInfo it = ir::TypeInfo::tensor_of(DType::kInt64, {});
  Tensor shape = ints({2, 3, 4});
  Tensor idx = Tensor::scalar<int64_t>(-1);
  InferContext g(node, {&st, &it}, {&shape, &idx});
  ASSERT_TRUE(infer_gather(g).is_ok());
  EXPECT_EQ(g.outputs()[0].str(), "int64[]");
  EXPECT_EQ(g.output_constants()[0].to_int64_vector(), (std::vector<int64_t>{4}));
}

TEST(TensorKernels, PadReflectEdgeAndNegative) {
  OneNode n("Pad", 13);
  n.input(Tensor::from_vector<float>({1, 2, 3}, {3}));
  n.input(ints({2, -1}));
  n.attr_string("mode", "reflect");
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<float>((*out)[0]), (std::vector<float>{3, 2, 1, 2}));

  OneNode e("Pad", 13);
  e.input(Tensor::from_vector<int32_t>({1, 2}, {2}));
  e.input(ints({1, 2}));
  e.attr_string("mode", "edge");
  auto eo = e.run();
  ASSERT_TRUE(eo) << eo.status().to_string();
  EXPECT_EQ(values<int32_t>((*eo)[0]), (std::vector<int32_t>{1, 1, 2, 2, 2}));
}

TEST(TensorKernels, TopKTiesKeepLowerIndex) {
  OneNode n("TopK", 11, 2);
  n.input(Tensor::from_vector<float>({1, 3, 3, 2}, {4}));
  n.input(ints({2}));
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<float>((*out)[0]), (std::vector<float>{3, 3}));
  EXPECT_EQ(values<int64_t>((*out)[1]), (std::vector<int64_t>{1, 2}));
}

TEST(TensorKernels, ScatterElementsReductionAndBadIndex) {
  OneNode n("ScatterElements", 16);
  n.input(Tensor::from_vector<float>({1, 1, 1}, {3}));
  n.input(ints({0, 0, 2}));
  n.input(Tensor::from_vector<float>({2, 3, 4}, {3}));
  n.attr_string("reduction", "mul");
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<float>((*out)[0]), (std::vector<float>{6, 1, 4}));

  OneNode bad("ScatterElements", 16);
  bad.input(Tensor::from_vector<float>({1, 1, 1}, {3}));
  bad.input(ints({3}));
  bad.input(Tensor::from_vector<float>({2}, {1}));
  auto err = bad.run();
  ASSERT_FALSE(err);
  EXPECT_NE(err.status().message().find("out of range"), std::string::npos);
}

TEST(TensorKernels, GatherNDWithBatchDims) {
  OneNode n("GatherND", 13);
  n.input(Tensor::from_vector<int32_t>({0, 1, 2, 3, 4, 5, 6, 7}, {2, 2, 2}));
  n.input(Tensor::from_vector<int64_t>({1, 0}, {2, 1}));
  n.attr_int("batch_dims", 1);
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ((*out)[0].tensor().shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int32_t>((*out)[0]), (std::vector<int32_t>{2, 3, 4, 5}));
}

TEST(TensorKernels, SqueezeEmptyAxesRemovesAllOnes) {
  OneNode n("Squeeze", 13);
  n.input(Tensor::from_vector<float>({1, 2}, {1, 2, 1}));
  n.input(Tensor::from_vector<int64_t>({}, {0}));
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ((*out)[0].tensor().shape(), (Shape{2}));
}

TEST(TensorKernels, UniqueFirstSeenOrder) {
  OneNode n("Unique", 11, 4);
  n.input(Tensor::from_vector<int64_t>({3, 1, 3, 2, 1}, {5}));
  n.attr_int("sorted", 0);
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<int64_t>((*out)[0]), (std::vector<int64_t>{3, 1, 2}));
  EXPECT_EQ(values<int64_t>((*out)[1]), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(values<int64_t>((*out)[2]), (std::vector<int64_t>{0, 1, 0, 2, 1}));
  EXPECT_EQ(values<int64_t>((*out)[3]), (std::vector<int64_t>{2, 2, 1}));
}

TEST(TensorKernels, TileAndExpandStrings) {
  OneNode n("Tile", 13);
  n.input(Tensor::from_vector<std::string>({"a", "b"}, {2}));
  n.input(ints({2}));
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<std::string>((*out)[0]), (std::vector<std::string>{"a", "b", "a", "b"}));

  OneNode e("Expand", 13);
  e.input(Tensor::from_vector<float>({1, 2}, {2, 1}));
  e.input(ints({2, 3}));
  auto eo = e.run();
  ASSERT_TRUE(eo) << eo.status().to_string();
  EXPECT_EQ(values<float>((*eo)[0]), (std::vector<float>{1, 1, 1, 2, 2, 2}));
}

TEST(TensorKernels, BadInputsGiveErrorsNotCrashes) {
  OneNode g("Gather", 13);
  g.input(Tensor::from_vector<float>({1, 2, 3}, {3}));
  g.input(ints({3}));
  auto ge = g.run();
  ASSERT_FALSE(ge);
  EXPECT_NE(ge.status().message().find("out of range"), std::string::npos) << ge.status().to_string();

  OneNode r("Reshape", 14);
  r.input(Tensor::from_vector<float>({1, 2, 3}, {3}));
  r.input(ints({2, -1}));
  EXPECT_FALSE(r.run());

  OneNode s("Slice", 13);  // starts/ends missing
  s.input(Tensor::from_vector<float>({1, 2, 3}, {3}));
  EXPECT_FALSE(s.run());

  OneNode t("Transpose", 13);
  t.input(Tensor::from_vector<float>({1, 2}, {1, 2}));
  t.node->attrs["perm"].kind = ir::Attribute::Kind::kInts;
  t.node->attrs["perm"].ints = {0, 0};
  EXPECT_FALSE(t.run());
}

TEST(TensorKernels, SliceHugeStepAndEmptyAxis) {
  OneNode n("Slice", 13);
  n.input(Tensor::from_vector<float>({1, 2, 3, 4}, {4}));
  n.input(ints({1}));
  n.input(ints({std::numeric_limits<int64_t>::max()}));
  n.input(ints({0}));
  n.input(ints({std::numeric_limits<int64_t>::max()}));
  auto out = n.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<float>((*out)[0]), (std::vector<float>{2}));

  OneNode e("Slice", 13);
  e.input(Tensor::from_vector<float>({}, {0, 2}));
  e.input(ints({-1}));
  e.input(ints({std::numeric_limits<int64_t>::min()}));
  e.input(ints({0}));
  e.input(ints({-1}));
  auto eo = e.run();
  ASSERT_TRUE(eo) << eo.status().to_string();
  EXPECT_EQ((*eo)[0].tensor().shape(), (Shape{0, 2}));
}

}  // namespace
}  // namespace kiln
