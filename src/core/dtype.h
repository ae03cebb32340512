// Element types. Numbering follows ONNX TensorProto.DataType so frontends convert with a cast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/half.h"

namespace kiln {

enum class DType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
};

size_t dtype_size(DType t);               // bytes per element (sizeof(std::string) for kString)
std::string_view dtype_name(DType t);     // "float32", "int64", ...
bool dtype_from_name(std::string_view name, DType* out);  // accepts "float32", "float", "fp32", ...
bool dtype_is_float(DType t);             // float16/bfloat16/float32/float64
bool dtype_is_integer(DType t);           // signed or unsigned integers (not bool)
bool dtype_is_signed(DType t);
bool dtype_is_valid(int32_t onnx_code);   // a code Kiln can hold in a tensor

template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::kFloat32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::kFloat64; };
template <> struct DTypeOf<float16> { static constexpr DType value = DType::kFloat16; };
template <> struct DTypeOf<bfloat16> { static constexpr DType value = DType::kBFloat16; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::kInt8; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::kInt16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kInt32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kInt64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::kUInt8; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::kUInt16; };
template <> struct DTypeOf<uint32_t> { static constexpr DType value = DType::kUInt32; };
template <> struct DTypeOf<uint64_t> { static constexpr DType value = DType::kUInt64; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::kBool; };
template <> struct DTypeOf<std::string> { static constexpr DType value = DType::kString; };
template <typename T> inline constexpr DType dtype_of = DTypeOf<T>::value;

}  // namespace kiln

// Dispatch over a runtime dtype:
//   bool handled = KILN_DISPATCH_ALL(t.dtype(), T, { fill<T>(t); });
// The body is the body of a template lambda `[&]<typename T>() { ... }`, so `if constexpr` on T
// discards the branches that do not apply, and `return` leaves only the body (not the caller).
// The *_NUMERIC variant excludes bool and string; *_FLOAT covers the four float types.
#define KILN_DTYPE_CASE(enum_value, type, T, ...)                    \
  case ::kiln::DType::enum_value: {                                  \
    [&]<typename T>() { __VA_ARGS__; }.template operator()<type>(); \
    break;                                                           \
  }

#define KILN_DISPATCH_FLOAT_CASES(T, ...)                          \
  KILN_DTYPE_CASE(kFloat32, float, T, __VA_ARGS__)                 \
  KILN_DTYPE_CASE(kFloat64, double, T, __VA_ARGS__)                \
  KILN_DTYPE_CASE(kFloat16, ::kiln::float16, T, __VA_ARGS__)       \
  KILN_DTYPE_CASE(kBFloat16, ::kiln::bfloat16, T, __VA_ARGS__)

#define KILN_DISPATCH_INT_CASES(T, ...)                            \
  KILN_DTYPE_CASE(kInt8, int8_t, T, __VA_ARGS__)                   \
  KILN_DTYPE_CASE(kInt16, int16_t, T, __VA_ARGS__)                 \
  KILN_DTYPE_CASE(kInt32, int32_t, T, __VA_ARGS__)                 \
  KILN_DTYPE_CASE(kInt64, int64_t, T, __VA_ARGS__)                 \
  KILN_DTYPE_CASE(kUInt8, uint8_t, T, __VA_ARGS__)                 \
  KILN_DTYPE_CASE(kUInt16, uint16_t, T, __VA_ARGS__)               \
  KILN_DTYPE_CASE(kUInt32, uint32_t, T, __VA_ARGS__)               \
  KILN_DTYPE_CASE(kUInt64, uint64_t, T, __VA_ARGS__)

// Each macro evaluates to a `bool handled` expression via a lambda so callers can report
// "dtype X not supported by op Y" instead of silently doing nothing.
#define KILN_DISPATCH_FLOAT(dtype, T, ...)            \
  [&]() -> bool {                                     \
    switch (dtype) {                                  \
      KILN_DISPATCH_FLOAT_CASES(T, __VA_ARGS__)       \
      default: return false;                          \
    }                                                 \
    return true;                                      \
  }()

#define KILN_DISPATCH_NUMERIC(dtype, T, ...)          \
  [&]() -> bool {                                     \
    switch (dtype) {                                  \
      KILN_DISPATCH_FLOAT_CASES(T, __VA_ARGS__)       \
      KILN_DISPATCH_INT_CASES(T, __VA_ARGS__)         \
      default: return false;                          \
    }                                                 \
    return true;                                      \
  }()

#define KILN_DISPATCH_INT(dtype, T, ...)              \
  [&]() -> bool {                                     \
    switch (dtype) {                                  \
      KILN_DISPATCH_INT_CASES(T, __VA_ARGS__)         \
      default: return false;                          \
    }                                                 \
    return true;                                      \
  }()

// numeric + bool
#define KILN_DISPATCH_POD(dtype, T, ...)              \
  [&]() -> bool {                                     \
    switch (dtype) {                                  \
      KILN_DISPATCH_FLOAT_CASES(T, __VA_ARGS__)       \
      KILN_DISPATCH_INT_CASES(T, __VA_ARGS__)         \
      KILN_DTYPE_CASE(kBool, bool, T, __VA_ARGS__)    \
      default: return false;                          \
    }                                                 \
    return true;                                      \
  }()

// numeric + bool + string
#define KILN_DISPATCH_ALL(dtype, T, ...)                  \
  [&]() -> bool {                                         \
    switch (dtype) {                                      \
      KILN_DISPATCH_FLOAT_CASES(T, __VA_ARGS__)           \
      KILN_DISPATCH_INT_CASES(T, __VA_ARGS__)             \
      KILN_DTYPE_CASE(kBool, bool, T, __VA_ARGS__)        \
      KILN_DTYPE_CASE(kString, std::string, T, __VA_ARGS__) \
      default: return false;                              \
    }                                                     \
    return true;                                          \
  }()
