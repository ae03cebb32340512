#include "frontend/onnx/onnx_loader.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <onnx/onnx_pb.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <limits>

#include "frontend/onnx/function_inliner.h"
#include "frontend/onnx/tensor_proto.h"
#include "ir/printer.h"

namespace kiln::onnx_frontend {

namespace fs = std::filesystem;

namespace {

// Opset versions Kiln's kernels implement for the default domain.
constexpr int kMinOpset = 1;
constexpr int kMaxOpset = 17;

struct Converter {
  const std::string& base_dir;
  const std::string& model_name;
  const std::map<std::string, int>& opsets;
  const ExternalDataResolver* resolver = nullptr;

  Status convert_attribute(const onnx::AttributeProto& a, ir::Graph* owner, const std::string& node_label,
                           ir::Attribute* out) {
    using K = ir::Attribute::Kind;
    std::string what = node_label + " attribute '" + a.name() + "'";
    switch (a.type()) {
      case onnx::AttributeProto::FLOAT: out->kind = K::kFloat; out->f = a.f(); break;
      case onnx::AttributeProto::INT: out->kind = K::kInt; out->i = a.i(); break;
      case onnx::AttributeProto::STRING: out->kind = K::kString; out->s = a.s(); break;
      case onnx::AttributeProto::TENSOR: {
        out->kind = K::kTensor;
        KILN_ASSIGN_OR_RETURN(out->t, tensor_from_proto(a.t(), base_dir, what, resolver));
        break;
      }
      case onnx::AttributeProto::GRAPH: {
        out->kind = K::kGraph;
        KILN_ASSIGN_OR_RETURN(out->g, convert_graph(a.g(), owner));
        break;
      }
      case onnx::AttributeProto::FLOATS:
        out->kind = K::kFloats;
        out->floats.assign(a.floats().begin(), a.floats().end());
        break;
      case onnx::AttributeProto::INTS:
        out->kind = K::kInts;
        out->ints.assign(a.ints().begin(), a.ints().end());
        break;
      case onnx::AttributeProto::STRINGS:
        out->kind = K::kStrings;
        out->strings.assign(a.strings().begin(), a.strings().end());
        break;
      case onnx::AttributeProto::TENSORS:
        out->kind = K::kTensors;
        for (const auto& t : a.tensors()) {
          KILN_ASSIGN_OR_RETURN(Tensor tensor, tensor_from_proto(t, base_dir, what, resolver));
          out->tensors.push_back(std::move(tensor));
        }
        break;
      case onnx::AttributeProto::GRAPHS:
        out->kind = K::kGraphs;
        for (const auto& g : a.graphs()) {
          KILN_ASSIGN_OR_RETURN(std::shared_ptr<ir::Graph> sub, convert_graph(g, owner));
          out->graphs.push_back(std::move(sub));
        }
        break;
      case onnx::AttributeProto::TYPE_PROTO:
        out->kind = K::kTypeProto;
        out->type = type_from_proto(a.tp());
        break;
      case onnx::AttributeProto::SPARSE_TENSOR:
      case onnx::AttributeProto::SPARSE_TENSORS:
        return unsupported("{}: sparse tensor attributes", what);
      default:
        return invalid_model("{} has an unknown attribute type {}", what, static_cast<int>(a.type()));
    }
    return Status::ok();
  }

  Expected<std::shared_ptr<ir::Graph>> convert_graph(const onnx::GraphProto& gp, ir::Graph* parent) {
    auto g = std::make_shared<ir::Graph>();
    g->name = gp.name();
    g->parent = parent;
    std::string where = parent ? "subgraph '" + gp.name() + "'" : "graph '" + gp.name() + "'";

    for (const auto& init : gp.initializer()) {
      if (init.name().empty()) return invalid_model("{} has an initializer without a name", where);
      ir::Value* v = g->get_or_create(init.name());
      KILN_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(init, base_dir, "initializer '" + init.name() + "'", resolver));
      v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
      v->constant = std::move(t);
    }
    if (gp.sparse_initializer_size() > 0) return unsupported("{} uses sparse initializers", where);
    for (const auto& in : gp.input()) {
      ir::Value* v = g->get_or_create(in.name());
      if (!v->constant) {
        v->is_graph_input = true;
        v->type = type_from_proto(in.type());
        g->inputs.push_back(v);
      } else if (in.type().has_tensor_type()) {
        // An input with an initializer is an overridable default (IR >= 4); keep the declared type.
        v->is_graph_input = true;
        g->inputs.push_back(v);
      }
    }
    for (const auto& vi : gp.value_info()) {
      ir::Value* v = g->get_or_create(vi.name());
      if (v->type.kind == ir::TypeInfo::Kind::kUnknown) v->type = type_from_proto(vi.type());
    }
    int index = 0;
    for (const auto& np : gp.node()) {
      auto node = std::make_unique<ir::Node>();
      node->name = np.name();
      node->op_type = np.op_type();
      node->domain = np.domain() == "ai.onnx" ? "" : np.domain();
      node->index = index++;
      auto it = opsets.find(node->domain);
      if (it == opsets.end()) {
        return invalid_model("{} uses domain '{}', which the model does not import (opset_import)",
                             node->label(), node->domain);
      }
      node->opset = it->second;
      for (const auto& name : np.input()) node->inputs.push_back(name.empty() ? nullptr : g->get_or_create(name));
      for (const auto& name : np.output()) node->outputs.push_back(name.empty() ? nullptr : g->get_or_create(name));
      for (const auto& a : np.attribute()) {
        if (a.name().empty()) return invalid_model("{} has an attribute without a name", node->label());
        if (!a.ref_attr_name().empty()) {
          return unsupported("{} attribute '{}' refers to a function attribute", node->label(), a.name());
        }
        ir::Attribute attr;
        KILN_TRY(convert_attribute(a, g.get(), node->label(), &attr));
        node->attrs[a.name()] = std::move(attr);
      }
      g->nodes.push_back(std::move(node));
    }
    for (const auto& out : gp.output()) {
      ir::Value* v = g->get_or_create(out.name());
      ir::TypeInfo declared = type_from_proto(out.type());
      if (declared.kind != ir::TypeInfo::Kind::kUnknown) v->type = declared;
      g->outputs.push_back(v);
    }
    KILN_TRY(g->finalize().with_context(model_name));
    if (!parent && !g->outer_refs.empty()) {
      const ir::Value* v = g->outer_refs.front();
      std::string user = v->consumers.empty() ? "a graph output" : v->consumers.front()->label();
      return invalid_model("{}: value '{}' is used by {} but never defined", model_name, v->name, user);
    }
    return g;
  }
};

}  // namespace

