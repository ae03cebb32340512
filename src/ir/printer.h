// Text form of the IR (for `kiln info --graph` and debugging):
//   graph torch_jit (%input: float32[1,3,224,224]) -> (%output: float32[1,1000]) {
//     %x1: float32[1,64,112,112] = Conv(%input, %w1, %b1) {kernel_shape=[7,7], strides=[2,2]}
//   }
#pragma once

#include <string>

#include "ir/graph.h"

namespace kiln::ir {

std::string print_graph(const Graph& graph, int indent = 0);
std::string print_attribute(const Attribute& a);

// Structural checks beyond Graph::finalize(): graph outputs defined, node outputs unique,
// subgraphs valid. Names the offending node/value.
Status verify_model(const Model& model);

}  // namespace kiln::ir
