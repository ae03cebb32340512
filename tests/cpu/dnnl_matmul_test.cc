// oneDNN matmul-family kernels (MatMul, Gemm, kiln.FusedMatMul) against the reference backend.
#include <gtest/gtest.h>

#include <thread>

#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

// MatMul of A and B, B fed as a graph input or as an initializer.
::testing::AssertionResult check_matmul(const Shape& a, const Shape& b, bool const_b, int threads = 2) {
  CpuCheck c("MatMul", 13);
  c.threads = threads;
  c.input(random_tensor(a, 1));
  if (const_b) c.constant(random_tensor(b, 2));
  else c.input(random_tensor(b, 2));
  return c.check();
}

TEST(DnnlMatMul, Shapes) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{1, 1}, {1, 1}},          {{7, 13}, {13, 5}},       {{2, 3, 4, 5}, {5, 6}},   {{2, 1, 4, 5}, {3, 5, 6}},
      {{13}, {13, 5}},           {{7, 13}, {13}},          {{13}, {13}},             {{7, 1}, {1, 9}},
      {{3, 7, 13}, {3, 13, 5}},  {{7, 13}, {4, 13, 5}},    {{1, 4, 127, 33}, {2, 1, 33, 17}},
      {{2, 3, 4, 5}, {1, 3, 5, 6}}, {{3, 1, 5}, {3, 5, 1}}, {{128, 64}, {64, 127}}};
  for (const auto& [a, b] : cases) {
    for (bool const_b : {false, true}) {
      EXPECT_TRUE(check_matmul(a, b, const_b)) << "const_b=" << const_b;
    }
  }
}

// Constant B with N a multiple of 64 is stored with padded rows (AVX2 gemm:jit): the padding must
// not leak into the product, also with batch folding, a bias and transposed Gemm weights.
TEST(DnnlMatMul, ConstantBWithPaddedRows) {
  for (const auto& [a, b] : std::vector<std::pair<Shape, Shape>>{
           {{7, 13}, {13, 64}}, {{2, 5, 33}, {33, 128}}, {{1, 96}, {96, 192}}, {{3, 1}, {1, 64}}}) {
    EXPECT_TRUE(check_matmul(a, b, true));
    EXPECT_TRUE(check_matmul(a, b, true, 1));
  }
  for (int tb = 0; tb < 2; ++tb) {
    CpuCheck c("Gemm", 13);
    c.attr_int("transB", tb);
    c.input(random_tensor({9, 40}, 5));
    c.constant(random_tensor(tb ? Shape{128, 40} : Shape{40, 128}, 6));
    c.constant(random_tensor({128}, 7));
    EXPECT_TRUE(c.check()) << "transB=" << tb;
  }
}

TEST(DnnlMatMul, EmptyAndKZero) {
  for (bool const_b : {false, true}) {
    EXPECT_TRUE(check_matmul({0, 13}, {13, 5}, const_b));
    EXPECT_TRUE(check_matmul({2, 0, 13}, {13, 5}, const_b));
    EXPECT_TRUE(check_matmul({7, 0}, {0, 5}, const_b));
    EXPECT_TRUE(check_matmul({7, 13}, {13, 0}, const_b));
  }
}

TEST(DnnlMatMul, OneThread) {
  EXPECT_TRUE(check_matmul({2, 3, 4, 5}, {5, 6}, true, 1));
  EXPECT_TRUE(check_matmul({12, 17, 64}, {12, 64, 17}, false, 1));
}

