// oneDNN convolution family (backends/cpu/dnnl) against the reference backend: Conv, kiln.FusedConv
// (every activation, with/without Z, both layouts), ConvTranspose, pools and LRN.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

// The case tables below name only the leading fields of ConvCase; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "backends/cpu/dnnl/conv_kernels.h"
#include "ops/kiln/kiln_ops.h"
#include "cpu/cpu_check.h"

namespace kiln {
namespace {

using test_util::CpuCheck;
using test_util::random_tensor;

struct ConvCase {
  Shape x;  // NCHW
  int64_t m;
  std::vector<int64_t> k;
  int64_t group = 1;
  std::vector<int64_t> strides, dilations, pads;
  std::string auto_pad;
  bool bias = true;
};

void set_window_attrs(CpuCheck& c, const ConvCase& cc) {
  if (!cc.strides.empty()) c.attr_ints("strides", cc.strides);
  if (!cc.dilations.empty()) c.attr_ints("dilations", cc.dilations);
  if (!cc.pads.empty()) c.attr_ints("pads", cc.pads);
  if (!cc.auto_pad.empty()) c.attr_string("auto_pad", cc.auto_pad);
}

Shape weight_shape(const ConvCase& cc) {
  Shape w = {cc.m, cc.x[1] / cc.group};
  w.insert(w.end(), cc.k.begin(), cc.k.end());
  return w;
}

// c.check(), and the CPU run stayed on oneDNN (no per-shape reference fallback).
::testing::AssertionResult check_dnnl(const CpuCheck& c) {
  const int64_t before = cpu::onednn::reference_fallback_runs();
  auto r = c.check();
  if (!r) return r;
  if (cpu::onednn::reference_fallback_runs() != before) {
    return ::testing::AssertionFailure() << c.describe() << "\nran on the reference fallback, not oneDNN";
  }
  return r;
}

::testing::AssertionResult check_conv(const ConvCase& cc) {
  CpuCheck c("Conv", 11);
  c.input(random_tensor(cc.x, 1));
  c.constant(random_tensor(weight_shape(cc), 2));
  if (cc.bias) c.constant(random_tensor({cc.m}, 3));
  if (cc.group != 1) c.attr_int("group", cc.group);
  set_window_attrs(c, cc);
  return check_dnnl(c);
}

// kiln.FusedConv; the output shape for Z comes from a plain reference Conv run.
::testing::AssertionResult check_fused(const ConvCase& cc, bool channels_last, bool with_z, const std::string& act,
                                       std::vector<float> params = {}) {
  Shape y_shape;
  {
    CpuCheck ref("Conv", 11);
    ref.input(random_tensor(cc.x, 1));
    ref.constant(random_tensor(weight_shape(cc), 2));
    if (cc.group != 1) ref.attr_int("group", cc.group);
    set_window_attrs(ref, cc);
    auto out = ref.run(Backend::kReference);
    if (!out) return ::testing::AssertionFailure() << out.status().message();
    y_shape = (*out)[0].tensor().shape();
  }
  CpuCheck c("FusedConv", 1, 1, "kiln");
  c.input(random_tensor(channels_last ? to_channels_last(cc.x) : cc.x, 1));
  c.constant(random_tensor(weight_shape(cc), 2));
  if (cc.bias) c.constant(random_tensor({cc.m}, 3));
  else if (with_z) c.omitted();
  if (with_z) c.input(random_tensor(channels_last ? to_channels_last(y_shape) : y_shape, 4));
  if (cc.group != 1) c.attr_int("group", cc.group);
  set_window_attrs(c, cc);
  if (channels_last) c.attr_int("channels_last", 1);
  if (!act.empty()) c.attr_string("activation", act);
  if (!params.empty()) c.attr_floats("activation_params", params);
  // Sums of many products of values in [-1, 1] lose ~1e-5 absolute to summation order alone.
  int64_t reduction = cc.x[1] / cc.group;
  for (int64_t k : cc.k) reduction *= k;
  c.atol = 1e-5 * std::max(1.0, static_cast<double>(reduction) / 64.0);
  return check_dnnl(c);
}

const ConvCase kCases[] = {
    {{1, 13, 7, 9}, 8, {3, 3}, 1, {}, {}, {1, 1, 1, 1}},
    {{2, 16, 17, 17}, 24, {3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}},
    {{1, 3, 31, 29}, 16, {7, 7}, 1, {2, 2}, {}, {3, 3, 3, 3}},  // stem-like
    {{1, 7, 13, 13}, 5, {3, 3}, 1, {}, {2, 2}, {2, 2, 2, 2}},   // dilation 2
    {{1, 8, 11, 10}, 6, {3, 2}, 1, {1, 2}, {}, {0, 1, 2, 0}},   // asymmetric pads
    {{2, 8, 9, 9}, 12, {3, 3}, 2, {}, {}, {1, 1, 1, 1}},        // groups 2
    {{1, 16, 15, 15}, 16, {3, 3}, 16, {2, 2}, {}, {1, 1, 1, 1}},  // depthwise
    {{1, 9, 12, 12}, 18, {5, 5}, 9, {}, {}, {2, 2, 2, 2}},        // depthwise multiplier 2
    {{1, 32, 14, 14}, 17, {1, 1}, 1},                             // 1x1, odd M
    {{1, 5, 10, 11}, 4, {3, 3}, 1, {2, 2}, {}, {}, "SAME_UPPER"},
    {{1, 5, 10, 11}, 4, {4, 4}, 1, {2, 2}, {}, {}, "SAME_LOWER"},
    {{1, 5, 10, 11}, 4, {3, 3}, 1, {}, {}, {}, "VALID", false},
};

TEST(DnnlConv, ConvShapes) {
  for (const ConvCase& cc : kCases) EXPECT_TRUE(check_conv(cc));
}

TEST(DnnlConv, Conv1dAnd3d) {
  EXPECT_TRUE(check_conv({{2, 6, 19}, 7, {3}, 1, {2}, {}, {1, 2}}));
  EXPECT_TRUE(check_conv({{1, 4, 5, 6, 7}, 3, {3, 3, 3}, 1, {}, {}, {1, 1, 1, 1, 1, 1}}));
}

TEST(DnnlConv, FusedConvLayoutsAndZ) {
  for (const ConvCase& cc : kCases) {
    for (bool cl : {false, true}) {
      for (bool z : {false, true}) EXPECT_TRUE(check_fused(cc, cl, z, "Relu"));
    }
  }
}

// Channels-last convolutions with a large input run through the blocked layout where oneDNN's
// channels-last kernel is AVX2's direct one (measured 1.6-1.8x slower there); small ones and the
// few-channel stems do not. With AVX-512, brgconv runs channels-last in place at every size.
TEST(DnnlConv, WideChannelsLastConvGoesThroughBlockedLayout) {
  const bool brgconv = cpu::onednn::dense_conv_is_brgemm();
  const ConvCase wide = {{1, 32, 96, 181}, 5, {3, 3}, 1, {}, {}, {1, 1, 1, 1}};  // 2.2 MB input
  int64_t before = cpu::onednn::channels_last_blocked_convs();
  EXPECT_TRUE(check_fused(wide, true, true, "Relu"));
  if (brgconv) {
    EXPECT_EQ(cpu::onednn::channels_last_blocked_convs(), before) << "brgconv takes channels-last directly";
  } else {
    EXPECT_GT(cpu::onednn::channels_last_blocked_convs(), before);
  }
  for (const ConvCase& stays : {ConvCase{{1, 31, 96, 190}, 5, {3, 3}, 1, {}, {}, {1, 1, 1, 1}},  // 31 channels
                                ConvCase{{1, 32, 56, 56}, 8, {3, 3}, 1, {}, {}, {1, 1, 1, 1}}}) {  // 0.4 MB
    before = cpu::onednn::channels_last_blocked_convs();
    EXPECT_TRUE(check_fused(stays, true, false, "Relu"));
    EXPECT_EQ(cpu::onednn::channels_last_blocked_convs(), before);
  }
}

TEST(DnnlConv, FusedConvEveryActivation) {
  const ConvCase cc = {{1, 13, 7, 9}, 8, {3, 3}, 1, {}, {}, {1, 1, 1, 1}};
  const std::pair<std::string, std::vector<float>> acts[] = {
      {"", {}},          {"Relu", {}},   {"LeakyRelu", {0.1f}}, {"Clip", {-0.5f, 1.5f}}, {"Sigmoid", {}},
      {"Tanh", {}},      {"HardSigmoid", {0.2f, 0.5f}}, {"HardSwish", {}}, {"Silu", {}}, {"Gelu", {}},
      {"GeluTanh", {}}};
  for (const auto& [act, params] : acts) {
    for (bool cl : {false, true}) {
      for (bool z : {false, true}) EXPECT_TRUE(check_fused(cc, cl, z, act, params)) << act;
    }
  }
}

TEST(DnnlConv, FusedConvActivationAffine) {
  const ConvCase cc{{1, 13, 7, 9}, 8, {3, 3}, 1, {}, {}, {1, 1, 1, 1}};
  // HardSigmoid + affine once tripped oneDNN 2.6 (two eltwise_linear post-ops in one chain); a
  // negative scale swaps the clip interval's ends.
  const std::vector<float> affines[] = {{1.5f, 0.25f}, {-2.f, 0.5f}};
  for (const char* act : {"HardSwish", "HardSigmoid", ""}) {
    for (bool cl : {false, true}) {
      for (const std::vector<float>& affine : affines) {
        // check_fused has no affine parameter: build the same node and add the attribute.
        CpuCheck c("FusedConv", 1, 1, "kiln");
        c.input(random_tensor(cl ? std::vector<int64_t>{1, 7, 9, 13} : cc.x, 1));
        c.constant(random_tensor({8, 13, 3, 3}, 2));
        c.constant(random_tensor({8}, 3));
        c.attr_ints("pads", {1, 1, 1, 1});
        if (cl) c.attr_int("channels_last", 1);
        if (*act) c.attr_string("activation", act);
        if (std::string(act) == "HardSigmoid") c.attr_floats("activation_params", {0.2f, 0.5f});
        c.attr_floats("activation_affine", affine);
        EXPECT_TRUE(check_dnnl(c)) << act << " channels_last " << cl << " scale " << affine[0];
      }
    }
  }
}

TEST(DnnlConv, FusedConvNoBiasWithZ) {
  EXPECT_TRUE(check_fused({{1, 8, 9, 9}, 8, {3, 3}, 1, {}, {}, {1, 1, 1, 1}, "", false}, true, true, "Relu"));
}

TEST(DnnlConv, DynamicShapesShareKernel) {
  // Input shape unknown at prepare: primitives are created per shape at run time.
  for (Shape x : {Shape{1, 4, 8, 8}, Shape{3, 4, 5, 9}}) EXPECT_TRUE(check_conv({x, 6, {3, 3}, 1, {}, {}, {1, 1, 1, 1}}));
}

// A session of one channels-last kiln.FusedConv (+ Relu) and the reference session of the same
// model, for the tests below that run a prepared primitive many times.
struct ConvSessions {
  std::shared_ptr<ir::Model> model;
  std::unique_ptr<Session> cpu, ref;
};

ConvSessions conv_sessions(const ConvCase& cc, uint64_t seed) {
  CpuCheck c("FusedConv", 1, 1, "kiln");
  c.input(random_tensor(to_channels_last(cc.x), seed));
  c.constant(random_tensor(weight_shape(cc), seed + 1));
  c.constant(random_tensor({cc.m}, seed + 2));
  set_window_attrs(c, cc);
  c.attr_int("channels_last", 1);
  c.attr_string("activation", "Relu");
  std::vector<NamedValue> unused;
  ConvSessions s;
  s.model = c.build(&unused);
  EXPECT_TRUE(s.model->graph->finalize().is_ok());
  SessionOptions o;
  o.backend = Backend::kCpu;
  o.threads = 1;
  auto cpu = Session::create(s.model, o);
  o.backend = Backend::kReference;
  auto ref = Session::create(s.model, o);
  EXPECT_TRUE(cpu && ref);
  if (cpu) s.cpu = std::move(*cpu);
  if (ref) s.ref = std::move(*ref);
  return s;
}

// Largest |cpu - ref| over the outputs of one feed (infinity when a run fails).
double max_diff(ConvSessions& s, const Tensor& x) {
  std::vector<NamedValue> feeds = {{"in0", Value(x)}};
  auto y = s.cpu->run(feeds);
  auto r = s.ref->run(feeds);
  if (!y || !r || (*y)[0].tensor().shape() != (*r)[0].tensor().shape()) return INFINITY;
  const Tensor& yt = (*y)[0].tensor();
  const Tensor& rt = (*r)[0].tensor();
  double d = 0;
  for (int64_t i = 0; i < yt.numel(); ++i) d = std::max(d, std::fabs(double(yt.data<float>()[i]) - rt.data<float>()[i]));
  return d;
}

// The primitive's argument memories are built once per thread and re-pointed on every call
// (onednn::CallArgs): alternating inputs, and four threads at once, each get their own result.
TEST(DnnlConv, RepeatedAndConcurrentRunsOfOnePrimitive) {
  ConvSessions s = conv_sessions({{1, 16, 9, 11}, 24, {1, 1}}, 7);
  ASSERT_TRUE(s.cpu && s.ref);
  ASSERT_EQ(s.cpu->kernel_kind(*s.model->graph->nodes[0]), "cpu");
  std::vector<Tensor> xs;
  for (uint64_t t = 0; t < 4; ++t) xs.push_back(random_tensor({1, 9, 11, 16}, 40 + t));
  for (int rep = 0; rep < 3; ++rep) {
    for (const Tensor& x : xs) EXPECT_LT(max_diff(s, x), 1e-4) << "rep " << rep;
  }
  std::vector<double> worst(xs.size(), 0.0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < xs.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) worst[t] = std::max(worst[t], max_diff(s, xs[t]));
    });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < xs.size(); ++t) EXPECT_LT(worst[t], 1e-4) << "thread " << t;
}

