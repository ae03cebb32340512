// Hand-computed cases for the misc family's trickier kernels (Einsum, Det, TfIdfVectorizer,
// StringNormalizer, random ops), run through a one-node Session with inference verification.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/session.h"

namespace kiln {

namespace {

struct OneNode {
  std::shared_ptr<ir::Model> model = std::make_shared<ir::Model>();
  ir::Node* node = nullptr;
  std::vector<NamedValue> feeds;

  OneNode(const std::string& op, const std::vector<Tensor>& inputs, size_t outputs = 1) {
    model->opsets[""] = 17;
    model->graph = std::make_shared<ir::Graph>();
    ir::Graph& g = *model->graph;
    auto n = std::make_unique<ir::Node>();
    n->op_type = op;
    n->name = "n";
    n->opset = 17;
    for (size_t i = 0; i < inputs.size(); ++i) {
      ir::Value* v = g.get_or_create("in" + std::to_string(i));
      v->is_graph_input = true;
      v->type = ir::TypeInfo::tensor_of(inputs[i].dtype(), inputs[i].shape());
      g.inputs.push_back(v);
      n->inputs.push_back(v);
      feeds.push_back({v->name, Value(inputs[i])});
    }
    for (size_t o = 0; o < outputs; ++o) {
      ir::Value* v = g.get_or_create("out" + std::to_string(o));
      g.outputs.push_back(v);
      n->outputs.push_back(v);
    }
    node = n.get();
    g.nodes.push_back(std::move(n));
  }
  void attr_s(const std::string& k, const std::string& s) {
    ir::Attribute a;
    a.kind = ir::Attribute::Kind::kString;
    a.s = s;
    node->attrs[k] = a;
  }
  void attr_i(const std::string& k, int64_t i) {
    ir::Attribute a;
    a.kind = ir::Attribute::Kind::kInt;
    a.i = i;
    node->attrs[k] = a;
  }
  void attr_f(const std::string& k, float f) {
    ir::Attribute a;
    a.kind = ir::Attribute::Kind::kFloat;
    a.f = f;
    node->attrs[k] = a;
  }
  void attr_ints(const std::string& k, std::vector<int64_t> v) {
    ir::Attribute a;
    a.kind = ir::Attribute::Kind::kInts;
    a.ints = std::move(v);
    node->attrs[k] = a;
  }
  void attr_strings(const std::string& k, std::vector<std::string> v) {
    ir::Attribute a;
    a.kind = ir::Attribute::Kind::kStrings;
    a.strings = std::move(v);
    node->attrs[k] = a;
  }
  Expected<std::vector<Value>> run() {
    KILN_TRY(model->graph->finalize());
    SessionOptions opts;
    opts.verify_inference = true;
    opts.backend = Backend::kReference;
    KILN_ASSIGN_OR_RETURN(auto session, Session::create(model, opts));
    return session->run(feeds);
  }
};

Tensor f32(std::vector<float> v, Shape s) { return Tensor::from_vector<float>(v, std::move(s)); }

void expect_values(const Tensor& t, const Shape& shape, const std::vector<double>& want) {
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t.as_double(static_cast<int64_t>(i)), want[i], 1e-5) << i;
}

}  // namespace

TEST(Einsum, TraceOfRepeatedLabel) {
  OneNode m("Einsum", {f32({1, 2, 3, 4}, {2, 2})});
  m.attr_s("equation", "ii");
  auto out = m.run();
  ASSERT_TRUE(out) << out.status().to_string();
  expect_values((*out)[0].tensor(), {}, {5});
}

TEST(Einsum, DiagonalKept) {
  OneNode m("Einsum", {f32({1, 2, 3, 4}, {2, 2})});
  m.attr_s("equation", "ii->i");
  auto out = m.run();
  ASSERT_TRUE(out) << out.status().to_string();
  expect_values((*out)[0].tensor(), {2}, {1, 4});
}

TEST(Einsum, ImplicitOutputIsSortedSingleLabels) {
  // "ba" implicit output is "ab": a transpose.
  OneNode m("Einsum", {f32({1, 2, 3, 4, 5, 6}, {2, 3})});
  m.attr_s("equation", "ba");
  auto out = m.run();
  ASSERT_TRUE(out) << out.status().to_string();
  expect_values((*out)[0].tensor(), {3, 2}, {1, 4, 2, 5, 3, 6});
}

TEST(Einsum, EllipsisBroadcastsBatch) {
  // [2,1,2] x [2,3] with "...ij,jk->...ik": the ellipsis dims broadcast.
  OneNode m("Einsum", {f32({1, 2, 3, 4}, {2, 1, 2}), f32({1, 0, 2, 0, 1, 3}, {2, 3})});
  m.attr_s("equation", "...ij,jk->...ik");
  auto out = m.run();
  ASSERT_TRUE(out) << out.status().to_string();
  expect_values((*out)[0].tensor(), {2, 1, 3}, {1, 2, 8, 3, 4, 18});
}

