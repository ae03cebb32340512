// The activation arena: planned slots, reuse across runs, results that outlive the run, and
// concurrent runs of one session (each run takes its own pooled arena).
#include <gtest/gtest.h>

#include <thread>

#include "cpu/cpu_check.h"
#include "runtime/memory_plan.h"

namespace kiln {
namespace {

using test_util::random_tensor;

// x -> Conv(3x3) -> Relu -> Conv(1x1) -> Sigmoid -> Flatten -> y: every intermediate is planned,
// and Flatten (a view op) aliases its input.
std::shared_ptr<ir::Model> chain_model() {
  auto model = std::make_shared<ir::Model>();
  model->path = "arena_chain";
  model->opsets[""] = 13;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  ir::Value* x = g.get_or_create("x");
  x->is_graph_input = true;
  x->type = ir::TypeInfo::tensor_of(DType::kFloat32, {1, 8, 12, 12});
  g.inputs.push_back(x);
  auto constant = [&](const std::string& name, const Tensor& t) {
    ir::Value* v = g.get_or_create(name);
    v->constant = t;
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    return v;
  };
  auto node = [&](const std::string& op, std::vector<ir::Value*> ins, const std::string& out) {
    ir::Value* y = g.get_or_create(out);
    g.add_node(op, "", 13, std::move(ins), {y}, out);
    return y;
  };
  ir::Value* c1 = node("Conv", {x, constant("w1", random_tensor({16, 8, 3, 3}, 1))}, "c1");
  g.nodes.back()->attrs["pads"].kind = ir::Attribute::Kind::kInts;
  g.nodes.back()->attrs["pads"].ints = {1, 1, 1, 1};
  ir::Value* r = node("Relu", {c1}, "r");
  ir::Value* c2 = node("Conv", {r, constant("w2", random_tensor({4, 16, 1, 1}, 2))}, "c2");
  ir::Value* s = node("Sigmoid", {c2}, "s");
  g.outputs.push_back(node("Flatten", {s}, "y"));
  EXPECT_TRUE(g.finalize().is_ok());
  return model;
}

Tensor run_reference(const Tensor& x) {
  SessionOptions o;
  o.backend = Backend::kReference;
  auto s = Session::create(chain_model(), o);
  EXPECT_TRUE(s) << s.status().message();
  auto out = (*s)->run({{"x", Value(x)}});
  EXPECT_TRUE(out) << out.status().message();
  return (*out)[0].tensor();
}

void expect_near(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_NEAR(a.data<float>()[i], b.data<float>()[i], 1e-5) << i;
}

TEST(Arena, PlansIntermediatesAndKeepsResultsAcrossRuns) {
  SessionOptions o;
  o.threads = 2;
  auto session = Session::create(chain_model(), o);
  ASSERT_TRUE(session) << session.status().message();
  const MemoryPlan& plan = (*session)->memory_plan();
  EXPECT_GT(plan.arena_bytes, 0u);
  EXPECT_GE(plan.unshared_bytes, plan.arena_bytes);
  Tensor x1 = random_tensor({1, 8, 12, 12}, 10), x2 = random_tensor({1, 8, 12, 12}, 11);
  auto y1 = (*session)->run({{"x", Value(x1)}});
  ASSERT_TRUE(y1) << y1.status().message();
  const Tensor first = (*y1)[0].tensor();
  const Tensor first_copy = first.clone();
  auto y2 = (*session)->run({{"x", Value(x2)}});  // reuses the pooled arena
  ASSERT_TRUE(y2) << y2.status().message();
  expect_near(first, first_copy);  // the first result did not live in the arena
  expect_near(first, run_reference(x1));
  expect_near((*y2)[0].tensor(), run_reference(x2));
}

TEST(Arena, ConcurrentRunsOfOneSessionDoNotShareActivations) {
  SessionOptions o;
  o.threads = 1;
  auto session = Session::create(chain_model(), o);
  ASSERT_TRUE(session) << session.status().message();
  constexpr int kThreads = 4, kRuns = 8;
  std::vector<Tensor> inputs, want;
  for (int t = 0; t < kThreads; ++t) {
    inputs.push_back(random_tensor({1, 8, 12, 12}, 100 + t));
    want.push_back(run_reference(inputs.back()));
  }
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRuns; ++r) {
        auto y = (*session)->run({{"x", Value(inputs[t])}});
        if (!y) {
          errors[t] = y.status().message();
          return;
        }
        const Tensor& got = (*y)[0].tensor();
        for (int64_t i = 0; i < got.numel(); ++i) {
          if (std::fabs(got.data<float>()[i] - want[t].data<float>()[i]) > 1e-5) {
            errors[t] = "thread " + std::to_string(t) + " run " + std::to_string(r) + " element " + std::to_string(i);
            return;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
}

}  // namespace
}  // namespace kiln
