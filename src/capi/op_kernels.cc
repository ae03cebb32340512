#include "capi/op_kernels.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/half.h"

namespace kiln::capi {

namespace {

// long double holds every int64/uint64 exactly (x86-64: 64-bit mantissa), so integer <-> integer
// casts through it are exact.
long double load(aclDataType t, const uint8_t* p) {
  auto get = [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (t) {
    case ACL_FLOAT: return get(float{});
    case ACL_DOUBLE: return get(double{});
    case ACL_FLOAT16: return float16::to_float(get(uint16_t{}));
    case ACL_BF16: return bits_float(static_cast<uint32_t>(get(uint16_t{})) << 16);
    case ACL_INT8: return get(int8_t{});
    case ACL_UINT8: return get(uint8_t{});
    case ACL_INT16: return get(int16_t{});
    case ACL_UINT16: return get(uint16_t{});
    case ACL_INT32: return get(int32_t{});
    case ACL_UINT32: return get(uint32_t{});
    case ACL_INT64: return get(int64_t{});
    case ACL_UINT64: return get(uint64_t{});
    case ACL_BOOL: return get(uint8_t{}) != 0;
    default: return 0;
  }
}

template <typename T>
void store_int(uint8_t* p, long double v) {
  T out;
  if (std::isnan(v)) {
    out = 0;
  } else {
    v = std::trunc(v);
    const long double lo = static_cast<long double>(std::numeric_limits<T>::min());
    const long double hi = static_cast<long double>(std::numeric_limits<T>::max());
    out = v <= lo ? std::numeric_limits<T>::min() : v >= hi ? std::numeric_limits<T>::max() : static_cast<T>(v);
  }
  std::memcpy(p, &out, sizeof(T));
}

uint16_t to_half(long double v, bool truncate) {
  const float f = static_cast<float>(v);
  uint16_t h = float16::from_float(f);
  // Toward zero: step back one unit when rounding went away from zero (overflow -> 65504).
  if (truncate && std::isfinite(f) && std::fabs(float16::to_float(h)) > std::fabs(f)) {
    h = static_cast<uint16_t>((h & 0x8000u) | ((h & 0x7fffu) - 1));
  }
  return h;
}

void store(aclDataType t, uint8_t* p, long double v, bool truncate) {
  switch (t) {
    case ACL_FLOAT: { const float f = static_cast<float>(v); std::memcpy(p, &f, 4); break; }
    case ACL_DOUBLE: { const double d = static_cast<double>(v); std::memcpy(p, &d, 8); break; }
    case ACL_FLOAT16: { const uint16_t h = to_half(v, truncate); std::memcpy(p, &h, 2); break; }
    case ACL_BF16: { const uint16_t h = bfloat16::from_float(static_cast<float>(v)); std::memcpy(p, &h, 2); break; }
    case ACL_INT8: store_int<int8_t>(p, v); break;
    case ACL_UINT8: store_int<uint8_t>(p, v); break;
    case ACL_INT16: store_int<int16_t>(p, v); break;
    case ACL_UINT16: store_int<uint16_t>(p, v); break;
    case ACL_INT32: store_int<int32_t>(p, v); break;
    case ACL_UINT32: store_int<uint32_t>(p, v); break;
    case ACL_INT64: store_int<int64_t>(p, v); break;
    case ACL_UINT64: store_int<uint64_t>(p, v); break;
    case ACL_BOOL: *p = v != 0; break;
    default: break;
  }
}

}  // namespace

bool cast_supported(aclDataType t) {
  switch (t) {
    case ACL_FLOAT: case ACL_DOUBLE: case ACL_FLOAT16: case ACL_BF16: case ACL_INT8: case ACL_UINT8: case ACL_INT16:
    case ACL_UINT16: case ACL_INT32: case ACL_UINT32: case ACL_INT64: case ACL_UINT64: case ACL_BOOL:
      return true;
    default:
      return false;
  }
}

Status cast_elements(aclDataType src_type, const void* src, aclDataType dst_type, void* dst, size_t count, bool truncate) {
  if (!cast_supported(src_type) || !cast_supported(dst_type)) {
    return unsupported("Cast from data type {} to {} is not supported", static_cast<int>(src_type), static_cast<int>(dst_type));
  }
  const size_t in = aclDataTypeSize(src_type), out = aclDataTypeSize(dst_type);
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  for (size_t i = 0; i < count; ++i) store(dst_type, d + i * out, load(src_type, s + i * in), truncate);
  return Status::ok();
}

Status argmax(aclDataType x_type, const void* x, const std::vector<int64_t>& dims, int64_t axis, aclDataType out_type, void* out) {
  const int64_t rank = static_cast<int64_t>(dims.size());
  if (axis < -std::max<int64_t>(rank, 1) || axis >= std::max<int64_t>(rank, 1)) {
    return invalid_argument("ArgMaxV2: dimension {} is out of range for rank {}", axis, rank);
  }
  if (axis < 0) axis += rank;
  int64_t outer = 1, n = rank == 0 ? 1 : dims[static_cast<size_t>(axis)], inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= dims[static_cast<size_t>(i)];
  for (int64_t i = axis + 1; i < rank; ++i) inner *= dims[static_cast<size_t>(i)];
  if (n <= 0) return invalid_argument("ArgMaxV2: the reduced dimension is empty");
  const size_t esize = aclDataTypeSize(x_type);
  const auto* p = static_cast<const uint8_t*>(x);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      long double best_v = load(x_type, p + static_cast<size_t>((o * n) * inner + i) * esize);
      for (int64_t k = 1; k < n && !std::isnan(best_v); ++k) {
        const long double v = load(x_type, p + static_cast<size_t>((o * n + k) * inner + i) * esize);
        if (std::isnan(v) || v > best_v) best = k, best_v = v;
      }
      const size_t at = static_cast<size_t>(o * inner + i);
      if (out_type == ACL_INT64) {
        std::memcpy(static_cast<uint8_t*>(out) + at * 8, &best, 8);
      } else {
        const int32_t b = static_cast<int32_t>(best);
        std::memcpy(static_cast<uint8_t*>(out) + at * 4, &b, 4);
      }
    }
  }
  return Status::ok();
}

}  // namespace kiln::capi