// Weights packed for one M must still be right when the same session sees other M values.
TEST(DnnlMatMul, ConstantBAcrossBatchSizes) {
  CpuCheck c("MatMul", 13);
  c.input(random_tensor({5, 33}, 1));
  c.constant(random_tensor({33, 40}, 2));
  std::vector<NamedValue> unused;
  auto model = c.build(&unused);
  ASSERT_TRUE(model->graph->finalize().is_ok());
  // Symbolic batch so the session cannot prepare for one M only.
  model->graph->inputs[0]->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("m"), 33});
  SessionOptions o;
  o.backend = Backend::kCpu;
  o.optimize = false;
  auto cpu = Session::create(model, o);
  o.backend = Backend::kReference;
  auto ref = Session::create(model, o);
  ASSERT_TRUE(cpu && ref);
  ASSERT_EQ((*cpu)->kernel_kind(*model->graph->nodes[0]), "cpu");
  for (int64_t m : {1, 7, 128, 3, 1}) {
    std::vector<NamedValue> feeds = {{"in0", Value(random_tensor({m, 33}, 10 + static_cast<uint64_t>(m)))}};
    auto y = (*cpu)->run(feeds);
    auto r = (*ref)->run(feeds);
    ASSERT_TRUE(y && r);
    const Tensor& yt = (*y)[0].tensor();
    const Tensor& rt = (*r)[0].tensor();
    ASSERT_EQ(yt.shape(), rt.shape());
    for (int64_t i = 0; i < yt.numel(); ++i) ASSERT_NEAR(yt.data<float>()[i], rt.data<float>()[i], 1e-4) << m << " " << i;
  }
}

// run() from several threads at once, each with its own M: the per-shape cache and the packed
// weights are shared.
TEST(DnnlMatMul, ConcurrentRuns) {
  CpuCheck c("FusedMatMul", 1, 1, "kiln");
  c.input(random_tensor({5, 33}, 1));
  c.constant(random_tensor({33, 40}, 2));
  c.constant(random_tensor({40}, 3));
  c.attr_string("activation", "Relu");
  std::vector<NamedValue> unused;
  auto model = c.build(&unused);
  ASSERT_TRUE(model->graph->finalize().is_ok());
  model->graph->inputs[0]->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("m"), 33});
  SessionOptions o;
  o.backend = Backend::kCpu;
  o.optimize = false;
  o.threads = 1;
  auto cpu = Session::create(model, o);
  o.backend = Backend::kReference;
  auto ref = Session::create(model, o);
  ASSERT_TRUE(cpu && ref);
  std::vector<std::vector<NamedValue>> feeds;
  std::vector<Tensor> want;
  for (int t = 0; t < 4; ++t) {
    feeds.push_back({{"in0", Value(random_tensor({1 + 5 * t, 33}, 20 + static_cast<uint64_t>(t)))}});
    auto r = (*ref)->run(feeds.back());
    ASSERT_TRUE(r);
    want.push_back((*r)[0].tensor());
  }
  std::vector<int> bad(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) {
        auto y = (*cpu)->run(feeds[static_cast<size_t>(t)]);
        if (!y) {
          ++bad[static_cast<size_t>(t)];
          continue;
        }
        const Tensor& yt = (*y)[0].tensor();
        const Tensor& w = want[static_cast<size_t>(t)];
        if (yt.shape() != w.shape()) {
          ++bad[static_cast<size_t>(t)];
          continue;
        }
        for (int64_t i = 0; i < yt.numel(); ++i) {
          if (std::fabs(yt.data<float>()[i] - w.data<float>()[i]) > 1e-4f) {
            ++bad[static_cast<size_t>(t)];
            break;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(bad[static_cast<size_t>(t)], 0) << "thread " << t;
}

TEST(DnnlGemm, AllCombinations) {
  const int64_t M = 7, K = 13, N = 5;
  const std::vector<Shape> c_shapes = {{}, {1}, {N}, {1, N}, {M, 1}, {M, N}, {1, 1}};
  int seed = 0;
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      for (float alpha : {1.f, 0.5f}) {
        for (float beta : {1.f, -2.f}) {
          for (bool const_b : {false, true}) {
            for (int ci = -1; ci < static_cast<int>(c_shapes.size()); ++ci) {
              for (bool const_c : {false, true}) {
                if (ci < 0 && const_c) continue;
                CpuCheck c("Gemm", 13);
                c.input(random_tensor(ta ? Shape{K, M} : Shape{M, K}, ++seed));
                Tensor b = random_tensor(tb ? Shape{N, K} : Shape{K, N}, ++seed);
                if (const_b) c.constant(b);
                else c.input(b);
                if (ci >= 0) {
                  Tensor ct = random_tensor(c_shapes[static_cast<size_t>(ci)], ++seed);
                  if (const_c) c.constant(ct);
                  else c.input(ct);
                }
                c.attr_int("transA", ta);
                c.attr_int("transB", tb);
                c.attr_float("alpha", alpha);
                c.attr_float("beta", beta);
                EXPECT_TRUE(c.check());
              }
            }
          }
        }
      }
    }
  }
}

