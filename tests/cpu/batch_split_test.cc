// Batch split (runtime/batch_split.h): a batch whose images never meet runs image by image on
// batch-1 kernels, and must give the reference backend's results; graphs where images meet, or
// where a batch-1 pass would only stream weights, keep running the batch as a whole.
#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <thread>

#include "cpu/cpu_check.h"
#include "runtime/batch_split.h"
#include "runtime/memory_plan.h"

namespace kiln {
namespace {

using test_util::random_tensor;

struct Builder {
  std::shared_ptr<ir::Model> model = std::make_shared<ir::Model>();
  ir::Graph* g = nullptr;
  uint64_t seed = 0;

  explicit Builder(const std::string& name) {
    model->path = name;
    model->opsets[""] = 13;
    model->graph = std::make_shared<ir::Graph>();
    g = model->graph.get();
  }
  ir::Value* input(const std::string& name, const Shape& shape) {
    ir::Value* x = g->get_or_create(name);
    x->is_graph_input = true;
    x->type = ir::TypeInfo::tensor_of(DType::kFloat32, shape);
    g->inputs.push_back(x);
    return x;
  }
  ir::Value* constant(const std::string& name, const Tensor& t) {
    ir::Value* v = g->get_or_create(name);
    v->constant = t;
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    return v;
  }
  ir::Value* weights(const std::string& name, const Shape& shape) {
    return constant(name, random_tensor(shape, ++seed, DType::kFloat32, -0.3f, 0.3f));
  }
  ir::Node* node(const std::string& op, std::vector<ir::Value*> ins, const std::string& out) {
    return g->add_node(op, "", 13, std::move(ins), {g->get_or_create(out)}, out);
  }
  static void ints(ir::Node* n, const std::string& key, std::vector<int64_t> v) {
    n->attrs[key].kind = ir::Attribute::Kind::kInts;
    n->attrs[key].ints = std::move(v);
  }
  static void int_attr(ir::Node* n, const std::string& key, int64_t v) {
    n->attrs[key].kind = ir::Attribute::Kind::kInt;
    n->attrs[key].i = v;
  }
  std::shared_ptr<ir::Model> done(ir::Value* y) {
    g->outputs.push_back(y);
    EXPECT_TRUE(g->finalize().is_ok());
    return model;
  }
};

// x[N,8,12,12] -> Conv 3x3 -> Relu -> MaxPool 2x2 -> Conv 3x3 (+ residual) -> Relu -> GAP ->
// Reshape to the constant [N, 16] -> Gemm -> Softmax(axis) -> y[N,10]
std::shared_ptr<ir::Model> conv_net(int64_t batch, int64_t softmax_axis = 1) {
  Builder b("batch_split_conv_net");
  ir::Value* x = b.input("x", {batch, 8, 12, 12});
  ir::Node* c1 = b.node("Conv", {x, b.weights("w1", {16, 8, 3, 3}), b.weights("b1", {16})}, "c1");
  Builder::ints(c1, "pads", {1, 1, 1, 1});
  b.node("Relu", {c1->outputs[0]}, "r1");
  ir::Node* pool = b.node("MaxPool", {b.g->get_or_create("r1")}, "p1");
  Builder::ints(pool, "kernel_shape", {2, 2});
  Builder::ints(pool, "strides", {2, 2});
  ir::Node* c2 = b.node("Conv", {pool->outputs[0], b.weights("w2", {16, 16, 3, 3})}, "c2");
  Builder::ints(c2, "pads", {1, 1, 1, 1});
  b.node("Add", {c2->outputs[0], pool->outputs[0]}, "sum");
  b.node("Relu", {b.g->get_or_create("sum")}, "r2");
  b.node("GlobalAveragePool", {b.g->get_or_create("r2")}, "gap");
  ir::Value* shape = b.constant("flat_shape", Tensor::from_vector<int64_t>({batch, 16}, {2}));
  b.node("Reshape", {b.g->get_or_create("gap"), shape}, "flat");
  ir::Node* fc = b.node("Gemm", {b.g->get_or_create("flat"), b.weights("fc_w", {10, 16}), b.weights("fc_b", {10})}, "fc");
  Builder::int_attr(fc, "transB", 1);
  ir::Node* sm = b.node("Softmax", {fc->outputs[0]}, "y");
  Builder::int_attr(sm, "axis", softmax_axis);
  return b.done(sm->outputs[0]);
}

// x[N,256] -> Gemm(256x256) -> Relu: per image a GEMV over 256 KiB of weights.
std::shared_ptr<ir::Model> mlp(int64_t batch) {
  Builder b("batch_split_mlp");
  ir::Value* x = b.input("x", {batch, 256});
  ir::Node* fc = b.node("Gemm", {x, b.weights("w", {256, 256})}, "fc");
  return b.done(b.node("Relu", {fc->outputs[0]}, "y")->outputs[0]);
}

// x[N,4,6,6] -> Conv 3x3 -> Slice reversing the batch.
std::shared_ptr<ir::Model> reversed_batch(int64_t batch) {
  Builder b("batch_split_reversed");
  ir::Value* x = b.input("x", {batch, 4, 6, 6});
  ir::Node* conv = b.node("Conv", {x, b.weights("w", {8, 4, 3, 3})}, "c");
  auto i64 = [&](const std::string& name, int64_t v) { return b.constant(name, Tensor::from_vector<int64_t>({v}, {1})); };
  ir::Node* slice = b.node("Slice", {conv->outputs[0], i64("starts", -1), i64("ends", std::numeric_limits<int64_t>::min()),
                                     i64("axes", 0), i64("steps", -1)},
                           "y");
  return b.done(slice->outputs[0]);
}

Tensor reference(const std::shared_ptr<ir::Model>& model, const Tensor& x) {
  SessionOptions o;
  o.backend = Backend::kReference;
  auto s = Session::create(model, o);
  EXPECT_TRUE(s) << s.status().message();
  auto out = (*s)->run({{"x", Value(x)}});
  EXPECT_TRUE(out) << out.status().message();
  return (*out)[0].tensor();
}

void expect_near(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < got.numel(); ++i) {
    ASSERT_NEAR(got.data<float>()[i], want.data<float>()[i], 1e-5 + 1e-4 * std::fabs(want.data<float>()[i])) << i;
  }
}

std::unique_ptr<Session> cpu_session(std::shared_ptr<ir::Model> model, int threads, bool split = true) {
  SessionOptions o;
  o.threads = threads;
  o.batch_split = split;
  auto s = Session::create(std::move(model), o);
  EXPECT_TRUE(s) << s.status().message();
  return s ? std::move(*s) : nullptr;
}

TEST(BatchSplit, RunsAConvNetImageByImageLikeTheReference) {
  constexpr int64_t kBatch = 5;  // odd: the threads get unequal shares
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    auto session = cpu_session(conv_net(kBatch), threads);
    ASSERT_TRUE(session);
    EXPECT_EQ(session->batch_split().batch, kBatch) << session->batch_split().reason;
    for (uint64_t seed : {1, 2}) {  // twice: pooled per-image arenas are reused
      Tensor x = random_tensor({kBatch, 8, 12, 12}, seed);
      auto y = session->run({{"x", Value(x)}});
      ASSERT_TRUE(y) << y.status().message();
      expect_near((*y)[0].tensor(), reference(conv_net(kBatch), x));
    }
  }
}