// Sessions made and freed one after another on one thread: a new primitive (possibly at a freed
// one's address) never runs with the argument memories cached for an old one.
TEST(DnnlConv, FreedSessionsLeaveNoStaleArguments) {
  const ConvCase cases[] = {{{1, 8, 6, 6}, 12, {3, 3}, 1, {}, {}, {1, 1, 1, 1}},
                            {{1, 12, 5, 7}, 8, {1, 1}},
                            {{1, 8, 9, 9}, 4, {3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}}};
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < std::size(cases); ++i) {
      ConvSessions s = conv_sessions(cases[i], 100 + i);
      ASSERT_TRUE(s.cpu && s.ref);
      EXPECT_LT(max_diff(s, random_tensor(to_channels_last(cases[i].x), 200 + i)), 1e-4) << "case " << i;
    }
  }
}

TEST(DnnlConv, DeclinesNonConstantWeights) {
  CpuCheck c("Conv", 11);
  c.input(random_tensor({1, 4, 6, 6}, 1));
  c.input(random_tensor({4, 4, 3, 3}, 2));
  c.require_cpu_kernel = false;
  std::string kind;
  ASSERT_TRUE(c.run(Backend::kCpu, &kind).has_value());
  EXPECT_NE(kind, "cpu");
  EXPECT_TRUE(c.check());
}

