#include "offline/gears.h"

#include <algorithm>

namespace kiln::offline {

bool has_gears(const Gears& gears) { return gears.kind != GearKind::kNone && !gears.values.empty(); }

size_t largest_gear(const Gears& gears) {
  size_t index = 0;
  int64_t best = -1;
  for (size_t g = 0; g < gears.values.size(); ++g) {
    int64_t product = 1;
    for (int64_t v : gears.values[g]) product *= v;
    if (product > best) best = product, index = g;
  }
  return index;
}

int find_gear(const Gears& gears, const std::vector<int64_t>& values) {
  auto it = std::find(gears.values.begin(), gears.values.end(), values);
  return it == gears.values.end() ? -1 : static_cast<int>(it - gears.values.begin());
}

std::string gear_str(const std::vector<int64_t>& gear) {
  std::string s;
  for (int64_t v : gear) s += (s.empty() ? "" : ",") + std::to_string(v);
  return s;
}

std::string gear_list(const Gears& gears) {
  std::string s;
  for (const auto& g : gears.values) s += (s.empty() ? "" : "; ") + gear_str(g);
  return s;
}

std::vector<int64_t> output_dims_at(const Metadata& meta, size_t o, int index) {
  const Gears& gears = meta.gears;
  if (has_gears(gears)) {
    const size_t g = index < 0 ? largest_gear(gears) : static_cast<size_t>(index);
    if (g < gears.output_dims.size() && o < gears.output_dims[g].size()) return gears.output_dims[g][o];
  }
  return o < meta.outputs.size() ? meta.outputs[o].dims : std::vector<int64_t>{};
}

Expected<std::map<std::string, Shape>> gear_input_shapes(const Metadata& meta, const ir::Graph& graph, size_t index) {
  std::map<std::string, Shape> shapes;
  const Gears& gears = meta.gears;
  if (!has_gears(gears)) return shapes;
  if (index >= gears.values.size()) return invalid_argument("gear {} does not exist; the model has {}", index, gears.values.size());
  const std::vector<int64_t>& gear = gears.values[index];
  if (gear.empty()) return invalid_model("gear {} of the model has no values", index);
  for (size_t p = 0; p < gears.positions.size(); ++p) {
    const auto [input, dim] = gears.positions[p];
    if (input < 0 || static_cast<size_t>(input) >= meta.inputs.size()) {
      return invalid_model("gear position {} names input {}, but the model has {} inputs", p, input, meta.inputs.size());
    }
    const TensorDesc& desc = meta.inputs[static_cast<size_t>(input)];
    const ir::Value* v = graph.find(desc.graph_name);
    if (!v || !v->type.dims || dim < 0 || static_cast<size_t>(dim) >= v->type.dims->size()) {
      return invalid_model("gear position {} (input '{}', dim {}) is not a dim of a graph input", p, desc.graph_name, dim);
    }
    auto [it, fresh] = shapes.try_emplace(desc.graph_name);
    if (fresh) {
      for (const ir::Dim& d : *v->type.dims) it->second.push_back(d.known() ? d.value : -1);
    }
    // Value j of a gear fills every position p with p % k == j (converter's rule, gears.cc).
    it->second[static_cast<size_t>(dim)] = gear[p % gear.size()];
  }
  return shapes;
}

}  // namespace kiln::offline
