// Static memory planning: every activation of the top-level graph whose size is known before
// running gets an offset in one arena, assigned from lifetimes so that values that are never
// alive at the same time share bytes (greedy by size, best offset first — TFLite's strategy).
// View ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout) may return their input's
// storage, so an alias extends its root's lifetime instead of getting a slot of its own.
// Graph outputs and values of unknown size are allocated normally.
#pragma once

#include <unordered_map>
#include <unordered_set>

#include "ir/graph.h"

namespace kiln {

struct MemoryPlan {
  struct Slot {
    size_t offset = 0;
    size_t bytes = 0;
  };
  std::unordered_map<const ir::Value*, Slot> slots;
  // Nodes whose output 0 may share input 0's storage (view ops).
  std::unordered_set<const ir::Node*> view_nodes;
  size_t arena_bytes = 0;     // the arena's size: peak activation bytes of planned values
  size_t unshared_bytes = 0;  // sum of planned sizes, i.e. without reuse (for reporting)
};

MemoryPlan plan_memory(const ir::Graph& graph);

}  // namespace kiln
