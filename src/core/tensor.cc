#include "core/tensor.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace kiln {

namespace {
constexpr size_t kAlignment = 64;
std::atomic<int64_t> g_live_storages{0};
std::atomic<int64_t> g_peak_storages{0};
}  // namespace

int64_t Storage::live_count() { return g_live_storages.load(); }
int64_t Storage::peak_live_count() { return g_peak_storages.load(); }
void Storage::reset_peak() { g_peak_storages = g_live_storages.load(); }

Storage::Storage(DType dtype, size_t count) {
  int64_t live = ++g_live_storages;
  int64_t peak = g_peak_storages.load();
  while (live > peak && !g_peak_storages.compare_exchange_weak(peak, live)) {
  }
  if (dtype == DType::kString) {
    bytes_ = count * sizeof(std::string);
    data_ = ::operator new(bytes_ ? bytes_ : 1, std::align_val_t(kAlignment));
    auto* s = static_cast<std::string*>(data_);
    for (size_t i = 0; i < count; ++i) new (s + i) std::string();
    string_count_ = count;
    return;
  }
  bytes_ = count * dtype_size(dtype);
  size_t rounded = (bytes_ + kAlignment - 1) / kAlignment * kAlignment;
  data_ = ::operator new(rounded ? rounded : kAlignment, std::align_val_t(kAlignment));
  std::memset(data_, 0, rounded ? rounded : kAlignment);
}

Storage::Storage(void* external, size_t bytes, std::shared_ptr<void> keep_alive)
    : data_(external), bytes_(bytes), owned_(false), keep_alive_(std::move(keep_alive)) {}

Storage::~Storage() {
  if (!owned_) return;
  --g_live_storages;
  auto* s = static_cast<std::string*>(data_);
  for (size_t i = 0; i < string_count_; ++i) s[i].~basic_string();
  ::operator delete(data_, std::align_val_t(kAlignment));
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  storage_ = std::make_shared<Storage>(dtype_, static_cast<size_t>(shape_numel(shape_)));
}

Tensor Tensor::wrap(DType dtype, Shape shape, void* data, std::shared_ptr<void> keep_alive) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.storage_ = std::make_shared<Storage>(data, t.nbytes(), std::move(keep_alive));
  return t;
}

template <>
Tensor Tensor::from_vector<bool>(const std::vector<bool>& values, Shape shape) {
  Tensor t(DType::kBool, std::move(shape));
  bool* p = t.data<bool>();
  for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < t.numel(); ++i) p[i] = values[i];
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  if (!valid()) return {};
  Tensor t(dtype_, shape_);
  if (dtype_ == DType::kString) {
    const auto* src = data<std::string>();
    auto* dst = t.data<std::string>();
    for (int64_t i = 0; i < numel(); ++i) dst[i] = src[i];
  } else if (nbytes() > 0) {
    std::memcpy(t.raw(), raw(), nbytes());
  }
  return t;
}

double Tensor::as_double(int64_t i) const {
  double v = 0;
  bool ok = KILN_DISPATCH_POD(dtype_, T, { v = static_cast<double>(data<T>()[i]); });
  return ok ? v : 0.0;
}

int64_t Tensor::as_int64(int64_t i) const {
  int64_t v = 0;
  bool ok = KILN_DISPATCH_POD(dtype_, T, {
    if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
      v = static_cast<int64_t>(static_cast<float>(data<T>()[i]));
    } else {
      v = static_cast<int64_t>(data<T>()[i]);
    }
  });
  return ok ? v : 0;
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> v(static_cast<size_t>(numel()));
  for (int64_t i = 0; i < numel(); ++i) v[static_cast<size_t>(i)] = as_int64(i);
  return v;
}

std::string Tensor::describe() const {
  return std::string(dtype_name(dtype_)) + "[" + shape_str(shape_) + "]";
}

namespace {

template <typename From, typename To>
To convert_one(const From& v) {
  if constexpr (std::is_same_v<To, std::string>) {
    if constexpr (std::is_same_v<From, std::string>) {
      return v;
    } else if constexpr (std::is_same_v<From, bool>) {
      return v ? "1" : "0";
    } else if constexpr (std::is_floating_point_v<From> || std::is_same_v<From, float16> ||
                         std::is_same_v<From, bfloat16>) {
      double d = static_cast<double>(static_cast<float>(v));
      if constexpr (std::is_same_v<From, double>) d = v;
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "INF" : "-INF";
      return fmt::format("{}", static_cast<From>(v) == v ? d : d);
    } else {
      return std::to_string(v);
    }
  } else if constexpr (std::is_same_v<From, std::string>) {
    double d = std::strtod(v.c_str(), nullptr);
    if constexpr (std::is_same_v<To, bool>) return d != 0;
    else if constexpr (std::is_same_v<To, float16> || std::is_same_v<To, bfloat16>) return To(static_cast<float>(d));
    else return static_cast<To>(d);
  } else if constexpr (std::is_same_v<To, bool>) {
    return static_cast<float>(v) != 0.0f || static_cast<double>(v) != 0.0;
  } else if constexpr (std::is_same_v<To, float16> || std::is_same_v<To, bfloat16>) {
    if constexpr (std::is_same_v<From, double>) return To(static_cast<float>(v));
    else return To(static_cast<float>(v));
  } else if constexpr (std::is_same_v<From, float16> || std::is_same_v<From, bfloat16>) {
    return static_cast<To>(static_cast<float>(v));
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace

Tensor cast_tensor(const Tensor& t, DType to) {
  Tensor out(to, t.shape());
  const int64_t n = t.numel();
  KILN_DISPATCH_ALL(t.dtype(), From, {
    const From* src = t.data<From>();
    KILN_DISPATCH_ALL(to, To, {
      To* dst = out.data<To>();
      for (int64_t i = 0; i < n; ++i) dst[i] = convert_one<From, To>(src[i]);
    });
  });
  return out;
}

}  // namespace kiln