TEST(Einsum, RejectsMismatchedLabelSizes) {
  OneNode m("Einsum", {f32({1, 2, 3}, {3}), f32({1, 2}, {2})});
  m.attr_s("equation", "i,i->");
  EXPECT_FALSE(m.run());
}

TEST(Det, PivotsAndBatches) {
  // [[0,1],[1,0]] needs a row swap: det -1; [[2,0],[0,3]] -> 6.
  OneNode m("Det", {f32({0, 1, 1, 0, 2, 0, 0, 3}, {2, 2, 2})});
  auto out = m.run();
  ASSERT_TRUE(out) << out.status().to_string();
  expect_values((*out)[0].tensor(), {2}, {-1, 6});
}

TEST(Det, Singular3x3) {
  OneNode m("Det", {f32({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3})});
  auto out = m.run();
  ASSERT_TRUE(out) << out.status().to_string();
  EXPECT_NEAR((*out)[0].tensor().as_double(0), 0.0, 1e-5);
}

TEST(TfIdfVectorizer, IdfAndTfidfWeights) {
  // Pool: unigrams {7, 8}; ids -> columns [1, 0]; weights [0.5, 2].
  for (const char* mode : {"TF", "IDF", "TFIDF"}) {
    OneNode m("TfIdfVectorizer", {Tensor::from_vector<int64_t>({7, 7, 8, 9}, {4})});
    m.attr_s("mode", mode);
    m.attr_i("min_gram_length", 1);
    m.attr_i("max_gram_length", 1);
    m.attr_i("max_skip_count", 3);
    m.attr_ints("ngram_counts", {0});
    m.attr_ints("ngram_indexes", {1, 0});
    m.attr_ints("pool_int64s", {7, 8});
    ir::Attribute w;
    w.kind = ir::Attribute::Kind::kFloats;
    w.floats = {0.5f, 2.0f};
    m.node->attrs["weights"] = w;
    auto out = m.run();
    ASSERT_TRUE(out) << out.status().to_string();
    const std::string md = mode;
    // Unigrams count once regardless of max_skip_count: 7 twice, 8 once.
    if (md == "TF") expect_values((*out)[0].tensor(), {2}, {1, 2});
    if (md == "IDF") expect_values((*out)[0].tensor(), {2}, {2, 0.5});
    if (md == "TFIDF") expect_values((*out)[0].tensor(), {2}, {2, 1});
  }
}

TEST(StringNormalizer, CaseInsensitiveStopwordsAndUpper) {
  OneNode m("StringNormalizer", {Tensor::from_vector<std::string>({"Monday", "tuesday", "MONDAY"}, {1, 3})});
  m.attr_strings("stopwords", {"monday"});
  m.attr_s("case_change_action", "UPPER");
  auto out = m.run();
  ASSERT_TRUE(out) << out.status().to_string();
  const Tensor& t = (*out)[0].tensor();
  ASSERT_EQ(t.shape(), (Shape{1, 1}));
  EXPECT_EQ(t.data<std::string>()[0], "TUESDAY");
}

TEST(RandomUniform, SeedIsReproducibleAndInRange) {
  auto draw = [](float seed) {
    OneNode m("RandomUniform", {});
    m.attr_ints("shape", {3, 4});
    m.attr_f("low", 2.0f);
    m.attr_f("high", 3.0f);
    m.attr_f("seed", seed);
    m.attr_i("dtype", static_cast<int64_t>(DType::kFloat64));
    auto out = m.run();
    EXPECT_TRUE(out) << out.status().to_string();
    return (*out)[0].tensor();
  };
  Tensor a = draw(1.0f), b = draw(1.0f);
  ASSERT_EQ(a.dtype(), DType::kFloat64);
  ASSERT_EQ(a.shape(), (Shape{3, 4}));
  for (int64_t i = 0; i < a.numel(); ++i) {
    EXPECT_EQ(a.as_double(i), b.as_double(i));
    EXPECT_GE(a.as_double(i), 2.0);
    EXPECT_LE(a.as_double(i), 3.0);
  }
}

TEST(Multinomial, DegenerateDistributionPicksOnlyClass) {
  OneNode m("Multinomial", {f32({-INFINITY, 0.0f, -INFINITY}, {1, 3})});
  m.attr_i("sample_size", 5);
  auto out = m.run();
  ASSERT_TRUE(out) << out.status().to_string();
  const Tensor& t = (*out)[0].tensor();
  ASSERT_EQ(t.dtype(), DType::kInt32);
  for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(t.as_int64(i), 1);
}

TEST(Dft, RejectsLastAxis) {
  OneNode m("DFT", {f32({1, 2, 3, 4}, {1, 4, 1})});
  m.attr_i("axis", 2);
  EXPECT_FALSE(m.run());
}

}  // namespace kiln