// KILN_SPLIT_IMAGES=g (an A/B knob) runs sub-batches of g images when g divides the batch.
TEST(BatchSplit, SubBatchesOfSeveralImages) {
  ::setenv("KILN_SPLIT_IMAGES", "2", 1);
  auto session = cpu_session(conv_net(6), 2);
  auto odd = cpu_session(conv_net(5), 2);
  ::unsetenv("KILN_SPLIT_IMAGES");
  ASSERT_TRUE(session && odd);
  EXPECT_EQ(session->batch_split().images, 2);
  EXPECT_EQ(session->batch_split().runs(), 3);
  EXPECT_EQ(session->memory_plan().batch_split, 3);
  EXPECT_EQ(odd->batch_split().images, 1) << "2 does not divide 5: one image per sub-batch";
  Tensor x = random_tensor({6, 8, 12, 12}, 21);
  auto y = session->run({{"x", Value(x)}});
  ASSERT_TRUE(y) << y.status().message();
  expect_near((*y)[0].tensor(), reference(conv_net(6), x));
}

TEST(BatchSplit, PlansTheArenaForOneImageAndCanBeTurnedOff) {
  auto split = cpu_session(conv_net(4), 2);
  auto whole = cpu_session(conv_net(4), 2, false);
  ASSERT_TRUE(split && whole);
  EXPECT_EQ(split->batch_split().batch, 4);
  EXPECT_EQ(whole->batch_split().batch, 0);
  EXPECT_EQ(whole->batch_split().reason, "turned off");
  EXPECT_GT(split->memory_plan().arena_bytes, 0u);
  EXPECT_LE(split->memory_plan().arena_bytes * 4, whole->memory_plan().arena_bytes);
  Tensor x = random_tensor({4, 8, 12, 12}, 7);
  auto a = split->run({{"x", Value(x)}});
  auto b = whole->run({{"x", Value(x)}});
  ASSERT_TRUE(a && b);
  expect_near((*a)[0].tensor(), (*b)[0].tensor());
}

