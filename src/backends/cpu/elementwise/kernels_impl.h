// The element-wise math and row loops, written once over a vector type V and compiled once per
// SIMD level: kernels_<isa>.cc defines V (its register type R, mask type M, lane count N and the
// primitive operations) in namespace KILN_EW_NS, then includes this file. Everything here lives
// in that namespace, so the per-ISA copies never merge at link time (an AVX-512 copy of an inline
// helper must not be picked for the scalar path).
//
// Accuracy (checked against double-precision std functions over [-20, 20] and special values):
// exp, log ~1 ulp (Cephes polynomials); erf, tanh <= 5 ulp (Eigen's rational approximations).
// NaN inputs give NaN; infinities give the limits std functions give.
#ifndef KILN_EW_NS
#error "define KILN_EW_NS and V before including kernels_impl.h"
#endif

namespace kiln::cpu::elementwise::KILN_EW_NS {

using R = V::R;
using M = V::M;

inline R c(float x) { return V::set1(x); }

// exp(x): x = n ln2 + r, |r| <= ln2/2, exp(r) by a degree-7 polynomial, times 2^n. 2^n is applied
// as two factors so that n in [-150, 128] (denormal results and FLT_MAX) needs no special case.
inline R vexp(R x) {
  const R xc = V::min(c(89.0f), V::max(x, c(-104.0f)));  // NaN becomes -104 here; restored below
  const R n = V::round(V::mul(xc, c(1.44269504088896341f)));
  R r = V::fmadd(n, c(-0.693359375f), xc);
  r = V::fmadd(n, c(2.12194440e-4f), r);
  R p = c(1.9875691500e-4f);
  p = V::fmadd(p, r, c(1.3981999507e-3f));
  p = V::fmadd(p, r, c(8.3334519073e-3f));
  p = V::fmadd(p, r, c(4.1665795894e-2f));
  p = V::fmadd(p, r, c(1.6666665459e-1f));
  p = V::fmadd(p, r, c(5.0000001201e-1f));
  R y = V::fmadd(p, V::mul(r, r), V::add(r, c(1.0f)));
  const R h = V::floor(V::mul(n, c(0.5f)));
  y = V::mul(V::mul(y, V::pow2i(h)), V::pow2i(V::sub(n, h)));
  return V::select(V::isnan(x), x, y);
}

// log(x) (Cephes logf): x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by a polynomial in m - 1.
inline R vlog(R x) {
  const M small = V::lt(x, c(1.17549435e-38f));  // denormals: scale into the normal range
  const R xs = V::select(small, V::mul(x, c(8388608.0f)), x);
  R e = V::sub(V::exponent(xs), V::select(small, c(23.0f), c(0.0f)));
  R m = V::mantissa(xs);  // [1, 2)
  const M big = V::gt(m, c(1.41421356f));
  m = V::select(big, V::mul(m, c(0.5f)), m);
  e = V::select(big, V::add(e, c(1.0f)), e);
  const R f = V::sub(m, c(1.0f));
  const R z = V::mul(f, f);
  R y = c(7.0376836292e-2f);
  y = V::fmadd(y, f, c(-1.1514610310e-1f));
  y = V::fmadd(y, f, c(1.1676998740e-1f));
  y = V::fmadd(y, f, c(-1.2420140846e-1f));
  y = V::fmadd(y, f, c(1.4249322787e-1f));
  y = V::fmadd(y, f, c(-1.6668057665e-1f));
  y = V::fmadd(y, f, c(2.0000714765e-1f));
  y = V::fmadd(y, f, c(-2.4999993993e-1f));
  y = V::fmadd(y, f, c(3.3333331174e-1f));
  y = V::mul(V::mul(y, f), z);
  y = V::fmadd(e, c(-2.12194440e-4f), y);
  y = V::fmadd(z, c(-0.5f), y);
  R r = V::fmadd(e, c(0.693359375f), V::add(f, y));
  const float inf = __builtin_inff(), nan = __builtin_nanf("");
  r = V::select(V::eq(x, c(0.0f)), c(-inf), r);
  r = V::select(V::lt(x, c(0.0f)), c(nan), r);
  r = V::select(V::eq(x, c(inf)), c(inf), r);
  return V::select(V::isnan(x), x, r);
}

// erf(x) = x P(x^2) / Q(x^2) on [-4, 4] (Eigen); |erf| rounds to 1 beyond.
inline R verf(R x) {
  const R xc = V::min(c(4.0f), V::max(x, c(-4.0f)));
  const R x2 = V::mul(xc, xc);
  R p = c(-2.72614225801306e-10f);
  p = V::fmadd(p, x2, c(2.77068142495902e-08f));
  p = V::fmadd(p, x2, c(-2.10102402082508e-06f));
  p = V::fmadd(p, x2, c(-5.69250639462346e-05f));
  p = V::fmadd(p, x2, c(-7.34990630326855e-04f));
  p = V::fmadd(p, x2, c(-2.95459980854025e-03f));
  p = V::fmadd(p, x2, c(-1.60960333262415e-02f));
  p = V::mul(p, xc);
  R q = c(-1.45660718464996e-05f);
  q = V::fmadd(q, x2, c(-2.13374055278905e-04f));
  q = V::fmadd(q, x2, c(-1.68282697438203e-03f));
  q = V::fmadd(q, x2, c(-7.37332916720468e-03f));
  q = V::fmadd(q, x2, c(-1.42647390514189e-02f));
  return V::select(V::isnan(x), x, V::div(p, q));
}

// tanh(x) = x P(x^2) / Q(x^2) on [-7.9, 7.9] (Eigen); x itself for |x| < 4e-4.
inline R vtanh(R x) {
  const R xc = V::min(c(7.90531110763549805f), V::max(x, c(-7.90531110763549805f)));
  const R x2 = V::mul(xc, xc);
  R p = c(-2.76076847742355e-16f);
  p = V::fmadd(p, x2, c(2.00018790482477e-13f));
  p = V::fmadd(p, x2, c(-8.60467152213735e-11f));
  p = V::fmadd(p, x2, c(5.12229709037114e-08f));
  p = V::fmadd(p, x2, c(1.48572235717979e-05f));
  p = V::fmadd(p, x2, c(6.37261928875436e-04f));
  p = V::fmadd(p, x2, c(4.89352455891786e-03f));
  p = V::mul(p, xc);
  R q = c(1.19825839466702e-06f);
  q = V::fmadd(q, x2, c(1.18534705686654e-04f));
  q = V::fmadd(q, x2, c(2.26843463243900e-03f));
  q = V::fmadd(q, x2, c(4.89352518554385e-03f));
  R r = V::select(V::lt(V::abs(x), c(0.0004f)), x, V::div(p, q));
  // Beyond 9, tanh rounds to exactly +-1 (the rational stops a few ulp short), which keeps
  // 1 + tanh(x) at 0 for x = -inf in GeluTanh (NaN, as the reference gives).
  r = V::select(V::gt(V::abs(x), c(9.0f)), V::select(V::lt(x, c(0.0f)), c(-1.0f), c(1.0f)), r);
  return V::select(V::isnan(x), x, r);
}

inline R vsigmoid(R x) { return V::div(c(1.0f), V::add(c(1.0f), vexp(V::neg(x)))); }

// ---- Row loops: full vectors, then one masked (partial) vector for the tail ----

template <typename F>
inline void map_row(const float* x, float* y, int64_t n, F f) {
  int64_t i = 0;
  for (; i + V::N <= n; i += V::N) V::store(y + i, f(V::load(x + i)));
  if (i < n) V::store_n(y + i, f(V::load_n(x + i, n - i)), n - i);
}

// y = f(a, b) over a run; kScalarA/kScalarB read element 0 of that operand for every lane.
template <bool kScalarA, bool kScalarB, typename F>
inline void zip_row(const float* a, const float* b, float* y, int64_t n, F f) {
  const R sa = kScalarA ? V::set1(a[0]) : R{}, sb = kScalarB ? V::set1(b[0]) : R{};
  int64_t i = 0;
  for (; i + V::N <= n; i += V::N) {
    V::store(y + i, f(kScalarA ? sa : V::load(a + i), kScalarB ? sb : V::load(b + i)));
  }
  if (i < n) {
    const int64_t k = n - i;
    V::store_n(y + i, f(kScalarA ? sa : V::load_n(a + i, k), kScalarB ? sb : V::load_n(b + i, k)), k);
  }
}

template <typename F>
inline void zip_mode(Bcast mode, const float* a, const float* b, float* y, int64_t n, F f) {
  switch (mode) {
    case Bcast::kVV: return zip_row<false, false>(a, b, y, n, f);
    case Bcast::kVS: return zip_row<false, true>(a, b, y, n, f);
    case Bcast::kSV: return zip_row<true, false>(a, b, y, n, f);
  }
}

inline void binary_f32(BinOp op, Bcast mode, const float* a, const float* b, float* y, int64_t n) {
  switch (op) {
    case BinOp::kAdd: return zip_mode(mode, a, b, y, n, [](R u, R v) { return V::add(u, v); });
    case BinOp::kSub: return zip_mode(mode, a, b, y, n, [](R u, R v) { return V::sub(u, v); });
    case BinOp::kMul: return zip_mode(mode, a, b, y, n, [](R u, R v) { return V::mul(u, v); });
    case BinOp::kDiv: return zip_mode(mode, a, b, y, n, [](R u, R v) { return V::div(u, v); });
    // The reference's (isnan(a) || a > b) ? a : b: max picks b on NaN or equality.
    case BinOp::kMax: return zip_mode(mode, a, b, y, n, [](R u, R v) { return V::select(V::isnan(u), u, V::max(u, v)); });
    case BinOp::kMin: return zip_mode(mode, a, b, y, n, [](R u, R v) { return V::select(V::isnan(u), u, V::min(u, v)); });
    case BinOp::kPRelu:
      return zip_mode(mode, a, b, y, n, [](R u, R v) { return V::select(V::lt(u, c(0.0f)), V::mul(u, v), u); });
  }
}

// Integers: plain loops in wrapping (unsigned) arithmetic, vectorised by the compiler for this ISA.
template <typename T, typename U, typename F>
inline void int_row(Bcast mode, const T* a, const T* b, T* y, int64_t n, F f) {
  if (mode == Bcast::kVV) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(f(static_cast<U>(a[i]), static_cast<U>(b[i])));
  } else if (mode == Bcast::kVS) {
    const U s = static_cast<U>(b[0]);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(f(static_cast<U>(a[i]), s));
  } else {
    const U s = static_cast<U>(a[0]);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(f(s, static_cast<U>(b[i])));
  }
}

