// Hand-computed cases for the control family's tricky corners: SplitToSequence chunking,
// ConcatFromSequence new_axis, Scan-9 axes/directions, Loop with zero iterations, GRU's
// linear_before_reset, and clear errors on bad positions. Each case runs through a Session with
// verify_inference on, so inference and kernel are checked against each other as well.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/session.h"

namespace kiln {
namespace {

ir::Node* add_node(ir::Graph& g, const std::string& op, int opset, const std::vector<std::string>& ins,
                   const std::vector<std::string>& outs) {
  auto n = std::make_unique<ir::Node>();
  n->op_type = op;
  n->name = op + std::to_string(g.nodes.size());
  n->opset = opset;
  for (const auto& s : ins) n->inputs.push_back(s.empty() ? nullptr : g.get_or_create(s));
  for (const auto& s : outs) n->outputs.push_back(g.get_or_create(s));
  ir::Node* raw = n.get();
  g.nodes.push_back(std::move(n));
  return raw;
}

void set_graph_input(ir::Graph& g, const std::string& name, ir::TypeInfo type) {
  ir::Value* v = g.get_or_create(name);
  v->is_graph_input = true;
  v->type = std::move(type);
  g.inputs.push_back(v);
}

struct Harness {
  std::shared_ptr<ir::Model> model = std::make_shared<ir::Model>();
  std::vector<NamedValue> feeds;
  explicit Harness(int opset) {
    model->opsets[""] = opset;
    model->graph = std::make_shared<ir::Graph>();
  }
  ir::Graph& g() { return *model->graph; }
  void feed(const std::string& name, Value v, ir::TypeInfo type) {
    set_graph_input(g(), name, std::move(type));
    feeds.push_back({name, std::move(v)});
  }
  void feed(const std::string& name, const Tensor& t) { feed(name, t, ir::TypeInfo::tensor_of(t.dtype(), t.shape())); }
  void output(const std::string& name) { g().outputs.push_back(g().get_or_create(name)); }
  Expected<std::vector<Value>> run() {
    KILN_TRY(g().finalize());
    SessionOptions options;
    options.verify_inference = true;
    options.backend = Backend::kReference;
    KILN_ASSIGN_OR_RETURN(auto session, Session::create(model, options));
    return session->run(feeds);
  }
};

template <typename T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

TEST(SplitToSequence, ScalarSplitLeavesShortLastChunk) {
  Harness h(13);
  h.feed("x", Tensor::from_vector<float>({1, 2, 3, 4, 5}, {5}));
  h.feed("split", Tensor::scalar<int64_t>(2));
  add_node(h.g(), "SplitToSequence", 13, {"x", "split"}, {"seq"});
  h.output("seq");
  auto out = h.run();
  ASSERT_TRUE(out) << out.status().to_string();
  const Sequence& s = (*out)[0].sequence();
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(values<float>(s.items[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(values<float>(s.items[2]), (std::vector<float>{5}));
}

TEST(SplitToSequence, NoSplitKeepdimsZeroSqueezes) {
  Harness h(13);
  h.feed("x", Tensor::from_vector<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3}));
  ir::Node* n = add_node(h.g(), "SplitToSequence", 13, {"x"}, {"seq"});
  n->attrs["axis"].kind = ir::Attribute::Kind::kInt;
  n->attrs["axis"].i = 1;
  n->attrs["keepdims"].kind = ir::Attribute::Kind::kInt;
  n->attrs["keepdims"].i = 0;
  h.output("seq");
  auto out = h.run();
  ASSERT_TRUE(out) << out.status().to_string();
  const Sequence& s = (*out)[0].sequence();
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(s.items[1].shape(), (Shape{2}));
  EXPECT_EQ(values<int32_t>(s.items[1]), (std::vector<int32_t>{2, 5}));
}

TEST(ConcatFromSequence, NewAxisStacks) {
  Harness h(13);
  Sequence seq{DType::kInt64, {Tensor::from_vector<int64_t>({1, 2}, {2}), Tensor::from_vector<int64_t>({3, 4}, {2})}};
  h.feed("seq", seq, ir::TypeInfo::sequence_of(ir::TypeInfo::tensor(DType::kInt64, {2})));
  ir::Node* n = add_node(h.g(), "ConcatFromSequence", 13, {"seq"}, {"y"});
  n->attrs["axis"].kind = ir::Attribute::Kind::kInt;
  n->attrs["axis"].i = -1;
  n->attrs["new_axis"].kind = ir::Attribute::Kind::kInt;
  n->attrs["new_axis"].i = 1;
  h.output("y");
  auto out = h.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ((*out)[0].tensor().shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>((*out)[0].tensor()), (std::vector<int64_t>{1, 3, 2, 4}));
}

TEST(SequenceAt, OutOfRangePositionIsAnError) {
  Harness h(13);
  Sequence seq{DType::kFloat32, {Tensor::scalar<float>(1)}};
  h.feed("seq", seq, ir::TypeInfo::sequence_of(ir::TypeInfo::tensor(DType::kFloat32, {})));
  h.feed("pos", Tensor::scalar<int64_t>(-2));
  add_node(h.g(), "SequenceAt", 13, {"seq", "pos"}, {"y"});
  h.output("y");
  auto out = h.run();
  ASSERT_FALSE(out);
  EXPECT_NE(out.status().message().find("out of range"), std::string::npos) << out.status().message();
}

// Scan-9 over x[3,2] along axis 0 in reverse, emitting each slice along output axis 1, while a
// state is passed through unchanged.
TEST(Scan, ReverseInputAndOutputAxisOne) {
  Harness h(11);
  h.feed("s0", Tensor::scalar<float>(7));
  h.feed("x", Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {3, 2}));
  auto body = std::make_shared<ir::Graph>();
  body->name = "body";
  body->parent = &h.g();
  set_graph_input(*body, "s_in", ir::TypeInfo::tensor(DType::kFloat32, {}));
  set_graph_input(*body, "x_t", ir::TypeInfo::tensor(DType::kFloat32, {2}));
  add_node(*body, "Identity", 11, {"s_in"}, {"s_out"});
  add_node(*body, "Identity", 11, {"x_t"}, {"y_t"});
  body->outputs = {body->get_or_create("s_out"), body->get_or_create("y_t")};
  ASSERT_TRUE(body->finalize());
  ir::Node* n = add_node(h.g(), "Scan", 11, {"s0", "x"}, {"s_final", "ys"});
  n->attrs["body"].kind = ir::Attribute::Kind::kGraph;
  n->attrs["body"].g = body;
  n->attrs["num_scan_inputs"].kind = ir::Attribute::Kind::kInt;
  n->attrs["num_scan_inputs"].i = 1;
  n->attrs["scan_input_directions"].kind = ir::Attribute::Kind::kInts;
  n->attrs["scan_input_directions"].ints = {1};
  n->attrs["scan_output_axes"].kind = ir::Attribute::Kind::kInts;
  n->attrs["scan_output_axes"].ints = {1};
  h.output("s_final");
  h.output("ys");
  auto out = h.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<float>((*out)[0].tensor()), (std::vector<float>{7}));
  EXPECT_EQ((*out)[1].tensor().shape(), (Shape{2, 3}));
  // Steps see rows 2, 1, 0; output column t holds step t's slice.
  EXPECT_EQ(values<float>((*out)[1].tensor()), (std::vector<float>{5, 3, 1, 6, 4, 2}));
}

// Loop with no trip count and a false initial condition runs zero times.
TEST(Loop, FalseConditionRunsZeroTimes) {
  Harness h(13);
  h.feed("cond", Tensor::scalar<bool>(false));
  h.feed("v", Tensor::from_vector<float>({1, 2}, {2}));
  auto body = std::make_shared<ir::Graph>();
  body->name = "body";
  body->parent = &h.g();
  set_graph_input(*body, "i", ir::TypeInfo::tensor(DType::kInt64, {}));
  set_graph_input(*body, "c_in", ir::TypeInfo::tensor(DType::kBool, {}));
  set_graph_input(*body, "v_in", ir::TypeInfo::tensor(DType::kFloat32, {2}));
  add_node(*body, "Identity", 13, {"c_in"}, {"c_out"});
  add_node(*body, "Identity", 13, {"v_in"}, {"v_out"});
  add_node(*body, "Identity", 13, {"v_in"}, {"scan_out"});
  body->outputs = {body->get_or_create("c_out"), body->get_or_create("v_out"), body->get_or_create("scan_out")};
  ASSERT_TRUE(body->finalize());
  ir::Node* n = add_node(h.g(), "Loop", 13, {"", "cond", "v"}, {"v_final", "scans"});
  n->attrs["body"].kind = ir::Attribute::Kind::kGraph;
  n->attrs["body"].g = body;
  h.output("v_final");
  h.output("scans");
  auto out = h.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ(values<float>((*out)[0].tensor()), (std::vector<float>{1, 2}));
  EXPECT_EQ((*out)[1].tensor().shape(), (Shape{0, 2}));
}

// One GRU step with hidden 1 and input 1, checked against the ONNX formulas by hand.
TEST(GRU, LinearBeforeReset) {
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (int lbr = 0; lbr <= 1; ++lbr) {
    Harness h(14);
    h.feed("X", Tensor::from_vector<float>({1.0f}, {1, 1, 1}));
    h.feed("W", Tensor::from_vector<float>({0.5f, -0.5f, 1.0f}, {1, 3, 1}));   // z, r, h
    h.feed("R", Tensor::from_vector<float>({0.1f, 0.2f, 0.3f}, {1, 3, 1}));
    h.feed("B", Tensor::from_vector<float>({0, 0, 0.1f, 0, 0, 0.2f}, {1, 6}));  // Wb, Rb
    h.feed("h0", Tensor::from_vector<float>({0.5f}, {1, 1, 1}));
    ir::Node* n = add_node(h.g(), "GRU", 14, {"X", "W", "R", "B", "", "h0"}, {"Y", "Yh"});
    n->attrs["linear_before_reset"].kind = ir::Attribute::Kind::kInt;
    n->attrs["linear_before_reset"].i = lbr;
    h.output("Y");
    h.output("Yh");
    auto out = h.run();
    ASSERT_TRUE(out) << out.status().to_string();
    const double z = sig(0.5 + 0.1 * 0.5), r = sig(-0.5 + 0.2 * 0.5);
    const double ht = lbr ? std::tanh(1.0 + 0.1 + r * (0.3 * 0.5 + 0.2)) : std::tanh(1.0 + 0.1 + 0.3 * (r * 0.5) + 0.2);
    const double want = (1 - z) * ht + z * 0.5;
    EXPECT_EQ((*out)[0].tensor().shape(), (Shape{1, 1, 1, 1}));
    EXPECT_NEAR((*out)[0].tensor().data<float>()[0], want, 1e-6);
    EXPECT_NEAR((*out)[1].tensor().data<float>()[0], want, 1e-6);
  }
}

// Branch outputs that are an outer value directly (no node) or computed from one.
TEST(If, BranchOutputIsOuterValue) {
  for (bool cond : {true, false}) {
    Harness h(13);
    h.feed("c", Tensor::scalar<bool>(cond));
    h.feed("x", Tensor::from_vector<float>({1, 2}, {2}));
    h.feed("z", Tensor::from_vector<float>({3}, {1}));
    auto then_g = std::make_shared<ir::Graph>();
    then_g->name = "then";
    then_g->parent = &h.g();
    then_g->outputs = {then_g->get_or_create("x")};
    ASSERT_TRUE(then_g->finalize());
    auto else_g = std::make_shared<ir::Graph>();
    else_g->name = "else";
    else_g->parent = &h.g();
    add_node(*else_g, "Identity", 13, {"z"}, {"zz"});
    else_g->outputs = {else_g->get_or_create("zz")};
    ASSERT_TRUE(else_g->finalize());
    ir::Node* n = add_node(h.g(), "If", 13, {"c"}, {"y"});
    n->attrs["then_branch"].kind = ir::Attribute::Kind::kGraph;
    n->attrs["then_branch"].g = then_g;
    n->attrs["else_branch"].kind = ir::Attribute::Kind::kGraph;
    n->attrs["else_branch"].g = else_g;
    h.output("y");
    auto out = h.run();
    ASSERT_TRUE(out) << out.status().to_string();
    EXPECT_EQ(values<float>((*out)[0].tensor()), cond ? (std::vector<float>{1, 2}) : (std::vector<float>{3}));
  }
}

// A body whose outputs are its own inputs, passed straight through; the trip count bounds it.
TEST(Loop, BodyOutputsAreBodyInputs) {
  Harness h(13);
  h.feed("m", Tensor::scalar<int64_t>(3));
  Sequence seq{DType::kFloat32, {Tensor::scalar<float>(1)}};
  h.feed("s", seq, ir::TypeInfo::sequence_of(ir::TypeInfo::tensor(DType::kFloat32, {})));
  auto body = std::make_shared<ir::Graph>();
  body->name = "body";
  body->parent = &h.g();
  set_graph_input(*body, "i", ir::TypeInfo::tensor(DType::kInt64, {}));
  set_graph_input(*body, "c_in", ir::TypeInfo::tensor(DType::kBool, {}));
  set_graph_input(*body, "s_in", ir::TypeInfo::sequence_of(ir::TypeInfo::tensor(DType::kFloat32, {})));
  body->outputs = {body->get_or_create("c_in"), body->get_or_create("s_in"), body->get_or_create("i")};
  ASSERT_TRUE(body->finalize());
  ir::Node* n = add_node(h.g(), "Loop", 13, {"m", "", "s"}, {"s_final", "iters"});
  n->attrs["body"].kind = ir::Attribute::Kind::kGraph;
  n->attrs["body"].g = body;
  h.output("s_final");
  h.output("iters");
  auto out = h.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ((*out)[0].sequence().items.size(), 1u);
  EXPECT_EQ((*out)[1].tensor().shape(), (Shape{3}));
  EXPECT_EQ(values<int64_t>((*out)[1].tensor()), (std::vector<int64_t>{0, 1, 2}));
}

// Bidirectional RNN with an identity activation and R = 1 computes running sums: forwards, and
// backwards from each row's own last step; steps past sequence_lens stay zero.
TEST(RNN, BidirectionalWithSequenceLens) {
  Harness h(14);
  h.feed("X", Tensor::from_vector<float>({1, 10, 2, 20, 3, 30}, {3, 2, 1}));
  h.feed("W", Tensor::from_vector<float>({1, 1}, {2, 1, 1}));
  h.feed("R", Tensor::from_vector<float>({1, 1}, {2, 1, 1}));
  h.feed("lens", Tensor::from_vector<int32_t>({3, 2}, {2}));
  ir::Node* n = add_node(h.g(), "RNN", 14, {"X", "W", "R", "", "lens"}, {"Y", "Yh"});
  n->attrs["direction"].kind = ir::Attribute::Kind::kString;
  n->attrs["direction"].s = "bidirectional";
  n->attrs["hidden_size"].kind = ir::Attribute::Kind::kInt;
  n->attrs["hidden_size"].i = 1;
  n->attrs["activations"].kind = ir::Attribute::Kind::kStrings;
  n->attrs["activations"].strings = {"Affine", "Affine"};
  n->attrs["activation_alpha"].kind = ir::Attribute::Kind::kFloats;
  n->attrs["activation_alpha"].floats = {1, 1};
  n->attrs["activation_beta"].kind = ir::Attribute::Kind::kFloats;
  n->attrs["activation_beta"].floats = {0, 0};
  h.output("Y");
  h.output("Yh");
  auto out = h.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_EQ((*out)[0].tensor().shape(), (Shape{3, 2, 2, 1}));
  EXPECT_EQ(values<float>((*out)[0].tensor()), (std::vector<float>{1, 10, 6, 30, 3, 30, 5, 20, 6, 0, 3, 0}));
  EXPECT_EQ(values<float>((*out)[1].tensor()), (std::vector<float>{6, 30, 6, 30}));
}

}  // namespace
}  // namespace kiln
