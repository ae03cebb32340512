// Hand-computed cases for the elementwise family's tricky semantics: rounding, integer division
// and modulo signs, wrapping, Cast text formats and conversions, broadcasting, old-opset rules.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "ops/op_schema.h"
#include "runtime/session.h"

namespace kiln {

namespace {

// Runs one node `op` (opset `opset`) on `inputs` (named x0, x1, ...; an invalid Tensor marks an
// omitted optional input) with inference verification on; returns output 0.
Expected<Tensor> run_op(const std::string& op, std::vector<Tensor> inputs,
                        std::map<std::string, ir::Attribute> attrs = {}, int opset = 17) {
  auto model = std::make_shared<ir::Model>();
  model->opsets[""] = opset;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  auto node = std::make_unique<ir::Node>();
  node->op_type = op;
  node->opset = opset;
  node->attrs = std::move(attrs);
  std::vector<NamedValue> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].valid()) {
      node->inputs.push_back(nullptr);
      continue;
    }
    ir::Value* v = g.get_or_create("x" + std::to_string(i));
    v->is_graph_input = true;
    v->type = ir::TypeInfo::tensor_of(inputs[i].dtype(), inputs[i].shape());
    g.inputs.push_back(v);
    node->inputs.push_back(v);
    feeds.push_back({v->name, Value(inputs[i])});
  }
  ir::Value* y = g.get_or_create("y");
  node->outputs.push_back(y);
  g.outputs.push_back(y);
  g.nodes.push_back(std::move(node));
  KILN_TRY(g.finalize());
  SessionOptions options;
  options.verify_inference = true;
  options.backend = Backend::kReference;
  KILN_ASSIGN_OR_RETURN(auto session, Session::create(model, options));
  KILN_ASSIGN_OR_RETURN(auto outputs, session->run(feeds));
  return outputs.at(0).tensor();
}

ir::Attribute int_attr(int64_t v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  a.i = v;
  return a;
}
ir::Attribute float_attr(float v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kFloat;
  a.f = v;
  return a;
}
ir::Attribute string_attr(const std::string& v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kString;
  a.s = v;
  return a;
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

}  // namespace

TEST(Elementwise, RoundIsHalfToEven) {
  auto y = run_op("Round", {Tensor::from_vector<float>({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.3f, -2.7f}, {8})});
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(values<float>(*y), (std::vector<float>{0, 2, 2, -0.0f, -2, -2, 2, -3}));
}

TEST(Elementwise, IntegerDivTruncatesAndWraps) {
  auto y = run_op("Div", {Tensor::from_vector<int32_t>({-7, 7, std::numeric_limits<int32_t>::min()}, {3}),
                          Tensor::from_vector<int32_t>({2, -2, -1}, {3})});
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(values<int32_t>(*y), (std::vector<int32_t>{-3, -3, std::numeric_limits<int32_t>::min()}));
  auto zero = run_op("Div", {Tensor::from_vector<int32_t>({1}, {1}), Tensor::from_vector<int32_t>({0}, {1})});
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.status().message().find("division by zero"), std::string::npos);
}

TEST(Elementwise, ModSignFollowsDivisorOrDividend) {
  Tensor a = Tensor::from_vector<int64_t>({-4, 4, -4, 4}, {4});
  Tensor b = Tensor::from_vector<int64_t>({3, -3, -3, 3}, {4});
  auto py = run_op("Mod", {a, b});
  ASSERT_TRUE(py) << py.status().to_string();
  EXPECT_EQ(values<int64_t>(*py), (std::vector<int64_t>{2, -2, -1, 1}));
  auto c = run_op("Mod", {a, b}, {{"fmod", int_attr(1)}});
  ASSERT_TRUE(c) << c.status().to_string();
  EXPECT_EQ(values<int64_t>(*c), (std::vector<int64_t>{-1, 1, -1, 1}));
  auto f = run_op("Mod", {Tensor::from_vector<float>({-4.5f}, {1}), Tensor::from_vector<float>({2.0f}, {1})},
                  {{"fmod", int_attr(1)}});
  ASSERT_TRUE(f) << f.status().to_string();
  EXPECT_EQ(values<float>(*f)[0], -0.5f);
}

TEST(Elementwise, AddWrapsAndBroadcasts) {
  auto y = run_op("Add", {Tensor::from_vector<uint8_t>({250, 1, 2, 3, 4, 5}, {2, 3}),
                          Tensor::from_vector<uint8_t>({10, 20, 30}, {3})});
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(y->shape(), (Shape{2, 3}));
  EXPECT_EQ(values<uint8_t>(*y), (std::vector<uint8_t>{4, 21, 32, 13, 24, 35}));
  auto bad = run_op("Add", {Tensor::from_vector<float>({1, 2}, {2}), Tensor::from_vector<float>({1, 2, 3}, {3})});
  EXPECT_FALSE(bad);
}