// ---- ConvTranspose ----

struct DeconvCase {
  Shape x;  // NCHW
  int64_t m;  // output channels
  std::vector<int64_t> k;
  int64_t group = 1;
  std::vector<int64_t> strides, pads, output_padding, output_shape;
  std::string auto_pad;
  std::vector<int64_t> dilations;
};

CpuCheck deconv_check(const DeconvCase& dc, bool channels_last) {
  CpuCheck c(channels_last ? "NhwcConvTranspose" : "ConvTranspose", channels_last ? 1 : 11, 1, channels_last ? "kiln" : "");
  c.input(random_tensor(channels_last ? to_channels_last(dc.x) : dc.x, 1));
  Shape w = {dc.x[1], dc.m / dc.group};
  w.insert(w.end(), dc.k.begin(), dc.k.end());
  c.constant(random_tensor(w, 2));
  c.constant(random_tensor({dc.m}, 3));
  if (dc.group != 1) c.attr_int("group", dc.group);
  if (!dc.strides.empty()) c.attr_ints("strides", dc.strides);
  if (!dc.pads.empty()) c.attr_ints("pads", dc.pads);
  if (!dc.output_padding.empty()) c.attr_ints("output_padding", dc.output_padding);
  if (!dc.output_shape.empty()) c.attr_ints("output_shape", dc.output_shape);
  if (!dc.auto_pad.empty()) c.attr_string("auto_pad", dc.auto_pad);
  if (!dc.dilations.empty()) c.attr_ints("dilations", dc.dilations);
  return c;
}