TEST(DnnlGemm, Degenerate) {
  for (Shape a : {Shape{0, 4}, Shape{3, 0}}) {
    CpuCheck c("Gemm", 13);
    c.input(random_tensor(a, 1));
    c.constant(random_tensor({a[1], 6}, 2));
    c.constant(random_tensor({6}, 3));
    EXPECT_TRUE(c.check());
  }
}

const std::vector<std::pair<std::string, std::vector<float>>> kActivations = {
    {"", {}},          {"Relu", {}},      {"LeakyRelu", {0.1f}}, {"Clip", {-0.5f, 0.7f}}, {"Sigmoid", {}},
    {"Tanh", {}},      {"HardSigmoid", {0.2f, 0.5f}},            {"HardSwish", {}},       {"Silu", {}},
    {"Gelu", {}},      {"GeluTanh", {}}};

TEST(DnnlFusedMatMul, EveryActivationWithAndWithoutBias) {
  int seed = 100;
  for (const auto& [name, params] : kActivations) {
    for (int bias = 0; bias < 4; ++bias) {  // none, [N], [1, N] non-constant, [M, N]
      for (bool const_b : {false, true}) {
        CpuCheck c("FusedMatMul", 1, 1, "kiln");
        c.input(random_tensor({2, 7, 13}, ++seed));
        Tensor b = random_tensor({13, 9}, ++seed);
        if (const_b) c.constant(b);
        else c.input(b);
        if (bias == 1) c.constant(random_tensor({9}, ++seed));
        if (bias == 2) c.input(random_tensor({1, 9}, ++seed));
        if (bias == 3) c.input(random_tensor({7, 9}, ++seed));
        if (!name.empty()) c.attr_string("activation", name);
        if (!params.empty()) c.attr_floats("activation_params", params);
        EXPECT_TRUE(c.check()) << name << " bias " << bias;
      }
    }
  }
}

TEST(DnnlFusedMatMul, BatchedBiasBroadcast) {
  CpuCheck c("FusedMatMul", 1, 1, "kiln");
  c.input(random_tensor({3, 4, 5}, 1));
  c.input(random_tensor({3, 5, 6}, 2));
  c.input(random_tensor({3, 1, 6}, 3));
  c.attr_string("activation", "Relu");
  EXPECT_TRUE(c.check());
}


// kiln.FusedMatMul reading transposed operands and writing a transposed result in place, scaled by
// alpha, with a broadcast addend (ops/kiln/matmul_layout.h), against the reference kernel, which
// materialises each transpose.
struct LayoutCase {
  Shape a, b;
  std::vector<int64_t> perm_a, perm_b, perm_y;
  float alpha = 1;
  Shape addend;  // empty: none
  bool const_b = false;
  std::string act;
};

::testing::AssertionResult check_layout(const LayoutCase& lc, int threads, int seed) {
  CpuCheck c("FusedMatMul", 1, 1, "kiln");
  c.threads = threads;
  c.input(random_tensor(lc.a, seed));
  if (lc.const_b) c.constant(random_tensor(lc.b, seed + 1));
  else c.input(random_tensor(lc.b, seed + 1));
  if (!lc.addend.empty()) c.input(random_tensor(lc.addend, seed + 2));
  if (!lc.perm_a.empty()) c.attr_ints("perm_a", lc.perm_a);
  if (!lc.perm_b.empty()) c.attr_ints("perm_b", lc.perm_b);
  if (!lc.perm_y.empty()) c.attr_ints("perm_y", lc.perm_y);
  if (lc.alpha != 1.f) c.attr_float("alpha", lc.alpha);
  if (!lc.act.empty()) c.attr_string("activation", lc.act);
  return c.check();
}