TEST(Elementwise, PowMixedTypes) {
  auto ii = run_op("Pow", {Tensor::from_vector<int64_t>({2, -2, 3}, {3}), Tensor::from_vector<int64_t>({10, 3, 0}, {3})});
  ASSERT_TRUE(ii) << ii.status().to_string();
  EXPECT_EQ(values<int64_t>(*ii), (std::vector<int64_t>{1024, -8, 1}));
  auto i_f = run_op("Pow", {Tensor::from_vector<int32_t>({4, 2}, {2}), Tensor::from_vector<float>({0.5f, 3.0f}, {2})});
  ASSERT_TRUE(i_f) << i_f.status().to_string();
  EXPECT_EQ(i_f->dtype(), DType::kInt32);
  EXPECT_EQ(values<int32_t>(*i_f), (std::vector<int32_t>{2, 8}));
}

TEST(Elementwise, BitShiftBeyondWidthIsZero) {
  auto y = run_op("BitShift", {Tensor::from_vector<uint8_t>({1, 255, 16}, {3}), Tensor::from_vector<uint8_t>({7, 8, 2}, {3})},
                  {{"direction", string_attr("LEFT")}});
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(values<uint8_t>(*y), (std::vector<uint8_t>{128, 0, 64}));
}

TEST(Elementwise, MaxPropagatesNaNAndBroadcasts) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto y = run_op("Max", {Tensor::from_vector<float>({1, nan}, {2}), Tensor::from_vector<float>({3}, {1}),
                          Tensor::from_vector<float>({0, 0, 5, 0}, {2, 2})});
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(y->shape(), (Shape{2, 2}));
  auto v = values<float>(*y);
  EXPECT_EQ(v[0], 3);
  EXPECT_TRUE(std::isnan(v[1]));
  EXPECT_EQ(v[2], 5);
}

TEST(Elementwise, ClipMinAboveMaxGivesMax) {
  auto y = run_op("Clip", {Tensor::from_vector<float>({-1, 5, 10}, {3}), Tensor::scalar<float>(6), Tensor::scalar<float>(2)});
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(values<float>(*y), (std::vector<float>{2, 2, 2}));
  auto only_max = run_op("Clip", {Tensor::from_vector<int8_t>({-100, 5, 100}, {3}), Tensor(), Tensor::scalar<int8_t>(10)});
  ASSERT_TRUE(only_max) << only_max.status().to_string();
  EXPECT_EQ(values<int8_t>(*only_max), (std::vector<int8_t>{-100, 5, 10}));
  auto attrs = run_op("Clip", {Tensor::from_vector<float>({-1, 0.5f, 2}, {3})},
                      {{"min", float_attr(0)}, {"max", float_attr(1)}}, 6);
  ASSERT_TRUE(attrs) << attrs.status().to_string();
  EXPECT_EQ(values<float>(*attrs), (std::vector<float>{0, 0.5f, 1}));
}

TEST(Elementwise, PReluOldOpsetSlopeIsPerChannel) {
  Tensor x = Tensor::from_vector<float>({-1, -1, -1, -1}, {1, 2, 2});
  auto y = run_op("PRelu", {x, Tensor::from_vector<float>({0.5f, 2.0f}, {2})}, {}, 6);
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(values<float>(*y), (std::vector<float>{-0.5f, -0.5f, -2, -2}));
  auto y9 = run_op("PRelu", {x, Tensor::from_vector<float>({0.5f, 2.0f}, {2})}, {}, 9);
  ASSERT_TRUE(y9) << y9.status().to_string();
  EXPECT_EQ(values<float>(*y9), (std::vector<float>{-0.5f, -2, -0.5f, -2}));
}

TEST(Elementwise, WhereSelectsStrings) {
  auto y = run_op("Where", {Tensor::from_vector<bool>({true, false}, {2}), Tensor::from_vector<std::string>({"a"}, {1}),
                            Tensor::from_vector<std::string>({"b", "c"}, {2})});
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(values<std::string>(*y), (std::vector<std::string>{"a", "c"}));
}

TEST(Elementwise, CastToStringIsShortestNumpyStyle) {
  const float inf = std::numeric_limits<float>::infinity();
  auto y = run_op("Cast", {Tensor::from_vector<float>({0.5f, 3.0f, 1e-5f, 0.47892547f, -inf, NAN, 1e16f}, {7})},
                  {{"to", int_attr(static_cast<int>(DType::kString))}});
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(values<std::string>(*y),
            (std::vector<std::string>{"0.5", "3.0", "1e-05", "0.47892547", "-INF", "NaN", "1e+16"}));
  auto h = run_op("Cast", {Tensor::from_vector<float16>({float16(0.1f), float16(1000.0f)}, {2})},
                  {{"to", int_attr(static_cast<int>(DType::kString))}});
  ASSERT_TRUE(h) << h.status().to_string();
  EXPECT_EQ(values<std::string>(*h), (std::vector<std::string>{"0.1", "1000.0"}));
}