TEST(DnnlConv, ConvTranspose) {
  const DeconvCase cases[] = {
      {{1, 13, 7, 9}, 8, {3, 3}},
      {{2, 16, 9, 9}, 8, {4, 4}, 1, {2, 2}, {1, 1, 1, 1}},
      {{1, 8, 5, 6}, 6, {3, 3}, 1, {2, 2}, {1, 1, 1, 1}, {1, 1}},  // output_padding
      {{1, 6, 5, 5}, 6, {3, 3}, 2, {2, 2}, {0, 1, 1, 0}},          // groups, asymmetric pads
      {{1, 4, 6, 6}, 4, {3, 3}, 1, {2, 2}, {}, {}, {12, 12}},      // output_shape
      {{1, 4, 6, 7}, 5, {3, 3}, 1, {2, 2}, {}, {}, {}, "SAME_UPPER"},
      {{1, 4, 6, 6}, 5, {3, 3}, 1, {}, {}, {}, {}, "", {2, 2}},    // dilation
      {{2, 5, 11}, 3, {4}, 1, {3}, {1, 2}},                        // 1D
  };
  for (const DeconvCase& dc : cases) {
    for (bool cl : {false, true}) EXPECT_TRUE(check_dnnl(deconv_check(dc, cl)));
  }
}

