// The packed GEMM (backends/cpu/packed_gemm): the kernel against a double-precision GEMM written
// here, for both micro-kernels (scalar, AVX2), and MatMul / Gemm / kiln.FusedMatMul through it
// against the reference backend.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <vector>

#include "backends/cpu/packed_gemm/packed_gemm.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

// Forces the packed path on (or off) for kernels prepared while it lives.
struct PackedPreference {
  explicit PackedPreference(int mode) { cpu::set_packed_gemm_preference(mode); }
  ~PackedPreference() { cpu::set_packed_gemm_preference(-1); }
};

struct Epi {
  bool bias = false, accumulate = false;
  ActKind act = ActKind::kNone;
  float scale = 1, shift = 0;
};

double activate(ActKind k, double v) {
  switch (k) {
    case ActKind::kRelu: return v > 0 ? v : 0;
    case ActKind::kGelu: return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    case ActKind::kSigmoid: return 1 / (1 + std::exp(-v));
    default: return v;
  }
}

// Runs packed_gemm on random data (B given transposed when `trans_b`) and compares every element
// with the double-precision product; returns the number of elements off by more than the bound.
int64_t mismatches(Isa isa, int64_t m, int64_t k, int64_t n, const Epi& e, bool trans_b, int threads) {
  const Tensor a = random_tensor({m, k + 3}, 1);  // rows k + 3 floats apart (lda != k)
  const Tensor b = random_tensor(trans_b ? Shape{n, k} : Shape{k, n}, 2);
  const Tensor bias = random_tensor({n}, 3);
  const Tensor c0 = random_tensor({m, n + 5}, 4);  // ldc != n; also the addend when accumulating
  const float* ad = a.data<float>();
  const float* bd = b.data<float>();
  const cpu::PackedGemmB packed = cpu::PackedGemmB::pack(bd, k, n, trans_b ? 1 : n, trans_b ? k : 1);
  Tensor c = c0.clone();
  cpu::PackedGemmEpilogue ep;
  ep.bias = e.bias ? bias.data<float>() : nullptr;
  ep.accumulate = e.accumulate;
  ep.act.kind = e.act;
  ep.act.scale = e.scale;
  ep.act.shift = e.shift;
  std::vector<unsigned char> scratch(cpu::packed_gemm_scratch_bytes(m, k, threads) + 64);
  void* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) & ~uintptr_t{63});
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  cpu::packed_gemm(m, ad, k + 3, packed, c.data<float>(), n + 5, ep, aligned, isa);
  omp_set_num_threads(saved);

  int64_t bad = 0;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n + 5; ++j) {
      const float got = c.data<float>()[i * (n + 5) + j];
      const float before = c0.data<float>()[i * (n + 5) + j];
      if (j >= n) {  // columns past n are not C's: untouched
        bad += got != before;
        continue;
      }
      double sum = 0, mag = 0;
      for (int64_t kk = 0; kk < k; ++kk) {
        const double p = double(ad[i * (k + 3) + kk]) * bd[trans_b ? j * k + kk : kk * n + j];
        sum += p;
        mag += std::fabs(p);
      }
      if (e.bias) sum += bias.data<float>()[j];
      if (e.accumulate) sum += before;
      const double want = activate(e.act, sum) * e.scale + e.shift;
      // fp32 accumulation over k terms: the error follows the sum of magnitudes.
      if (std::fabs(got - want) > 1e-5 * (mag + 1) + 1e-4 * std::fabs(want)) ++bad;
    }
  }
  return bad;
}

std::vector<Isa> isas() {
  std::vector<Isa> v = {Isa::kScalar};
  if (cpu_isa() >= Isa::kAvx2) v.push_back(Isa::kAvx2);
  return v;
}

// Rows around the 6-row tile, k around the 256 k-block, n around the 16-column panel.
TEST(CpuPackedGemm, ShapesAgainstDoubleProduct) {
  for (Isa isa : isas()) {
    for (int64_t m : {1, 2, 5, 6, 7, 13, 16}) {
      for (int64_t k : {1, 3, 255, 256, 257, 600}) {
        for (int64_t n : {16, 17, 40, 100}) {
          EXPECT_EQ(mismatches(isa, m, k, n, {}, false, 2), 0)
              << isa_name(isa) << " m=" << m << " k=" << k << " n=" << n;
        }
      }
    }
  }
}

TEST(CpuPackedGemm, EpiloguesTransposedBAndThreads) {
  const std::vector<Epi> epis = {{true, false, ActKind::kNone},       {false, true, ActKind::kNone},
                                 {true, true, ActKind::kRelu, 0.5f, 1.f}, {true, false, ActKind::kGelu},
                                 {false, true, ActKind::kSigmoid, 2.f, -1.f}};
  for (Isa isa : isas()) {
    for (size_t i = 0; i < epis.size(); ++i) {
      for (bool trans_b : {false, true}) {
        for (int threads : {1, 2, 3}) {
          EXPECT_EQ(mismatches(isa, 7, 300, 53, epis[i], trans_b, threads), 0)
              << isa_name(isa) << " epilogue " << i << " trans_b=" << trans_b << " threads=" << threads;
        }
      }
    }
  }
}