TEST(Elementwise, CastFromString) {
  auto y = run_op("Cast", {Tensor::from_vector<std::string>({"1.5", "INF", "+INF", "-INF", "NaN", "1e-2"}, {6})},
                  {{"to", int_attr(static_cast<int>(DType::kFloat32))}});
  ASSERT_TRUE(y) << y.status().to_string();
  auto v = values<float>(*y);
  EXPECT_EQ(v[0], 1.5f);
  EXPECT_TRUE(std::isinf(v[1]) && v[1] > 0);
  EXPECT_TRUE(std::isinf(v[2]) && v[2] > 0);
  EXPECT_TRUE(std::isinf(v[3]) && v[3] < 0);
  EXPECT_TRUE(std::isnan(v[4]));
  EXPECT_EQ(v[5], 0.01f);
  auto big = run_op("Cast", {Tensor::from_vector<std::string>({"9007199254740993"}, {1})},
                    {{"to", int_attr(static_cast<int>(DType::kInt64))}});
  ASSERT_TRUE(big) << big.status().to_string();
  EXPECT_EQ(values<int64_t>(*big)[0], 9007199254740993);  // beyond double's 53 bits: exact
}

TEST(Elementwise, CastNumericEdgeCases) {
  auto i8 = run_op("Cast", {Tensor::from_vector<float>({-1.7f, 1.7f, NAN, 1e10f}, {4})},
                   {{"to", int_attr(static_cast<int>(DType::kInt32))}});
  ASSERT_TRUE(i8) << i8.status().to_string();
  EXPECT_EQ(values<int32_t>(*i8), (std::vector<int32_t>{-1, 1, 0, static_cast<int32_t>(10000000000LL & 0xffffffff)}));
  // 1 + 2^-11 + 2^-40 lies just above the midpoint of two float16 values: rounding through float
  // would land exactly on the midpoint and round down to even; a single rounding goes up.
  auto h = run_op("Cast", {Tensor::from_vector<double>({1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40)}, {1})},
                  {{"to", int_attr(static_cast<int>(DType::kFloat16))}});
  ASSERT_TRUE(h) << h.status().to_string();
  EXPECT_EQ(h->data<float16>()[0].bits, 0x3C01);
}

TEST(Elementwise, InferenceBroadcastsSymbolicDims) {
  ir::Node node;
  node.op_type = "Add";
  node.opset = 17;
  ir::TypeInfo a = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("N"), 1, 4});
  ir::TypeInfo b = ir::TypeInfo::tensor(DType::kFloat32, {3, ir::Dim(1)});
  InferContext ctx(node, {&a, &b}, {nullptr, nullptr});
  ctx.outputs().resize(1);
  ctx.output_constants().resize(1);
  const OpSchema* schema = find_op_schema("", "Add");
  ASSERT_NE(schema, nullptr);
  ASSERT_TRUE(schema->infer(ctx).is_ok());
  EXPECT_EQ(ctx.outputs()[0].str(), "float32[N,3,4]");
  ir::TypeInfo c = ir::TypeInfo::tensor(DType::kInt32, {3, 4});
  InferContext bad(node, {&a, &c}, {nullptr, nullptr});
  bad.outputs().resize(1);
  EXPECT_FALSE(schema->infer(bad).is_ok());
}

}  // namespace kiln

namespace kiln {

TEST(Elementwise, LegacyBroadcastAxis) {
  ir::Attribute bcast;
  bcast.kind = ir::Attribute::Kind::kInt;
  bcast.i = 1;
  ir::Attribute axis = bcast;
  axis.i = 0;
  auto y = run_op("Add", {Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}), Tensor::from_vector<float>({10, 20}, {2})},
                  {{"broadcast", bcast}, {"axis", axis}}, 6);
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(values<float>(*y), (std::vector<float>{11, 12, 13, 24, 25, 26}));
}

TEST(Elementwise, CastLegacyStringTarget) {
  ir::Attribute to;
  to.kind = ir::Attribute::Kind::kString;
  to.s = "INT32";
  auto y = run_op("Cast", {Tensor::from_vector<float>({2.9f}, {1})}, {{"to", to}}, 1);
  ASSERT_TRUE(y) << y.status().to_string();
  EXPECT_EQ(y->dtype(), DType::kInt32);
  EXPECT_EQ(values<int32_t>(*y)[0], 2);
}

}  // namespace kiln
