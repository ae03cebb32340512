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

namespace kiln {
namespace {

// x -> Conv -> Relu = r1 -> Conv -> Relu = r2 -> Conv(+ z) -> Relu -> y, z = r1 (`z_is_input`:
// z = r2, the last conv's own input; `z_used_later`: r1 also feeds a final Add).
std::shared_ptr<ir::Model> residual_model(bool z_is_input, bool z_used_later) {
  auto model = std::make_shared<ir::Model>();
  model->path = "arena_residual";
  model->opsets[""] = 13;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  ir::Value* x = g.get_or_create("x");
  x->is_graph_input = true;
  x->type = ir::TypeInfo::tensor_of(DType::kFloat32, {1, 16, 10, 10});
  g.inputs.push_back(x);
  int seed = 0;
  auto node = [&](const std::string& op, std::vector<ir::Value*> ins, const std::string& out) {
    ir::Value* y = g.get_or_create(out);
    g.add_node(op, "", 13, std::move(ins), {y}, out);
    return y;
  };
  auto conv = [&](ir::Value* in, const std::string& out) {
    ir::Value* w = g.get_or_create(out + "_w");
    w->constant = random_tensor({16, 16, 3, 3}, static_cast<uint64_t>(++seed), DType::kFloat32, -0.2f, 0.2f);
    w->type = ir::TypeInfo::tensor_of(DType::kFloat32, w->constant->shape());
    ir::Value* y = node("Conv", {in, w}, out);
    g.nodes.back()->attrs["pads"].kind = ir::Attribute::Kind::kInts;
    g.nodes.back()->attrs["pads"].ints = {1, 1, 1, 1};
    return y;
  };
  ir::Value* r1 = node("Relu", {conv(x, "c1")}, "r1");
  ir::Value* r2 = node("Relu", {conv(r1, "c2")}, "r2");
  ir::Value* sum = node("Add", {conv(r2, "c3"), z_is_input ? r2 : r1}, "sum");
  ir::Value* y = node("Relu", {sum}, "y_pre");
  if (z_used_later) y = node("Add", {y, r1}, "y_late");
  g.outputs.push_back(node("Identity", {y}, "y"));
  EXPECT_TRUE(g.finalize().is_ok());
  return model;
}

// The fused residual convolution (kiln.FusedConv with a sum input) of a session's graph.
const ir::Node* fused_sum_conv(const ir::Graph& g) {
  for (const auto& n : g.nodes) {
    if (n->op_type == "FusedConv" && n->has_input(3)) return n.get();
  }
  return nullptr;
}

void expect_matches_reference(bool z_is_input, bool z_used_later, bool expect_in_place) {
  SessionOptions o;
  o.threads = 2;
  auto session = Session::create(residual_model(z_is_input, z_used_later), o);
  ASSERT_TRUE(session) << session.status().message();
  const ir::Graph& g = *(*session)->model().graph;
  const ir::Node* conv = fused_sum_conv(g);
  ASSERT_NE(conv, nullptr) << "the passes did not fuse Conv + Add into a FusedConv with Z";
  const MemoryPlan& plan = (*session)->memory_plan();
  EXPECT_EQ(plan.in_place.count(conv), expect_in_place ? 1u : 0u);
  if (expect_in_place) {
    ASSERT_TRUE(plan.slots.count(conv->outputs[0]) && plan.slots.count(conv->inputs[3]));
    EXPECT_EQ(plan.slots.at(conv->outputs[0]).offset, plan.slots.at(conv->inputs[3]).offset);
  }
  SessionOptions ro;
  ro.backend = Backend::kReference;
  auto ref = Session::create(residual_model(z_is_input, z_used_later), ro);
  ASSERT_TRUE(ref) << ref.status().message();
  for (uint64_t seed : {20, 21}) {  // twice: the pooled arena is reused
    Tensor x = random_tensor({1, 16, 10, 10}, seed);
    auto y = (*session)->run({{"x", Value(x)}});
    auto r = (*ref)->run({{"x", Value(x)}});
    ASSERT_TRUE(y && r);
    expect_near((*y)[0].tensor(), (*r)[0].tensor());
  }
}

TEST(Arena, ResidualSumInputIsOverwrittenInPlace) { expect_matches_reference(false, false, true); }
TEST(Arena, NoInPlaceWhenTheSumInputIsAlsoTheConvInput) { expect_matches_reference(true, false, false); }
TEST(Arena, NoInPlaceWhenTheSumInputIsUsedLater) { expect_matches_reference(false, true, false); }

// A plan from elsewhere (an offline model) that puts an output over an input the kernel cannot
// overwrite loses that slot; the in-place slot the kernel allows survives.
TEST(Arena, DropsUnsafeOverlapsOfAStoredPlan) {
  SessionOptions o;
  auto session = Session::create(residual_model(false, false), o);
  ASSERT_TRUE(session) << session.status().message();
  const ir::Graph& g = *(*session)->model().graph;
  const ir::Node* conv = fused_sum_conv(g);
  ASSERT_NE(conv, nullptr);
  MemoryPlan plan = (*session)->memory_plan();
  const ir::Node* first_conv = nullptr;  // a planned node reading a planned value
  for (const auto& n : g.nodes) {
    if (n.get() != conv && n->op_type == "FusedConv" && plan.slots.count(n->inputs[0]) && plan.slots.count(n->outputs[0])) first_conv = n.get();
  }
  ASSERT_NE(first_conv, nullptr);
  plan.slots[first_conv->outputs[0]] = plan.slots.at(first_conv->inputs[0]);  // output over its input
  const auto allowed = [&](const ir::Node& n) { return &n == conv ? 3 : -1; };
  drop_unsafe_overlaps(plan, g, allowed);
  EXPECT_EQ(plan.slots.count(first_conv->outputs[0]), 0u);
  EXPECT_EQ(plan.in_place.count(conv), 1u);
  EXPECT_TRUE(plan.slots.count(conv->outputs[0]));
}

}  // namespace
}  // namespace kiln
