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

}  // namespace

MemoryPlan plan_memory(const ir::Graph& graph) {
  MemoryPlan plan;
  std::unordered_set<const ir::Value*> outputs(graph.outputs.begin(), graph.outputs.end());
  const int end_of_run = static_cast<int>(graph.nodes.size());

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

  struct Candidate {
    const ir::Value* value;
    size_t bytes;
    Life life;
  };
  std::vector<Candidate> candidates;
  for (const auto& [v, l] : life) {
    // Only values some node produces (not graph inputs or constants reached through views).
    if (l.pinned || !v->producer || v->constant || v->is_graph_input) continue;
    if (v->type.kind != ir::TypeInfo::Kind::kTensor || !v->type.fully_known()) continue;
    if (v->type.elem == DType::kString || v->type.elem == DType::kUndefined) continue;
    size_t bytes = static_cast<size_t>(shape_numel(v->type.concrete())) * dtype_size(v->type.elem);
    bytes = (std::max<size_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign;
    candidates.push_back({v, bytes, l});
  }
  (void)end_of_run;
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
  return plan;
}

}  // namespace kiln
