// CPU tensor family (src/backends/cpu/tensor/) against the reference kernels: data movement,
// Resize / kiln.NhwcResize, reductions. Shapes chosen to hurt: 1, 7, 13, 127, empty dims.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "backends/cpu/tensor/reduce_rows.h"
#include "backends/cpu/tensor/transpose.h"
#include "core/cpu_features.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

Tensor ints(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>(v, {n});
}
Tensor floats(std::vector<float> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<float>(v, {n});
}

// ---- Transpose ----

void check_transpose(const Shape& shape, const std::vector<int64_t>& perm, DType dtype = DType::kFloat32,
                     uint64_t seed = 1) {
  CpuCheck c("Transpose", 13);
  c.input(random_tensor(shape, seed, dtype));
  c.attr_ints("perm", perm);
  EXPECT_TRUE(c.check());
}

TEST(CpuTensor, TransposeEveryPermRank1To4) {
  const Shape shapes[] = {{7}, {13, 7}, {3, 1, 5}, {2, 7, 13, 3}};
  for (const Shape& s : shapes) {
    std::vector<int64_t> perm(s.size());
    std::iota(perm.begin(), perm.end(), 0);
    do {
      check_transpose(s, perm);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(CpuTensor, TransposeRank5And6AndDtypes) {
  check_transpose({2, 3, 1, 5, 7}, {4, 0, 3, 1, 2});
  check_transpose({2, 3, 4, 5, 7}, {0, 2, 1, 4, 3}, DType::kInt64);
  check_transpose({2, 3, 2, 5, 3, 2}, {5, 3, 1, 0, 2, 4}, DType::kBool);
  check_transpose({2, 3, 2, 5, 3, 2}, {0, 1, 2, 3, 5, 4}, DType::kInt32);
  check_transpose({1, 1, 1}, {2, 1, 0});
  check_transpose({}, {});
}

TEST(CpuTensor, TransposeLayoutConversions) {
  for (const Shape& s : {Shape{1, 13, 17, 19}, Shape{2, 64, 20, 20}, Shape{1, 127, 9, 1}, Shape{3, 1, 7, 7}}) {
    check_transpose(s, {0, 2, 3, 1});
    check_transpose(s, {0, 3, 1, 2});
    check_transpose(s, {0, 2, 3, 1}, DType::kInt64);
  }
  check_transpose({2, 0, 3, 4}, {0, 2, 3, 1});
  // Colour images NCHW -> NHWC: the 3-plane interleave path (several chunks, ragged tail).
  for (const Shape& s : {Shape{1, 3, 224, 224}, Shape{2, 3, 5, 7}, Shape{1, 3, 1, 1}, Shape{3, 3, 48, 97}}) {
    check_transpose(s, {0, 2, 3, 1});
  }
}

TEST(CpuTensor, TransposeInterleave3VariantsAgree) {
  // Hand-checked: planes x = 1.., y = 101.., z = 201.. interleave to x0 y0 z0 x1 y1 z1 ...
  if (cpu_isa() < Isa::kAvx2) GTEST_SKIP() << "no AVX2";
  for (int64_t cols : {1, 7, 8, 9, 16, 23, 40}) {
    const int64_t lda = cols + 2;
    std::vector<uint32_t> a(static_cast<size_t>(3 * lda));
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < lda; ++j) a[static_cast<size_t>(i * lda + j)] = static_cast<uint32_t>(100 * i + j + 1);
    std::vector<uint32_t> want(static_cast<size_t>(3 * cols)), b1(want.size() + 1, 0), b2 = b1;
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t i = 0; i < 3; ++i) want[static_cast<size_t>(3 * j + i)] = static_cast<uint32_t>(100 * i + j + 1);
    cpu::tensor::transpose_interleave3_4byte_scalar(a.data(), lda, b1.data(), cols);
    cpu::tensor::transpose_interleave3_4byte_avx2(a.data(), lda, b2.data(), cols);
    EXPECT_EQ(std::vector<uint32_t>(b1.begin(), b1.begin() + 3 * cols), want) << cols;
    EXPECT_EQ(b1, b2) << cols;
    EXPECT_EQ(b2.back(), 0u) << "wrote past the output";
  }
}

TEST(CpuTensor, TransposeDefaultPermReverses) {
  CpuCheck c("Transpose", 13);
  c.input(random_tensor({3, 7, 13}, 2));
  EXPECT_TRUE(c.check());
}

TEST(CpuTensor, TransposeTileVariantsAgree) {
  // The AVX2 8x8 tile kernel against the scalar one on ragged sizes (strided source and dest).
  if (cpu_isa() < Isa::kAvx2) GTEST_SKIP() << "no AVX2";
  for (int64_t rows : {1, 7, 8, 13, 64}) {
    for (int64_t cols : {1, 8, 9, 31}) {
      const int64_t lda = cols + 3, ldb = rows + 5;
      std::vector<uint32_t> a(static_cast<size_t>(rows * lda));
      std::iota(a.begin(), a.end(), 1u);
      std::vector<uint32_t> b1(static_cast<size_t>(cols * ldb), 0), b2 = b1;
      cpu::tensor::transpose_tile_4byte_scalar(a.data(), lda, b1.data(), ldb, rows, cols);
      cpu::tensor::transpose_tile_4byte_avx2(a.data(), lda, b2.data(), ldb, rows, cols);
      EXPECT_EQ(b1, b2) << rows << "x" << cols;
    }
  }
}

// ---- views ----

TEST(CpuTensor, ReshapeFamily) {
  {
    CpuCheck c("Reshape", 14);
    c.input(random_tensor({2, 3, 7}, 3));
    c.constant(ints({-1, 7}));
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Flatten", 13);
    c.input(random_tensor({2, 3, 7}, 3));
    c.attr_int("axis", -1);
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Squeeze", 13);
    c.input(random_tensor({1, 3, 1, 7}, 3));
    c.constant(ints({-2}));
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Squeeze", 11);
    c.input(random_tensor({1, 3, 1, 7}, 3));
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Unsqueeze", 13);
    c.input(random_tensor({3, 7}, 3));
    c.constant(ints({0, -1}));
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Identity", 16);
    c.input(random_tensor({3, 0}, 3));
    EXPECT_TRUE(c.check());
  }
}

// ---- Concat / Split ----

TEST(CpuTensor, ConcatAxes) {
  for (int64_t axis : {0, 1, 2, -1}) {
    CpuCheck c("Concat", 13);
    Shape a{2, 3, 7}, b{2, 3, 7}, e{2, 3, 7};
    const size_t ua = static_cast<size_t>(axis < 0 ? axis + 3 : axis);
    b[ua] = 13;
    e[ua] = 0;
    c.input(random_tensor(a, 1));
    c.input(random_tensor(b, 2));
    c.input(random_tensor(e, 3));
    c.constant(random_tensor(a, 4));
    c.attr_int("axis", axis);
    EXPECT_TRUE(c.check());
  }
  CpuCheck big("Concat", 13);
  for (int i = 0; i < 3; ++i) big.input(random_tensor({1, 5 + i, 64, 65}, 10 + static_cast<uint64_t>(i), DType::kInt64));
  big.attr_int("axis", 1);
  EXPECT_TRUE(big.check());
}

TEST(CpuTensor, SplitForms) {
  {
    CpuCheck c("Split", 11, 3);
    c.input(random_tensor({2, 13, 3}, 1));
    c.attr_int("axis", 1);
    c.attr_ints("split", {3, 0, 10});
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Split", 13, 2);
    c.input(random_tensor({2, 13, 3}, 1));
    c.constant(ints({6, 7}));
    c.attr_int("axis", -2);
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Split", 13, 3);
    c.input(random_tensor({127, 3}, 1, DType::kInt64));
    EXPECT_TRUE(c.check());  // 127 is not divisible by 3: uneven parts as the reference makes them
  }
  {
    CpuCheck c("Split", 18, 3);
    c.input(random_tensor({7, 5}, 1));
    c.attr_int("num_outputs", 3);
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Split", 2, 2);
    c.input(random_tensor({4, 6}, 1));
    c.attr_int("axis", 1);
    EXPECT_TRUE(c.check());
  }
}

// ---- Slice ----

void check_slice(const Shape& shape, std::vector<int64_t> starts, std::vector<int64_t> ends,
                 std::vector<int64_t> axes, std::vector<int64_t> steps, bool constant) {
  CpuCheck c("Slice", 13);
  c.input(random_tensor(shape, 5));
  auto add = [&](const Tensor& t) { constant ? c.constant(t) : c.input(t); };
  add(ints(starts));
  add(ints(ends));
  if (!axes.empty()) add(ints(axes));
  else if (!steps.empty()) c.omitted();
  if (!steps.empty()) add(ints(steps));
  EXPECT_TRUE(c.check());
}

TEST(CpuTensor, SliceStepsAndNegatives) {
  for (bool constant : {true, false}) {
    check_slice({7, 13}, {1, 2}, {5, 11}, {}, {}, constant);
    check_slice({7, 13}, {-1}, {-1000}, {1}, {-1}, constant);
    check_slice({7, 13, 3}, {0, 12}, {7, 0}, {0, 1}, {2, -2}, constant);
    check_slice({2, 7, 13}, {1}, {INT64_MAX}, {-1}, {2}, constant);
    check_slice({2, 7, 13}, {5}, {2}, {1}, {1}, constant);  // empty
    check_slice({127}, {-3}, {INT64_MAX}, {0}, {1}, constant);
  }
  CpuCheck old("Slice", 1);
  old.input(random_tensor({5, 7}, 6));
  old.attr_ints("starts", {1, -3});
  old.attr_ints("ends", {4, 100});
  EXPECT_TRUE(old.check());
}

// ---- Pad ----

TEST(CpuTensor, PadModes) {
  for (const char* mode : {"constant", "reflect", "edge", "wrap"}) {
    {
      CpuCheck c("Pad", 13);
      c.input(random_tensor({1, 3, 7, 13}, 7));
      c.constant(ints({0, 0, 2, 3, 0, 0, 1, 4}));
      if (std::string(mode) == "constant") c.constant(Tensor::scalar<float>(1.5f));
      c.attr_string("mode", mode);
      EXPECT_TRUE(c.check());
    }
    {
      CpuCheck c("Pad", 18);
      c.input(random_tensor({7, 5, 3}, 8, DType::kInt64));
      c.input(ints({1, -1, 2, 0}));
      c.omitted();
      c.constant(ints({-1, 0}));
      c.attr_string("mode", mode);
      EXPECT_TRUE(c.check());
    }
    {
      CpuCheck c("Pad", 11);
      c.input(random_tensor({13}, 9));
      c.constant(ints({5, 6}));
      c.attr_string("mode", mode);
      EXPECT_TRUE(c.check());
    }
  }
  CpuCheck legacy("Pad", 2);
  legacy.input(random_tensor({2, 3}, 10));
  legacy.attr_ints("pads", {1, 0, 0, 2});
  legacy.attr_float("value", -3.0f);
  EXPECT_TRUE(legacy.check());
  CpuCheck empty("Pad", 13);
  empty.input(random_tensor({0, 3}, 10));
  empty.constant(ints({1, 1, 1, 1}));
  EXPECT_TRUE(empty.check());
}

// ---- Gather / Expand / Tile ----

TEST(CpuTensor, GatherAxesAndNegativeIndices) {
  for (int64_t axis : {0, 1, -1}) {
    CpuCheck c("Gather", 13);
    c.input(random_tensor({5, 7, 3}, 11));
    c.constant(Tensor::from_vector<int64_t>({0, -1, 2, -3, 1, 1}, {2, 3}));
    c.attr_int("axis", axis);
    EXPECT_TRUE(c.check());
  }
  CpuCheck scalar("Gather", 13);
  scalar.input(random_tensor({5, 7}, 12, DType::kInt64));
  scalar.input(Tensor::from_vector<int32_t>({-2}, {}));
  EXPECT_TRUE(scalar.check());
}

TEST(CpuTensor, GatherOutOfRangeIsAnError) {
  CpuCheck c("Gather", 13);
  c.input(random_tensor({5, 7}, 11));
  c.input(ints({0, -6}));
  auto r = c.run(Backend::kCpu);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("-6"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("Gather"), std::string::npos) << r.status().message();
}

TEST(CpuTensor, ExpandAndTile) {
  {
    CpuCheck c("Expand", 13);
    c.input(random_tensor({3, 1, 7}, 13));
    c.constant(ints({2, 1, 5, 1}));
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Expand", 13);
    c.input(random_tensor({1}, 13, DType::kInt64));
    c.input(ints({13, 127}));
    EXPECT_TRUE(c.check());
  }
  {
    CpuCheck c("Tile", 13);
    c.input(random_tensor({2, 3, 7}, 14));
    c.constant(ints({2, 1, 3}));
    EXPECT_TRUE(c.check());
  }
}

// ---- Resize / NhwcResize ----

struct ResizeCase {
  std::string mode, coord, nearest = "round_prefer_floor";
  std::vector<float> scales;     // NCHW order; empty = use sizes
  std::vector<int64_t> sizes;
  double cubic_a = -0.75;
  int exclude_outside = 0;
};

void check_resize(const ResizeCase& r, const Shape& nchw, bool nhwc, int opset = 13) {
  CpuCheck c(nhwc ? "NhwcResize" : "Resize", opset, 1, nhwc ? "kiln" : "");
  Shape in = nchw;
  if (nhwc) in = {nchw[0], nchw[2], nchw[3], nchw[1]};
  c.input(random_tensor(in, 21));
  if (opset >= 11) c.omitted();  // roi
  if (!r.scales.empty()) {
    c.constant(floats(r.scales));
  } else {
    c.constant(Tensor(DType::kFloat32, {0}));
    c.constant(ints(r.sizes));
  }
  c.attr_string("mode", r.mode);
  if (opset >= 11) {
    c.attr_string("coordinate_transformation_mode", r.coord);
    if (!r.nearest.empty()) c.attr_string("nearest_mode", r.nearest);
    c.attr_float("cubic_coeff_a", static_cast<float>(r.cubic_a));
    c.attr_int("exclude_outside", r.exclude_outside);
  }
  EXPECT_TRUE(c.check());
}

TEST(CpuTensor, ResizeNearestAllModes) {
  const char* coords[] = {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "tf_half_pixel_for_nn",
                          "half_pixel_symmetric"};
  const char* nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  for (bool nhwc : {false, true}) {
    for (const char* coord : coords) {
      for (const char* nm : nearests) {
        check_resize({"nearest", coord, nm, {1, 1, 2, 2}, {}}, {1, 3, 7, 13}, nhwc);
        check_resize({"nearest", coord, nm, {1, 1, 0.6f, 1.7f}, {}}, {2, 5, 13, 7}, nhwc);
        check_resize({"nearest", coord, nm, {}, {1, 3, 1, 9}}, {1, 3, 7, 13}, nhwc);
      }
    }
  }
}

TEST(CpuTensor, ResizeLinearAndCubic) {
  const char* coords[] = {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "half_pixel_symmetric"};
  for (bool nhwc : {false, true}) {
    for (const char* coord : coords) {
      check_resize({"linear", coord, "", {1, 1, 2, 2}, {}}, {1, 3, 7, 13}, nhwc);
      check_resize({"linear", coord, "", {}, {2, 3, 5, 1}}, {2, 3, 7, 13}, nhwc);
      check_resize({"cubic", coord, "", {1, 1, 1.5f, 0.75f}, {}}, {1, 2, 7, 13}, nhwc);
      check_resize({"cubic", coord, "", {}, {1, 2, 1, 17}, -0.5, 1}, {1, 2, 7, 13}, nhwc);
      check_resize({"cubic", coord, "", {1, 1, 3, 3}, {}, -0.75, 1}, {1, 1, 1, 7}, nhwc);
    }
  }
}

TEST(CpuTensor, ResizeX2NearestLikePpOcrAndLegacy) {
  // PP-OCR det: nearest x2, asymmetric/floor (opset 11+), and the Resize-10 form.
  check_resize({"nearest", "asymmetric", "floor", {1, 1, 2, 2}, {}}, {1, 96, 20, 20}, false);
  check_resize({"nearest", "asymmetric", "floor", {1, 1, 2, 2}, {}}, {1, 96, 20, 20}, true);
  check_resize({"nearest", "", "", {1, 1, 2, 2}, {}}, {1, 7, 5, 3}, false, 10);
  check_resize({"nearest", "", "", {1, 1, 0.5f, 0.5f}, {}}, {1, 7, 5, 3}, true, 10);
  check_resize({"linear", "", "", {1, 1, 2, 3}, {}}, {1, 2, 5, 3}, false, 10);
}

TEST(CpuTensor, ResizeDeclinesOtherRanksButStaysCorrect) {
  CpuCheck c("Resize", 13);
  c.input(random_tensor({2, 7, 13}, 22));
  c.omitted();
  c.constant(floats({1, 2, 0.5f}));
  c.require_cpu_kernel = false;
  EXPECT_TRUE(c.check());
}

// ---- Reductions ----

void check_reduce(const std::string& op, int opset, const Shape& shape, std::vector<int64_t> axes, int keepdims,
                  DType dtype = DType::kFloat32, int noop = 0) {
  CpuCheck c(op, opset);
  c.input(random_tensor(shape, 31, dtype));
  const bool axes_input = opset >= 18 || (op == "ReduceSum" && opset >= 13);
  if (axes_input) {
    if (!axes.empty()) c.constant(ints(axes));
  } else if (!axes.empty()) {
    c.attr_ints("axes", axes);
  }
  c.attr_int("keepdims", keepdims);
  if (noop) c.attr_int("noop_with_empty_axes", 1);
  c.atol = 1e-4;  // float accumulation vs the reference's double
  EXPECT_TRUE(c.check());
}

TEST(CpuTensor, ReducePatterns) {
  for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin"}) {
    for (int opset : {13, 18}) {
      for (int keep : {0, 1}) {
        check_reduce(op, opset, {13, 127}, {-1}, keep);          // rows
        check_reduce(op, opset, {127, 13}, {0}, keep);           // columns
        check_reduce(op, opset, {3, 13, 7}, {1}, keep);          // columns per outer
        check_reduce(op, opset, {1, 7, 1}, {}, keep);            // everything
        check_reduce(op, opset, {2, 3, 5, 7}, {2, -1}, keep);    // [K, R] after collapsing
        check_reduce(op, opset, {3, 5, 7}, {0, 2}, keep);        // [R, K, R]: generic path
        check_reduce(op, opset, {1}, {0}, keep);
        check_reduce(op, opset, {2, 0, 3}, {1}, keep);           // empty
      }
    }
  }
  check_reduce("ReduceSum", 13, {3, 5, 7}, {}, 1, DType::kFloat32, 1);  // noop
  check_reduce("ReduceMean", 13, {200000}, {0}, 0);                     // per-thread partials
  for (const char* op : {"ReduceSum", "ReduceMax", "ReduceMin"}) {
    check_reduce(op, 13, {13, 127}, {1}, 0, DType::kInt64);
    check_reduce(op, 13, {127, 13}, {0}, 1, DType::kInt64);
  }
}