// kernel == stride without pads: channels-last runs it as a patch GEMM (one matmul per kernel row).
TEST(DnnlConv, ConvTransposeKernelEqualsStride) {
  const DeconvCase cases[] = {
      {{1, 24, 5, 7}, 1, {2, 2}, 1, {2, 2}},   // the OCR detector's last head: 24 -> 1
      {{2, 24, 6, 5}, 24, {2, 2}, 1, {2, 2}},  // batch 2, 24 -> 24
      {{1, 8, 4, 3}, 3, {3, 2}, 1, {3, 2}},    // non-square kernel
      {{1, 7, 3, 3}, 5, {1, 1}, 1, {1, 1}},    // 1x1 stride 1
      {{1, 8, 4, 4}, 4, {2, 2}, 1, {2, 2}, {1, 0, 1, 0}},  // pads: not a patch GEMM
  };
  for (const DeconvCase& dc : cases) {
    for (bool cl : {false, true}) EXPECT_TRUE(check_dnnl(deconv_check(dc, cl)));
  }
}

TEST(DnnlConv, ConvTransposeOutputBeyondInputFallsBack) {
  // output_padding without end pads: positions no input reaches (bias only) are ONNX-valid but
  // oneDNN would need a negative pad: the reference kernel runs this shape, results still agree.
  CpuCheck c = deconv_check({{1, 4, 5, 5}, 4, {3, 3}, 1, {2, 2}, {}, {1, 1}}, false);
  EXPECT_TRUE(c.check());
}

// ---- Pools and LRN ----

CpuCheck pool_check(const std::string& op, const Shape& x, bool channels_last) {
  CpuCheck c(channels_last ? "Nhwc" + op : op, channels_last ? 1 : (op == "LRN" ? 13 : 12), 1, channels_last ? "kiln" : "");
  c.input(random_tensor(channels_last ? to_channels_last(x) : x, 1));
  return c;
}

