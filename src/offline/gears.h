// Gear lookup for models converted with --dynamic_batch_size / --dynamic_image_size /
// --dynamic_dims (../shared/spec/atc-cli.md §4): which gear runs when none was chosen (the
// largest, as AscendCL does), finding a gear by its values, and the concrete graph-input shapes a
// gear gives. Shared by `kiln run`/`kiln bench` and the AscendCL runtime (model_runner.h).
//
//   size_t g = offline::largest_gear(om.meta.gears);
//   KILN_ASSIGN_OR_RETURN(auto shapes, offline::gear_input_shapes(om.meta, graph, g));
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/shape.h"
#include "core/status.h"
#include "ir/graph.h"
#include "offline/offline_model.h"

namespace kiln::offline {

bool has_gears(const Gears& gears);
// Index of the gear with the largest product of values (the first on ties); 0 without gears.
size_t largest_gear(const Gears& gears);
// Index of the gear whose values equal `values`, or -1.
int find_gear(const Gears& gears, const std::vector<int64_t>& values);
// "1,224,224" and "1; 2; 4" for messages.
std::string gear_str(const std::vector<int64_t>& gear);
std::string gear_list(const Gears& gears);

// Dims of output `o` at gear `index` (-1: the largest gear) as the converter recorded them; the
// model's own output dims for a model without gears.
std::vector<int64_t> output_dims_at(const Metadata& meta, size_t o, int index);

// Concrete shapes of the graph inputs whose -1 dims gear `index` fills, by graph input name
// ({} when the model has no gears). `graph` is the model's (or its session's) top-level graph.
Expected<std::map<std::string, Shape>> gear_input_shapes(const Metadata& meta, const ir::Graph& graph, size_t index);

}  // namespace kiln::offline