TEST(CpuTensor, ArgMaxArgMin) {
  for (const char* op : {"ArgMax", "ArgMin"}) {
    for (int last : {0, 1}) {
      for (int64_t axis : {0, 1, -1}) {
        for (DType dt : {DType::kFloat32, DType::kInt64}) {  // int64 values in [-2, 2]: many ties
          CpuCheck c(op, 13);
          c.input(random_tensor({7, 13, 5}, 41, dt));
          c.attr_int("axis", axis);
          c.attr_int("keepdims", axis == 1 ? 0 : 1);
          c.attr_int("select_last_index", last);
          EXPECT_TRUE(c.check());
        }
      }
    }
  }
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

TEST(CpuTensor, ReduceRowVariantsAgree) {
  // The AVX2 row reduction against the portable one, NaN propagation included.
  if (cpu_isa() < Isa::kAvx2) GTEST_SKIP() << "no AVX2";
  using cpu::tensor::RowOp;
  for (int64_t n : {0, 1, 7, 8, 31, 32, 33, 127}) {
    Tensor t = random_tensor({n + 1}, static_cast<uint64_t>(n) + 50);
    const float* p = t.data<float>();
    for (RowOp op : {RowOp::kSum, RowOp::kMax, RowOp::kMin}) {
      const float a = cpu::tensor::reduce_row_f32_scalar(op, p, n), b = cpu::tensor::reduce_row_f32_avx2(op, p, n);
      EXPECT_TRUE(a == b || std::fabs(a - b) <= 1e-4f) << n << " op " << static_cast<int>(op) << ": " << a << " vs " << b;
    }
    if (n == 0) continue;
    t.data<float>()[n / 2] = std::nanf("");
    for (RowOp op : {RowOp::kMax, RowOp::kMin}) {
      EXPECT_TRUE(std::isnan(cpu::tensor::reduce_row_f32_avx2(op, p, n))) << n;
      EXPECT_TRUE(std::isnan(cpu::tensor::reduce_row_f32_scalar(op, p, n))) << n;
    }
  }
}

TEST(CpuTensor, ReduceMaxPropagatesNaN) {
  Tensor x = random_tensor({3, 37}, 60);
  x.data<float>()[40] = std::nanf("");
  for (const char* op : {"ReduceMax", "ReduceMin"}) {
    for (int64_t axis : {0, 1}) {
      CpuCheck c(op, 13);
      c.input(x);
      c.attr_ints("axes", {axis});
      EXPECT_TRUE(c.check());
    }
  }
}

}  // namespace
}  // namespace kiln
