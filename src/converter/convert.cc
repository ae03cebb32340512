#include "converter/convert.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "converter/aipp_config.h"
#include "converter/convert_steps.h"
#include "converter/fusion_switch.h"
#include "converter/insert_aipp.h"
#include "core/file_util.h"
#include "frontend/onnx/onnx_loader.h"
#include "passes/infer_types.h"
#include "runtime/memory_plan.h"
#include "runtime/session.h"

namespace kiln::convert {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

struct Progress {
  const ProgressFn& fn;
  Clock::time_point start = Clock::now();
  template <typename... Args>
  void say(fmt::format_string<Args...> f, Args&&... args) const {
    if (fn) fn({fmt::format(f, std::forward<Args>(args)...), std::chrono::duration<double>(Clock::now() - start).count()});
  }
};

offline::Format format_from_name(const std::string& name) {
  if (name == "NHWC") return offline::Format::kNHWC;
  if (name == "ND") return offline::Format::kND;
  if (name == "NCDHW") return offline::Format::kNCDHW;
  return offline::Format::kNCHW;
}

std::vector<int64_t> interface_dims(const ir::TypeInfo& t) {
  std::vector<int64_t> dims;
  if (t.dims) {
    for (const ir::Dim& d : *t.dims) dims.push_back(d.known() ? d.value : -1);
  }
  return dims;
}

int64_t static_bytes(const ir::TypeInfo& t) {
  if (!t.fully_known()) return 0;
  return shape_numel(t.concrete()) * static_cast<int64_t>(dtype_size(t.elem));
}

offline::TensorDesc data_desc(const ir::Value& v, offline::Format layout) {
  offline::TensorDesc d;
  d.name = v.name;
  d.graph_name = v.name;
  d.dtype = v.type.elem;
  d.dims = interface_dims(v.type);
  // The layout names the 4-D (NCDHW: 5-D) inputs; anything else is ND.
  const size_t layout_rank = layout == offline::Format::kNCDHW ? 5 : 4;
  d.format = layout != offline::Format::kND && d.dims.size() == layout_rank ? layout : offline::Format::kND;
  d.bytes = static_bytes(v.type);
  return d;
}

// The graph input an aipp_op block selects: related_input_name, else the rank among data inputs.
Expected<std::string> aipp_target(const ir::Graph& graph, const aipp::Params& p, size_t block, const std::string& file) {
  const std::vector<ir::Value*> inputs = data_inputs(graph);
  if (!p.related_input_name.empty()) {
    for (const ir::Value* v : inputs) {
      if (v->name == p.related_input_name) return v->name;
    }
    return invalid_argument("E10001: {}: aipp_op #{}: related_input_name '{}' is not an input of the model; its inputs are: {}",
                            file, block + 1, p.related_input_name, input_names(graph));
  }
  if (p.related_input_rank >= inputs.size()) {
    return invalid_argument("E10001: {}: aipp_op #{}: related_input_rank {} but the model has {} input(s): {}", file,
                            block + 1, p.related_input_rank, inputs.size(), input_names(graph));
  }
  return inputs[p.related_input_rank]->name;
}

struct AippApplied {
  aipp::Insertion insertion;
  size_t params_index = 0;
};

Expected<std::vector<AippApplied>> apply_aipp(const ConvertOptions& opt, ir::Model& model, offline::Metadata& meta) {
  std::vector<AippApplied> applied;
  if (opt.insert_op_conf.empty()) return applied;
  KILN_ASSIGN_OR_RETURN(aipp::Config config, aipp::read_config_file(opt.insert_op_conf));
  const bool single_input = data_inputs(*model.graph).size() == 1;
  for (size_t b = 0; b < config.ops.size(); ++b) {
    aipp::Params& p = config.ops[b];
    KILN_ASSIGN_OR_RETURN(std::string target, aipp_target(*model.graph, p, b, opt.insert_op_conf));
    if (std::find(opt.input_fp16_nodes.begin(), opt.input_fp16_nodes.end(), target) != opt.input_fp16_nodes.end()) {
      return invalid_argument("E10001: {}: aipp_op #{} is on input '{}', which is also in --input_fp16_nodes; AIPP and "
                              "fp16 inputs cannot be combined on the same input",
                              opt.insert_op_conf, b + 1, target);
    }
    for (const InputShapeEntry& e : opt.input_shape) {
      if (e.name != target) continue;
      if (p.mode == aipp::Mode::kStatic && opt.gear_kind == offline::GearKind::kNone && e.has_dynamic() && single_input) {
        return invalid_argument("E10001: {}: static AIPP on input '{}' with a dynamic shape (-1 or a~b without gears) "
                                "is not supported on a single-input model",
                                opt.insert_op_conf, target);
      }
    }
    if (opt.gear_kind == offline::GearKind::kImageSize && p.mode == aipp::Mode::kStatic) {
      if (p.crop || p.padding || p.src_image_size_w != 0 || p.src_image_size_h != 0) {
        return invalid_argument("E10001: {}: aipp_op #{}: with --dynamic_image_size, static AIPP needs crop and padding "
                                "off and src_image_size_w/h 0",
                                opt.insert_op_conf, b + 1);
      }
      return unsupported("E10001: {}: static AIPP together with --dynamic_image_size is not supported by this converter yet",
                         opt.insert_op_conf);
    }
    if (p.related_input_name.empty()) p.related_input_name = target;  // ranks shift once inputs are added
    const aipp::NetworkLayout layout =
        opt.input_format == "NHWC" ? aipp::NetworkLayout::kNHWC : aipp::NetworkLayout::kNCHW;
    auto insertion = aipp::insert_aipp(model, p, layout);
    if (!insertion) return insertion.status().with_context(fmt::format("{}: aipp_op #{}", opt.insert_op_conf, b + 1));
    KILN_TRY(infer_types(model).with_context("after inserting AIPP"));
    meta.aipp.push_back(p);
    applied.push_back({std::move(*insertion), meta.aipp.size() - 1});
  }
  return applied;
}

// --disable_reuse_memory: every planned value gets bytes of its own.
MemoryPlan without_reuse(const MemoryPlan& plan) {
  MemoryPlan out = plan;
  std::vector<std::pair<const ir::Value*, MemoryPlan::Slot>> slots(plan.slots.begin(), plan.slots.end());
  std::sort(slots.begin(), slots.end(), [](const auto& a, const auto& b) { return a.second.offset < b.second.offset || (a.second.offset == b.second.offset && a.first->name < b.first->name); });
  size_t offset = 0;
  for (auto& [value, slot] : slots) {
    out.slots[value] = {offset, slot.bytes};
    offset += (slot.bytes + 63) / 64 * 64;
  }
  out.arena_bytes = offset;
  return out;
}

size_t weight_bytes_of(const ir::Graph& graph) {
  size_t bytes = 0;
  for (const auto& v : graph.values()) {
    if (v->constant) bytes += v->constant->nbytes();
  }
  return bytes;
}

}  // namespace