TEST(DnnlFusedMatMul, TransposedOperandsScaleAndMask) {
  auto mk = [](Shape a, Shape b, std::vector<int64_t> pa, std::vector<int64_t> pb, std::vector<int64_t> py,
               float alpha = 1, Shape addend = {}, bool const_b = false, std::string act = "") {
    return LayoutCase{std::move(a), std::move(b), std::move(pa), std::move(pb), std::move(py), alpha,
                      std::move(addend), const_b, std::move(act)};
  };
  const std::vector<LayoutCase> cases = {
      // attention scores: Q, K stored [B, S, H, D], Q' = [B, H, S, D], K' = [B, H, D, S]; / sqrt(D) + mask
      mk({1, 13, 3, 8}, {1, 13, 3, 8}, {0, 2, 1, 3}, {0, 2, 3, 1}, {}, 0.35355339f, {1, 1, 1, 13}),
      mk({2, 17, 4, 16}, {2, 17, 4, 16}, {0, 2, 1, 3}, {0, 2, 3, 1}, {}, 0.25f, {2, 1, 1, 17}),
      // attention context: P [B, H, S, S] x V' [B, H, S, D], written back as [B, S, H, D]
      mk({1, 3, 13, 13}, {1, 13, 3, 8}, {}, {0, 2, 1, 3}, {0, 2, 1, 3}),
      mk({2, 4, 17, 17}, {2, 17, 4, 16}, {}, {0, 2, 1, 3}, {0, 2, 1, 3}, 1, {}, false, "Relu"),
      // column-major A, transposed constant weights, a full addend and an activation
      mk({5, 33, 7}, {9, 33}, {0, 2, 1}, {1, 0}, {}, 2.f, {5, 7, 9}, true, "Tanh"),
      mk({33, 7}, {9, 33}, {1, 0}, {1, 0}, {}, -0.5f, {9}, true),
      // batch broadcast between ranks 4 and 2, perm_y over the batch dims, M = 1 and N = 1
      mk({3, 2, 1, 6}, {6, 1}, {1, 0, 2, 3}, {}, {1, 0, 2, 3}, 3.f),
      mk({3, 2, 1, 6}, {6, 1}, {1, 0, 2, 3}, {}, {}, 3.f, {1}),
      mk({4, 1, 6}, {4, 6, 5}, {}, {}, {1, 0, 2}, 1.5f),
      // alpha alone (no transposes) keeps the scale ahead of a row-vector addend
      mk({2, 7, 13}, {13, 9}, {}, {}, {}, 0.125f, {9}, true),
  };
  int seed = 700;
  for (const LayoutCase& lc : cases) {
    for (int threads : {1, 2}) {
      EXPECT_TRUE(check_layout(lc, threads, seed += 3)) << "case " << (seed - 700) / 6 << " threads " << threads;
    }
  }
}

// A result stored column-major is no GEMM's output layout (oneDNN would run its reference matmul),
// and oneDNN cannot add a broadcast addend into a transposed result: such nodes run on the
// reference kernel, with the same result.
TEST(DnnlFusedMatMul, LayoutNoGemmWritesFallsBack) {
  for (const std::vector<int64_t>& perm_y : {std::vector<int64_t>{2, 1, 0}, std::vector<int64_t>{1, 0, 2}}) {
    CpuCheck c("FusedMatMul", 1, 1, "kiln");
    c.require_cpu_kernel = false;
    c.input(random_tensor({4, 1, 6}, 1));
    c.input(random_tensor({4, 6, 5}, 2));
    c.input(random_tensor({1, 5}, 3));
    c.attr_ints("perm_y", perm_y);
    c.attr_float("alpha", 0.5f);
    std::string kind;
    auto r = c.run(Backend::kCpu, &kind);
    EXPECT_EQ(kind, "reference");
    EXPECT_TRUE(c.check());
  }
}

TEST(DnnlFusedMatMul, BadLayoutIsReported) {
  // perm_a of the wrong length: shape inference names the attribute.
  CpuCheck c("FusedMatMul", 1, 1, "kiln");
  c.input(random_tensor({2, 3, 4}, 1));
  c.input(random_tensor({4, 5}, 2));
  c.attr_ints("perm_a", {1, 0});
  auto r = c.run(Backend::kCpu);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("perm_a"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace kiln