Expected<std::shared_ptr<ir::Model>> load_model_from_bytes(const void* data, size_t size,
                                                           const std::string& base_dir,
                                                           const std::string& display_name) {
  return load_model_from_bytes(data, size, base_dir, display_name, LoadOptions{});
}

Expected<std::shared_ptr<ir::Model>> load_model_from_bytes(const void* data, size_t size,
                                                           const std::string& base_dir,
                                                           const std::string& display_name,
                                                           const LoadOptions& options) {
  onnx::ModelProto proto;
  google::protobuf::io::ArrayInputStream raw(data, static_cast<int>(std::min<size_t>(size, std::numeric_limits<int>::max())));
  google::protobuf::io::CodedInputStream coded(&raw);
  coded.SetTotalBytesLimit(std::numeric_limits<int>::max());
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return invalid_model("'{}' is {} bytes; protobuf files over 2 GiB must keep weights as external data",
                         display_name, size);
  }
  if (!proto.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    return invalid_model("'{}' is not a valid ONNX model (protobuf parse failed; truncated or corrupted?)",
                         display_name);
  }
  if (!proto.has_graph()) return invalid_model("'{}' has no graph (is it an ONNX model?)", display_name);

  auto model = std::make_shared<ir::Model>();
  model->ir_version = proto.ir_version();
  model->producer_name = proto.producer_name();
  model->producer_version = proto.producer_version();
  model->path = display_name;
  for (const auto& kv : proto.metadata_props()) model->metadata[kv.key()] = kv.value();
  // Model-local functions are expanded in place; this may add the functions' opset imports.
  KILN_TRY(inline_model_functions(&proto, display_name));
  for (const auto& op : proto.opset_import()) {
    std::string domain = op.domain() == "ai.onnx" ? "" : op.domain();
    model->opsets[domain] = static_cast<int>(op.version());
  }
  if (proto.opset_import_size() == 0) model->opsets[""] = 1;  // IR < 3 models imply opset 1
  auto def = model->opsets.find("");
  if (def != model->opsets.end() && (def->second < kMinOpset || def->second > kMaxOpset)) {
    return unsupported("'{}' uses default-domain opset {}; Kiln supports opsets {}-{}", display_name,
                       def->second, kMinOpset, kMaxOpset);
  }
  Converter conv{base_dir, display_name, model->opsets, &options.external_data};
  KILN_ASSIGN_OR_RETURN(model->graph, conv.convert_graph(proto.graph(), nullptr));
  KILN_TRY(ir::verify_model(*model));
  return model;
}

Expected<std::shared_ptr<ir::Model>> load_model(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return not_found("model file '{}' does not exist", path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return not_found("cannot open model '{}': {}", path, std::strerror(errno));
  std::string bytes;
  {
    off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < 0) {
      ::close(fd);
      return io_error("cannot read model '{}'", path);
    }
    bytes.resize(static_cast<size_t>(end));
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t r = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      if (r <= 0) {
        ::close(fd);
        return io_error("cannot read model '{}'", path);
      }
      done += static_cast<size_t>(r);
    }
    ::close(fd);
  }
  std::string dir = fs::path(path).parent_path().string();
  return load_model_from_bytes(bytes.data(), bytes.size(), dir.empty() ? "." : dir, path);
}

}  // namespace kiln::onnx_frontend
