// Tensor: dtype + shape + shared, 64-byte aligned storage. Copying a Tensor shares the buffer
// (like a shared_ptr); use clone() for a deep copy.
//
//   Tensor t = Tensor::zeros(DType::kFloat32, {1, 3, 224, 224});
//   float* p = t.data<float>();
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"

namespace kiln {

// Owns raw bytes (or, for strings, an array of std::string).
class Storage {
 public:
  Storage(DType dtype, size_t count, bool zero_fill = true);
  // Wraps memory owned elsewhere (e.g. a mapped weights file); `keep_alive` holds its owner.
  Storage(void* external, size_t bytes, std::shared_ptr<void> keep_alive);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_; }
  size_t bytes() const { return bytes_; }
  // Number of owned buffers alive in the process; lets tests prove intermediates are freed.
  static int64_t live_count();
  // Highest live_count() since the last reset_peak() (for lifetime tests).
  static int64_t peak_live_count();
  static void reset_peak();

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  size_t string_count_ = 0;  // > 0 when data_ holds constructed std::string objects
  bool owned_ = true;
  std::shared_ptr<void> keep_alive_;
};

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-filled storage (empty strings for kString).
  Tensor(DType dtype, Shape shape);
  static Tensor zeros(DType dtype, Shape shape) { return Tensor(dtype, std::move(shape)); }
  // Contents unspecified (not for strings): for buffers the caller overwrites entirely.
  static Tensor uninitialized(DType dtype, Shape shape);
  // Views external memory without copying; the caller keeps it alive via `keep_alive`.
  static Tensor wrap(DType dtype, Shape shape, void* data, std::shared_ptr<void> keep_alive);
  // A tensor over bytes [offset, offset + nbytes) of an existing storage (the activation arena).
  static Tensor view(std::shared_ptr<Storage> storage, size_t offset, DType dtype, Shape shape);
  const Storage* storage() const { return storage_.get(); }
  template <typename T>
  static Tensor from_vector(const std::vector<T>& values, Shape shape);
  template <typename T>
  static Tensor scalar(T value) { return from_vector<T>({value}, {}); }

  bool valid() const { return dtype_ != DType::kUndefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[static_cast<size_t>(i)]; }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }

  void* raw() { return storage_ ? static_cast<char*>(storage_->data()) + offset_ : nullptr; }
  const void* raw() const {
    return storage_ ? static_cast<const char*>(storage_->data()) + offset_ : nullptr;
  }
  template <typename T> T* data() { return static_cast<T*>(raw()); }
  template <typename T> const T* data() const { return static_cast<const T*>(raw()); }

  // Same storage, new shape with the same element count.
  Tensor reshaped(Shape shape) const;
  Tensor clone() const;
  // Element i converted to double / int64 (any numeric or bool dtype); for small index tensors.
  double as_double(int64_t i) const;
  int64_t as_int64(int64_t i) const;
  std::vector<int64_t> to_int64_vector() const;

  std::string describe() const;  // "float32[1x3x224x224]"

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  std::shared_ptr<Storage> storage_;
  size_t offset_ = 0;
};

template <typename T>
Tensor Tensor::from_vector(const std::vector<T>& values, Shape shape) {
  Tensor t(dtype_of<T>, std::move(shape));
  T* p = t.data<T>();
  for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < t.numel(); ++i) p[i] = values[i];
  return t;
}
template <>
Tensor Tensor::from_vector<bool>(const std::vector<bool>& values, Shape shape);

// Converts every element to `to` (ONNX Cast). Float -> int truncates toward zero (NaN -> 0, out of
// range saturates to int64 then wraps into narrower types); bool is value != 0; every rounding is
// to nearest even (double -> float16 directly, not through float). Numbers print as the shortest
// text that reads back the same ("0.5", "3.0", "1e-05", "NaN", "INF", "-INF"; bools "True",
// "False"); strings parse decimal/scientific text, "NaN", "INF", "+INF", "-INF".
Tensor cast_tensor(const Tensor& t, DType to);

}  // namespace kiln
