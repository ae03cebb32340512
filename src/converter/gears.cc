// Dynamic gears (../shared/spec/atc-cli.md §2, §4): which -1 dims each gear value fills, and the
// input/output shapes of every gear, found by type inference with the gear's concrete shapes.
#include <algorithm>

#include "converter/convert_steps.h"
#include "passes/infer_types.h"

namespace kiln::convert {

namespace {

const InputShapeEntry* entry_for(const ConvertOptions& opt, const std::string& name) {
  for (const InputShapeEntry& e : opt.input_shape) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

int meta_index(const offline::Metadata& meta, const std::string& graph_name) {
  for (size_t i = 0; i < meta.inputs.size(); ++i) {
    if (meta.inputs[i].graph_name == graph_name) return static_cast<int>(i);
  }
  return -1;
}

// Every type (and statically inferred value) of a graph and its subgraphs, to put back after a
// per-gear inference has made them concrete.
struct TypeSnapshot {
  struct Saved {
    ir::Value* value;
    ir::TypeInfo type;
    std::optional<Tensor> inferred_constant;
  };
  std::vector<Saved> saved;

  void take(ir::Graph& g) {
    for (const auto& v : g.values()) saved.push_back({v.get(), v->type, v->inferred_constant});
    for (const auto& node : g.nodes) {
      for (auto& [key, attr] : node->attrs) {
        if (attr.g) take(*attr.g);
        for (auto& sub : attr.graphs) take(*sub);
      }
    }
  }
  void restore() {
    for (Saved& s : saved) {
      s.value->type = s.type;
      s.value->inferred_constant = s.inferred_constant;
    }
  }
};

int64_t bytes_of(const ir::TypeInfo& t) {
  if (!t.fully_known()) return 0;
  return shape_numel(t.concrete()) * static_cast<int64_t>(dtype_size(t.elem));
}

}  // namespace

Status plan_gears(const ConvertOptions& opt, const ir::Graph& graph, offline::Metadata& meta) {
  offline::Gears& gears = meta.gears;
  gears.kind = opt.gear_kind;
  if (opt.gear_kind == offline::GearKind::kNone) return Status::ok();
  const std::string option = opt.gear_kind == offline::GearKind::kBatch       ? "--dynamic_batch_size"
                             : opt.gear_kind == offline::GearKind::kImageSize ? "--dynamic_image_size"
                                                                              : "--dynamic_dims";
  // Every input must be listed when gears are used (scalars as `name:`).
  std::vector<std::string> missing;
  for (const ir::Value* in : data_inputs(graph)) {
    if (!entry_for(opt, in->name)) missing.push_back(in->name);
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& n : missing) names += (names.empty() ? "" : ", ") + n;
    return invalid_argument(
        "E10001: with {} every model input must be listed in --input_shape (scalars as \"name:\"); missing: {}", option,
        names);
  }
  const int h_dim = opt.input_format == "NHWC" ? 1 : 2;
  for (const InputShapeEntry& e : opt.input_shape) {
    const int index = meta_index(meta, e.name);
    if (index < 0) return internal_error("input '{}' of --input_shape has no interface entry", e.name);
    for (size_t d = 0; d < e.dims.size(); ++d) {
      if (!e.dims[d].is_dynamic()) continue;
      if (opt.gear_kind == offline::GearKind::kBatch && d != 0) {
        return invalid_argument(
            "E10001: Value [{}] for parameter [--input_shape] is invalid. Reason: with --dynamic_batch_size, -1 may "
            "only be the first (N) dim; input '{}' has -1 at dim {}",
            e.name, e.name, d);
      }
      if (opt.gear_kind == offline::GearKind::kImageSize) {
        if (e.dims.size() != 4 || (static_cast<int>(d) != h_dim && static_cast<int>(d) != h_dim + 1)) {
          return invalid_argument(
              "E10001: Value [{}] for parameter [--input_shape] is invalid. Reason: with --dynamic_image_size and "
              "--input_format={}, -1 may only be H and W (dims {} and {} of a 4-D input); input '{}' has -1 at dim {}",
              e.name, opt.input_format, h_dim, h_dim + 1, e.name, d);
        }
        if (!e.dims[h_dim].is_dynamic() || !e.dims[h_dim + 1].is_dynamic()) {
          return invalid_argument(
              "E10001: Value [{}] for parameter [--input_shape] is invalid. Reason: with --dynamic_image_size both H "
              "and W of input '{}' must be -1",
              e.name, e.name);
        }
      }
      gears.positions.emplace_back(index, static_cast<int>(d));
    }
  }
  if (gears.positions.empty()) {
    return invalid_argument("E10001: {} needs -1 dims in --input_shape{}; '{}' has none", option,
                            opt.gear_kind == offline::GearKind::kBatch ? " (-1 as the first dim, e.g. data:-1,3,224,224)" : "",
                            opt.gear_text);
  }
  gears.values = opt.gears;
  return Status::ok();
}

Status infer_gear_shapes(ir::Model& model, offline::Metadata& meta) {
  offline::Gears& gears = meta.gears;
  if (gears.kind == offline::GearKind::kNone || gears.values.empty()) return Status::ok();
  ir::Graph& graph = *model.graph;
  TypeSnapshot snapshot;
  snapshot.take(graph);
  gears.output_dims.clear();
  std::vector<int64_t> max_in(meta.inputs.size(), 0), max_out(graph.outputs.size(), 0);
  for (const std::vector<int64_t>& gear : gears.values) {
    // Value j of a gear fills every position p with p % k == j (batch: one value for every
    // batched input; image size: H,W of each image input; dims: one value per position).
    const size_t k = gear.size();
    for (size_t p = 0; p < gears.positions.size(); ++p) {
      const auto [input, dim] = gears.positions[p];
      ir::Value* v = graph.find(meta.inputs[static_cast<size_t>(input)].graph_name);
      if (!v || !v->type.dims || static_cast<size_t>(dim) >= v->type.dims->size()) {
        return internal_error("gear position ({}, {}) does not match a graph input dim", input, dim);
      }
      (*v->type.dims)[static_cast<size_t>(dim)] = ir::Dim(gear[p % k]);
    }
    std::string gear_str;
    for (int64_t x : gear) gear_str += (gear_str.empty() ? "" : ",") + std::to_string(x);
    Status st = infer_types(model);
    if (!st.is_ok()) {
      snapshot.restore();
      return st.with_context(fmt::format("E10001: the model does not accept gear [{}]", gear_str));
    }
    std::vector<std::vector<int64_t>> out_dims;
    for (size_t o = 0; o < graph.outputs.size(); ++o) {
      const ir::TypeInfo& t = graph.outputs[o]->type;
      std::vector<int64_t> dims;
      if (t.dims) {
        for (const ir::Dim& d : *t.dims) dims.push_back(d.known() ? d.value : -1);
      }
      out_dims.push_back(std::move(dims));
      max_out[o] = std::max(max_out[o], bytes_of(t));
    }
    for (size_t i = 0; i < meta.inputs.size(); ++i) {
      if (const ir::Value* v = graph.find(meta.inputs[i].graph_name); v && !meta.inputs[i].graph_name.empty()) {
        max_in[i] = std::max(max_in[i], bytes_of(v->type));
      }
    }
    gears.output_dims.push_back(std::move(out_dims));
    snapshot.restore();
  }
  for (size_t i = 0; i < meta.inputs.size(); ++i) {
    if (meta.inputs[i].bytes == 0 && max_in[i] > 0) meta.inputs[i].bytes = max_in[i];
  }
  for (size_t o = 0; o < meta.outputs.size() && o < max_out.size(); ++o) {
    if (meta.outputs[o].bytes == 0) meta.outputs[o].bytes = max_out[o];
  }
  return Status::ok();
}

}  // namespace kiln::convert
