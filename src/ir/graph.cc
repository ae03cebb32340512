#include "ir/graph.h"

#include <functional>
#include <queue>
#include <unordered_set>

namespace kiln::ir {

const char* attribute_kind_name(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::kFloat: return "float";
    case Attribute::Kind::kInt: return "int";
    case Attribute::Kind::kString: return "string";
    case Attribute::Kind::kTensor: return "tensor";
    case Attribute::Kind::kGraph: return "graph";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kStrings: return "strings";
    case Attribute::Kind::kTensors: return "tensors";
    case Attribute::Kind::kGraphs: return "graphs";
    case Attribute::Kind::kTypeProto: return "type";
  }
  return "?";
}

std::string Node::label() const {
  if (!name.empty()) return op_type + " '" + name + "'";
  return op_type + " #" + std::to_string(index);
}

const Attribute* Node::attr(const std::string& key) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? nullptr : &it->second;
}

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  const Attribute* a = attr(key);
  return a ? a->i : fallback;
}

float Node::attr_float(const std::string& key, float fallback) const {
  const Attribute* a = attr(key);
  return a ? a->f : fallback;
}

std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  const Attribute* a = attr(key);
  return a ? a->s : fallback;
}

std::vector<int64_t> Node::attr_ints(const std::string& key, std::vector<int64_t> fallback) const {
  const Attribute* a = attr(key);
  return a ? a->ints : fallback;
}

std::vector<float> Node::attr_floats(const std::string& key, std::vector<float> fallback) const {
  const Attribute* a = attr(key);
  return a ? a->floats : fallback;
}

std::vector<std::string> Node::attr_strings(const std::string& key) const {
  const Attribute* a = attr(key);
  return a ? a->strings : std::vector<std::string>{};
}

const Graph* Node::attr_graph(const std::string& key) const {
  const Attribute* a = attr(key);
  return a ? a->g.get() : nullptr;
}

Value* Graph::get_or_create(const std::string& value_name) {
  auto it = by_name_.find(value_name);
  if (it != by_name_.end()) return it->second;
  values_.push_back(std::make_unique<Value>());
  Value* v = values_.back().get();
  v->name = value_name;
  by_name_[value_name] = v;
  return v;
}

Value* Graph::new_value(const std::string& hint) {
  std::string base = hint.empty() ? "v" : hint;
  if (!by_name_.count(base)) return get_or_create(base);
  for (size_t i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!by_name_.count(candidate)) return get_or_create(candidate);
  }
}

Node* Graph::add_node(std::string op_type, std::string domain, int opset, std::vector<Value*> inputs,
                      std::vector<Value*> outputs, std::string node_name) {
  auto node = std::make_unique<Node>();
  node->op_type = std::move(op_type);
  node->domain = std::move(domain);
  node->opset = opset;
  node->inputs = std::move(inputs);
  node->outputs = std::move(outputs);
  node->name = std::move(node_name);
  node->index = static_cast<int>(nodes.size());
  nodes.push_back(std::move(node));
  return nodes.back().get();
}

void Graph::replace_uses(Value* from, Value* to) {
  for (auto& node : nodes) {
    for (Value*& in : node->inputs) {
      if (in == from) in = to;
    }
  }
  for (Value*& out : outputs) {
    if (out == from) out = to;
  }
}

void Graph::prune_values() {
  std::unordered_set<const Value*> used(inputs.begin(), inputs.end());
  used.insert(outputs.begin(), outputs.end());
  for (const auto& node : nodes) {
    for (const Value* v : node->inputs) used.insert(v);
    for (const Value* v : node->outputs) used.insert(v);
    for (const Value* v : node->implicit_inputs) used.insert(v);
  }
  std::erase_if(values_, [&](const std::unique_ptr<Value>& v) {
    if (used.count(v.get())) return false;
    by_name_.erase(v->name);
    return true;
  });
}

Value* Graph::find(const std::string& value_name) const {
  auto it = by_name_.find(value_name);
  return it == by_name_.end() ? nullptr : it->second;
}

Status Graph::finalize() {
  for (auto& v : values_) {
    v->producer = nullptr;
    v->consumers.clear();
  }
  for (auto& node : nodes) {
    for (Value* out : node->outputs) {
      if (!out) continue;
      if (out->producer) {
        return invalid_model("value '{}' is produced by both {} and {}", out->name,
                             out->producer->label(), node->label());
      }
      if (out->is_graph_input || out->constant) {
        return invalid_model("{} writes '{}', which is already a graph input or initializer",
                             node->label(), out->name);
      }
      out->producer = node.get();
    }
  }
  for (auto& node : nodes) {
    node->implicit_inputs.clear();
    std::unordered_set<Value*> seen;
    for (auto& [key, attr] : node->attrs) {
      std::vector<Graph*> subgraphs;
      if (attr.g) subgraphs.push_back(attr.g.get());
      for (auto& g : attr.graphs) subgraphs.push_back(g.get());
      for (Graph* sub : subgraphs) {
        sub->parent = this;
        for (Value* ref : sub->outer_refs) {
          Value* here = get_or_create(ref->name);
          if (seen.insert(here).second) node->implicit_inputs.push_back(here);
        }
      }
    }
  }
  for (auto& node : nodes) {
    std::unordered_set<Value*> seen;
    for (Value* in : node->inputs) {
      if (in && seen.insert(in).second) in->consumers.push_back(node.get());
    }
    for (Value* in : node->implicit_inputs) {
      if (seen.insert(in).second) in->consumers.push_back(node.get());
    }
  }
  outer_refs.clear();
  for (auto& v : values_) {
    bool defined = v->producer || v->is_graph_input || v->constant.has_value();
    v->is_outer_ref = !defined;
    if (v->is_outer_ref) outer_refs.push_back(v.get());
  }

  // Kahn's algorithm, stable with respect to the file order.
  std::vector<int> pending(nodes.size(), 0);
  std::unordered_map<const Node*, size_t> pos;
  for (size_t i = 0; i < nodes.size(); ++i) pos[nodes[i].get()] = i;
  // pending[i] = number of distinct produced values node i waits for
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::unordered_set<Value*> waits;
    for (Value* in : nodes[i]->inputs) {
      if (in && in->producer) waits.insert(in);
    }
    for (Value* in : nodes[i]->implicit_inputs) {
      if (in->producer) waits.insert(in);
    }
    pending[i] = static_cast<int>(waits.size());
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (Value* out : nodes[i]->outputs) {
      if (!out) continue;
      for (Node* c : out->consumers) {  // consumers are distinct per value
        size_t j = pos[c];
        if (--pending[j] == 0) ready.push(j);
      }
    }
  }
  if (order.size() != nodes.size()) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (pending[i] > 0) {
        return invalid_model("graph '{}' has a cycle through {}", name, nodes[i]->label());
      }
    }
  }
  std::vector<std::unique_ptr<Node>> sorted;
  sorted.reserve(nodes.size());
  for (size_t i : order) sorted.push_back(std::move(nodes[i]));
  nodes = std::move(sorted);
  for (size_t i = 0; i < nodes.size(); ++i) nodes[i]->index = static_cast<int>(i);
  return Status::ok();
}

}  // namespace kiln::ir
