// kiln.Aipp kernels (reference and CPU, plus the CPU row kernels of every ISA directly) against
// the straightforward implementation of aipp_test_util.h, for every required input format and
// option over odd sizes, both output layouts and batch > 1; and dynamic AIPP.
#include "aipp/aipp_test_util.h"
#include "backends/cpu/aipp/aipp.h"
#include "core/cpu_features.h"

namespace kiln::aipp::test {
namespace {

struct Case {
  std::string name;
  std::string config;  // the aipp_op body after aipp_mode
  int64_t c, h, w;     // network input
};

const Case kCases[] = {
    // YUV420SP with the JPEG YUV->RGB matrix (spec §1.2), crop to an odd 7x5 window and padding.
    {"nv12_jpeg_crop_pad",
     "input_format: YUV420SP_U8 csc_switch: true src_image_size_w: 14 src_image_size_h: 10 crop: true "
     "load_start_pos_w: 2 load_start_pos_h: 2 crop_size_w: 7 crop_size_h: 5 padding: true left_padding_size: 1 "
     "right_padding_size: 2 top_padding_size: 0 bottom_padding_size: 3 padding_value: -1.5 "
     "matrix_r0c0: 256 matrix_r0c1: 0 matrix_r0c2: 359 matrix_r1c0: 256 matrix_r1c1: -88 matrix_r1c2: -183 "
     "matrix_r2c0: 256 matrix_r2c1: 454 matrix_r2c2: 0 input_bias_0: 0 input_bias_1: 128 input_bias_2: 128 "
     "min_chn_0: 123.675 min_chn_1: 116.28 min_chn_2: 103.53 var_reci_chn_0: 0.0171247538316637 "
     "var_reci_chn_1: 0.0175070028011204 var_reci_chn_2: 0.0174291938997821",
     3, 8, 10},
    // The vdec sample: default BT.601 narrow YUV->BGR, NV21 (rbuv swap), mean + min.
    {"nv21_default_matrix", "input_format: YUV420SP_U8 csc_switch: true rbuv_swap_switch: true src_image_size_w: 26 "
     "src_image_size_h: 6 mean_chn_0: 10 mean_chn_1: 20 mean_chn_2: 30 min_chn_0: 0.5 min_chn_1: 1.5 min_chn_2: 2.5",
     3, 6, 26},
    // Wide rows: several 256-pixel chunks plus a tail.
    {"nv12_wide", "input_format: YUV420SP_U8 csc_switch: true src_image_size_w: 602 src_image_size_h: 4 "
     "var_reci_chn_0: 0.5 var_reci_chn_1: -2 var_reci_chn_2: 0.25", 3, 4, 602},
    {"nv12_csc_off_yuv444", "input_format: YUV420SP_U8 src_image_size_w: 14 src_image_size_h: 6 mean_chn_1: 128", 3, 6, 14},
    {"nv12_to_gray", "input_format: YUV420SP_U8 csc_switch: true src_image_size_w: 10 src_image_size_h: 4 "
     "matrix_r0c0: 256 matrix_r0c1: 0 matrix_r0c2: 0 matrix_r1c0: 0 matrix_r1c1: 0 matrix_r1c2: 0 matrix_r2c0: 0 "
     "matrix_r2c1: 0 matrix_r2c2: 0 input_bias_0: 0 input_bias_1: 0 input_bias_2: 0", 1, 4, 10},
    {"yuv400_gray", "input_format: YUV400_U8 src_image_size_w: 13 src_image_size_h: 5 mean_chn_0: 100 min_chn_0: 0.25 "
     "var_reci_chn_0: 0.01", 1, 5, 13},
    {"yuv400_crop_pad", "input_format: YUV400_U8 src_image_size_w: 13 src_image_size_h: 9 crop: true load_start_pos_w: 3 "
     "load_start_pos_h: 1 crop_size_w: 7 crop_size_h: 5 padding: true left_padding_size: 2 top_padding_size: 1 "
     "padding_value: 7", 1, 6, 9},
    // Large enough that the CPU kernel splits rows across threads, with splits inside images.
    {"yuv400_threads_crop_pad", "input_format: YUV400_U8 src_image_size_w: 1202 src_image_size_h: 41 crop: true "
     "load_start_pos_w: 1 load_start_pos_h: 2 crop_size_w: 1199 crop_size_h: 37 padding: true left_padding_size: 1 "
     "top_padding_size: 3 padding_value: -2 mean_chn_0: 3", 1, 40, 1200},
    // Resize (§5.4): up-scaling a cropped NV12 window with padding, down-scaling RGB, and a 0
    // output size meaning the network size.
    {"nv12_crop_resize_up_pad",
     "input_format: YUV420SP_U8 csc_switch: true src_image_size_w: 14 src_image_size_h: 10 crop: true "
     "load_start_pos_w: 2 load_start_pos_h: 2 crop_size_w: 7 crop_size_h: 5 resize: true resize_output_w: 20 "
     "resize_output_h: 16 padding: true left_padding_size: 1 right_padding_size: 2 bottom_padding_size: 3 "
     "padding_value: 9 min_chn_0: 100 var_reci_chn_0: 0.5", 3, 19, 23},
    {"rgb888_resize_down", "input_format: RGB888_U8 src_image_size_w: 67 src_image_size_h: 41 resize: true "
     "resize_output_w: 16 resize_output_h: 17 var_reci_chn_2: 0.25", 3, 17, 16},
    {"xrgb_resize_to_network", "input_format: XRGB8888_U8 csc_switch: true src_image_size_w: 13 src_image_size_h: 9 "
     "resize: true", 4, 18, 20},
    {"rgb888_plain", "input_format: RGB888_U8 src_image_size_w: 13 src_image_size_h: 5 min_chn_0: 1 min_chn_1: 2 "
     "min_chn_2: 3 var_reci_chn_0: 2 var_reci_chn_1: 3 var_reci_chn_2: 4", 3, 5, 13},
    {"bgr888_swap_crop", "input_format: RGB888_U8 rbuv_swap_switch: true src_image_size_w: 13 src_image_size_h: 9 "
     "crop: true load_start_pos_w: 3 load_start_pos_h: 1 crop_size_w: 7 crop_size_h: 5", 3, 5, 7},
    {"rgb888_to_yuv_default", "input_format: RGB888_U8 csc_switch: true src_image_size_w: 11 src_image_size_h: 3", 3, 3, 11},
    {"rgb888_to_yuv_jpeg", "input_format: RGB888_U8 csc_switch: true src_image_size_w: 11 src_image_size_h: 3 "
     "matrix_r0c0: 77 matrix_r0c1: 150 matrix_r0c2: 29 matrix_r1c0: -43 matrix_r1c1: -85 matrix_r1c2: 128 "
     "matrix_r2c0: 128 matrix_r2c1: -107 matrix_r2c2: -21 output_bias_0: 0 output_bias_1: 128 output_bias_2: 128", 3, 3, 11},
    {"rgb888_to_gray", "input_format: RGB888_U8 csc_switch: true src_image_size_w: 9 src_image_size_h: 3 "
     "matrix_r0c0: 76 matrix_r0c1: 150 matrix_r0c2: 30 matrix_r1c0: 0 matrix_r1c1: 0 matrix_r1c2: 0 matrix_r2c0: 0 "
     "matrix_r2c1: 0 matrix_r2c2: 0 output_bias_0: 0 output_bias_1: 0 output_bias_2: 0", 1, 3, 9},
    {"xrgb_ax_swap", "input_format: XRGB8888_U8 ax_swap_switch: true src_image_size_w: 13 src_image_size_h: 5", 3, 5, 13},
    {"xbgr_ax_rbuv_swap", "input_format: XRGB8888_U8 ax_swap_switch: true rbuv_swap_switch: true src_image_size_w: 13 "
     "src_image_size_h: 5", 3, 5, 13},
    {"rgbx_four_channels", "input_format: XRGB8888_U8 src_image_size_w: 13 src_image_size_h: 5 mean_chn_3: 5 "
     "var_reci_chn_3: 0.5", 4, 5, 13},
    {"bgrx_csc_crop_pad", "input_format: XRGB8888_U8 rbuv_swap_switch: true csc_switch: true src_image_size_w: 15 "
     "src_image_size_h: 7 crop: true load_start_pos_w: 1 load_start_pos_h: 1 crop_size_w: 13 crop_size_h: 5 padding: true "
     "right_padding_size: 3 bottom_padding_size: 2 padding_value: 0.75", 4, 7, 16},
};

// gtest prints a failing parameter with this (instead of its raw bytes).
void PrintTo(const Case& c, std::ostream* os) { *os << c.name << " C=" << c.c << " H=" << c.h << " W=" << c.w; }

class AippKernelTest : public ::testing::TestWithParam<Case> {};

TEST_P(AippKernelTest, MatchesStraightforwardImplementation) {
  const Case& k = GetParam();
  Params p = parse_params("aipp_op { aipp_mode: static " + k.config + " }");
  ASSERT_TRUE(validate_against_input(p, {-1, k.c, k.h, k.w}, "x").is_ok())
      << validate_against_input(p, {-1, k.c, k.h, k.w}, "x").message();
  for (int64_t n : {1, 3}) {
    const int64_t image_bytes = p.image_bytes(p.src_image_size_w, p.src_image_size_h);
    const std::vector<uint8_t> raw = random_bytes(static_cast<size_t>(n * image_bytes), 17 + n);
    std::vector<float> want;
    for (int64_t b = 0; b < n; ++b) {
      std::vector<float> one = straightforward_aipp(p, raw.data() + b * image_bytes, k.c, k.h, k.w);
      want.insert(want.end(), one.begin(), one.end());
    }
    const std::vector<int64_t> dims = raw_image_dims(p, n);
    const Shape shape(dims.begin(), dims.end());
    for (bool channels_last : {false, true}) {
      const std::vector<float> expected = channels_last ? to_nhwc(want, n, k.c, k.h, k.w) : want;
      for (Backend backend : {Backend::kReference, Backend::kCpu}) {
        const std::string what = fmt::format("{} n={} {} {}", k.name, n, channels_last ? "NHWC" : "NCHW",
                                             backend == Backend::kCpu ? "cpu" : "reference");
        auto y = run_aipp(aipp_model(p, shape, k.c, k.h, k.w, channels_last), {{"image", Value(bytes_tensor(raw, shape))}}, backend);
        ASSERT_TRUE(y) << what << ": " << y.status().message();
        EXPECT_EQ(y->shape(), channels_last ? Shape({n, k.h, k.w, k.c}) : Shape({n, k.c, k.h, k.w})) << what;
        expect_close(expected, *y, p, k.c, channels_last, what);
      }
      // Every ISA row kernel directly (the session uses only the machine's best one).
      const cpu::AippPlan plan = cpu::make_aipp_plan(p, k.c, k.h, k.w, channels_last);
      using RowsFn = void (*)(const cpu::AippPlan&, const uint8_t*, float*, int64_t, int64_t);
      using CropRowsFn = void (*)(const cpu::AippPlan&, const uint8_t*, uint8_t*, int64_t, int64_t);
      struct Isa {
        const char* name;
        RowsFn rows;
        CropRowsFn crop_rows;
      };
      std::vector<Isa> isas = {{"scalar", cpu::aipp_rows_scalar, cpu::aipp_crop_rows_scalar}};
      if (cpu_isa() >= kiln::Isa::kAvx2) isas.push_back({"avx2", cpu::aipp_rows_avx2, cpu::aipp_crop_rows_avx2});
      for (const auto& [isa, rows, crop_rows] : isas) {
        Tensor y(DType::kFloat32, {n, k.c, k.h, k.w});
        for (int64_t b = 0; b < n; ++b) {
          const uint8_t* img = raw.data() + b * image_bytes;
          float* out = y.data<float>() + b * k.c * k.h * k.w;
          if (!plan.resize) {
            rows(plan, img, out, 0, k.h);
            continue;
          }
          std::vector<uint8_t> planes(static_cast<size_t>(k.c * plan.crop_w * plan.crop_h));
          std::vector<int32_t> x0(static_cast<size_t>(plan.resize_w)), x1(x0.size());
          std::vector<float> wx(x0.size());
          cpu::aipp_resize_taps(plan.crop_w, plan.resize_w, x0.data(), x1.data(), wx.data());
          crop_rows(plan, img, planes.data(), 0, plan.crop_h);
          cpu::aipp_resize_rows(plan, planes.data(), x0.data(), x1.data(), wx.data(), out, 0, k.h);
        }
        expect_close(expected, y, p, k.c, channels_last, fmt::format("{} n={} {} rows_{}", k.name, n, channels_last ? "NHWC" : "NCHW", isa));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, AippKernelTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(AippKernel, PaddingValueIsNotNormalised) {
  Params p = parse_params("aipp_op { aipp_mode: static input_format: YUV400_U8 src_image_size_w: 4 src_image_size_h: 2 "
                          "padding: true left_padding_size: 1 top_padding_size: 1 padding_value: 3.25 mean_chn_0: 200 "
                          "var_reci_chn_0: -0.5 }");
  ASSERT_TRUE(validate_against_input(p, {1, 1, 3, 5}, "x").is_ok());
  const std::vector<uint8_t> raw = {10, 20, 30, 40, 50, 60, 70, 80};
  for (Backend backend : {Backend::kReference, Backend::kCpu}) {
    auto y = run_aipp(aipp_model(p, {1, 2, 4, 1}, 1, 3, 5, false), {{"image", Value(bytes_tensor(raw, {1, 2, 4, 1}))}}, backend);
    ASSERT_TRUE(y) << y.status().message();
    const float* v = y->data<float>();
    for (int x = 0; x < 5; ++x) EXPECT_EQ(v[x], 3.25f);  // top row
    EXPECT_EQ(v[5], 3.25f);                              // left column
    EXPECT_EQ(v[10], 3.25f);
    EXPECT_FLOAT_EQ(v[6], (10 - 200) * -0.5f);           // hand-computed: 95
    EXPECT_FLOAT_EQ(v[14], (80 - 200) * -0.5f);          // 60
  }
}

TEST(AippKernel, HandComputedNv12Pixel) {
  // One 2x2 NV12 block: Y = 100, 110 / 120, 130; U = 90, V = 200; JPEG matrix, bias 0/128/128.
  // R = (256*(100) + 359*(72)) >> 8 = (25600 + 25848) >> 8 = 200; G = (25600 - 88*(-38) - 183*72) >> 8
  //   = (25600 + 3344 - 13176) >> 8 = 61; B = (25600 + 454*(-38)) >> 8 = (25600 - 17252) >> 8 = 32.
  Params p = parse_params("aipp_op { aipp_mode: static input_format: YUV420SP_U8 csc_switch: true src_image_size_w: 2 "
                          "src_image_size_h: 2 matrix_r0c0: 256 matrix_r0c1: 0 matrix_r0c2: 359 matrix_r1c0: 256 "
                          "matrix_r1c1: -88 matrix_r1c2: -183 matrix_r2c0: 256 matrix_r2c1: 454 matrix_r2c2: 0 "
                          "input_bias_0: 0 input_bias_1: 128 input_bias_2: 128 }");
  ASSERT_TRUE(validate_against_input(p, {1, 3, 2, 2}, "x").is_ok());
  const std::vector<uint8_t> raw = {100, 110, 120, 130, 90, 200};
  for (Backend backend : {Backend::kReference, Backend::kCpu}) {
    auto y = run_aipp(aipp_model(p, {1, 3, 2, 1}, 3, 2, 2, false), {{"image", Value(bytes_tensor(raw, {1, 3, 2, 1}))}}, backend);
    ASSERT_TRUE(y) << y.status().message();
    EXPECT_EQ(y->data<float>()[0], 200.f);
    EXPECT_EQ(y->data<float>()[4], 61.f);
    EXPECT_EQ(y->data<float>()[8], 32.f);
  }
}

TEST(AippKernel, WrongImageShapeIsAnError) {
  Params p = parse_params("aipp_op { aipp_mode: static input_format: RGB888_U8 src_image_size_w: 4 src_image_size_h: 2 }");
  ASSERT_TRUE(validate_against_input(p, {1, 3, 2, 4}, "x").is_ok());
  for (Backend backend : {Backend::kReference, Backend::kCpu}) {
    auto model = aipp_model(p, {1, 2, 4, 3}, 3, 2, 4, false);
    model->graph->inputs[0]->type = ir::TypeInfo::tensor(DType::kUInt8, {ir::Dim(1), ir::Dim::named("h"), ir::Dim(4), ir::Dim(3)});
    auto y = run_aipp(model, {{"image", Value(Tensor(DType::kUInt8, {1, 3, 4, 3}))}}, backend);
    ASSERT_FALSE(y);
    EXPECT_NE(y.status().message().find("the raw image must be uint8[1x2x4x3] (RGB888_U8 4x2), got uint8[1x3x4x3]"), std::string::npos) << y.status().message();
  }
}

// Parameters that arrive as JSON (a hand-made node, an .om file) are checked before any byte is
// read: a crop origin outside the image or an overflowing matrix is an error, not a wild read.
TEST(AippKernel, BadParamsAttributeIsAnError) {
  Params p = parse_params("aipp_op { aipp_mode: static input_format: RGB888_U8 src_image_size_w: 8 src_image_size_h: 4 }");
  Params neg = p;
  neg.crop = true, neg.load_start_pos_w = -2, neg.crop_size_w = 8, neg.crop_size_h = 4;
  Params big = p;
  big.csc_switch = true, big.matrix[0] = 1 << 30;
  for (Backend backend : {Backend::kReference, Backend::kCpu}) {
    auto y = run_aipp(aipp_model(neg, {1, 4, 8, 3}, 3, 4, 8, false), {{"image", Value(Tensor(DType::kUInt8, {1, 4, 8, 3}))}}, backend);
    ASSERT_FALSE(y);
    EXPECT_NE(y.status().message().find("load_start_pos_w = -2 is out of range [0, 4095]"), std::string::npos) << y.status().message();
    y = run_aipp(aipp_model(big, {1, 4, 8, 3}, 3, 4, 8, false), {{"image", Value(Tensor(DType::kUInt8, {1, 4, 8, 3}))}}, backend);
    ASSERT_FALSE(y);
    EXPECT_NE(y.status().message().find("matrix = 1073741824 is out of range"), std::string::npos) << y.status().message();
  }
}

// Dynamic AIPP: the parameter block decides the format, crop, padding and normalisation of each
// batch element at run time.
TEST(AippKernel, DynamicMode) {
  Params base = parse_params("aipp_op { aipp_mode: static input_format: YUV420SP_U8 csc_switch: true src_image_size_w: 16 "
                             "src_image_size_h: 8 }");
  Params e0 = base, e1 = base;
  e0.crop = true, e0.load_start_pos_w = 2, e0.load_start_pos_h = 2, e0.crop_size_w = 9, e0.crop_size_h = 5;
  e0.padding = true, e0.left_padding_size = 1, e0.right_padding_size = 0, e0.top_padding_size = 1, e0.bottom_padding_size = 0;
  e0.mean_chn = {10, 20, 30, 0};
  e0.min_chn = {0.5f, 1, 2, 0};
  e0.var_reci_chn = {0.25f, 0.5f, 2, 1};
  e1.crop = true, e1.load_start_pos_w = 6, e1.load_start_pos_h = 0, e1.crop_size_w = 10, e1.crop_size_h = 6;
  e1.mean_chn = {1, 2, 3, 0};
  const int64_t C = 3, H = 6, W = 10;
  const std::vector<uint8_t> block = encode_dynamic_block({e0, e1});
  const int64_t image_bytes = base.image_bytes(16, 8);
  const int64_t max_src = 2 * image_bytes + 7;  // the buffer may be larger than the images
  const std::vector<uint8_t> raw = random_bytes(static_cast<size_t>(max_src), 99);
  std::vector<float> want = straightforward_aipp(e0, raw.data(), C, H, W);
  std::vector<float> second = straightforward_aipp(e1, raw.data() + image_bytes, C, H, W);
  want.insert(want.end(), second.begin(), second.end());
  Params node_params;
  node_params.mode = Mode::kDynamic;
  node_params.max_src_image_size = static_cast<uint32_t>(max_src);
  const int64_t block_bytes = static_cast<int64_t>(block.size());
  for (bool channels_last : {false, true}) {
    for (Backend backend : {Backend::kReference, Backend::kCpu}) {
      auto model = aipp_model(node_params, {max_src}, C, H, W, channels_last, block_bytes);
      auto y = run_aipp(model, {{"image", Value(bytes_tensor(raw, {max_src}))}, {"block", Value(bytes_tensor(block, {block_bytes}))}}, backend);
      ASSERT_TRUE(y) << y.status().message();
      EXPECT_EQ(y->dim(0), 2);
      expect_close(channels_last ? to_nhwc(want, 2, C, H, W) : want, *y, e0, C, channels_last,
                   fmt::format("dynamic {} {}", channels_last ? "NHWC" : "NCHW", backend == Backend::kCpu ? "cpu" : "reference"));
    }
  }
  // A bad block or a too-small image buffer is an error naming the field, on both backends.
  std::vector<uint8_t> bad = block;
  bad[64 + 96 + 1] = 2;  // batch 1 scfSwitch
  Params wrong = e1;
  wrong.crop_size_w = 9;  // 9 + 0 padding != W
  const std::vector<uint8_t> geometry = encode_dynamic_block({e0, wrong});
  for (Backend backend : {Backend::kReference, Backend::kCpu}) {
    auto model = aipp_model(node_params, {max_src}, C, H, W, false, block_bytes);
    auto y = run_aipp(model, {{"image", Value(bytes_tensor(raw, {max_src}))}, {"block", Value(bytes_tensor(bad, {block_bytes}))}}, backend);
    ASSERT_FALSE(y);
    EXPECT_NE(y.status().message().find("batch 1: scfSwitch"), std::string::npos) << y.status().message();
    model = aipp_model(node_params, {max_src}, C, H, W, false, block_bytes);
    y = run_aipp(model, {{"image", Value(bytes_tensor(raw, {max_src}))}, {"block", Value(bytes_tensor(geometry, {block_bytes}))}}, backend);
    ASSERT_FALSE(y);
    EXPECT_NE(y.status().message().find("width after crop and padding is 9 + 0 + 0 = 9, but the network input W is 10"), std::string::npos)
        << y.status().message();
    model = aipp_model(node_params, {image_bytes}, C, H, W, false, block_bytes);
    y = run_aipp(model, {{"image", Value(bytes_tensor(std::vector<uint8_t>(raw.begin(), raw.begin() + image_bytes), {image_bytes}))},
                         {"block", Value(bytes_tensor(block, {block_bytes}))}}, backend);
    ASSERT_FALSE(y);
    EXPECT_NE(y.status().message().find("batch element 1"), std::string::npos) << y.status().message();
  }
}

}  // namespace
}  // namespace kiln::aipp::test
