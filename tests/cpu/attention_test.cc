// kiln.Attention on the CPU backend (backends/cpu/dnnl/attention.cc) against the reference
// kernel, which runs the scores FusedMatMul, Softmax and the context FusedMatMul one by one.
#include <gtest/gtest.h>

#include "cpu/cpu_check.h"
#include "ops/kiln/matmul_layout.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

struct Case {
  Shape q, k, v, mask;  // mask empty: none
  std::vector<int64_t> perm_q, perm_k, perm_v, perm_y;
  float alpha = 1;
  float mask_lo = -3;
};

::testing::AssertionResult check(const Case& c, int threads, uint64_t seed) {
  CpuCheck chk("Attention", 1, 1, "kiln");
  chk.threads = threads;
  chk.input(random_tensor(c.q, seed, DType::kFloat32, -2, 2));
  chk.input(random_tensor(c.k, seed + 1, DType::kFloat32, -2, 2));
  chk.input(random_tensor(c.v, seed + 2));
  if (!c.mask.empty()) chk.input(random_tensor(c.mask, seed + 3, DType::kFloat32, c.mask_lo, 0));
  for (auto [key, perm] : {std::pair{"perm_q", &c.perm_q}, std::pair{"perm_k", &c.perm_k}, std::pair{"perm_v", &c.perm_v},
                           std::pair{"perm_y", &c.perm_y}}) {
    if (!perm->empty()) chk.attr_ints(key, *perm);
  }
  if (c.alpha != 1.f) chk.attr_float("alpha", c.alpha);
  return chk.check();
}

Case bert_like(int64_t b, int64_t s, int64_t h, int64_t d, Shape mask, float alpha) {
  Case c;
  c.q = c.k = c.v = {b, s, h, d};
  c.mask = std::move(mask);
  c.perm_q = {0, 2, 1, 3};
  c.perm_k = {0, 2, 3, 1};
  c.perm_v = {0, 2, 1, 3};
  c.perm_y = {0, 2, 1, 3};
  c.alpha = alpha;
  return c;
}

TEST(CpuAttention, HeadViewsScaleAndMasks) {
  std::vector<Case> cases = {
      bert_like(1, 13, 3, 8, {1, 1, 1, 13}, 0.35f),
      bert_like(2, 17, 4, 16, {2, 1, 1, 17}, 0.25f),    // the mask varies along the batch
      bert_like(2, 17, 4, 16, {2, 4, 17, 17}, 0.25f),   // ... and along heads and query rows
      bert_like(1, 9, 5, 8, {9}, 1.f),                  // rank-1 mask, 5 heads (odd per thread)
      bert_like(1, 9, 6, 8, {9, 1}, 0.5f),              // a mask per query row
      bert_like(1, 12, 2, 8, {}, 0.5f),                 // no mask
      bert_like(1, 128, 12, 64, {1, 1, 1, 128}, 0.125f),  // BERT-base's shape
  };
  Case huge = bert_like(1, 13, 3, 8, {1, 1, 1, 13}, 0.35f);
  huge.mask_lo = -10000;  // BERT's padding mask: exp must not overflow or turn into NaN
  cases.push_back(huge);
  // Batches of more than one image run one image at a time (runtime/batch_split.h), each on this
  // kernel prepared for one image: a second batch dim after a leading 1 keeps several "images"
  // (and their own mask rows) inside one call.
  Case groups;
  groups.q = groups.k = groups.v = {1, 2, 17, 4, 16};
  groups.perm_q = groups.perm_v = groups.perm_y = {0, 1, 3, 2, 4};
  groups.perm_k = {0, 1, 3, 4, 2};
  groups.mask = {1, 2, 1, 1, 17};
  groups.alpha = 0.25f;
  cases.push_back(groups);
  groups.mask = {2, 4, 17, 17};
  cases.push_back(groups);
  Case plain;  // no perms: Q [H, Sq, D], K [H, D, Sk], V [H, Sk, Dv]
  plain.q = {5, 7, 8};
  plain.k = {5, 8, 9};
  plain.v = {5, 9, 6};
  cases.push_back(plain);
  Case matrices;  // no batch dims at all
  matrices.q = {7, 8};
  matrices.k = {9, 8};
  matrices.v = {9, 6};
  matrices.perm_k = {1, 0};
  matrices.mask = {7, 9};
  cases.push_back(matrices);
  uint64_t seed = 50;
  for (size_t i = 0; i < cases.size(); ++i) {
    for (int threads : {1, 2, 3}) {
      EXPECT_TRUE(check(cases[i], threads, seed += 4)) << "case " << i << " threads " << threads;
    }
  }
}

