// CPU element-wise kernels vs the reference backend (CpuCheck), and each SIMD level's row
// kernels called directly against double-precision math (tails of every length, special values).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "backends/cpu/elementwise/kernels.h"
#include "core/cpu_features.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;
namespace ew = cpu::elementwise;

const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

// Values over [lo, hi] with the special values mixed in (when `specials`).
Tensor values(Shape shape, uint64_t seed, float lo = -20, float hi = 20, bool specials = true) {
  Tensor t = random_tensor(std::move(shape), seed, DType::kFloat32, lo, hi);
  const float sp[] = {kNaN, kInf, -kInf, 0.0f, -0.0f, 88.0f, -88.0f, 1e-40f, -1e-40f, 0.5f, -0.5f, 1e-3f};
  float* p = t.data<float>();
  for (int64_t i = 0; specials && i < t.numel(); i += 5) p[i] = sp[(i / 5) % 12];
  return t;
}

struct ShapePair {
  Shape a, b;
};

const std::vector<ShapePair> kPairs = {
    {{}, {}},
    {{1}, {1}},
    {{13}, {13}},
    {{127}, {127}},
    {{2, 3, 5, 7}, {2, 3, 5, 7}},
    {{1, 0, 4}, {1, 0, 4}},
    {{1, 0, 4}, {4}},
    {{4, 1, 7}, {3, 7}},
    {{2, 5, 5, 8}, {1, 1, 1, 8}},
    {{2, 5, 5, 8}, {8}},
    {{2, 5, 5, 8}, {2, 1, 1, 8}},
    {{2, 8, 5, 5}, {8, 1, 1}},
    {{}, {2, 3, 5, 7}},
    {{2, 3, 5, 7}, {}},
    {{1}, {2, 3, 5, 7}},
    {{3, 1}, {1, 17}},
    // Multi-threaded: one long run cut into pieces, rows of a repeated scale, a row broadcast.
    {{3, 70001}, {3, 70001}},
    {{1, 48, 40, 41}, {1, 48, 1, 1}},
    {{1, 40, 41, 48}, {1, 1, 1, 48}},
    {{1, 64, 33, 33}, {}},
};

TEST(CpuElementwise, FloatBinaryOpsAllShapes) {
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Max", "Min"}) {
    for (const auto& [sa, sb] : kPairs) {
      for (int order = 0; order < 2; ++order) {
        CpuCheck c(op, 14);
        if (std::string(op) == "Max" || std::string(op) == "Min") c.opset = 13;
        c.input(values(order ? sb : sa, 1, -20, 20));
        c.input(values(order ? sa : sb, 2, -20, 20));
        EXPECT_TRUE(c.check());
      }
    }
  }
}

TEST(CpuElementwise, ConstantOperands) {
  CpuCheck c("Mul", 14);
  c.input(random_tensor({2, 8, 5, 5}, 3));
  c.constant(random_tensor({8, 1, 1}, 4));
  EXPECT_TRUE(c.check());
  CpuCheck d("Add", 14);
  d.constant(random_tensor({}, 5));
  d.input(random_tensor({2, 13}, 6));
  EXPECT_TRUE(d.check());
}

TEST(CpuElementwise, IntegerAddSubMul) {
  for (DType t : {DType::kInt32, DType::kInt64}) {
    for (const char* op : {"Add", "Sub", "Mul"}) {
      for (const auto& [sa, sb] : kPairs) {
        CpuCheck c(op, 14);
        c.input(random_tensor(sa, 7, t, -1000, 1000));
        c.input(random_tensor(sb, 8, t, -1000, 1000));
        EXPECT_TRUE(c.check());
      }
    }
  }
  // Wrapping overflow, like the reference.
  CpuCheck c("Mul", 14);
  c.input(Tensor::from_vector<int32_t>({INT32_MAX, INT32_MIN, 65536, -7}, {4}));
  c.input(Tensor::from_vector<int32_t>({2, -1, 65536, 3}, {4}));
  EXPECT_TRUE(c.check());
}

