// eliminate_dead_code: drops nodes none of whose outputs reach a graph output (transitively),
// e.g. the Shape chains left behind once fold_constants has folded their results.
#include <unordered_set>
#include <vector>

#include "passes/passes.h"

namespace kiln {

Expected<bool> eliminate_dead_code(ir::Graph& graph) {
  std::unordered_set<const ir::Node*> live;
  std::vector<const ir::Node*> work;
  auto mark = [&](const ir::Value* v) {
    if (v && v->producer && live.insert(v->producer).second) work.push_back(v->producer);
  };
  for (const ir::Value* v : graph.outputs) mark(v);
  while (!work.empty()) {
    const ir::Node* n = work.back();
    work.pop_back();
    for (const ir::Value* v : n->inputs) mark(v);
    for (const ir::Value* v : n->implicit_inputs) mark(v);
  }
  size_t before = graph.nodes.size();
  graph.remove_nodes_if([&](const ir::Node& n) { return live.count(&n) == 0; });
  return graph.nodes.size() != before;
}

}  // namespace kiln
