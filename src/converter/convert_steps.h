// The steps convert() chains, one per file, each testable on its own:
//   graph_edits.cc  --input_shape, --out_nodes, --input_fp16_nodes, --output_type
//   gears.cc        gear positions (which -1 dims each gear value fills) and per-gear shapes
#pragma once

#include <string>
#include <vector>

#include "converter/convert_options.h"
#include "ir/graph.h"
#include "offline/offline_model.h"

namespace kiln::convert {

// The graph inputs a caller feeds (initializer-backed ones excluded), in graph order.
std::vector<ir::Value*> data_inputs(const ir::Graph& graph);
// "a, b, c" for messages.
std::string input_names(const ir::Graph& graph);

// Sets the declared type of each --input_shape input: fixed dims become numbers, -1 and a~b
// become symbols (the model's own symbol when it had one there, so its other uses stay tied).
// Names must be data inputs (the error lists them); ranks must match. `batch_symbol` names -1 at
// dim 0 when batch gears are used.
Status apply_input_shape(ir::Graph& graph, const std::vector<InputShapeEntry>& entries, bool batch_gears);

// --out_nodes: the graph outputs become the named values, in order ("node:idx" or an output
// value name), then dead nodes are dropped.
Status cut_at_out_nodes(ir::Model& model, const std::vector<std::string>& out_nodes);

// --input_fp16_nodes: the input keeps its name, becomes float16, and a Cast to its old float type
// feeds its former readers. Types must be inferred.
Status make_fp16_input(ir::Model& model, const std::string& input);

// --output_type: a Cast to `dtype` in front of graph output `index` (keeps the output's name);
// nothing when it already has that type. Types must be inferred.
Status cast_output(ir::Model& model, size_t index, DType dtype);

// Resolves "node:idx" / value name to the graph output index it became (after cut_at_out_nodes).
Expected<size_t> output_index_of(const ir::Graph& graph, const std::vector<std::string>& out_nodes,
                                 const std::string& spec);

// Gears: fills meta.gears.kind/values/positions from the options (positions index meta.inputs,
// whose data entries must already be filled in graph-input order) and checks every -1 rule of
// the spec (§2, §4).
Status plan_gears(const ConvertOptions& opt, const ir::Graph& graph, offline::Metadata& meta);

// For every gear: fixes the -1 dims of the graph inputs to the gear's values, infers types, records
// the output dims, and restores the graph's symbolic types (nothing concrete is left behind).
// Sets meta.gears.output_dims and the byte sizes of inputs/outputs at the largest gear.
Status infer_gear_shapes(ir::Model& model, offline::Metadata& meta);

}  // namespace kiln::convert
