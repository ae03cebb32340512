// Graph rewrite for `atc --insert_op_conf` (../shared/spec/aipp.md §7, §9): the selected float
// input keeps its name but becomes the raw uint8 image; a kiln.Aipp node computes the tensor the
// network expected from it and every former reader of the input reads that instead.
#include "converter/insert_aipp.h"

namespace kiln::aipp {

namespace {

constexpr const char* kDynamicParamName = "ascend_dynamic_aipp_data";  // ACL_DYNAMIC_AIPP_NAME

Expected<ir::Value*> select_input(const ir::Graph& g, const Params& p) {
  std::vector<ir::Value*> data_inputs;
  for (ir::Value* v : g.inputs) {
    if (!v->constant) data_inputs.push_back(v);
  }
  if (!p.related_input_name.empty()) {
    for (ir::Value* v : data_inputs) {
      if (v->name == p.related_input_name) return v;
    }
    std::string names;
    for (ir::Value* v : data_inputs) names += (names.empty() ? "" : ", ") + v->name;
    return not_found("AIPP related_input_name '{}' is not a model input (inputs: {})", p.related_input_name, names);
  }
  if (p.related_input_rank >= data_inputs.size()) {
    return invalid_argument("AIPP related_input_rank = {} is out of range: the model has {} data input(s)",
                            p.related_input_rank, data_inputs.size());
  }
  return data_inputs[p.related_input_rank];
}

}  // namespace

Expected<Insertion> insert_aipp(ir::Model& model, Params& params, NetworkLayout layout) {
  if (!model.graph) return invalid_model("insert_aipp: the model has no graph");
  ir::Graph& g = *model.graph;
  KILN_ASSIGN_OR_RETURN(ir::Value * input, select_input(g, params));
  const std::string& name = input->name;
  for (const ir::Node* n : input->consumers) {
    if (n->domain == "kiln" && n->op_type == "Aipp") return invalid_argument("input '{}' already has AIPP (a model input may receive at most one aipp_op)", name);
  }
  if (params.input_edge_idx) {
    return unsupported("AIPP input '{}': input_edge_idx (AIPP on one consumer edge only) is not supported", name);
  }
  const ir::TypeInfo& t = input->type;
  if (!t.is_tensor() || t.elem != DType::kFloat32) {
    return invalid_argument("AIPP input '{}' must be a float32 tensor, got {}", name, t.str());
  }
  if (t.rank() != 4) return invalid_argument("AIPP input '{}' must be 4-D (NCHW or NHWC), got {}", name, t.str());
  const std::vector<ir::Dim>& d = *t.dims;
  const ir::Dim batch = d[0];
  auto value = [](const ir::Dim& x) { return x.known() ? x.value : int64_t{-1}; };
  const std::vector<int64_t> nchw = layout == NetworkLayout::kNCHW
                                        ? std::vector<int64_t>{value(d[0]), value(d[1]), value(d[2]), value(d[3])}
                                        : std::vector<int64_t>{value(d[0]), value(d[3]), value(d[1]), value(d[2])};
  KILN_TRY(validate_against_input(params, nchw, name));
  const int64_t n = nchw[0], c = nchw[1], h = nchw[2], w = nchw[3];

  Insertion ins;
  ins.data_input = name;
  ir::TypeInfo raw_type;
  if (params.mode == Mode::kDynamic) {
    ins.dims_v1 = {n, h, w, c};  // the source size is only known at run time: report the network's
    ins.dims_v2 = {static_cast<int64_t>(params.max_src_image_size)};
    ins.bytes = params.max_src_image_size;
    raw_type = ir::TypeInfo::tensor(DType::kUInt8, {ir::Dim(static_cast<int64_t>(params.max_src_image_size))});
  } else if (h <= 0 || w <= 0) {
    // --dynamic_image_size: crop/padding off, src sizes 0 (validated); the raw image is the gear's
    // size, so its rows and width stay symbolic (the width keeps the network's symbol).
    const ir::Dim net_h = layout == NetworkLayout::kNCHW ? d[2] : d[1];
    const ir::Dim net_w = layout == NetworkLayout::kNCHW ? d[3] : d[2];
    const auto rows = rows_per_image_height(params);
    const int64_t ch = raw_image_dims(params, 1)[3];
    ins.dims_v1 = {n, -1, -1, c};
    ins.dims_v2 = {n, -1, -1, ch};
    ins.bytes = 0;  // follows the gear: N * image_bytes(gear W, gear H)
    const ir::Dim raw_rows = rows[0] == 1 && rows[1] == 1 ? net_h : ir::Dim::named(name + "_rows");
    raw_type = ir::TypeInfo::tensor(DType::kUInt8, {batch, raw_rows, net_w, ir::Dim(ch)});
  } else {
    ins.dims_v1 = {n, params.src_image_size_h, params.src_image_size_w, c};
    ins.dims_v2 = raw_image_dims(params, n);
    ins.bytes = (n > 0 ? n : 1) * params.image_bytes(params.src_image_size_w, params.src_image_size_h);
    std::vector<ir::Dim> raw_dims = {batch};
    for (size_t i = 1; i < 4; ++i) raw_dims.push_back(ir::Dim(ins.dims_v2[i]));
    raw_type = ir::TypeInfo::tensor(DType::kUInt8, raw_dims);
  }

  // The network's tensor, now computed by AIPP; readers of the input move to it.
  ir::Value* net = g.new_value(name + "_aipp");
  net->type = t;
  g.replace_uses(input, net);
  input->type = raw_type;

  std::vector<ir::Value*> node_inputs = {input};
  if (params.mode == Mode::kDynamic) {
    std::string param_name = kDynamicParamName;
    const std::string node_name = "aipp_" + name;
    if (g.find(param_name)) param_name += "_" + node_name;
    if (g.find(param_name)) return invalid_argument("AIPP input '{}': graph already has a value named '{}'", name, param_name);
    ir::Value* block = g.get_or_create(param_name);
    block->is_graph_input = true;
    block->type = n > 0 ? ir::TypeInfo::tensor(DType::kUInt8, {ir::Dim(static_cast<int64_t>(dynamic_block_bytes(n)))})
                        : ir::TypeInfo::tensor(DType::kUInt8, {ir::Dim::named(param_name + "_bytes")});
    g.inputs.push_back(block);
    node_inputs.push_back(block);
    ins.param_input = param_name;
    ins.param_bytes = static_cast<int64_t>(dynamic_block_bytes(n > 0 ? n : 1));
  }
  ir::Node* node = g.add_node("Aipp", "kiln", 1, node_inputs, {net}, "aipp_" + name);
  node->attrs["params"].kind = ir::Attribute::Kind::kString;
  node->attrs["params"].s = to_json(params);
  node->attrs["output_chw"].kind = ir::Attribute::Kind::kInts;
  const bool follows_image = params.mode == Mode::kStatic && (h <= 0 || w <= 0);
  node->attrs["output_chw"].ints = follows_image ? std::vector<int64_t>{c, -1, -1} : std::vector<int64_t>{c, h, w};
  if (follows_image) {
    const auto rows = rows_per_image_height(params);
    node->attrs["rows_per_height"].kind = ir::Attribute::Kind::kInts;
    node->attrs["rows_per_height"].ints = {rows[0], rows[1]};
  }
  node->attrs["channels_last"].kind = ir::Attribute::Kind::kInt;
  node->attrs["channels_last"].i = layout == NetworkLayout::kNHWC ? 1 : 0;
  if (!model.opsets.count("kiln")) model.opsets["kiln"] = 1;
  KILN_TRY(g.finalize().with_context("after inserting AIPP on input '" + name + "'"));
  return ins;
}

}  // namespace kiln::aipp
