#include <gtest/gtest.h>

#include "ir/graph.h"

namespace kiln::ir {

namespace {
Node* add_node(Graph& g, const std::string& op, std::vector<std::string> ins, std::vector<std::string> outs) {
  auto n = std::make_unique<Node>();
  n->op_type = op;
  n->name = op + "_" + outs[0];
  for (auto& i : ins) n->inputs.push_back(g.get_or_create(i));
  for (auto& o : outs) n->outputs.push_back(g.get_or_create(o));
  g.nodes.push_back(std::move(n));
  return g.nodes.back().get();
}
}  // namespace

TEST(Graph, SortsTopologically) {
  Graph g;
  g.get_or_create("x")->is_graph_input = true;
  add_node(g, "Relu", {"y"}, {"z"});
  add_node(g, "Relu", {"x"}, {"y"});
  ASSERT_TRUE(g.finalize().is_ok());
  EXPECT_EQ(g.nodes[0]->outputs[0]->name, "y");
  EXPECT_EQ(g.nodes[1]->outputs[0]->name, "z");
  EXPECT_TRUE(g.outer_refs.empty());
}

TEST(Graph, ReportsCycles) {
  Graph g;
  add_node(g, "Relu", {"b"}, {"a"});
  add_node(g, "Relu", {"a"}, {"b"});
  Status st = g.finalize();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("cycle"), std::string::npos);
}

TEST(Graph, SubgraphOuterRefsBecomeImplicitInputs) {
  Graph g;
  g.get_or_create("x")->is_graph_input = true;
  add_node(g, "Relu", {"x"}, {"outer"});
  auto body = std::make_shared<Graph>();
  add_node(*body, "Relu", {"outer"}, {"inner"});
  body->outputs.push_back(body->get_or_create("inner"));
  ASSERT_TRUE(body->finalize().is_ok());
  ASSERT_EQ(body->outer_refs.size(), 1u);
  Node* n = add_node(g, "If", {"x"}, {"res"});
  n->attrs["then_branch"].kind = Attribute::Kind::kGraph;
  n->attrs["then_branch"].g = body;
  // place the If first in file order: the sort must still run Relu before it
  std::rotate(g.nodes.begin(), g.nodes.begin() + 1, g.nodes.end());
  ASSERT_TRUE(g.finalize().is_ok());
  EXPECT_EQ(g.nodes[0]->op_type, "Relu");
  EXPECT_EQ(g.nodes[1]->implicit_inputs.size(), 1u);
}

}  // namespace kiln::ir
