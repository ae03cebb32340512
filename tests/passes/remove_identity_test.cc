#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::GraphBuilder;
using test_util::PassCheck;
using Ops = std::vector<std::string>;

TEST(RemoveIdentity, DropsIdentityDropoutSameCastStaticReshapeIdentityTranspose) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {2, 3, 5});
    ir::Value* y = b.op("Relu", {x});
    y = b.op("Identity", {y});
    y = b.node("Dropout", {y}, 1)->outputs[0];
    ir::Node* cast = b.node("Cast", {y});
    test_util::attr_int(cast, "to", 1);
    y = b.op("Reshape", {cast->outputs[0], b.ints({2, 3, 5})});
    ir::Node* t = b.node("Transpose", {y});
    test_util::attr_ints(t, "perm", {0, 1, 2});
    b.output(b.op("Sigmoid", {t->outputs[0]}));
  });
  ASSERT_TRUE(c.apply(remove_identity));
  EXPECT_EQ(c.ops(), (Ops{"Relu", "Sigmoid"}));
  EXPECT_TRUE(c.numeric());
}

TEST(RemoveIdentity, GraphOutputKeepsItsName) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* y = b.op("Relu", {b.input("x", {7})});
    ir::Value* out = b.op("Identity", {y});
    b.output(out);
  });
  ASSERT_TRUE(c.apply(remove_identity));
  EXPECT_EQ(c.ops(), (Ops{"Relu"}));
  EXPECT_EQ(c.output_names(), c.original_outputs);
  EXPECT_TRUE(c.numeric());
}

TEST(RemoveIdentity, KeepsIdentityFromGraphInputToOutputAndRealCastsReshapes) {
  PassCheck c([](GraphBuilder& b) {
    ir::Value* x = b.input("x", {2, 6});
    b.output(b.op("Identity", {x}));
    ir::Node* cast = b.node("Cast", {x});
    test_util::attr_int(cast, "to", 11);  // float64: a real conversion
    b.output(cast->outputs[0]);
    b.output(b.op("Reshape", {x, b.ints({3, 4})}));
    // Both the Identity's input and output are graph outputs: neither name may go.
    ir::Value* r = b.op("Relu", {x});
    b.output(r);
    b.output(b.op("Identity", {r}));
  });
  ASSERT_TRUE(c.apply(remove_identity));
  EXPECT_EQ(c.ops(), (Ops{"Identity", "Cast", "Reshape", "Relu", "Identity"}));
  EXPECT_FALSE(c.changed);
}

TEST(RemoveIdentity, DropoutWithUsedMaskStays) {
  PassCheck c([](GraphBuilder& b) {
    ir::Node* d = b.node("Dropout", {b.input("x", {4})}, 2);
    b.output(b.op("Relu", {d->outputs[0]}));
    b.output(d->outputs[1]);
  });
  ASSERT_TRUE(c.apply(remove_identity));
  EXPECT_EQ(c.ops(), (Ops{"Dropout", "Relu"}));
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

// A subgraph reads `v` by name: the Identity that produces it must stay (and nothing may fold it).
TEST(RemoveIdentity, ValueReadBySubgraphKeepsItsProducer) {
  test_util::PassCheck c([](test_util::GraphBuilder& b) {
    ir::Value* x = b.input("x", {5});
    ir::Value* cond = b.g->get_or_create("cond");
    cond->type = ir::TypeInfo::tensor_of(DType::kBool, {});
    cond->is_graph_input = true;
    b.g->inputs.push_back(cond);
    b.feeds.push_back({"cond", Value(Tensor::scalar<bool>(true))});
    ir::Value* v = b.op("Identity", {x});
    auto branch = [&](const char* op) {
      auto sub = std::make_shared<ir::Graph>();
      sub->name = op;
      ir::Value* in = sub->get_or_create(v->name);
      ir::Value* out = sub->get_or_create(std::string(op) + "_out");
      sub->add_node(op, "", 17, {in}, {out});
      sub->outputs.push_back(out);
      EXPECT_TRUE(sub->finalize().is_ok());
      ir::Attribute a;
      a.kind = ir::Attribute::Kind::kGraph;
      a.g = sub;
      return a;
    };
    ir::Node* n = b.node("If", {cond});
    n->attrs["then_branch"] = branch("Relu");
    n->attrs["else_branch"] = branch("Neg");
    b.output(n->outputs[0]);
  });
  ASSERT_TRUE(c.apply(remove_identity));
  EXPECT_EQ(c.ops(), (std::vector<std::string>{"Identity", "If"}));
  EXPECT_TRUE(c.numeric());
  ASSERT_TRUE(c.apply(fold_constants));
  EXPECT_FALSE(c.changed);
}

}  // namespace
}  // namespace kiln
