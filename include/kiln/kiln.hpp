// Kiln's public C++ API: load an ONNX model or a Kiln offline model (.om) and run it on the CPU.
// Depends only on the C++ standard library; no exception crosses it (errors are kiln::Status /
// kiln::Result<T> values). Link with libkiln.so (CMake: Kiln::kiln).
//
//   #include <kiln/kiln.hpp>
//
//   kiln::Result<kiln::Model> model = kiln::Model::load("resnet50.om", {.threads = 4});
//   if (!model) { std::fprintf(stderr, "%s\n", model.status().message().c_str()); return 1; }
//   for (const kiln::TensorInfo& in : model->inputs()) std::printf("%s\n", in.name.c_str());
//
//   std::vector<float> image(1 * 3 * 224 * 224);      // caller-owned, read in place (zero-copy)
//   kiln::Result<std::vector<kiln::Tensor>> out =
//       model->run({kiln::TensorView::of(image.data(), {1, 3, 224, 224})});
//   if (!out) { ...; }
//   const float* scores = (*out)[0].data<float>();     // owned by the Tensor, shape (*out)[0].shape()
//
// Or write the outputs into caller buffers: model->run(inputs, {kiln::MutableTensorView::of(buf, dims)}).
// A Model is immutable after load; run() may be called from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kiln {
// The public types live in an inline namespace so that their symbols never collide with Kiln's
// internal C++ types of the same name (the library is built from both).
inline namespace api {

// Element types; the numbers are ONNX's TensorProto.DataType codes.
enum class DataType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
};
// Bytes per element (0 for kUndefined or a type the API does not carry).
size_t data_type_size(DataType type);
// "float32", "int64", ... ("undefined" for an unknown value).
const char* data_type_name(DataType type);

template <typename T> struct DataTypeOf;
template <> struct DataTypeOf<float> { static constexpr DataType value = DataType::kFloat32; };
template <> struct DataTypeOf<double> { static constexpr DataType value = DataType::kFloat64; };
template <> struct DataTypeOf<uint8_t> { static constexpr DataType value = DataType::kUInt8; };
template <> struct DataTypeOf<int8_t> { static constexpr DataType value = DataType::kInt8; };
template <> struct DataTypeOf<uint16_t> { static constexpr DataType value = DataType::kUInt16; };
template <> struct DataTypeOf<int16_t> { static constexpr DataType value = DataType::kInt16; };
template <> struct DataTypeOf<int32_t> { static constexpr DataType value = DataType::kInt32; };
template <> struct DataTypeOf<int64_t> { static constexpr DataType value = DataType::kInt64; };
template <> struct DataTypeOf<uint32_t> { static constexpr DataType value = DataType::kUInt32; };
template <> struct DataTypeOf<uint64_t> { static constexpr DataType value = DataType::kUInt64; };
template <> struct DataTypeOf<bool> { static constexpr DataType value = DataType::kBool; };

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,  // the caller passed something wrong (shape, type, name, count, buffer size)
  kInvalidModel,     // the model file or graph is malformed
  kUnsupported,      // valid, but Kiln does not implement it
  kNotFound,         // file, input or output missing
  kIoError,          // reading a file failed
  kOutOfRange,       // index or size outside what is allowed
  kInternal,         // a Kiln bug
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok_status() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return ok(); }
  StatusCode code() const { return code_; }
  // Names what was wrong (file, input, expected vs actual); empty when ok().
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like std::expected
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "Result built from an ok Status");
  }
  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }
  // Precondition: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

// One model input or output. Dims are -1 where the model leaves them open (a symbolic batch, or a
// .om input whose gears decide).
struct TensorInfo {
  std::string name;
  DataType type = DataType::kUndefined;
  std::vector<int64_t> shape;
};

// Caller-owned input memory, read in place during run(). `name` empty = positional (the order of
// Model::inputs()).
struct TensorView {
  std::string name;
  DataType type = DataType::kUndefined;
  std::vector<int64_t> shape;
  const void* data = nullptr;

  template <typename T>
  static TensorView of(const T* data, std::vector<int64_t> shape, std::string name = {}) {
    return {std::move(name), DataTypeOf<T>::value, std::move(shape), data};
  }
};

// Caller-owned output memory that run() fills; `bytes` is its capacity.
struct MutableTensorView {
  DataType type = DataType::kUndefined;
  void* data = nullptr;
  size_t bytes = 0;

  template <typename T>
  static MutableTensorView of(T* data, size_t count) {
    return {DataTypeOf<T>::value, data, count * sizeof(T)};
  }
};

// An output owned by Kiln (shared: copying a Tensor shares its memory).
class Tensor {
 public:
  Tensor() = default;
  DataType type() const { return type_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t element_count() const;
  size_t bytes() const { return static_cast<size_t>(element_count()) * data_type_size(type_); }
  const void* raw() const { return data_; }
  void* raw() { return data_; }
  template <typename T> const T* data() const { return static_cast<const T*>(data_); }
  template <typename T> T* data() { return static_cast<T*>(data_); }

 private:
  friend class Model;
  DataType type_ = DataType::kUndefined;
  std::vector<int64_t> shape_;
  void* data_ = nullptr;
  std::shared_ptr<void> owner_;
};

struct ModelOptions {
  // Intra-op threads; 0 = physical cores.
  int threads = 0;
  // Run Kiln's graph optimizations when loading an ONNX model (a .om is already optimized).
  bool optimize = true;
  // Concrete shapes for ONNX inputs with symbolic dims ({"x", {1, 3, 640, 640}}).
  std::vector<std::pair<std::string, std::vector<int64_t>>> input_shapes = {};
};

class Model {
 public:
  // `path`: an .onnx model (imported and optimized now) or a .om written by `atc`/`kiln convert`
  // (detected by its magic, not its name).
  static Result<Model> load(const std::string& path, const ModelOptions& options = {});

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  ~Model();

  // The inputs a caller feeds (initializer-backed ONNX inputs are left out) and the outputs, in order.
  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  // "onnx" or "om".
  const std::string& format() const;

  // Runs once. Inputs are given all by position or all by name; their memory is read in place.
  Result<std::vector<Tensor>> run(const std::vector<TensorView>& inputs) const;
  // As above, copying output i into outputs[i] (one view per model output; its type must match and
  // its capacity must hold the output).
  Status run(const std::vector<TensorView>& inputs, const std::vector<MutableTensorView>& outputs) const;

  struct Impl;

 private:
  explicit Model(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// "0.1.0"
const char* version();

}  // namespace api
}  // namespace kiln