TEST(CpuElementwise, IntegerDivIsDeclined) {
  CpuCheck c("Div", 14);
  c.input(Tensor::from_vector<int32_t>({7, -7, 3}, {3}));
  c.input(Tensor::from_vector<int32_t>({2, 2, 0}, {3}));
  std::string kind;
  auto r = c.run(Backend::kCpu, &kind);
  EXPECT_NE(kind, "cpu");
  EXPECT_FALSE(static_cast<bool>(r));  // division by zero is the reference's error, not a crash
}

TEST(CpuElementwise, PRelu) {
  const std::vector<ShapePair> cases = {{{2, 3, 5, 7}, {3, 1, 1}}, {{2, 5, 5, 8}, {8}}, {{13}, {}},
                                        {{127}, {127}},          {{1, 0, 4}, {4}},      {{1, 64, 40, 40}, {64, 1, 1}}};
  for (const auto& [sx, ss] : cases) {
    CpuCheck c("PRelu", 16);
    c.input(values(sx, 9));
    c.input(random_tensor(ss, 10));
    EXPECT_TRUE(c.check());
  }
}

TEST(CpuElementwise, Pow) {
  for (float e : {1.0f, 2.0f, 3.0f, -1.0f, 0.5f, 1.7f}) {
    for (const Shape& s : {Shape{}, Shape{13}, Shape{2, 3, 5, 7}, Shape{1, 0, 4}}) {
      CpuCheck c("Pow", 15);
      c.input(values(s, 11, -5, 5));
      c.constant(Tensor::scalar<float>(e));
      EXPECT_TRUE(c.check());
    }
  }
  CpuCheck i("Pow", 15);  // integer exponent
  i.input(values({127}, 12, -5, 5));
  i.constant(Tensor::scalar<int64_t>(2));
  EXPECT_TRUE(i.check());
  CpuCheck t("Pow", 15);  // tensor exponent, broadcast
  t.input(random_tensor({4, 1, 7}, 13, DType::kFloat32, 0.1f, 3));
  t.input(random_tensor({3, 7}, 14, DType::kFloat32, -3, 3));
  EXPECT_TRUE(t.check());
}

const std::vector<Shape> kShapes = {{}, {1}, {13}, {127}, {2, 3, 5, 7}, {1, 0, 4}, {1, 16, 80, 81}};

TEST(CpuElementwise, UnaryOps) {
  for (const char* op : {"Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Erf", "Exp",
                         "Log", "Sqrt", "Neg", "Abs", "Reciprocal", "Floor", "Ceil"}) {
    for (const Shape& s : kShapes) {
      CpuCheck c(op, 14);
      c.input(values(s, 15));
      EXPECT_TRUE(c.check());
    }
  }
}

TEST(CpuElementwise, UnaryAttributes) {
  CpuCheck l("LeakyRelu", 16);
  l.input(values({127}, 16));
  l.attr_float("alpha", 0.1f);
  EXPECT_TRUE(l.check());
  CpuCheck h("HardSigmoid", 6);
  h.input(values({127}, 17));
  h.attr_float("alpha", 1.0f / 6);
  h.attr_float("beta", 0.3f);
  EXPECT_TRUE(h.check());
  CpuCheck e("Elu", 6);
  e.input(values({127}, 18));
  e.attr_float("alpha", 0.7f);
  EXPECT_TRUE(e.check());
}

TEST(CpuElementwise, KilnGeluAndSilu) {
  for (const Shape& s : kShapes) {
    for (const char* approx : {"none", "tanh"}) {
      CpuCheck g("Gelu", 1, 1, "kiln");
      g.input(values(s, 19));
      g.attr_string("approximate", approx);
      EXPECT_TRUE(g.check());
    }
    CpuCheck si("Silu", 1, 1, "kiln");
    si.input(values(s, 20));
    EXPECT_TRUE(si.check());
  }
}

