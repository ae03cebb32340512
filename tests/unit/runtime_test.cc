// Executor behaviour: dynamic shapes, lifetimes, input validation, concurrent runs.
#include <gtest/gtest.h>

#include <thread>

#include "runtime/session.h"

namespace kiln {

namespace {

// These tests pin the executor's own behaviour, so they run the model as written.
SessionOptions reference_options() {
  SessionOptions o;
  o.backend = Backend::kReference;
  return o;
}

// x: float32[N, 4] -> Softmax x `chain` -> y ; y -> ReduceSum(axis 1, keepdims 0) -> s
std::shared_ptr<ir::Model> softmax_chain_model(int chain) {
  auto model = std::make_shared<ir::Model>();
  model->path = "softmax_chain";
  model->opsets[""] = 13;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  ir::Value* x = g.get_or_create("x");
  x->is_graph_input = true;
  x->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("N"), ir::Dim(4)});
  g.inputs.push_back(x);
  std::string prev = "x";
  for (int i = 0; i < chain; ++i) {
    auto n = std::make_unique<ir::Node>();
    n->op_type = "Softmax";
    n->name = "softmax" + std::to_string(i);
    n->opset = 13;
    n->inputs.push_back(g.get_or_create(prev));
    prev = i + 1 == chain ? "y" : "t" + std::to_string(i);
    n->outputs.push_back(g.get_or_create(prev));
    g.nodes.push_back(std::move(n));
  }
  ir::Value* axes = g.get_or_create("axes");
  axes->constant = Tensor::from_vector<int64_t>({1}, {1});
  auto sum = std::make_unique<ir::Node>();
  sum->op_type = "ReduceSum";
  sum->name = "sum";
  sum->opset = 13;
  sum->inputs = {g.get_or_create("y"), axes};
  sum->outputs = {g.get_or_create("s")};
  sum->attrs["keepdims"].kind = ir::Attribute::Kind::kInt;
  sum->attrs["keepdims"].i = 0;
  g.nodes.push_back(std::move(sum));
  g.outputs = {g.get_or_create("y"), g.get_or_create("s")};
  EXPECT_TRUE(g.finalize().is_ok());
  return model;
}

Tensor iota_input(int64_t rows) {
  Tensor t(DType::kFloat32, {rows, 4});
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i % 7) * 0.25f;
  return t;
}

}  // namespace

TEST(Session, InfersSymbolicShapesAndRunsAnyBatch) {
  auto session = Session::create(softmax_chain_model(2), reference_options());
  ASSERT_TRUE(session) << session.status().message();
  EXPECT_EQ((*session)->outputs()[0]->type.str(), "float32[N,4]");
  EXPECT_EQ((*session)->outputs()[1]->type.str(), "float32[N]");
  for (int64_t rows : {1, 3, 17}) {
    auto out = (*session)->run({{"x", Value(iota_input(rows))}});
    ASSERT_TRUE(out) << out.status().message();
    const Tensor& s = (*out)[1].tensor();
    ASSERT_EQ(s.shape(), (Shape{rows}));
    for (int64_t r = 0; r < rows; ++r) EXPECT_NEAR(s.data<float>()[r], 1.0f, 1e-6f);  // softmax rows sum to 1
  }
}

TEST(Session, FreesEachIntermediateAfterItsLastUse) {
  const int chain = 12;
  auto session = Session::create(softmax_chain_model(chain), reference_options());
  ASSERT_TRUE(session);
  Tensor x = iota_input(2);
  Storage::reset_peak();
  const int64_t before = Storage::live_count();
  auto out = (*session)->run({{"x", Value(x)}});
  ASSERT_TRUE(out);
  // A chain of 12 softmaxes must never hold all 12 activations: at most the one being read, the
  // one being written and the final sum (plus one in flight) live at once.
  EXPECT_LE(Storage::peak_live_count() - before, 4);
  // After the run only the two outputs remain.
  EXPECT_EQ(Storage::live_count() - before, 2);
}

TEST(Session, RejectsBadInputsWithClearMessages) {
  auto session = Session::create(softmax_chain_model(1), reference_options());
  ASSERT_TRUE(session);
  auto wrong_name = (*session)->run({{"nope", Value(iota_input(1))}});
  ASSERT_FALSE(wrong_name);
  EXPECT_NE(wrong_name.status().message().find("no input named 'nope'"), std::string::npos);
  EXPECT_NE(wrong_name.status().message().find("x"), std::string::npos);

  auto wrong_dtype = (*session)->run({{"x", Value(Tensor(DType::kInt64, {1, 4}))}});
  ASSERT_FALSE(wrong_dtype);
  EXPECT_NE(wrong_dtype.status().message().find("expects dtype float32 but got int64"), std::string::npos);

  auto wrong_shape = (*session)->run({{"x", Value(Tensor(DType::kFloat32, {1, 5}))}});
  ASSERT_FALSE(wrong_shape);
  EXPECT_NE(wrong_shape.status().message().find("[N,4]"), std::string::npos) << wrong_shape.status().message();
  EXPECT_NE(wrong_shape.status().message().find("got [1,5] (rank 2)"), std::string::npos);

  auto missing = (*session)->run({});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("'x'"), std::string::npos);
}

TEST(Session, ReportsAllUnsupportedOpsAtOnce) {
  auto model = softmax_chain_model(1);
  for (const char* op : {"FancyOpA", "FancyOpB"}) {
    auto n = std::make_unique<ir::Node>();
    n->op_type = op;
    n->name = std::string("n_") + op;
    n->opset = 13;
    n->inputs.push_back(model->graph->get_or_create("x"));
    n->outputs.push_back(model->graph->get_or_create(std::string("o_") + op));
    model->graph->nodes.push_back(std::move(n));
  }
  ASSERT_TRUE(model->graph->finalize().is_ok());
  auto session = Session::create(model, reference_options());
  ASSERT_FALSE(session);
  EXPECT_EQ(session.status().code(), StatusCode::kUnsupported);
  const std::string msg = session.status().message();
  EXPECT_NE(msg.find("2 unsupported node(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'n_FancyOpA' (op FancyOpA, domain ai.onnx, opset 13)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'n_FancyOpB'"), std::string::npos);
}

TEST(Session, RunsConcurrentlyFromSeveralThreads) {
  auto session = Session::create(softmax_chain_model(3), reference_options());
  ASSERT_TRUE(session);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto out = (*session)->run({{"x", Value(iota_input(t + 1))}});
        if (out && (*out)[1].tensor().shape() == Shape{t + 1}) ++ok[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int v : ok) EXPECT_EQ(v, 50);
}

}  // namespace kiln