std::string source_hash_hex(const void* bytes, size_t size) {
  return fmt::format("{:016x}", static_cast<unsigned long long>(XXH3_64bits(bytes, size)));
}

Expected<PreparedModel> prepare_model(const ConvertOptions& opt, const ProgressFn& progress_fn) {
  Progress progress{progress_fn};
  PreparedModel out;
  offline::Metadata& meta = out.meta;

  // Load (the bytes once: hashed and parsed).
  std::error_code ec;
  if (!fs::is_regular_file(opt.model, ec)) {
    return invalid_argument("E10001: Value [{}] for parameter [--model] is invalid. Reason: the file does not exist or "
                            "is not a regular file",
                            opt.model);
  }
  auto bytes = read_file(opt.model);
  if (!bytes) {
    return invalid_argument("E10001: Value [{}] for parameter [--model] is invalid. Reason: {}", opt.model,
                            bytes.status().message());
  }
  const std::string base_dir = fs::path(opt.model).parent_path().string();
  auto loaded = onnx_frontend::load_model_from_bytes(bytes->data(), bytes->size(), base_dir.empty() ? "." : base_dir,
                                                     opt.model);
  if (!loaded) return loaded.status();
  out.model = std::move(*loaded);
  ir::Model& model = *out.model;
  ir::Graph& graph = *model.graph;
  progress.say("loaded {} ({} nodes, {:.1f} MiB)", opt.model, graph.nodes.size(), bytes->size() / 1048576.0);

  meta.producer = "kiln 0.1.0";
  meta.backend = "cpu";
  meta.isa = opt.isa;
  meta.soc_version = opt.soc_version;
  meta.framework = opt.framework;
  meta.command_line = opt.command_line;
  meta.source_path = opt.model;
  meta.source_hash = source_hash_hex(bytes->data(), bytes->size());
  meta.precision_mode = opt.precision_mode;

  // Interface rewrites.
  KILN_TRY(apply_input_shape(graph, opt.input_shape, opt.gear_kind == offline::GearKind::kBatch));
  KILN_TRY(cut_at_out_nodes(model, opt.out_nodes));
  KILN_TRY(infer_types(model).with_context(opt.model));
  for (const ir::Value* in : data_inputs(graph)) {
    bool listed = std::any_of(opt.input_shape.begin(), opt.input_shape.end(), [&](auto& e) { return e.name == in->name; });
    if (!in->type.fully_known() && !listed) {
      return invalid_argument(
          "E10001: input '{}' of {} has unknown dims ({}); give them with --input_shape (e.g. "
          "--input_shape=\"{}:1,3,224,224\", or -1 with --dynamic_batch_size)",
          in->name, opt.model, in->type.str(), in->name);
    }
  }
  for (const std::string& name : opt.input_fp16_nodes) KILN_TRY(make_fp16_input(model, name));
  KILN_ASSIGN_OR_RETURN(std::vector<AippApplied> aipps, apply_aipp(opt, model, meta));
  if (opt.output_type != DType::kUndefined) {
    for (size_t o = 0; o < graph.outputs.size(); ++o) KILN_TRY(cast_output(model, o, opt.output_type));
  }
  for (const OutputTypeRule& rule : opt.output_type_rules) {
    KILN_ASSIGN_OR_RETURN(size_t index, output_index_of(graph, opt.out_nodes, rule.output));
    KILN_TRY(cast_output(model, index, rule.dtype));
  }
  KILN_TRY(infer_types(model).with_context(opt.model));
  KILN_TRY(check_supported(model));
  progress.say("applied the interface options ({} nodes)", graph.nodes.size());

  // Interface: data inputs in graph order, then the gear input, then dynamic AIPP inputs.
  const offline::Format layout = format_from_name(opt.input_format);
  std::vector<std::string> aipp_param_inputs;
  for (const AippApplied& a : aipps) {
    if (!a.insertion.param_input.empty()) aipp_param_inputs.push_back(a.insertion.param_input);
  }
  for (const ir::Value* in : data_inputs(graph)) {
    if (std::find(aipp_param_inputs.begin(), aipp_param_inputs.end(), in->name) != aipp_param_inputs.end()) continue;
    offline::TensorDesc d = data_desc(*in, layout);
    for (const AippApplied& a : aipps) {
      if (a.insertion.data_input != in->name) continue;
      d.dtype = DType::kUInt8;
      d.format = offline::Format::kNHWC;
      d.dims = a.insertion.dims_v1;
      d.dims_v2 = a.insertion.dims_v2;
      d.aipp_index = static_cast<int>(a.params_index);
      d.bytes = d.dims.empty() || d.dims[0] < 0 ? 0 : a.insertion.bytes;
    }
    meta.inputs.push_back(std::move(d));
  }
  for (const ir::Value* o : graph.outputs) {
    offline::TensorDesc d = data_desc(*o, offline::Format::kND);
    meta.outputs.push_back(std::move(d));
  }
  KILN_TRY(plan_gears(opt, graph, meta));
  if (meta.gears.kind != offline::GearKind::kNone) {
    offline::TensorDesc g;
    g.name = "ascend_mbatch_shape_data";
    g.dtype = DType::kInt32;
    g.format = offline::Format::kND;
    g.role = offline::TensorDesc::Role::kDynamicGear;
    const int64_t k = static_cast<int64_t>(meta.gears.values.front().size());
    g.dims = {k};
    g.bytes = 4 * k;
    meta.inputs.push_back(std::move(g));
    KILN_TRY(infer_gear_shapes(model, meta));
    progress.say("checked {} gears", meta.gears.values.size());
  }
  for (const AippApplied& a : aipps) {
    if (a.insertion.param_input.empty()) continue;
    offline::TensorDesc d;
    d.name = a.insertion.param_input;
    d.graph_name = a.insertion.param_input;
    d.dtype = DType::kUInt8;
    d.format = offline::Format::kND;
    d.role = offline::TensorDesc::Role::kDynamicAipp;
    d.aipp_index = static_cast<int>(a.params_index);
    int64_t bytes = a.insertion.param_bytes;
    if (meta.gears.kind == offline::GearKind::kBatch) {
      int64_t max_batch = 0;
      for (const auto& gear : meta.gears.values) max_batch = std::max(max_batch, gear[0]);
      bytes = static_cast<int64_t>(aipp::dynamic_block_bytes(max_batch));
    }
    d.dims = {bytes};
    d.bytes = bytes;
    meta.inputs.push_back(std::move(d));
  }
  return out;
}