TEST(DnnlConv, MaxPool) {
  for (bool cl : {false, true}) {
    auto c = pool_check("MaxPool", {1, 13, 7, 9}, cl);
    c.attr_ints("kernel_shape", {3, 3});
    EXPECT_TRUE(check_dnnl(c));
    c.attr_ints("strides", {2, 2});
    c.attr_ints("pads", {1, 0, 1, 1});
    EXPECT_TRUE(check_dnnl(c));
    c.attr_int("ceil_mode", 1);
    EXPECT_TRUE(check_dnnl(c));
    auto d = pool_check("MaxPool", {2, 16, 17, 17}, cl);
    d.attr_ints("kernel_shape", {3, 3});
    d.attr_ints("dilations", {2, 2});
    d.attr_ints("strides", {2, 1});
    EXPECT_TRUE(check_dnnl(d));
    auto e = pool_check("MaxPool", {2, 5, 19}, cl);  // 1D
    e.attr_ints("kernel_shape", {4});
    e.attr_ints("strides", {3});
    e.attr_int("ceil_mode", 1);
    EXPECT_TRUE(check_dnnl(e));
  }
}

TEST(DnnlConv, AveragePool) {
  for (bool cl : {false, true}) {
    for (int include : {0, 1}) {
      auto c = pool_check("AveragePool", {2, 16, 17, 17}, cl);
      c.attr_ints("kernel_shape", {3, 3});
      c.attr_ints("strides", {2, 2});
      c.attr_ints("pads", {1, 1, 0, 1});
      c.attr_int("count_include_pad", include);
      EXPECT_TRUE(check_dnnl(c));
      auto d = pool_check("AveragePool", {1, 7, 10, 10}, cl);
      d.attr_ints("kernel_shape", {3, 3});
      d.attr_ints("strides", {2, 2});
      d.attr_int("ceil_mode", 1);
      d.attr_ints("pads", {1, 1, 1, 1});
      d.attr_int("count_include_pad", include);
      // include_pad + ceil_mode that needs extra right padding runs on the reference kernel.
      EXPECT_TRUE(include ? d.check() : check_dnnl(d));
    }
  }
}

TEST(DnnlConv, GlobalPools) {
  for (bool cl : {false, true}) {
    for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"}) {
      EXPECT_TRUE(check_dnnl(pool_check(op, {2, 13, 7, 9}, cl)));
      EXPECT_TRUE(check_dnnl(pool_check(op, {1, 17, 1, 1}, cl)));
      EXPECT_TRUE(check_dnnl(pool_check(op, {1, 3, 5, 4, 6}, cl)));
    }
  }
}

TEST(DnnlConv, MaxPoolIndicesDeclined) {
  CpuCheck c("MaxPool", 12, 2);
  c.input(random_tensor({1, 3, 6, 6}, 1));
  c.attr_ints("kernel_shape", {2, 2});
  c.require_cpu_kernel = false;
  std::string kind;
  ASSERT_TRUE(c.run(Backend::kCpu, &kind).has_value());
  EXPECT_NE(kind, "cpu");
}

TEST(DnnlConv, Lrn) {
  for (bool cl : {false, true}) {
    for (int64_t size : {1, 3, 5}) {
      auto c = pool_check("LRN", {2, 13, 7, 9}, cl);
      c.attr_int("size", size);
      c.attr_float("alpha", 0.3f);
      c.attr_float("beta", 0.6f);
      c.attr_float("bias", 1.5f);
      EXPECT_TRUE(check_dnnl(c)) << "size " << size;
    }
    auto d = pool_check("LRN", {1, 16, 5, 5}, cl);  // default alpha/beta/bias
    d.attr_int("size", 3);
    EXPECT_TRUE(check_dnnl(d));
    // Even sizes are declined (oneDNN's channel window differs from ONNX's).
    auto e = pool_check("LRN", {1, 6, 3, 3}, cl);
    e.attr_int("size", 4);
    e.require_cpu_kernel = false;
    std::string kind;
    ASSERT_TRUE(e.run(Backend::kCpu, &kind).has_value());
    EXPECT_NE(kind, "cpu");
    EXPECT_TRUE(e.check());
  }
}

}  // namespace
}  // namespace kiln
