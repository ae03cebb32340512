#include "runtime/memory_plan.h"

#include <algorithm>

namespace kiln {

namespace {

constexpr size_t kAlign = 64;

bool is_view_op(const ir::Node& node) {
  if (!node.domain.empty() || node.inputs.empty() || !node.inputs[0]) return false;
  static const char* const kViews[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout"};
  for (const char* op : kViews) {
    if (node.op_type == op) return true;
  }
  return false;
}

bool plannable(const ir::Value* v) {
  if (!v->producer || v->constant || v->is_graph_input) return false;
  if (v->type.kind != ir::TypeInfo::Kind::kTensor || !v->type.fully_known()) return false;
  return v->type.elem != DType::kString && v->type.elem != DType::kUndefined;
}

size_t slot_bytes(const ir::Value* v) {
  const size_t bytes = static_cast<size_t>(shape_numel(v->type.concrete())) * dtype_size(v->type.elem);
  return (std::max<size_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign;
}

}  // namespace

MemoryPlan plan_memory(const ir::Graph& graph, const InPlaceFn& in_place_input) {
  MemoryPlan plan;
  std::unordered_set<const ir::Value*> outputs(graph.outputs.begin(), graph.outputs.end());

  // Root of each value's storage through view ops, and each root's [first, last] node index.
  std::unordered_map<const ir::Value*, const ir::Value*> root;
  struct Life {
    int first = 0, last = 0;
    bool pinned = false;  // a graph output (or an alias of one): lives past the run
  };
  std::unordered_map<const ir::Value*, Life> life;
  auto root_of = [&](const ir::Value* v) {
    auto it = root.find(v);
    return it == root.end() ? v : it->second;
  };
  for (const auto& node : graph.nodes) {
    if (is_view_op(*node) && node->outputs.size() >= 1 && node->outputs[0]) {
      plan.view_nodes.insert(node.get());
      root[node->outputs[0]] = root_of(node->inputs[0]);
    }
  }
  for (const auto& node : graph.nodes) {
    for (const ir::Value* out : node->outputs) {
      if (!out) continue;
      const ir::Value* r = root_of(out);
      Life& l = life.try_emplace(r, Life{node->index, node->index, false}).first->second;
      l.last = std::max(l.last, node->index);
      for (const ir::Node* c : out->consumers) l.last = std::max(l.last, c->index);
      if (outputs.count(out)) l.pinned = true;
    }
  }

  // In place: output 0 joins the input's root when this node is the last use of that storage.
  std::unordered_map<const ir::Value*, const ir::Node*> in_place_outputs;
  for (const auto& node : graph.nodes) {
    const int k = in_place_input ? in_place_input(*node) : -1;
    if (k < 0 || static_cast<size_t>(k) >= node->inputs.size() || !node->inputs[k] || node->outputs.empty()) continue;
    const ir::Value* out = node->outputs[0];
    if (!out || root.count(out)) continue;
    const ir::Value* r = root_of(node->inputs[k]);
    auto lr = life.find(r), lo = life.find(out);
    if (lr == life.end() || lo == life.end() || lr->second.pinned || lo->second.pinned) continue;
    if (lr->second.last != node->index || !plannable(r) || !plannable(out)) continue;
    if (slot_bytes(r) != slot_bytes(out) || r->type.elem != out->type.elem) continue;
    // The node must not read that storage through another input too (Conv(x) + x: the
    // convolution reads x's neighbourhood while writing the output).
    bool shared = false;
    for (size_t j = 0; j < node->inputs.size(); ++j) {
      shared = shared || (static_cast<int>(j) != k && node->inputs[j] && root_of(node->inputs[j]) == r);
    }
    if (shared) continue;
    lr->second.last = std::max(lr->second.last, lo->second.last);
    life.erase(lo);
    for (auto& [v, rr] : root) {
      if (rr == out) rr = r;  // views of the output now alias the input's storage
    }
    root[out] = r;
    in_place_outputs[out] = node.get();
    plan.in_place[node.get()] = k;
  }

  struct Candidate {
    const ir::Value* value;
    size_t bytes;
    Life life;
  };
  std::vector<Candidate> candidates;
  for (const auto& [v, l] : life) {
    // Only values some node produces (not graph inputs or constants reached through views).
    if (l.pinned || !plannable(v)) continue;
    candidates.push_back({v, slot_bytes(v), l});
  }
  // Largest first; ties by first use so the plan is deterministic.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.life.first < b.life.first;
  });
  std::vector<const Candidate*> placed;
  std::vector<size_t> offsets;
  for (const Candidate& c : candidates) {
    // Byte ranges of placed values alive at the same time, sorted by offset; take the first gap.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t i = 0; i < placed.size(); ++i) {
      const Life& o = placed[i]->life;
      if (o.last < c.life.first || c.life.last < o.first) continue;
      busy.push_back({offsets[i], offsets[i] + placed[i]->bytes});
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + c.bytes <= begin) break;
      offset = std::max(offset, end);
    }
    placed.push_back(&c);
    offsets.push_back(offset);
    plan.slots[c.value] = {offset, c.bytes};
    plan.arena_bytes = std::max(plan.arena_bytes, offset + c.bytes);
    plan.unshared_bytes += c.bytes;
  }
  // An in-place output is not a root: it gets its input's slot.
  for (const auto& [out, node] : in_place_outputs) {
    auto it = plan.slots.find(root_of(out));
    if (it != plan.slots.end()) plan.slots[out] = it->second;
    else plan.in_place.erase(node);
  }
  return plan;
}

void drop_unsafe_overlaps(MemoryPlan& plan, const ir::Graph& graph, const InPlaceFn& in_place_input) {
  plan.in_place.clear();
  for (const auto& node : graph.nodes) {
    const bool view = plan.view_nodes.count(node.get()) > 0;
    const int allowed = in_place_input ? in_place_input(*node) : -1;
    for (size_t o = 0; o < node->outputs.size(); ++o) {
      auto out = plan.slots.find(node->outputs[o]);
      if (out == plan.slots.end()) continue;
      const size_t ob = out->second.offset, oe = ob + out->second.bytes;
      bool unsafe = false, took_allowed = false;
      for (size_t i = 0; i < node->inputs.size(); ++i) {
        auto in = node->inputs[i] ? plan.slots.find(node->inputs[i]) : plan.slots.end();
        if (in == plan.slots.end()) continue;
        const size_t ib = in->second.offset, ie = ib + in->second.bytes;
        if (oe <= ib || ie <= ob) continue;  // disjoint
        const bool same = ib == ob && ie == oe;
        if (o == 0 && same && (view || static_cast<int>(i) == allowed)) {
          took_allowed = took_allowed || static_cast<int>(i) == allowed;
          continue;
        }
        unsafe = true;
      }
      if (unsafe) plan.slots.erase(out);
      else if (took_allowed) plan.in_place[node.get()] = allowed;
    }
  }
}

}  // namespace kiln
