// 16-bit floating point storage types. Kernels compute in float and round on store.
#pragma once

#include <cstdint>
#include <cstring>
#include <cmath>

namespace kiln {

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// IEEE 754 binary16, round-to-nearest-even on conversion from float.
struct float16 {
  uint16_t bits = 0;
  float16() = default;
  explicit float16(float f) : bits(from_float(f)) {}
  operator float() const { return to_float(bits); }  // NOLINT: implicit widening is lossless

  static uint16_t from_float(float f) {
    uint32_t x = float_bits(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) {  // inf or nan
      return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u | ((abs >> 13) & 0x3ffu) : 0));
    }
    if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow -> inf
    if (abs < 0x38800000u) {  // subnormal or zero in half
      if (abs < 0x33000000u) return static_cast<uint16_t>(sign);  // rounds to zero
      // value = mant * 2^(e-150); the half subnormal unit is 2^-24, so drop (126 - e) bits.
      uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
      int rshift = 126 - static_cast<int>(abs >> 23);
      uint32_t q = mant >> rshift;
      uint32_t rem = mant & ((1u << rshift) - 1);
      uint32_t halfway = 1u << (rshift - 1);
      if (rem > halfway || (rem == halfway && (q & 1u))) ++q;
      return static_cast<uint16_t>(sign | q);
    }
    uint32_t e = (abs >> 23) - 112;  // rebias 127 -> 15
    uint32_t mant = abs & 0x7fffffu;
    uint32_t h = (e << 10) | (mant >> 13);
    uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // carries into exponent correctly
    return static_cast<uint16_t>(sign | h);
  }
  static float to_float(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (e == 0) {
      if (mant == 0) return bits_float(sign);
      float v = std::ldexp(static_cast<float>(mant), -24);
      return sign ? -v : v;
    }
    if (e == 31) return bits_float(sign | 0x7f800000u | (mant << 13));
    return bits_float(sign | ((e + 112) << 23) | (mant << 13));
  }
};

// bfloat16: the upper half of a float32, round-to-nearest-even on conversion.
struct bfloat16 {
  uint16_t bits = 0;
  bfloat16() = default;
  explicit bfloat16(float f) : bits(from_float(f)) {}
  operator float() const { return bits_float(static_cast<uint32_t>(bits) << 16); }  // NOLINT

  static uint16_t from_float(float f) {
    uint32_t x = float_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet nan
    uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
    return static_cast<uint16_t>((x + rounding) >> 16);
  }
};

}  // namespace kiln
