// The PLAN section: the top-level graph's memory plan by value name (docs/FORMAT.md), written
// from a MemoryPlan and resolved back against a loaded graph with every entry validated.
#pragma once

#include <string>

#include "core/status.h"
#include "ir/graph.h"
#include "runtime/memory_plan.h"

namespace kiln::offline {

std::string plan_to_json(const MemoryPlan& plan);
// Every name must be a value of `graph` (a node output for slots, a view node's output 0 for
// views), every slot inside the arena and at least as large as its value's static size.
Expected<MemoryPlan> plan_from_json(const std::string& text, const ir::Graph& graph, const std::string& file);

}  // namespace kiln::offline