TEST(CpuElementwise, Clip) {
  for (const Shape& s : kShapes) {
    CpuCheck a("Clip", 6);  // attributes
    a.input(values(s, 21));
    a.attr_float("min", -1.5f);
    a.attr_float("max", 6.0f);
    EXPECT_TRUE(a.check());
    CpuCheck k("Clip", 13);  // constant inputs
    k.input(values(s, 22));
    k.constant(Tensor::scalar<float>(0.0f));
    k.constant(Tensor::scalar<float>(6.0f));
    EXPECT_TRUE(k.check());
  }
  CpuCheck d("Clip", 13);  // run-time min/max
  d.input(values({2, 3, 5, 7}, 23));
  d.input(Tensor::scalar<float>(-2.0f));
  d.input(Tensor::scalar<float>(3.0f));
  EXPECT_TRUE(d.check());
  CpuCheck m("Clip", 13);  // only min
  m.input(values({127}, 24));
  m.constant(Tensor::scalar<float>(-2.0f));
  EXPECT_TRUE(m.check());
  CpuCheck mx("Clip", 13);  // only max, min omitted
  mx.input(values({127}, 25));
  mx.omitted();
  mx.constant(Tensor::scalar<float>(1.0f));
  EXPECT_TRUE(mx.check());
  CpuCheck n("Clip", 13);  // neither: identity
  n.input(values({13}, 26));
  EXPECT_TRUE(n.check());
  CpuCheck inv("Clip", 13);  // min > max gives max everywhere
  inv.input(values({13}, 27));
  inv.constant(Tensor::scalar<float>(2.0f));
  inv.constant(Tensor::scalar<float>(1.0f));
  EXPECT_TRUE(inv.check());
}

Tensor typed(Shape shape, uint64_t seed, DType t) {
  Tensor f = values(std::move(shape), seed, -300, 300);
  if (t == DType::kFloat32) return f;
  if (t == DType::kFloat16 || t == DType::kBool) return cast_tensor(f, t);
  // Integers: the float values truncated (NaN -> 0, inf saturates), then cast.
  return cast_tensor(cast_tensor(f, DType::kInt64), t);
}

TEST(CpuElementwise, Cast) {
  const DType types[] = {DType::kFloat32, DType::kFloat16, DType::kInt32, DType::kInt64, DType::kUInt8, DType::kBool};
  for (DType from : types) {
    for (DType to : types) {
      if (to == DType::kFloat16 && (from == DType::kInt32 || from == DType::kInt64)) continue;  // declined
      for (const Shape& s : {Shape{}, Shape{127}, Shape{1, 0, 4}, Shape{1, 16, 80, 81}}) {
        CpuCheck c("Cast", 19);
        c.input(typed(s, 28, from));
        c.attr_int("to", static_cast<int64_t>(to));
        EXPECT_TRUE(c.check()) << dtype_name(from) << " -> " << dtype_name(to);
      }
    }
  }
  CpuCheck big("Cast", 19);  // beyond int32/int64 range: saturate, then wrap
  big.input(Tensor::from_vector<float>({3e9f, -3e9f, 1e19f, -1e19f, kNaN, kInf, -kInf, -1.5f, 255.9f, 256.0f}, {10}));
  for (DType to : {DType::kInt32, DType::kInt64, DType::kUInt8}) {
    big.attr_int("to", static_cast<int64_t>(to));
    EXPECT_TRUE(big.check()) << dtype_name(to);
  }
}

TEST(CpuElementwise, Where) {
  struct Case {
    Shape c, x, y;
  };
  const std::vector<Case> cases = {{{}, {}, {}},
                                   {{13}, {13}, {13}},
                                   {{2, 3, 5, 7}, {2, 3, 5, 7}, {2, 3, 5, 7}},
                                   {{5, 7}, {2, 3, 5, 7}, {}},
                                   {{2, 1, 1, 7}, {1}, {3, 5, 1}},
                                   {{1, 0, 4}, {4}, {1, 0, 4}},
                                   {{1, 1, 128, 600}, {1, 4, 128, 600}, {}}};
  for (DType t : {DType::kFloat32, DType::kInt64, DType::kBool, DType::kUInt8}) {
    for (const Case& k : cases) {
      CpuCheck c("Where", 16);
      c.input(random_tensor(k.c, 29, DType::kBool));
      c.input(typed(k.x, 30, t));
      c.input(typed(k.y, 31, t));
      EXPECT_TRUE(c.check());
    }
  }
}

