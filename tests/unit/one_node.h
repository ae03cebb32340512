// Test harness: a model made of one node whose inputs are graph inputs, run through a Session
// with verify_inference on, so each case checks the op's inference against its kernel too.
//
//   OneNode n("ReduceSum", 13);
//   n.input(Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2}));
//   n.attr_int("keepdims", 0);
//   auto out = n.run();   // Expected<std::vector<Value>>
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/session.h"

namespace kiln::test_util {

struct OneNode {
  std::shared_ptr<ir::Model> model = std::make_shared<ir::Model>();
  ir::Node* node = nullptr;
  std::vector<NamedValue> feeds;

  OneNode(const std::string& op, int opset, size_t num_outputs = 1) {
    model->opsets[""] = opset;
    model->graph = std::make_shared<ir::Graph>();
    auto n = std::make_unique<ir::Node>();
    n->op_type = op;
    n->name = op;
    n->opset = opset;
    for (size_t i = 0; i < num_outputs; ++i) {
      ir::Value* out = model->graph->get_or_create("out" + std::to_string(i));
      n->outputs.push_back(out);
      model->graph->outputs.push_back(out);
    }
    node = n.get();
    model->graph->nodes.push_back(std::move(n));
  }
  void input(const Tensor& t) {
    ir::Value* v = model->graph->get_or_create("in" + std::to_string(node->inputs.size()));
    v->is_graph_input = true;
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    model->graph->inputs.push_back(v);
    node->inputs.push_back(v);
    feeds.push_back({v->name, Value(t)});
  }
  void attr_int(const std::string& k, int64_t v) {
    node->attrs[k].kind = ir::Attribute::Kind::kInt;
    node->attrs[k].i = v;
  }
  void attr_ints(const std::string& k, std::vector<int64_t> v) {
    node->attrs[k].kind = ir::Attribute::Kind::kInts;
    node->attrs[k].ints = std::move(v);
  }
  void attr_float(const std::string& k, float v) {
    node->attrs[k].kind = ir::Attribute::Kind::kFloat;
    node->attrs[k].f = v;
  }
  void attr_string(const std::string& k, const std::string& v) {
    node->attrs[k].kind = ir::Attribute::Kind::kString;
    node->attrs[k].s = v;
  }
  Expected<std::vector<Value>> run() {
    KILN_TRY(model->graph->finalize());
    SessionOptions options;
    options.verify_inference = true;
    options.backend = Backend::kReference;
    KILN_ASSIGN_OR_RETURN(auto session, Session::create(model, options));
    return session->run(feeds);
  }
};

template <typename T>
std::vector<T> values(const Value& v) {
  const Tensor& t = v.tensor();
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

}  // namespace kiln::test_util
