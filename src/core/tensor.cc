#include "core/tensor.h"

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>
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

Storage::Storage(DType dtype, size_t count, bool zero_fill) {
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
  if (zero_fill) std::memset(data_, 0, rounded ? rounded : kAlignment);
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

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
  if (dtype == DType::kString) return Tensor(dtype, std::move(shape));
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.storage_ = std::make_shared<Storage>(dtype, static_cast<size_t>(shape_numel(t.shape_)), false);
  return t;
}

Tensor Tensor::wrap(DType dtype, Shape shape, void* data, std::shared_ptr<void> keep_alive) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.storage_ = std::make_shared<Storage>(data, t.nbytes(), std::move(keep_alive));
  return t;
}

Tensor Tensor::view(std::shared_ptr<Storage> storage, size_t offset, DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.storage_ = std::move(storage);
  t.offset_ = offset;
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

template <typename T>
constexpr bool kIsHalf = std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;

// double -> float rounding to odd, so that a second rounding (float -> float16/bfloat16) gives
// the same result as rounding the double directly.
float narrow_round_to_odd(double d) {
  float f = static_cast<float>(d);
  if (std::isfinite(d) && std::isfinite(f) && static_cast<double>(f) != d) {
    if (std::fabs(static_cast<double>(f)) > std::fabs(d)) f = std::nextafter(f, 0.0f);  // truncate
    f = bits_float(float_bits(f) | 1u);  // sticky bit
  }
  return f;
}

// Float -> integer without undefined behavior: truncates toward zero; NaN gives 0; values out of
// int64's range saturate, and then wrap modulo 2^bits into narrower types (-1.0 -> 255 for uint8,
// as numpy does on x86).
template <typename To>
To float_to_int(double v) {
  if (std::isnan(v)) return To(0);
  if constexpr (std::is_same_v<To, uint64_t>) {
    if (v >= 18446744073709551616.0) return std::numeric_limits<uint64_t>::max();
    if (v >= 9223372036854775808.0) return static_cast<uint64_t>(v);
  }
  int64_t i;
  if (v >= 9223372036854775808.0) i = std::numeric_limits<int64_t>::max();
  else if (v <= -9223372036854775808.0) i = std::numeric_limits<int64_t>::min();
  else i = static_cast<int64_t>(v);
  return static_cast<To>(i);
}

// Shortest text that reads back as the same value, formatted like numpy's str(): positional
// with at least one decimal ("0.5", "3.0") for 1e-4 <= |v| < 1e16, else scientific ("1e-05").
std::string shortest_float_text(float f) {
  std::string s = fmt::format("{}", f);
  if (s.find_first_not_of("-0123456789") == std::string::npos) s += ".0";
  return s;
}
std::string shortest_float_text(double d) {
  std::string s = fmt::format("{}", d);
  if (s.find_first_not_of("-0123456789") == std::string::npos) s += ".0";
  return s;
}

template <typename From>
std::string float_to_string(From v) {
  const double d = static_cast<double>(static_cast<std::conditional_t<kIsHalf<From>, float, From>>(v));
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "INF" : "-INF";
  if constexpr (std::is_same_v<From, double>) {
    return shortest_float_text(d);
  } else if constexpr (std::is_same_v<From, float>) {
    return shortest_float_text(v);
  } else {
    // The fewest significant digits that read back as the same 16-bit value.
    const float f = static_cast<float>(v);
    for (int digits = 1; digits < 9; ++digits) {
      const float back = std::strtof(fmt::format("{:.{}e}", f, digits - 1).c_str(), nullptr);
      if (From(back).bits == v.bits) return shortest_float_text(back);
    }
    return shortest_float_text(f);
  }
}

// Parses text as a number of type To: "3", "-2.5", "1e-5", "NaN", "INF", "+INF", "-INF"
// (case-insensitive); "true"/"false" for bool. Unparsable text gives 0.
template <typename To>
To string_to_number(const std::string& s) {
  if constexpr (std::is_same_v<To, bool>) {
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    return std::strtod(s.c_str(), nullptr) != 0.0;
  } else if constexpr (std::is_integral_v<To>) {
    // Whole integers parse exactly (beyond double's 53 bits); anything else through double.
    char* end = nullptr;
    errno = 0;
    if constexpr (std::is_signed_v<To>) {
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (end != s.c_str() && *end == '\0' && errno == 0) return static_cast<To>(i);
    } else {
      if (s.find('-') == std::string::npos) {
        unsigned long long u = std::strtoull(s.c_str(), &end, 10);
        if (end != s.c_str() && *end == '\0' && errno == 0) return static_cast<To>(u);
      }
    }
    return float_to_int<To>(std::strtod(s.c_str(), nullptr));
  } else if constexpr (kIsHalf<To>) {
    return To(narrow_round_to_odd(std::strtod(s.c_str(), nullptr)));
  } else if constexpr (std::is_same_v<To, float>) {
    return std::strtof(s.c_str(), nullptr);
  } else {
    return std::strtod(s.c_str(), nullptr);
  }
}

template <typename From, typename To>
To convert_one(const From& v) {
  constexpr bool from_float = std::is_floating_point_v<From> || kIsHalf<From>;
  if constexpr (std::is_same_v<From, To>) {
    return v;
  } else if constexpr (std::is_same_v<To, std::string>) {
    if constexpr (std::is_same_v<From, bool>) return v ? "True" : "False";
    else if constexpr (from_float) return float_to_string(v);
    else return std::to_string(v);
  } else if constexpr (std::is_same_v<From, std::string>) {
    return string_to_number<To>(v);
  } else if constexpr (std::is_same_v<To, bool>) {
    if constexpr (kIsHalf<From>) return static_cast<float>(v) != 0.0f;
    else return v != From(0);
  } else if constexpr (kIsHalf<To>) {
    if constexpr (std::is_same_v<From, double>) return To(narrow_round_to_odd(v));
    else if constexpr (std::is_integral_v<From> && sizeof(From) >= 4) return To(narrow_round_to_odd(static_cast<double>(v)));
    else return To(static_cast<float>(v));
  } else if constexpr (kIsHalf<From>) {
    if constexpr (std::is_integral_v<To>) return float_to_int<To>(static_cast<float>(v));
    else return static_cast<To>(static_cast<float>(v));
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return float_to_int<To>(static_cast<double>(v));
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