TEST(BatchSplit, ProfileAddsUpOverImages) {
  auto session = cpu_session(conv_net(6), 2);
  ASSERT_TRUE(session);
  RunProfile profile;
  auto y = session->run({{"x", Value(random_tensor({6, 8, 12, 12}, 3))}}, &profile);
  ASSERT_TRUE(y) << y.status().message();
  ASSERT_EQ(profile.node_ns.size(), session->model().graph->nodes.size());
  int64_t conv_ns = 0;
  for (const auto& n : session->model().graph->nodes) {
    if (n->op_type == "FusedConv") conv_ns += profile.node_ns[static_cast<size_t>(n->index)];
  }
  EXPECT_GT(conv_ns, 0);
}

TEST(BatchSplit, ConcurrentRunsOfASplitSession) {
  auto session = cpu_session(conv_net(4), 2);
  ASSERT_TRUE(session);
  constexpr int kCallers = 3;
  std::vector<Tensor> xs, want;
  for (int t = 0; t < kCallers; ++t) {
    xs.push_back(random_tensor({4, 8, 12, 12}, 50 + t));
    want.push_back(reference(conv_net(4), xs.back()));
  }
  std::vector<std::string> errors(kCallers);
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&, t] {
      for (int r = 0; r < 4; ++r) {
        auto y = session->run({{"x", Value(xs[t])}});
        if (!y) {
          errors[t] = y.status().message();
          return;
        }
        for (int64_t i = 0; i < want[t].numel(); ++i) {
          if (std::fabs((*y)[0].tensor().data<float>()[i] - want[t].data<float>()[i]) > 1e-4) {
            errors[t] = "caller " + std::to_string(t) + " run " + std::to_string(r) + " element " + std::to_string(i);
            return;
          }
        }
      }
    });
  }
  for (auto& c : callers) c.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
}

// Each declined graph still runs (as a whole batch) and matches the reference.
void expect_declined(const std::function<std::shared_ptr<ir::Model>()>& make, const Shape& shape,
                     const std::string& reason_part) {
  auto session = cpu_session(make(), 2);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->batch_split().batch, 0);
  EXPECT_NE(session->batch_split().reason.find(reason_part), std::string::npos) << session->batch_split().reason;
  Tensor x = random_tensor(shape, 9);
  auto y = session->run({{"x", Value(x)}});
  ASSERT_TRUE(y) << y.status().message();
  expect_near((*y)[0].tensor(), reference(make(), x));
}

TEST(BatchSplit, DeclinesASoftmaxOverTheBatch) {
  expect_declined([] { return conv_net(3, 0); }, {3, 8, 12, 12}, "works along the batch axis");
}

TEST(BatchSplit, DeclinesASliceThatReversesTheBatch) {
  expect_declined([] { return reversed_batch(3); }, {3, 4, 6, 6}, "may move data along the batch axis");
}

TEST(BatchSplit, DeclinesWeightBoundBatches) {
  expect_declined([] { return mlp(8); }, {8, 256}, "FLOPs per weight byte");
}

TEST(BatchSplit, DeclinesBatchOne) { expect_declined([] { return conv_net(1); }, {1, 8, 12, 12}, "the batch is 1"); }

}  // namespace
}  // namespace kiln
