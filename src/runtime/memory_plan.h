// Static memory planning: every activation of the top-level graph whose size is known before
// running gets an offset in one arena, assigned from lifetimes so that values that are never
// alive at the same time share bytes (greedy by size, best offset first — TFLite's strategy).
// View ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout) may return their input's
// storage, so an alias extends its root's lifetime instead of getting a slot of its own. A node
// whose kernel computes in place (OpKernel::in_place_input, e.g. a convolution's residual sum
// input) writes output 0 over that input when this node is the input's last use and the sizes
// match: the output takes the input's slot.
// Graph outputs and values of unknown size are allocated normally.
#pragma once

#include <functional>
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
  // Nodes whose output 0 took the storage of the given input (in-place computation).
  std::unordered_map<const ir::Node*, int> in_place;
  size_t arena_bytes = 0;     // the arena's size: peak activation bytes of planned values
  size_t unshared_bytes = 0;  // sum of planned sizes, i.e. without reuse (for reporting)
  // > 1: the session runs this batch as that many sub-batches (runtime/batch_split.h; one image
  // each by default) and every slot is sized for one sub-batch; each running sub-batch has its
  // own arena.
  int64_t batch_split = 0;

  // Activation bytes one whole-batch run needs: the arena, once per sub-batch at most.
  size_t work_bytes() const { return arena_bytes * static_cast<size_t>(batch_split > 1 ? batch_split : 1); }
};

// For a node, the input whose storage its kernel may overwrite with output 0, or -1.
using InPlaceFn = std::function<int(const ir::Node&)>;

MemoryPlan plan_memory(const ir::Graph& graph, const InPlaceFn& in_place_input = {});

// Drops slots a plan read from elsewhere (an offline model) gives to a node's output over the
// storage of one of its live inputs, unless the node is a view or in_place_input allows exactly
// that input: such an output is then allocated on its own, never written over an input it reads.
void drop_unsafe_overlaps(MemoryPlan& plan, const ir::Graph& graph, const InPlaceFn& in_place_input);

}  // namespace kiln
