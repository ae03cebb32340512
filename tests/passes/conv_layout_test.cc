// fuse_conv and layout_channels_last: expected graphs and numeric equivalence with the original.
#include <gtest/gtest.h>

#include "cpu/cpu_check.h"
#include "passes/infer_types.h"
#include "passes/passes.h"
#include "passes/pipeline.h"

namespace kiln {
namespace {

using test_util::random_tensor;

struct GraphBuilder {
  std::shared_ptr<ir::Model> model = std::make_shared<ir::Model>();
  std::vector<NamedValue> feeds;
  GraphBuilder() {
    model->opsets[""] = 13;
    model->graph = std::make_shared<ir::Graph>();
  }
  ir::Graph& g() { return *model->graph; }
  ir::Value* input(const std::string& name, const Tensor& t) {
    ir::Value* v = g().get_or_create(name);
    v->is_graph_input = true;
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    g().inputs.push_back(v);
    feeds.push_back({name, Value(t)});
    return v;
  }
  ir::Value* constant(const std::string& name, const Tensor& t) {
    ir::Value* v = g().get_or_create(name);
    v->constant = t;
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    return v;
  }
  ir::Value* node(const std::string& op, std::vector<ir::Value*> ins, const std::string& out,
                  std::map<std::string, ir::Attribute> attrs = {}) {
    ir::Value* y = g().get_or_create(out);
    ir::Node* n = g().add_node(op, "", 13, std::move(ins), {y}, out);
    n->attrs = std::move(attrs);
    return y;
  }
  void output(ir::Value* v) { g().outputs.push_back(v); }

