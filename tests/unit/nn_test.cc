// Hand-computed cases for the nn family's trickier logic, run through a one-node Session with
// inference verification on.
#include <gtest/gtest.h>

#include <cstdio>

#include "runtime/session.h"

namespace kiln {

namespace {

struct OneNode {
  std::string op;
  int opset = 17;
  std::map<std::string, ir::Attribute> attrs;
  std::vector<std::pair<std::string, Tensor>> inputs;  // empty name = omitted optional input
  int outputs = 1;
};

ir::Attribute ints_attr(std::vector<int64_t> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}
ir::Attribute int_attr(int64_t v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  a.i = v;
  return a;
}

Expected<std::vector<Value>> run(const OneNode& spec) {
  auto model = std::make_shared<ir::Model>();
  model->opsets[""] = spec.opset;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  auto node = std::make_unique<ir::Node>();
  node->op_type = spec.op;
  node->name = "n";
  node->opset = spec.opset;
  node->attrs = spec.attrs;
  std::vector<NamedValue> feeds;
  for (const auto& [name, t] : spec.inputs) {
    if (name.empty()) {
      node->inputs.push_back(nullptr);
      continue;
    }
    ir::Value* v = g.get_or_create(name);
    v->is_graph_input = true;
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    g.inputs.push_back(v);
    node->inputs.push_back(v);
    feeds.push_back({name, Value(t)});
  }
  for (int i = 0; i < spec.outputs; ++i) {
    ir::Value* v = g.get_or_create("out" + std::to_string(i));
    node->outputs.push_back(v);
    g.outputs.push_back(v);
  }
  g.nodes.push_back(std::move(node));
  KILN_TRY(g.finalize());
  SessionOptions options;
  options.verify_inference = true;
  options.backend = Backend::kReference;
  KILN_ASSIGN_OR_RETURN(auto session, Session::create(model, options));
  return session->run(feeds);
}

std::vector<double> values(const Value& v) {
  std::vector<double> out;
  for (int64_t i = 0; i < v.tensor().numel(); ++i) out.push_back(v.tensor().as_double(i));
  return out;
}

}  // namespace

TEST(NnConvTranspose, GroupedStride2) {
  // x: 1x2x1x2, W: 2 (in) x 1 (out per group) x 1 x 2, group 2, stride 2 -> 1x2x1x4
  OneNode s;
  s.op = "ConvTranspose";
  s.attrs["group"] = int_attr(2);
  s.attrs["strides"] = ints_attr({1, 2});
  s.inputs = {{"x", Tensor::from_vector<float>({1, 2, 3, 4}, {1, 2, 1, 2})},
              {"w", Tensor::from_vector<float>({1, 10, 100, 1000}, {2, 1, 1, 2})}};
  auto r = run(s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ((*r)[0].tensor().shape(), (Shape{1, 2, 1, 4}));
  EXPECT_EQ(values((*r)[0]), (std::vector<double>{1, 10, 2, 20, 300, 3000, 400, 4000}));
}

TEST(NnMaxPool, ColumnMajorIndices) {
  OneNode s;
  s.op = "MaxPool";
  s.attrs["kernel_shape"] = ints_attr({2, 2});
  s.attrs["storage_order"] = int_attr(1);
  s.outputs = 2;
  // 2x3 plane; max 9 at (1, 2): row-major 5, column-major 2*2+1 = 5... use (0, 2) instead.
  s.inputs = {{"x", Tensor::from_vector<float>({1, 2, 9, 4, 5, 6}, {1, 1, 2, 3})}};
  auto r = run(s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(values((*r)[0]), (std::vector<double>{5, 9}));
  // (1,1) -> 1*1 + 1*2 = 3; (0,2) -> 0 + 2*2 = 4
  EXPECT_EQ(values((*r)[1]), (std::vector<double>{3, 4}));
}

TEST(NnMatMul, VectorTimesVectorIsScalar) {
  OneNode s;
  s.op = "MatMul";
  s.inputs = {{"a", Tensor::from_vector<int32_t>({1, 2, 3}, {3})}, {"b", Tensor::from_vector<int32_t>({4, 5, 6}, {3})}};
  auto r = run(s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ((*r)[0].tensor().rank(), 0);
  EXPECT_EQ(values((*r)[0]), (std::vector<double>{32}));
}

TEST(NnMatMul, BroadcastsBatch) {
  OneNode s;
  s.op = "MatMul";
  s.inputs = {{"a", Tensor::from_vector<float>({1, 0, 0, 1, 2, 0, 0, 2}, {2, 1, 2, 2})},
              {"b", Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2})}};
  auto r = run(s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ((*r)[0].tensor().shape(), (Shape{2, 1, 2, 2}));
  EXPECT_EQ(values((*r)[0]), (std::vector<double>{1, 2, 3, 4, 2, 4, 6, 8}));
}

TEST(NnQuantize, RoundsHalfToEvenAndSaturates) {
  OneNode s;
  s.op = "QuantizeLinear";
  s.inputs = {{"x", Tensor::from_vector<float>({2.5f, -2.5f, 3.5f, 1000.f, -1000.f}, {5})},
              {"s", Tensor::scalar<float>(1.0f)},
              {"z", Tensor::scalar<int8_t>(0)}};
  auto r = run(s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(values((*r)[0]), (std::vector<double>{2, -2, 4, 127, -128}));
}

TEST(NnGemm, IntegerWithBroadcastBias) {
  OneNode s;
  s.op = "Gemm";
  s.attrs["transB"] = int_attr(1);
  s.inputs = {{"a", Tensor::from_vector<int64_t>({1, 2}, {1, 2})},
              {"b", Tensor::from_vector<int64_t>({1, 1, 2, 2, 3, 3}, {3, 2})},
              {"c", Tensor::from_vector<int64_t>({10}, {1})}};
  auto r = run(s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(values((*r)[0]), (std::vector<double>{13, 16, 19}));
}

TEST(NnConv, BadInputsGiveErrors) {
  OneNode s;
  s.op = "Conv";
  s.inputs = {{"x", Tensor::zeros(DType::kFloat32, {1, 3, 4, 4})}, {"w", Tensor::zeros(DType::kFloat32, {2, 2, 3, 3})}};
  EXPECT_FALSE(run(s));  // channel mismatch
  s.inputs = {{"x", Tensor::zeros(DType::kFloat32, {1, 1, 2, 2})}, {"w", Tensor::zeros(DType::kFloat32, {1, 1, 3, 3})}};
  EXPECT_FALSE(run(s));  // kernel larger than input
  OneNode u;
  u.op = "MaxUnpool";
  u.attrs["kernel_shape"] = ints_attr({2, 2});
  u.attrs["strides"] = ints_attr({2, 2});
  u.inputs = {{"x", Tensor::zeros(DType::kFloat32, {1, 1, 1, 1})}, {"i", Tensor::from_vector<int64_t>({99}, {1, 1, 1, 1})}};
  EXPECT_FALSE(run(u));  // index out of range
}

TEST(NnResize, SizesGiveOutputShape) {
  OneNode s;
  s.op = "Resize";
  s.inputs = {{"x", Tensor::from_vector<float>({1, 2, 3, 4}, {1, 1, 2, 2})},
              {"", Tensor()},
              {"", Tensor()},
              {"sizes", Tensor::from_vector<int64_t>({1, 1, 4, 4}, {4})}};
  auto r = run(s);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ((*r)[0].tensor().shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(values((*r)[0])[0], 1);
  EXPECT_EQ(values((*r)[0])[15], 4);
}

// A ResNet-50 sized layer with constant data: every output is the count of in-bounds taps times
// 64 channels times 0.5 * 0.25, so interior, edge and corner values are known exactly.
TEST(NnConv, ResNetSizedLayerPadsBorders) {
  OneNode s;
  s.op = "Conv";
  s.attrs["pads"] = ints_attr({1, 1, 1, 1});
  s.inputs = {{"x", Tensor::from_vector<float>(std::vector<float>(64 * 56 * 56, 0.5f), {1, 64, 56, 56})},
              {"w", Tensor::from_vector<float>(std::vector<float>(64 * 64 * 9, 0.25f), {64, 64, 3, 3})}};
  auto r = run(s);
  ASSERT_TRUE(r) << r.status().to_string();
  const Tensor& y = (*r)[0].tensor();
  ASSERT_EQ(y.shape(), (Shape{1, 64, 56, 56}));
  const float* p = y.data<float>();
  EXPECT_FLOAT_EQ(p[0], 64 * 4 * 0.125f);            // corner: 2x2 taps
  EXPECT_FLOAT_EQ(p[1], 64 * 6 * 0.125f);            // top edge: 2x3 taps
  EXPECT_FLOAT_EQ(p[57], 64 * 9 * 0.125f);           // interior
  EXPECT_FLOAT_EQ(p[63 * 56 * 56 + 55 * 56 + 55], 64 * 4 * 0.125f);  // last channel, last corner
}

}  // namespace kiln