Expected<ConvertResult> convert(const ConvertOptions& opt, const ProgressFn& progress_fn) {
  Progress progress{progress_fn};
  ConvertResult result;
  result.om_path = opt.om_path;
  // Report progress relative to our own start (prepare_model's events come with its clock).
  ProgressFn inner = [&](const ProgressEvent& e) {
    if (progress_fn) progress_fn({e.message, std::chrono::duration<double>(Clock::now() - progress.start).count()});
  };
  KILN_ASSIGN_OR_RETURN(PreparedModel prepared, prepare_model(opt, inner));
  result.warnings = prepared.warnings;

  SessionOptions session_options;
  session_options.backend = Backend::kCpu;
  session_options.optimize = true;
  session_options.disabled_passes = opt.disabled_passes;
  if (!opt.fusion_switch_file.empty()) {
    KILN_ASSIGN_OR_RETURN(FusionSwitches sw, read_fusion_switch_file(opt.fusion_switch_file));
    for (const std::string& p : sw.disabled_passes) session_options.disabled_passes.push_back(p);
    for (const std::string& w : sw.warnings) result.warnings.push_back("warning: " + w);
  }
  const size_t nodes_before = prepared.model->graph->nodes.size();
  auto session = Session::create(prepared.model, session_options);
  if (!session) return session.status();
  const ir::Model& optimized = (*session)->model();
  progress.say("optimized: {} -> {} nodes", nodes_before, optimized.graph->nodes.size());

  offline::Metadata& meta = prepared.meta;
  MemoryPlan plan = opt.disable_reuse_memory ? without_reuse((*session)->memory_plan()) : (*session)->memory_plan();
  meta.work_bytes = plan.work_bytes();
  meta.weight_bytes = weight_bytes_of(*optimized.graph);
  progress.say("planned memory: {:.2f} MiB activations{}, {:.2f} MiB weights", meta.work_bytes / 1048576.0,
               opt.disable_reuse_memory ? " (no reuse)" : "", meta.weight_bytes / 1048576.0);

  // With the kernels' prepacked weights (oneDNN layouts for this host's ISA), so loading skips
  // packing them; this is also why the target ISA must be one the host has.
  KILN_TRY(offline::write_om(opt.om_path, meta, optimized, &plan, (*session)->export_packed()));
  progress.say("wrote {}", opt.om_path);
  result.meta = std::move(meta);
  result.seconds = std::chrono::duration<double>(Clock::now() - progress.start).count();
  return result;
}

}  // namespace kiln::convert
