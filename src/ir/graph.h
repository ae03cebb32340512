// The intermediate representation: a Model owns a Graph of Nodes connected by Values.
// Subgraphs (If/Loop/Scan bodies) are Graph attributes; a subgraph may read values of the graphs
// that enclose it by name (its `outer_refs`).
//
//   const ir::Graph& g = model.graph;
//   for (const auto& node : g.nodes) fmt::print("{} {}\n", node->op_type, node->name);
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/type.h"

namespace kiln::ir {

class Graph;
struct Node;

struct Attribute {
  enum class Kind { kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings, kTensors, kGraphs, kTypeProto };
  Kind kind = Kind::kInt;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
  TypeInfo type;  // kTypeProto (e.g. SequenceEmpty's dtype is an int; Optional's `type` is a TypeProto)
};

const char* attribute_kind_name(Attribute::Kind k);

struct Value {
  std::string name;
  TypeInfo type;
  Node* producer = nullptr;       // nullptr for graph inputs, initializers and outer refs
  std::vector<Node*> consumers;
  std::optional<Tensor> constant;  // initializers
  std::optional<Tensor> inferred_constant;  // value known from static inference (Constant, Shape)
  const Tensor* known_value() const {
    return constant ? &*constant : inferred_constant ? &*inferred_constant : nullptr;
  }
  bool is_graph_input = false;
  bool is_outer_ref = false;       // defined in an enclosing graph, looked up by name at run time
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" for the default ai.onnx domain
  int opset = 0;       // the model's opset version for `domain`
  std::vector<Value*> inputs;   // nullptr marks an omitted optional input
  std::vector<Value*> outputs;  // nullptr marks an omitted optional output
  std::map<std::string, Attribute> attrs;
  // Values of this graph that the node's subgraphs read by name (their outer refs); they count
  // as inputs for ordering and lifetime. Filled by Graph::finalize().
  std::vector<Value*> implicit_inputs;

  // Display name for messages: "Conv 'conv1'" or "Conv #12" when unnamed.
  std::string label() const;
  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }
  const Attribute* attr(const std::string& key) const;
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  float attr_float(const std::string& key, float fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(const std::string& key, std::vector<float> fallback = {}) const;
  std::vector<std::string> attr_strings(const std::string& key) const;
  const Graph* attr_graph(const std::string& key) const;

  size_t num_inputs() const { return inputs.size(); }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  size_t num_outputs() const { return outputs.size(); }
  bool has_output(size_t i) const { return i < outputs.size() && outputs[i] != nullptr; }
  int index = 0;  // position in the owning graph's node list
};

class Graph {
 public:
  std::string name;
  std::vector<std::unique_ptr<Node>> nodes;      // topologically sorted after finalize()
  std::vector<Value*> inputs;                    // graph inputs (excluding pure initializers)
  std::vector<Value*> outputs;
  std::vector<Value*> outer_refs;                // values this graph reads from enclosing graphs
  Graph* parent = nullptr;

  // Returns the value named `name` in this graph, creating it when absent.
  Value* get_or_create(const std::string& name);
  Value* find(const std::string& name) const;
  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }

  // Links producers/consumers, sorts nodes topologically (error on cycles), marks outer refs.
  // Subgraphs must be finalized before the graph that holds them.
  Status finalize();

  // --- Rewriting (graph passes). Edit node inputs/outputs freely, then call finalize(). ---
  // A new value whose name starts with `hint` and is unique in this graph.
  Value* new_value(const std::string& hint);
  // Appends a node (finalize() puts it in topological order) and returns it.
  Node* add_node(std::string op_type, std::string domain, int opset, std::vector<Value*> inputs,
                 std::vector<Value*> outputs, std::string node_name = {});
  // Every use of `from` (node inputs and graph outputs) reads `to` instead.
  void replace_uses(Value* from, Value* to);
  // Drops nodes for which `dead` is true (their outputs must be unused).
  template <typename Pred>
  void remove_nodes_if(Pred dead) {
    std::erase_if(nodes, [&](const std::unique_ptr<Node>& n) { return dead(*n); });
  }
  // Drops values nothing produces, reads or exposes (left behind by rewrites).
  void prune_values();

 private:
  std::vector<std::unique_ptr<Value>> values_;
  std::unordered_map<std::string, Value*> by_name_;
};

struct Model {
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::string path;                       // file it was loaded from, for messages
  std::map<std::string, int> opsets;      // domain -> version ("" is ai.onnx)
  std::shared_ptr<Graph> graph;
  std::map<std::string, std::string> metadata;
};

}  // namespace kiln::ir
