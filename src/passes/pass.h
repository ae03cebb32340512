// A graph pass: one small rewrite in one file (passes/<name>.cc), tested as a before graph, an
// expected graph and a numeric check (tests/passes/). A pass edits nodes and values through the
// ir::Graph rewriting calls and returns whether it changed anything; the pipeline re-links,
// re-sorts and re-infers types after every pass that did. Re-inference refines existing types,
// so a rewrite that changes what a value holds (shape, layout) must give it a new value
// (graph.new_value) rather than reuse the old one.
//
//   Expected<bool> remove_identity(ir::Graph& graph);   // row in pipeline.cc: {"remove_identity", remove_identity}
#pragma once

#include <string_view>

#include "ir/graph.h"

namespace kiln {

using PassFn = Expected<bool> (*)(ir::Graph& graph);

struct Pass {
  std::string_view name;
  PassFn run;
};

}  // namespace kiln