// B's packing: panel p, k-block kb holds B[kb*256 + r][16p + j] at row r, column j, zeros
// past k and n.
TEST(CpuPackedGemm, PackedLayoutByHand) {
  const int64_t k = 300, n = 20;
  std::vector<float> b(static_cast<size_t>(k * n));
  for (int64_t i = 0; i < k * n; ++i) b[static_cast<size_t>(i)] = static_cast<float>(i);
  const cpu::PackedGemmB p = cpu::PackedGemmB::pack(b.data(), k, n, n, 1);
  ASSERT_EQ(p.panels(), 2);
  ASSERT_EQ(p.kblocks(), 2);
  EXPECT_EQ(p.block(0, 0)[0], 0.f);
  EXPECT_EQ(p.block(0, 0)[1 * 16 + 3], static_cast<float>(1 * n + 3));
  EXPECT_EQ(p.block(1, 0)[2 * 16 + 3], static_cast<float>(2 * n + 19));
  EXPECT_EQ(p.block(1, 0)[2 * 16 + 4], 0.f);  // column 20: past n
  EXPECT_EQ(p.block(0, 1)[(299 - 256) * 16 + 5], static_cast<float>(299 * n + 5));
  EXPECT_EQ(p.block(0, 1)[(300 - 256) * 16 + 5], 0.f);  // row 300: past k
}

// MatMul / Gemm / FusedMatMul take the packed path for few rows and a constant B, and agree with
// the reference backend; more rows, or B as an input, stay on oneDNN.
TEST(CpuPackedGemm, OpsThroughThePackedPath) {
  PackedPreference on(1);
  auto runs_of = [](CpuCheck& c, bool expect_packed) -> ::testing::AssertionResult {
    const int64_t before = cpu::packed_gemm_runs();
    auto r = c.check();
    if (!r) return r;
    if ((cpu::packed_gemm_runs() > before) != expect_packed) {
      return ::testing::AssertionFailure() << (expect_packed ? "packed GEMM not taken" : "packed GEMM taken");
    }
    return ::testing::AssertionSuccess();
  };
  for (int64_t m : {1, 4, 16, 17}) {
    CpuCheck c("MatMul", 13);
    c.input(random_tensor({m, 96}, 1));
    c.constant(random_tensor({96, 40}, 2));
    EXPECT_TRUE(runs_of(c, m <= cpu::kPackedGemmMaxRows)) << "MatMul m=" << m;
  }
  {
    CpuCheck c("MatMul", 13);  // batch dims fold into rows: 2 x 3 = 6
    c.input(random_tensor({2, 3, 70}, 1));
    c.constant(random_tensor({1, 70, 33}, 2));
    EXPECT_TRUE(runs_of(c, true)) << "batched A";
  }
  {
    CpuCheck c("MatMul", 13);
    c.input(random_tensor({4, 96}, 1));
    c.input(random_tensor({96, 40}, 2));  // B not constant
    EXPECT_TRUE(runs_of(c, false)) << "B as input";
  }
  for (int tb = 0; tb < 2; ++tb) {
    for (bool row_c : {true, false}) {
      CpuCheck c("Gemm", 13);
      c.attr_int("transB", tb);
      c.attr_float("alpha", 0.5f);
      c.attr_float("beta", 1.5f);
      c.input(random_tensor({3, 50}, 5));
      c.constant(random_tensor(tb ? Shape{48, 50} : Shape{50, 48}, 6));
      c.constant(random_tensor(row_c ? Shape{48} : Shape{3, 48}, 7));
      EXPECT_TRUE(runs_of(c, true)) << "Gemm transB=" << tb << " row C=" << row_c;
    }
  }
  for (const char* act : {"Relu", "Gelu", "Sigmoid"}) {
    CpuCheck c("FusedMatMul", 1, 1, "kiln");
    c.attr_string("activation", act);
    c.input(random_tensor({1, 5, 64}, 1));
    c.constant(random_tensor({64, 100}, 2));
    c.constant(random_tensor({100}, 3));
    EXPECT_TRUE(runs_of(c, true)) << act;
  }
}

TEST(CpuPackedGemm, OffLeavesOneDnn) {
  PackedPreference off(0);
  CpuCheck c("MatMul", 13);
  c.input(random_tensor({4, 96}, 1));
  c.constant(random_tensor({96, 40}, 2));
  const int64_t before = cpu::packed_gemm_runs();
  EXPECT_TRUE(c.check());
  EXPECT_EQ(cpu::packed_gemm_runs(), before);
}

}  // namespace
}  // namespace kiln