// A sequence length unknown at prepare: the primitives are made per shape on first use, and a
// second length gets its own.
TEST(CpuAttention, DynamicSequenceLength) {
  auto model = std::make_shared<ir::Model>();
  model->path = "attention_dynamic";
  model->opsets[""] = 17;
  model->opsets["kiln"] = 1;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  std::vector<ir::Value*> ins;
  for (const char* name : {"q", "k", "v", "mask"}) {
    ir::Value* v = g.get_or_create(name);
    const bool mask = std::string(name) == "mask";
    v->type = mask ? ir::TypeInfo::tensor(DType::kFloat32, {1, 1, 1, ir::Dim::named("s")})
                   : ir::TypeInfo::tensor(DType::kFloat32, {1, ir::Dim::named("s"), 3, 8});
    v->is_graph_input = true;
    g.inputs.push_back(v);
    ins.push_back(v);
  }
  ir::Value* y = g.get_or_create("y");
  g.outputs.push_back(y);
  ir::Node* n = g.add_node("Attention", "kiln", 1, ins, {y}, "attention");
  const Case c = bert_like(1, 1, 3, 8, {}, 0.35f);
  AttentionLayout{c.perm_q, c.perm_k, c.perm_v, c.perm_y, c.alpha}.write_to(*n);
  ASSERT_TRUE(g.finalize().is_ok());
  auto session = [&](Backend backend) {
    SessionOptions o;
    o.backend = backend;
    o.optimize = false;
    o.threads = 2;
    return Session::create(model, o);
  };
  auto cpu = session(Backend::kCpu);
  auto ref = session(Backend::kReference);
  ASSERT_TRUE(cpu && ref);
  EXPECT_EQ((*cpu)->kernel_kind(*g.nodes[0]), "cpu");
  for (int64_t s : {9, 13, 9}) {
    std::vector<NamedValue> feeds = {{"q", Value(random_tensor({1, s, 3, 8}, 10 + s))},
                                     {"k", Value(random_tensor({1, s, 3, 8}, 20 + s))},
                                     {"v", Value(random_tensor({1, s, 3, 8}, 30 + s))},
                                     {"mask", Value(random_tensor({1, 1, 1, s}, 40 + s, DType::kFloat32, -3, 0))}};
    auto got = (*cpu)->run(feeds);
    auto want = (*ref)->run(feeds);
    ASSERT_TRUE(got && want);
    const Tensor& a = (*got)[0].tensor();
    const Tensor& b = (*want)[0].tensor();
    ASSERT_EQ(a.shape(), b.shape());
    for (int64_t i = 0; i < a.numel(); ++i) EXPECT_NEAR(a.as_double(i), b.as_double(i), 1e-5 + 1e-4 * std::fabs(b.as_double(i))) << "s " << s << " element " << i;
  }
}

TEST(CpuAttention, BroadcastHeadsGoToTheReferenceKernel) {
  // K shared by all heads ([1, D, Sk] against Q's [3, Sq, D]): numpy batch broadcasting, which the
  // head-by-head kernel does not do.
  Case c;
  c.q = {3, 5, 4};
  c.k = {1, 4, 6};
  c.v = {3, 6, 2};
  CpuCheck chk("Attention", 1, 1, "kiln");
  chk.require_cpu_kernel = false;
  chk.input(random_tensor(c.q, 1));
  chk.input(random_tensor(c.k, 2));
  chk.input(random_tensor(c.v, 3));
  std::string kind;
  ASSERT_TRUE(chk.run(Backend::kCpu, &kind));
  EXPECT_EQ(kind, "reference");
  EXPECT_TRUE(chk.check());
}

}  // namespace
}  // namespace kiln
