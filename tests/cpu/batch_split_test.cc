// Batch split (runtime/batch_split.h): a batch whose images never meet runs image by image on
// batch-1 kernels, and must give the reference backend's results; graphs where images meet, or
// where a batch-1 pass would only stream weights, keep running the batch as a whole.
#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <thread>

#include "cpu/cpu_check.h"
#include "passes/pass_check.h"
#include "runtime/batch_split.h"
#include "runtime/memory_plan.h"

namespace kiln {
namespace {

using test_util::attr_int;
using test_util::attr_ints;
using test_util::GraphBuilder;
using test_util::random_tensor;

ir::Value* weights(GraphBuilder& b, const Shape& shape) {
  return b.constant(random_tensor(shape, static_cast<uint64_t>(b.counter) + 100, DType::kFloat32, -0.3f, 0.3f));
}

std::shared_ptr<ir::Model> done(GraphBuilder& b, ir::Value* y) {
  b.output(y);
  EXPECT_TRUE(b.g->finalize().is_ok());
  return b.model;
}

// x[N,8,12,12] -> Conv 3x3 -> Relu -> MaxPool 2x2 -> Conv 3x3 (+ residual) -> Relu -> GAP ->
// Reshape to the constant [N, 16] -> Gemm -> Softmax(axis) -> y[N,10]
std::shared_ptr<ir::Model> conv_net(int64_t batch, int64_t softmax_axis = 1) {
  GraphBuilder b(13);
  ir::Value* x = b.input("x", {batch, 8, 12, 12});
  ir::Node* c1 = b.node("Conv", {x, weights(b, {16, 8, 3, 3}), weights(b, {16})});
  attr_ints(c1, "pads", {1, 1, 1, 1});
  ir::Node* pool = b.node("MaxPool", {b.op("Relu", {c1->outputs[0]})});
  attr_ints(pool, "kernel_shape", {2, 2});
  attr_ints(pool, "strides", {2, 2});
  ir::Node* c2 = b.node("Conv", {pool->outputs[0], weights(b, {16, 16, 3, 3})});
  attr_ints(c2, "pads", {1, 1, 1, 1});
  ir::Value* r2 = b.op("Relu", {b.op("Add", {c2->outputs[0], pool->outputs[0]})});
  ir::Value* flat = b.op("Reshape", {b.op("GlobalAveragePool", {r2}), b.ints({batch, 16})});
  ir::Node* fc = b.node("Gemm", {flat, weights(b, {10, 16}), weights(b, {10})});
  attr_int(fc, "transB", 1);
  ir::Node* sm = b.node("Softmax", {fc->outputs[0]});
  attr_int(sm, "axis", softmax_axis);
  return done(b, sm->outputs[0]);
}

// x[N,256] -> Gemm(256x256) -> Relu: per image a GEMV over 256 KiB of weights.
std::shared_ptr<ir::Model> mlp(int64_t batch) {
  GraphBuilder b(13);
  ir::Value* x = b.input("x", {batch, 256});
  return done(b, b.op("Relu", {b.op("Gemm", {x, weights(b, {256, 256})})}));
}

// x[N,4,6,6] -> Conv 3x3 -> Slice reversing the batch.
std::shared_ptr<ir::Model> reversed_batch(int64_t batch) {
  GraphBuilder b(13);
  ir::Value* x = b.input("x", {batch, 4, 6, 6});
  ir::Value* conv = b.op("Conv", {x, weights(b, {8, 4, 3, 3})});
  return done(b, b.op("Slice", {conv, b.ints({-1}), b.ints({std::numeric_limits<int64_t>::min()}), b.ints({0}), b.ints({-1})}));
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

// Images per sub-batch: the largest divisor of N up to 4 that leaves at least 4 sub-batches.
TEST(BatchSplit, DefaultImagesPerSubBatch) {
  EXPECT_EQ(default_split_images(2), 1);
  EXPECT_EQ(default_split_images(4), 1);
  EXPECT_EQ(default_split_images(6), 1) << "2 or 3 images would leave fewer than 4 sub-batches";
  EXPECT_EQ(default_split_images(8), 2);
  EXPECT_EQ(default_split_images(12), 3);
  EXPECT_EQ(default_split_images(16), 4);
  EXPECT_EQ(default_split_images(17), 1) << "a prime batch runs image by image";
  EXPECT_EQ(default_split_images(64), 4) << "at most 4 images, however big the batch";
  auto session = cpu_session(conv_net(8), 2);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->batch_split().images, 2);
  EXPECT_EQ(session->memory_plan().batch_split, 4);
  Tensor x = random_tensor({8, 8, 12, 12}, 31);
  auto y = session->run({{"x", Value(x)}});
  ASSERT_TRUE(y) << y.status().message();
  expect_near((*y)[0].tensor(), reference(conv_net(8), x));
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