template <typename T, typename U>
inline void binary_int(BinOp op, Bcast mode, const T* a, const T* b, T* y, int64_t n) {
  switch (op) {
    case BinOp::kAdd: return int_row<T, U>(mode, a, b, y, n, [](U u, U v) { return static_cast<U>(u + v); });
    case BinOp::kSub: return int_row<T, U>(mode, a, b, y, n, [](U u, U v) { return static_cast<U>(u - v); });
    case BinOp::kMul: return int_row<T, U>(mode, a, b, y, n, [](U u, U v) { return static_cast<U>(u * v); });
    default: return;
  }
}

inline void binary_i32(BinOp op, Bcast mode, const int32_t* a, const int32_t* b, int32_t* y, int64_t n) {
  binary_int<int32_t, uint32_t>(op, mode, a, b, y, n);
}
inline void binary_i64(BinOp op, Bcast mode, const int64_t* a, const int64_t* b, int64_t* y, int64_t n) {
  binary_int<int64_t, uint64_t>(op, mode, a, b, y, n);
}

inline void unary_f32(UnOp op, const UnaryParams& prm, const float* x, float* y, int64_t n) {
  const float alpha = prm.alpha, beta = prm.beta;
  switch (op) {
    // max/min return their second operand on NaN or equality; the operand order reproduces the
    // reference's NaN handling: Relu v > 0 ? v : 0 (NaN -> 0), Clip std::min(std::max(x, lo), hi)
    // (NaN stays NaN), HardSigmoid std::max(0, std::min(1, v)) (NaN -> 1).
    case UnOp::kRelu: return map_row(x, y, n, [](R v) { return V::max(v, c(0.0f)); });
    case UnOp::kClip: return map_row(x, y, n, [=](R v) { return V::min(c(beta), V::max(c(alpha), v)); });
    case UnOp::kLeakyRelu:
      return map_row(x, y, n, [=](R v) { return V::select(V::lt(v, c(0.0f)), V::mul(v, c(alpha)), v); });
    case UnOp::kElu:
      return map_row(x, y, n, [=](R v) {
        return V::select(V::lt(v, c(0.0f)), V::mul(c(alpha), V::sub(vexp(v), c(1.0f))), v);
      });
    case UnOp::kSigmoid: return map_row(x, y, n, [](R v) { return vsigmoid(v); });
    case UnOp::kSilu: return map_row(x, y, n, [](R v) { return V::div(v, V::add(c(1.0f), vexp(V::neg(v)))); });
    case UnOp::kTanh: return map_row(x, y, n, [](R v) { return vtanh(v); });
    case UnOp::kErf: return map_row(x, y, n, [](R v) { return verf(v); });
    case UnOp::kHardSigmoid:
      return map_row(x, y, n, [=](R v) { return V::max(V::min(V::fmadd(v, c(alpha), c(beta)), c(1.0f)), c(0.0f)); });
    case UnOp::kHardSwish:
      return map_row(x, y, n, [](R v) {
        return V::mul(v, V::max(V::min(V::fmadd(v, c(1.0f / 6.0f), c(0.5f)), c(1.0f)), c(0.0f)));
      });
    case UnOp::kGelu:
      return map_row(x, y, n, [](R v) {
        return V::mul(V::mul(c(0.5f), v), V::add(c(1.0f), verf(V::mul(v, c(0.70710678118654752f)))));
      });
    case UnOp::kGeluTanh:
      return map_row(x, y, n, [](R v) {
        const R inner = V::mul(c(0.79788456080286536f), V::fmadd(V::mul(c(0.044715f), V::mul(v, v)), v, v));
        return V::mul(V::mul(c(0.5f), v), V::add(c(1.0f), vtanh(inner)));
      });
    case UnOp::kExp: return map_row(x, y, n, [](R v) { return vexp(v); });
    case UnOp::kLog: return map_row(x, y, n, [](R v) { return vlog(v); });
    case UnOp::kSqrt: return map_row(x, y, n, [](R v) { return V::sqrt(v); });
    case UnOp::kNeg: return map_row(x, y, n, [](R v) { return V::neg(v); });
    case UnOp::kAbs: return map_row(x, y, n, [](R v) { return V::abs(v); });
    case UnOp::kReciprocal: return map_row(x, y, n, [](R v) { return V::div(c(1.0f), v); });
    case UnOp::kFloor: return map_row(x, y, n, [](R v) { return V::floor(v); });
    case UnOp::kCeil: return map_row(x, y, n, [](R v) { return V::ceil(v); });
    case UnOp::kSquare: return map_row(x, y, n, [](R v) { return V::mul(v, v); });
    case UnOp::kCube: return map_row(x, y, n, [](R v) { return V::mul(V::mul(v, v), v); });
    case UnOp::kIdentity: return map_row(x, y, n, [](R v) { return v; });
  }
}

inline const KernelTable kTable = {binary_f32, binary_i32, binary_i64, unary_f32};

}  // namespace kiln::cpu::elementwise::KILN_EW_NS
