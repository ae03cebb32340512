// kiln::Model (include/kiln/kiln.hpp) over the runtime: an .onnx model becomes a Session through
// the ONNX frontend, a .om through offline::read_om + create_session (its stored graph and plan).
//
// The public types share names with internal ones (Status, Tensor); they live in the inline
// namespace kiln::api. The internal headers come first and are named through aliases below, so
// nothing here names an ambiguous kiln::X.
#include <algorithm>
#include <cstring>

#include "core/dtype.h"
#include "core/status.h"
#include "core/tensor.h"
#include "frontend/onnx/onnx_loader.h"
#include "offline/offline_model.h"
#include "runtime/session.h"

namespace kiln::internal_names {
using IStatus = ::kiln::Status;
using IStatusCode = ::kiln::StatusCode;
using ITensor = ::kiln::Tensor;
using IValue = ::kiln::Value;
using IDType = ::kiln::DType;
}  // namespace kiln::internal_names

#include "kiln/kiln.hpp"

namespace kiln::api {

namespace in = ::kiln::internal_names;

namespace {

Status from_internal(const in::IStatus& s) {
  // The two enums list the same codes in the same order.
  return Status(static_cast<StatusCode>(static_cast<int>(s.code())), s.message());
}

bool public_type(in::IDType t) {
  switch (t) {
    case in::IDType::kString:
    case in::IDType::kComplex64:
    case in::IDType::kComplex128:
      return false;
    default:
      return true;
  }
}

TensorInfo info_of(const ir::Value& v) {
  TensorInfo info;
  info.name = v.name;
  info.type = public_type(v.type.elem) ? static_cast<DataType>(v.type.elem) : DataType::kUndefined;
  if (v.type.dims) {
    for (const ir::Dim& d : *v.type.dims) info.shape.push_back(d.known() ? d.value : -1);
  }
  return info;
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

size_t data_type_size(DataType type) {
  if (type == DataType::kUndefined) return 0;
  const auto t = static_cast<in::IDType>(type);
  if (!dtype_is_valid(static_cast<int32_t>(type)) || !public_type(t)) return 0;
  return dtype_size(t);
}

const char* data_type_name(DataType type) {
  switch (type) {
    case DataType::kFloat32: return "float32";
    case DataType::kUInt8: return "uint8";
    case DataType::kInt8: return "int8";
    case DataType::kUInt16: return "uint16";
    case DataType::kInt16: return "int16";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kBool: return "bool";
    case DataType::kFloat16: return "float16";
    case DataType::kFloat64: return "float64";
    case DataType::kUInt32: return "uint32";
    case DataType::kUInt64: return "uint64";
    case DataType::kBFloat16: return "bfloat16";
    default: return "undefined";
  }
}

const char* version() { return "0.1.0"; }

int64_t Tensor::element_count() const {
  int64_t n = 1;
  for (int64_t d : shape_) n *= d;
  return n;
}

struct Model::Impl {
  std::unique_ptr<::kiln::Session> session;
  std::optional<offline::OfflineModel> om;  // keeps the .om mapping alive for the session
  std::vector<TensorInfo> inputs, outputs;
  std::string format;

  // Checks the views against the model's inputs and wraps them (zero-copy) in graph-name order.
  Result<std::vector<NamedValue>> bind(const std::vector<TensorView>& views) const {
    if (views.size() != inputs.size()) {
      return Status(StatusCode::kInvalidArgument, "the model has " + std::to_string(inputs.size()) +
                                                      " inputs; run() was given " + std::to_string(views.size()));
    }
    const bool by_name = !views.empty() && !views[0].name.empty();
    std::vector<NamedValue> bound;
    for (size_t i = 0; i < views.size(); ++i) {
      const TensorView& v = views[i];
      if (v.name.empty() == by_name) {
        return Status(StatusCode::kInvalidArgument,
                      "run() inputs must be given all by name or all by position (input " + std::to_string(i) + ")");
      }
      const TensorInfo* info = &inputs[i];
      if (by_name) {
        auto it = std::find_if(inputs.begin(), inputs.end(), [&](const TensorInfo& t) { return t.name == v.name; });
        if (it == inputs.end()) return Status(StatusCode::kNotFound, "the model has no input named '" + v.name + "'");
        info = &*it;
      }
      if (!v.data) return Status(StatusCode::kInvalidArgument, "input '" + info->name + "': data is null");
      if (data_type_size(v.type) == 0) {
        return Status(StatusCode::kInvalidArgument, "input '" + info->name + "': unsupported element type " +
                                                        std::to_string(static_cast<int>(v.type)));
      }
      if (std::any_of(v.shape.begin(), v.shape.end(), [](int64_t d) { return d < 0; })) {
        return Status(StatusCode::kInvalidArgument, "input '" + info->name + "': negative dim in " + shape_str(v.shape));
      }
      in::ITensor t = in::ITensor::wrap(static_cast<in::IDType>(v.type), Shape(v.shape.begin(), v.shape.end()),
                                        const_cast<void*>(v.data), nullptr);
      bound.push_back({info->name, in::IValue(std::move(t))});
    }
    return bound;
  }
};

Model::Model(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

const std::vector<TensorInfo>& Model::inputs() const { return impl_->inputs; }
const std::vector<TensorInfo>& Model::outputs() const { return impl_->outputs; }
const std::string& Model::format() const { return impl_->format; }

Result<Model> Model::load(const std::string& path, const ModelOptions& options) {
  try {
    auto impl = std::make_shared<Impl>();
    SessionOptions so;
    so.threads = std::max(0, options.threads);
    so.optimize = options.optimize;
    if (offline::is_om_file(path)) {
      auto om = offline::read_om(path);
      if (!om) return from_internal(om.status());
      // The stored plan is for the stored shapes; gears are fed at run time.
      auto session = offline::create_session(*om, so);
      if (!session) return from_internal(session.status());
      impl->session = std::move(session).value();
      impl->om = std::move(om).value();
      impl->format = "om";
    } else {
      for (const auto& [name, shape] : options.input_shapes) so.input_shapes[name] = Shape(shape.begin(), shape.end());
      auto model = onnx_frontend::load_model(path);
      if (!model) return from_internal(model.status());
      auto session = ::kiln::Session::create(std::move(model).value(), so);
      if (!session) return from_internal(session.status());
      impl->session = std::move(session).value();
      impl->format = "onnx";
    }
    for (const ir::Value* v : impl->session->inputs()) {
      if (!v->constant) impl->inputs.push_back(info_of(*v));
    }
    for (const ir::Value* v : impl->session->outputs()) impl->outputs.push_back(info_of(*v));
    return Model(std::move(impl));
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, std::string("loading ") + path + ": " + e.what());
  }
}

Result<std::vector<Tensor>> Model::run(const std::vector<TensorView>& inputs) const {
  try {
    auto bound = impl_->bind(inputs);
    if (!bound) return bound.status();
    auto results = impl_->session->run(*bound);
    if (!results) return from_internal(results.status());
    std::vector<Tensor> outputs;
    for (size_t i = 0; i < results->size(); ++i) {
      in::IValue& v = (*results)[i];
      if (!v.is_tensor() || !public_type(v.tensor().dtype())) {
        return Status(StatusCode::kUnsupported, "output '" + impl_->outputs[i].name +
                                                    "' is not a numeric tensor (sequence, string or complex)");
      }
      in::ITensor t = v.tensor();
      // An output that is a model input passed through would alias the caller's memory.
      const char* p = static_cast<const char*>(t.raw());
      for (const TensorView& view : inputs) {
        const char* b = static_cast<const char*>(view.data);
        int64_t n = 1;
        for (int64_t d : view.shape) n *= d;
        if (p >= b && p < b + n * static_cast<int64_t>(data_type_size(view.type))) t = t.clone();
      }
      Tensor out;
      out.type_ = static_cast<DataType>(t.dtype());
      out.shape_.assign(t.shape().begin(), t.shape().end());
      auto owner = std::make_shared<in::ITensor>(std::move(t));
      out.data_ = owner->raw();
      out.owner_ = std::move(owner);
      outputs.push_back(std::move(out));
    }
    return outputs;
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, std::string("run: ") + e.what());
  }
}

Status Model::run(const std::vector<TensorView>& inputs, const std::vector<MutableTensorView>& outputs) const {
  if (outputs.size() != impl_->outputs.size()) {
    return Status(StatusCode::kInvalidArgument, "the model has " + std::to_string(impl_->outputs.size()) +
                                                    " outputs; run() was given " + std::to_string(outputs.size()));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].data) {
      return Status(StatusCode::kInvalidArgument, "output " + std::to_string(i) + " ('" + impl_->outputs[i].name +
                                                      "'): data is null");
    }
  }
  auto results = run(inputs);
  if (!results) return results.status();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& r = (*results)[i];
    const MutableTensorView& o = outputs[i];
    const std::string what = "output " + std::to_string(i) + " ('" + impl_->outputs[i].name + "')";
    if (o.type != r.type()) {
      return Status(StatusCode::kInvalidArgument, what + " is " + data_type_name(r.type()) + "; the buffer is " +
                                                      data_type_name(o.type));
    }
    if (o.bytes < r.bytes()) {
      return Status(StatusCode::kInvalidArgument, what + " " + shape_str(r.shape()) + " needs " +
                                                      std::to_string(r.bytes()) + " bytes; the buffer holds " +
                                                      std::to_string(o.bytes));
    }
    if (r.bytes()) std::memcpy(o.data, r.raw(), r.bytes());
  }
  return Status();
}

}  // namespace kiln::api