TEST(CpuElementwise, CompareAndLogic) {
  const std::vector<ShapePair> cases = {{{}, {}},         {{13}, {13}},         {{2, 3, 5, 7}, {2, 3, 5, 7}},
                                        {{4, 1, 7}, {3, 7}}, {{2, 3, 5, 7}, {}}, {{1, 0, 4}, {4}},
                                        {{1, 64, 40, 40}, {64, 1, 1}}};
  for (const char* op : {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"}) {
    for (DType t : {DType::kFloat32, DType::kInt32, DType::kInt64}) {
      for (const auto& [sa, sb] : cases) {
        CpuCheck c(op, 16);
        // Few distinct values, so that equality happens; floats include NaN and infinities.
        c.input(t == DType::kFloat32 ? values(sa, 32, -2, 2) : random_tensor(sa, 32, t, -3, 3));
        c.input(t == DType::kFloat32 ? values(sb, 33, -2, 2) : random_tensor(sb, 33, t, -3, 3));
        EXPECT_TRUE(c.check());
      }
    }
  }
  for (const char* op : {"And", "Or", "Xor", "Equal"}) {
    for (const auto& [sa, sb] : cases) {
      CpuCheck c(op, 16);
      c.input(random_tensor(sa, 34, DType::kBool));
      c.input(random_tensor(sb, 35, DType::kBool));
      EXPECT_TRUE(c.check());
    }
  }
  for (const Shape& s : {Shape{}, Shape{13}, Shape{1, 0, 4}, Shape{1, 64, 40, 40}}) {
    CpuCheck c("Not", 1);
    c.input(random_tensor(s, 36, DType::kBool));
    EXPECT_TRUE(c.check());
  }
}

// ---- Each SIMD level's row kernels, called directly ----

std::vector<Isa> available_isas() {
  std::vector<Isa> isas = {Isa::kScalar};
  if (cpu_isa() >= Isa::kAvx2) isas.push_back(Isa::kAvx2);
  if (cpu_isa() >= Isa::kAvx512) isas.push_back(Isa::kAvx512);
  return isas;
}

std::vector<float> test_inputs(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  const float sp[] = {kNaN, kInf, -kInf, 0.0f, -0.0f, 88.7f, -88.7f, -103.0f, 1e-40f, 3e-4f, -4.5f, 7.95f};
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i % 7 == 3 ? sp[(i / 7) % 12] : -20.0f + 40.0f * static_cast<float>(i) / static_cast<float>(n);
  return v;
}

double ref_unary(ew::UnOp op, double x, const ew::UnaryParams& p) {
  using ew::UnOp;
  switch (op) {
    case UnOp::kRelu: return x > 0 ? x : 0;
    case UnOp::kLeakyRelu: return x < 0 ? p.alpha * x : x;
    case UnOp::kElu: return x < 0 ? p.alpha * (std::exp(x) - 1) : x;
    case UnOp::kSigmoid: return 1 / (1 + std::exp(-x));
    case UnOp::kTanh: return std::tanh(x);
    case UnOp::kHardSigmoid: return std::fmax(0, std::fmin(1, p.alpha * x + p.beta));
    case UnOp::kHardSwish: return x * std::fmax(0, std::fmin(1, x / 6 + 0.5));
    case UnOp::kSilu: return x / (1 + std::exp(-x));
    case UnOp::kGelu: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case UnOp::kGeluTanh: return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case UnOp::kErf: return std::erf(x);
    case UnOp::kExp: return std::exp(x);
    case UnOp::kLog: return std::log(x);
    case UnOp::kSqrt: return std::sqrt(x);
    case UnOp::kNeg: return -x;
    case UnOp::kAbs: return std::fabs(x);
    case UnOp::kReciprocal: return 1 / x;
    case UnOp::kFloor: return std::floor(x);
    case UnOp::kCeil: return std::ceil(x);
    case UnOp::kClip: return std::isnan(x) ? x : std::fmin(p.beta, std::fmax(p.alpha, x));
    case UnOp::kSquare: return x * x;
    case UnOp::kCube: return x * x * x;
    case UnOp::kIdentity: return x;
  }
  return 0;
}

bool close(double want, float got) {
  const double w = static_cast<double>(static_cast<float>(want));  // the float the reference would give
  if (std::isnan(w)) return std::isnan(got);
  if (std::isinf(w)) return got == w;
  return std::fabs(got - want) <= 1e-5 + 1e-4 * std::fabs(want);
}

TEST(CpuElementwiseIsa, UnaryEveryLevelEveryTail) {
  const ew::UnaryParams p{0.2f, 0.5f};
  for (Isa isa : available_isas()) {
    const ew::KernelTable& k = ew::kernel_table(isa);
    for (int op = 0; op <= static_cast<int>(ew::UnOp::kIdentity); ++op) {
      const auto u = static_cast<ew::UnOp>(op);
      for (int64_t n : {0, 1, 7, 15, 16, 17, 33, 1000}) {
        const std::vector<float> x = test_inputs(n);
        std::vector<float> y(static_cast<size_t>(n) + 1, 12345.0f);  // the sentinel must survive
        k.unary_f32(u, p, x.data(), y.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          const double want = ref_unary(u, x[static_cast<size_t>(i)], p);
          ASSERT_TRUE(close(want, y[static_cast<size_t>(i)]))
              << isa_name(isa) << " op " << op << " n " << n << " x " << x[static_cast<size_t>(i)] << " want " << want
              << " got " << y[static_cast<size_t>(i)];
        }
        ASSERT_EQ(y[static_cast<size_t>(n)], 12345.0f) << isa_name(isa) << " op " << op << " wrote past n";
      }
    }
  }
}

TEST(CpuElementwiseIsa, BinaryEveryLevelEveryMode) {
  using ew::Bcast;
  using ew::BinOp;
  for (Isa isa : available_isas()) {
    const ew::KernelTable& k = ew::kernel_table(isa);
    for (int op = 0; op <= static_cast<int>(BinOp::kPRelu); ++op) {
      const auto b = static_cast<BinOp>(op);
      for (Bcast mode : {Bcast::kVV, Bcast::kVS, Bcast::kSV}) {
        for (int64_t n : {1, 5, 16, 31, 100}) {
          const std::vector<float> x = test_inputs(n);
          std::vector<float> z = test_inputs(n + 3);
          z.erase(z.begin(), z.begin() + 3);
          std::vector<float> y(static_cast<size_t>(n) + 1, 12345.0f);
          k.binary_f32(b, mode, x.data(), z.data(), y.data(), n);
          for (int64_t i = 0; i < n; ++i) {
            const float u = x[mode == Bcast::kSV ? 0 : static_cast<size_t>(i)];
            const float v = z[mode == Bcast::kVS ? 0 : static_cast<size_t>(i)];
            float want = 0;
            switch (b) {
              case BinOp::kAdd: want = u + v; break;
              case BinOp::kSub: want = u - v; break;
              case BinOp::kMul: want = u * v; break;
              case BinOp::kDiv: want = u / v; break;
              case BinOp::kMax: want = (std::isnan(u) || u > v) ? u : v; break;
              case BinOp::kMin: want = (std::isnan(u) || u < v) ? u : v; break;
              case BinOp::kPRelu: want = u < 0 ? v * u : u; break;
            }
            const float got = y[static_cast<size_t>(i)];
            ASSERT_TRUE((std::isnan(want) && std::isnan(got)) || want == got)
                << isa_name(isa) << " op " << op << " n " << n << " i " << i << " want " << want << " got " << got;
          }
          ASSERT_EQ(y[static_cast<size_t>(n)], 12345.0f);
        }
      }
    }
    std::vector<int64_t> a = {INT64_MAX, 3, -4}, c = {1, 5, 6}, y(3);
    k.binary_i64(BinOp::kAdd, Bcast::kVV, a.data(), c.data(), y.data(), 3);
    EXPECT_EQ(y, (std::vector<int64_t>{INT64_MIN, 8, 2})) << isa_name(isa);
    std::vector<int32_t> a32 = {7, -3}, c32 = {4}, y32(2);
    k.binary_i32(BinOp::kMul, Bcast::kVS, a32.data(), c32.data(), y32.data(), 2);
    EXPECT_EQ(y32, (std::vector<int32_t>{28, -12})) << isa_name(isa);
  }
}

}  // namespace
}  // namespace kiln