  Expected<std::vector<Value>> run_reference() {
    SessionOptions o;
    o.backend = Backend::kReference;
    KILN_ASSIGN_OR_RETURN(auto s, Session::create(model, o));
    return s->run(feeds);
  }
  std::vector<std::string> ops() const {
    std::vector<std::string> v;
    for (const auto& n : model->graph->nodes) v.push_back((n->domain.empty() ? "" : n->domain + ".") + n->op_type);
    return v;
  }
};

ir::Attribute ints(std::vector<int64_t> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}

// Runs `passes` on a copy built by `make`, checks the op sequence and that outputs still match.
void expect_rewrite(const std::function<void(GraphBuilder&)>& make, const std::vector<Pass>& passes,
                    const std::vector<std::string>& want_ops) {
  GraphBuilder before, after;
  make(before);
  make(after);
  ASSERT_TRUE(before.g().finalize().is_ok());
  ASSERT_TRUE(after.g().finalize().is_ok());
  auto want = before.run_reference();
  ASSERT_TRUE(want) << want.status().message();
  ASSERT_TRUE(infer_types(*after.model).is_ok());
  for (const Pass& p : passes) {
    Status st = run_pass(after.g(), p);
    ASSERT_TRUE(st.is_ok()) << st.message();
  }
  EXPECT_EQ(after.ops(), want_ops);
  auto got = after.run_reference();
  ASSERT_TRUE(got) << got.status().message();
  ASSERT_EQ(got->size(), want->size());
  for (size_t o = 0; o < want->size(); ++o) {
    const Tensor& a = (*want)[o].tensor();
    const Tensor& b = (*got)[o].tensor();
    ASSERT_EQ(a.shape(), b.shape());
    for (int64_t i = 0; i < a.numel(); ++i) ASSERT_NEAR(a.data<float>()[i], b.data<float>()[i], 1e-4) << i;
  }
  // Graph output names survive.
  for (size_t o = 0; o < before.g().outputs.size(); ++o) EXPECT_EQ(after.g().outputs[o]->name, before.g().outputs[o]->name);
}

const Pass kFuseConv{"fuse_conv", fuse_conv};
const Pass kLayout{"layout_channels_last", layout_channels_last};

void residual_block(GraphBuilder& b) {
  ir::Value* x = b.input("x", random_tensor({1, 4, 7, 9}, 1));
  ir::Value* w = b.constant("w", random_tensor({4, 4, 3, 3}, 2));
  ir::Value* bias = b.constant("b", random_tensor({4}, 3));
  ir::Value* c = b.node("Conv", {x, w, bias}, "c", {{"pads", ints({1, 1, 1, 1})}});
  ir::Value* s = b.node("Add", {c, x}, "s");
  b.output(b.node("Relu", {s}, "y"));
}

TEST(FuseConvPass, ConvAddReluBecomesOneFusedConv) {
  expect_rewrite(residual_block, {kFuseConv}, {"kiln.FusedConv"});
}

TEST(FuseConvPass, SecondConsumerBlocksTheAddFusion) {
  expect_rewrite(
      [](GraphBuilder& b) {
        ir::Value* x = b.input("x", random_tensor({1, 4, 5, 5}, 1));
        ir::Value* c = b.node("Conv", {x, b.constant("w", random_tensor({4, 4, 1, 1}, 2))}, "c");
        b.output(b.node("Add", {c, x}, "s"));
        b.output(b.node("Sigmoid", {c}, "t"));
      },
      {kFuseConv}, {"kiln.FusedConv", "Add", "Sigmoid"});
}

TEST(FuseConvPass, ClipWithConstantBoundsIsFused) {
  expect_rewrite(
      [](GraphBuilder& b) {
        ir::Value* x = b.input("x", random_tensor({2, 3, 6, 5}, 4));
        ir::Value* c = b.node("Conv", {x, b.constant("w", random_tensor({5, 3, 3, 3}, 5))}, "c");
        b.output(b.node("Clip", {c, b.constant("lo", Tensor::scalar(0.f)), b.constant("hi", Tensor::scalar(0.5f))}, "y"));
      },
      {kFuseConv}, {"kiln.FusedConv"});
}

TEST(LayoutPass, ResidualBlockRunsChannelsLastBetweenTwoTransposes) {
  expect_rewrite(residual_block, {kFuseConv, kLayout}, {"Transpose", "kiln.FusedConv", "Transpose"});
}

TEST(LayoutPass, PoolsConstantsAndConcatStayChannelsLast) {
  expect_rewrite(
      [](GraphBuilder& b) {
        ir::Value* x = b.input("x", random_tensor({1, 3, 8, 8}, 6));
        ir::Value* c = b.node("Conv", {x, b.constant("w", random_tensor({6, 3, 3, 3}, 7))}, "c",
                              {{"pads", ints({1, 1, 1, 1})}});
        ir::Value* p = b.node("MaxPool", {c}, "p", {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}});
        ir::Value* m = b.node("Mul", {p, b.constant("scale", random_tensor({6, 1, 1}, 8))}, "m");
        ir::Value* g = b.node("GlobalAveragePool", {m}, "g");
        ir::Value* se = b.node("Sigmoid", {g}, "se");
        ir::Value* e = b.node("Mul", {m, se}, "e");
        ir::Attribute axis;
        axis.kind = ir::Attribute::Kind::kInt;
        axis.i = 1;
        b.output(b.node("Concat", {e, m}, "y", {{"axis", axis}}));
        b.output(b.node("Flatten", {g}, "flat"));  // needs NCHW: gets a Transpose back
      },
      {kFuseConv, kLayout},
      {"Transpose", "kiln.FusedConv", "kiln.NhwcMaxPool", "Mul", "kiln.NhwcGlobalAveragePool", "Sigmoid", "Mul",
       "Concat", "Transpose", "Flatten", "Transpose"});
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

TEST(FuseConvPass, ScalarAffineAfterTheActivationIsFused) {
  expect_rewrite(
      [](GraphBuilder& b) {
        ir::Value* x = b.input("x", random_tensor({1, 4, 6, 7}, 11));
        ir::Value* c = b.node("Conv", {x, b.constant("w", random_tensor({4, 4, 3, 3}, 12))}, "c",
                              {{"pads", ints({1, 1, 1, 1})}});
        ir::Value* h = b.node("HardSwish", {c}, "h");
        ir::Value* m = b.node("Mul", {b.constant("s", Tensor::from_vector<float>({0.75f}, {1})), h}, "m");
        ir::Value* a = b.node("Add", {m, b.constant("t", Tensor::from_vector<float>({-0.25f}, {1}))}, "a");
        b.output(b.node("Div", {a, b.constant("d", Tensor::scalar(2.f))}, "y"));
      },
      {kFuseConv}, {"kiln.FusedConv"});
}

TEST(FuseConvPass, AffineBlocksALaterActivationAndResidual) {
  // relu(conv * s) is not relu(conv) * s: the Relu must stay.
  expect_rewrite(
      [](GraphBuilder& b) {
        ir::Value* x = b.input("x", random_tensor({1, 2, 5, 5}, 13));
        ir::Value* c = b.node("Conv", {x, b.constant("w", random_tensor({2, 2, 1, 1}, 14))}, "c");
        ir::Value* m = b.node("Mul", {c, b.constant("s", Tensor::scalar(-2.f))}, "m");
        b.output(b.node("Relu", {m}, "y"));
      },
      {kFuseConv}, {"kiln.FusedConv", "Relu"});
}

}  // namespace
}  // namespace kiln
