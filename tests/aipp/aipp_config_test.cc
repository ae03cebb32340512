// The `--insert_op_conf` parser: the spec's example and sample configs, lexical rules, each
// default rule of §2, each error (with its line), every range, JSON and the dynamic block.
#include <gtest/gtest.h>

#include "converter/aipp_config.h"

namespace kiln::aipp {
namespace {

// The file of the vpc/jpeg samples (spec §1.2).
constexpr const char* kSpecExample = R"(aipp_op {
    aipp_mode : static
    related_input_rank : 0
    input_format : YUV420SP_U8
    csc_switch : true
    rbuv_swap_switch : false
    var_reci_chn_0 : 1
    var_reci_chn_1 : 1
    var_reci_chn_2 : 1
    min_chn_0 : 123
    min_chn_1 : 117
    min_chn_2 : 104
    load_start_pos_h : 0
    load_start_pos_w : 0
    src_image_size_w : 224
    src_image_size_h : 224
    matrix_r0c0 : 256
    matrix_r0c1 : 0
    matrix_r0c2 : 359
    matrix_r1c0 : 256
    matrix_r1c1 : -88
    matrix_r1c2 : -183
    matrix_r2c0 : 256
    matrix_r2c1 : 454
    matrix_r2c2 : 0
    input_bias_0 : 0
    input_bias_1 : 128
    input_bias_2 : 128
}
)";

// The vdec sample (spec §8): CSC on without a matrix.
constexpr const char* kVdecSample = R"(aipp_op{
aipp_mode:static
input_format : YUV420SP_U8
csc_switch : true
rbuv_swap_switch : false
min_chn_0 : 123
min_chn_1 : 117
min_chn_2 : 104
src_image_size_w : 224
src_image_size_h : 224
}
)";

Params parse_one(const std::string& text) {
  auto cfg = parse_config(text, "t.cfg");
  EXPECT_TRUE(cfg.has_value()) << cfg.status().message();
  if (!cfg) return {};
  EXPECT_EQ(cfg->ops.size(), 1u);
  return cfg->ops.at(0);
}

Params parse_params_text(const std::string& text) { return parse_one(text); }

// The parse error message for `text`, "" when it parsed.
std::string error_of(const std::string& text) {
  auto cfg = parse_config(text, "t.cfg");
  return cfg ? std::string() : cfg.status().message();
}

std::string block(const std::string& body) { return "aipp_op {\n aipp_mode: static\n input_format: RGB888_U8\n" + body + "\n}\n"; }

TEST(AippConfig, SpecExample) {
  Params p = parse_one(kSpecExample);
  EXPECT_EQ(p.mode, Mode::kStatic);
  EXPECT_EQ(p.input_format, InputFormat::kYuv420spU8);
  EXPECT_TRUE(p.csc_switch);
  EXPECT_EQ(p.src_image_size_w, 224);
  EXPECT_EQ(p.src_image_size_h, 224);
  EXPECT_EQ(p.matrix, (std::array<int32_t, 9>{256, 0, 359, 256, -88, -183, 256, 454, 0}));
  EXPECT_EQ(p.input_bias, (std::array<int32_t, 3>{0, 128, 128}));
  EXPECT_EQ(p.output_bias, (std::array<int32_t, 3>{16, 128, 128}));  // filled although unused (§2)
  EXPECT_EQ(p.min_chn, (std::array<float, 4>{123, 117, 104, 0}));
  EXPECT_EQ(p.var_reci_chn, (std::array<float, 4>{1, 1, 1, 1}));
  EXPECT_EQ(p.source_channels(), 3);
  EXPECT_EQ(p.image_bytes(224, 224), 75264);
  EXPECT_EQ(raw_image_dims(p, 1), (std::vector<int64_t>{1, 336, 224, 1}));
}

TEST(AippConfig, VdecSampleGetsBt601NarrowBgrDefaults) {
  Params p = parse_one(kVdecSample);
  EXPECT_EQ(p.matrix, (std::array<int32_t, 9>{298, 516, 0, 298, -100, -208, 298, 0, 409}));
  EXPECT_EQ(p.input_bias, (std::array<int32_t, 3>{16, 128, 128}));
}

TEST(AippConfig, RgbCscDefaultsToRgbToYuvNarrow) {
  Params p = parse_one(block("csc_switch: true"));
  EXPECT_EQ(p.matrix, (std::array<int32_t, 9>{66, 129, 25, -38, -74, 112, 112, -94, -18}));
  EXPECT_EQ(p.output_bias, (std::array<int32_t, 3>{16, 128, 128}));
  EXPECT_EQ(p.input_bias, (std::array<int32_t, 3>{16, 128, 128}));
}

TEST(AippConfig, MatrixAndBiasDefaultsFillOnlyMissingElements) {
  Params p = parse_one(block("csc_switch: true matrix_r0c0: 77 matrix_r2c2: -21 output_bias_1: 5"));
  EXPECT_EQ(p.matrix, (std::array<int32_t, 9>{77, 129, 25, -38, -74, 112, 112, -94, -21}));
  EXPECT_EQ(p.output_bias, (std::array<int32_t, 3>{16, 5, 128}));
}

TEST(AippConfig, CscOffLeavesMatrixZero) {
  Params p = parse_one(block("csc_switch: false"));
  EXPECT_EQ(p.matrix, (std::array<int32_t, 9>{}));
  EXPECT_EQ(p.input_bias, (std::array<int32_t, 3>{}));
}

TEST(AippConfig, SwitchesOffForceTheirFieldsToZero) {
  Params p = parse_one(block("src_image_size_w: 64 src_image_size_h: 64 crop: false load_start_pos_w: 4 crop_size_w: 8\n"
                             "resize: false resize_output_w: 32 padding: false left_padding_size: 3 top_padding_size: 2"));
  EXPECT_EQ(p.load_start_pos_w, 0);
  EXPECT_EQ(p.crop_size_w, 0);
  EXPECT_EQ(p.resize_output_w, 0);
  EXPECT_EQ(p.left_padding_size, 0);
  EXPECT_EQ(p.top_padding_size, 0);
}

TEST(AippConfig, MeanMinVarDefaults) {
  Params p = parse_one(block("var_reci_chn_1: 0.5"));
  EXPECT_EQ(p.mean_chn, (std::array<int32_t, 4>{0, 0, 0, 0}));
  EXPECT_EQ(p.min_chn, (std::array<float, 4>{0, 0, 0, 0}));
  EXPECT_EQ(p.var_reci_chn, (std::array<float, 4>{1, 0.5f, 1, 1}));
}

TEST(AippConfig, LexicalRules) {
  const std::string text = R"(# leading comment
aipp_op: {  # colon before the brace
  aipp_mode: 1 related_input_name: "data"   input_format: 3  # enums by number
  csc_switch: True rbuv_swap_switch: t ax_swap_switch: f crop: 1 padding: False
  matrix_r1c1 : -88; matrix_r2c0: +12,
  var_reci_chn_0: 0.0171247538316637 var_reci_chn_1: 1e-3 var_reci_chn_2: 2.5E+1 min_chn_0: 123.675
  src_image_size_w: 16 src_image_size_h: 8 load_start_pos_w: 2 crop_size_w: 4 crop_size_h: 4
}
)";
  Params p = parse_one(text);
  EXPECT_EQ(p.mode, Mode::kStatic);
  EXPECT_EQ(p.related_input_name, "data");
  EXPECT_EQ(p.input_format, InputFormat::kRgb888U8);
  EXPECT_TRUE(p.csc_switch);
  EXPECT_TRUE(p.rbuv_swap_switch);
  EXPECT_FALSE(p.ax_swap_switch);
  EXPECT_TRUE(p.crop);
  EXPECT_FALSE(p.padding);
  EXPECT_EQ(p.matrix[4], -88);
  EXPECT_EQ(p.matrix[6], 12);
  EXPECT_FLOAT_EQ(p.var_reci_chn[0], 0.0171247538316637f);
  EXPECT_FLOAT_EQ(p.var_reci_chn[1], 1e-3f);
  EXPECT_FLOAT_EQ(p.var_reci_chn[2], 25.f);
  EXPECT_FLOAT_EQ(p.min_chn[0], 123.675f);
  EXPECT_EQ(p.load_start_pos_w, 2);
  EXPECT_EQ(p.crop_size_w, 4);
}

TEST(AippConfig, SeveralBlocksInFileOrder) {
  auto cfg = parse_config(block("related_input_rank: 1") + block("related_input_rank: 0"), "t.cfg");
  ASSERT_TRUE(cfg) << cfg.status().message();
  ASSERT_EQ(cfg->ops.size(), 2u);
  EXPECT_EQ(cfg->ops[0].related_input_rank, 1u);
  EXPECT_EQ(cfg->ops[1].related_input_rank, 0u);
}

TEST(AippConfig, DynamicBlock) {
  auto cfg = parse_config("aipp_op {\n aipp_mode: dynamic\n related_input_rank: 0\n max_src_image_size: 752640\n}\n", "d.cfg");
  ASSERT_TRUE(cfg) << cfg.status().message();
  EXPECT_EQ(cfg->ops[0].mode, Mode::kDynamic);
  EXPECT_EQ(cfg->ops[0].max_src_image_size, 752640u);
}

TEST(AippConfig, RotationAngleZeroIsAWarning) {
  auto cfg = parse_config(block(" rotation_angle: 0"), "t.cfg");
  ASSERT_TRUE(cfg) << cfg.status().message();
  ASSERT_EQ(cfg->warnings.size(), 1u);
  EXPECT_NE(cfg->warnings[0].find("t.cfg:4: rotation_angle"), std::string::npos) << cfg->warnings[0];
  EXPECT_NE(error_of(block(" rotation_angle: 90")).find("t.cfg:4: rotation_angle = 90"), std::string::npos);
}

// Each error names the file, the line and the field.
struct ErrorCase {
  std::string body;      // lines after the 3 header lines of block(): body line 1 is file line 4
  std::string expected;  // substring of the message
};

TEST(AippConfig, ErrorsNameLineAndField) {
  const ErrorCase cases[] = {
      {"foo: 1", "t.cfg:4: unknown field 'foo' in aipp_op"},
      {"csc_switch: true\nmatrix_r0c0: 1\nmatrix_r0c0: 2", "t.cfg:6: matrix_r0c0 can not be configed repeatedly"},
      {"var_reci_chn_0: 1\nvar_reci_chn_0: 2", "t.cfg:5: var_reci_chn_0 can not be configed repeatedly"},
      {"input_bias_0: 1 input_bias_0: 1", "t.cfg:4: input_bias_0 can not be configed repeatedly"},
      {"crop: true\ncrop: false", "t.cfg:5: crop is given twice"},
      {"src_image_size_w: 5000", "t.cfg:4: src_image_size_w = 5000 is out of range [2, 4096]"},
      {"src_image_size_w: 1", "src_image_size_w = 1 is out of range [2, 4096] (or 0)"},
      {"src_image_size_h: 4097", "t.cfg:4: src_image_size_h = 4097 is out of range [1, 4096]"},
      {"\nmean_chn_2: 300", "t.cfg:5: mean_chn_2 = 300 is out of range [0, 255]"},
      {"min_chn_1: -1", "t.cfg:4: min_chn_1 = -1 is out of range [0, 255]"},
      {"var_reci_chn_3: 70000", "t.cfg:4: var_reci_chn_3 = 70000 is out of range [-65504, 65504]"},
      {"csc_switch: true matrix_r1c2: 40000", "t.cfg:4: matrix_r1c2 = 40000 is out of range [-32677, 32676]"},
      {"csc_switch: true output_bias_1: 256", "t.cfg:4: output_bias_1 = 256 is out of range [0, 255]"},
      {"csc_switch: true input_bias_2: -1", "t.cfg:4: input_bias_2 = -1 is out of range [0, 255]"},
      {"padding: true src_image_size_w: 8 src_image_size_h: 8\nleft_padding_size: 33", "t.cfg:5: left_padding_size = 33 is out of range [0, 32]"},
      {"padding: true src_image_size_w: 8 src_image_size_h: 8 bottom_padding_size: -1", "bottom_padding_size = -1 is out of range [0, 32]"},
      {"padding_value: 70000", "t.cfg:4: padding_value = 70000 is out of range"},
      {"resize: true resize_output_w: 8", "t.cfg:4: resize_output_w = 8 is out of range [16, 1920] (or 0)"},
      {"resize: true resize_output_w: 2000", "t.cfg:4: resize_output_w = 2000 is out of range [16, 1920] (or 0)"},
      {"resize: true padding: true src_image_size_w: 8 src_image_size_h: 8 resize_output_h: 32", "t.cfg:4: resize_output_w/h may be 0 (network size) only when padding is off"},
      {"raw_rgbir_to_f16_n: 32", "t.cfg:4: raw_rgbir_to_f16_n = 32 is out of range [0, 31]"},
      {"crop: true src_image_size_w: 16 src_image_size_h: 16\nload_start_pos_w: 16", "t.cfg:5: load_start_pos_w = 16 must be < src_image_size_w = 16"},
      {"crop: true src_image_size_w: 16 src_image_size_h: 16\nload_start_pos_h: 4 crop_size_h: 13", "t.cfg:5: load_start_pos_h + crop_size_h = 4 + 13 exceeds src_image_size_h = 16"},
      {"crop: true load_start_pos_w: 1", "src_image_size_w/h may be 0 only when crop and padding are both off"},
      {"crop: true padding: true src_image_size_w: 8 src_image_size_h: 8", "crop_size_w/h may be 0 (network size) only when padding is off"},
      {"support_rotation: true", "t.cfg:4: support_rotation is reserved and must be false"},
      {"single_line_mode: true", "t.cfg:4: single_line_mode is reserved and must be false"},
      {"src_image_size_w: 1.5", "t.cfg:4: src_image_size_w: invalid value '1.5' (expected an int32)"},
      {"csc_switch: yes", "t.cfg:4: csc_switch: invalid value 'yes' (expected true/false)"},
      {"related_input_rank: -1", "t.cfg:4: related_input_rank = -1 does not fit a uint32"},
      {"related_input_name: data", "t.cfg:4: related_input_name: invalid value 'data' (expected a double-quoted string)"},
      {"min_chn_0: abc", "t.cfg:4: min_chn_0: invalid value 'abc' (expected a number)"},
      {"sub { a: 1 }", "t.cfg:4: unknown field 'sub' in aipp_op"},
      {"csc_switch", "t.cfg:4: expected ':' after 'csc_switch'"},
  };
  for (const ErrorCase& c : cases) {
    const std::string msg = error_of(block(c.body));
    EXPECT_NE(msg.find(c.expected), std::string::npos) << "body: " << c.body << "\nmessage: " << msg;
  }
}

TEST(AippConfig, FormatErrors) {
  auto with_format = [](const std::string& f, const std::string& extra = "") {
    return error_of("aipp_op {\n aipp_mode: static\n input_format: " + f + "\n" + extra + "}\n");
  };
  EXPECT_NE(with_format("YUYV_U8").find("t.cfg:3: input_format YUYV_U8 is not supported"), std::string::npos);
  EXPECT_NE(with_format("NC1HWC0DI_FP16").find("input_format NC1HWC0DI_FP16 is not supported"), std::string::npos);
  EXPECT_NE(with_format("21").find("t.cfg:3: input_format = 21 does not fit"), std::string::npos);
  EXPECT_NE(with_format("BGR888_U8").find("t.cfg:3: input_format: invalid value 'BGR888_U8'"), std::string::npos);
  EXPECT_NE(with_format("yuv420sp_u8").find("invalid value"), std::string::npos);  // case-sensitive
  EXPECT_NE(with_format("YUV400_U8", "csc_switch: true\n").find("t.cfg:4: csc_switch must be false for YUV400_U8"), std::string::npos);
  EXPECT_NE(with_format("YUV420SP_U8", "src_image_size_w: 15\n").find("t.cfg:4: src_image_size_w = 15 must be even for YUV420SP_U8"), std::string::npos);
  EXPECT_NE(with_format("YUV420SP_U8", "src_image_size_h: 7\n").find("src_image_size_h = 7 must be even"), std::string::npos);
  EXPECT_NE(with_format("YUV420SP_U8", "crop: true src_image_size_w: 16 src_image_size_h: 16 load_start_pos_w: 3\n")
                .find("load_start_pos_w = 3 must be even"), std::string::npos);
  EXPECT_NE(error_of("aipp_op {\n aipp_mode: static\n}\n").find("t.cfg:1: input_format is required in static mode"), std::string::npos);
  EXPECT_NE(error_of("aipp_op {\n input_format: RGB888_U8\n}\n").find("t.cfg:1: aipp_mode must be set to static or dynamic"), std::string::npos);
  EXPECT_NE(error_of("aipp_op {\n aipp_mode: sometimes\n}\n").find("t.cfg:2: aipp_mode: invalid value 'sometimes'"), std::string::npos);
  EXPECT_NE(error_of("aipp_op {\n aipp_mode: dynamic\n}\n").find("t.cfg:1: max_src_image_size must be > 0 in dynamic mode"), std::string::npos);
}

TEST(AippConfig, FileLevelErrors) {
  EXPECT_NE(error_of("").find("t.cfg: no aipp_op block"), std::string::npos);
  EXPECT_NE(error_of("\naipp_opp { }").find("t.cfg:2: unknown field 'aipp_opp'"), std::string::npos);
  EXPECT_NE(error_of("aipp_op {\n aipp_mode: static\n").find("t.cfg:1: aipp_op block opened here is not closed"), std::string::npos);
  EXPECT_NE(error_of("aipp_op aipp_mode: static").find("t.cfg:1: expected '{' after aipp_op"), std::string::npos);
  EXPECT_NE(error_of("aipp_op { related_input_name: \"abc\n }").find("t.cfg:1: unterminated string"), std::string::npos);
  // Static and dynamic mixed.
  const std::string mixed = block("") + "aipp_op {\n aipp_mode: dynamic\n related_input_rank: 1\n max_src_image_size: 100\n}\n";
  EXPECT_NE(error_of(mixed).find("t.cfg:6: aipp_mode dynamic mixed with aipp_mode static of the block at line 1"), std::string::npos)
      << error_of(mixed);
  // Two blocks for one input.
  EXPECT_NE(error_of(block("") + block("")).find("t.cfg:6: aipp_op for the same input as the block at line 1"), std::string::npos);
  // Legacy multi_shape_op.
  EXPECT_NE(error_of("multi_shape_op {\n mode: batch\n related_input_rank: 0\n batch_list: 1\n batch_list: 2\n}\n")
                .find("t.cfg:1: multi_shape_op (legacy dynamic batch) is not supported; use atc --dynamic_batch_size"),
            std::string::npos);
  EXPECT_NE(error_of("multi_shape_op { bogus: 1 }").find("t.cfg:1: unknown field 'bogus' in multi_shape_op"), std::string::npos);
}

TEST(AippConfig, ReadConfigFileNamesTheMissingFile) {
  auto cfg = read_config_file("/nonexistent/aipp.cfg");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.status().message().find("/nonexistent/aipp.cfg"), std::string::npos) << cfg.status().message();
}

TEST(AippConfig, ValidateAgainstInput) {
  // Source size 0 resolves to the network's.
  Params p = parse_one(block(""));
  ASSERT_TRUE(validate_against_input(p, {1, 3, 7, 13}, "x").is_ok());
  EXPECT_EQ(p.src_image_size_w, 13);
  EXPECT_EQ(p.src_image_size_h, 7);
  // Crop size 0 resolves to the network's.
  p = parse_one(block("crop: true src_image_size_w: 20 src_image_size_h: 10 load_start_pos_w: 2"));
  ASSERT_TRUE(validate_against_input(p, {1, 3, 7, 13}, "x").is_ok());
  EXPECT_EQ(p.crop_size_w, 13);
  EXPECT_EQ(p.crop_size_h, 7);
  // Geometry rule §4.3.
  p = parse_one(block("src_image_size_w: 20 src_image_size_h: 10 padding: true left_padding_size: 2 right_padding_size: 1"));
  Status s = validate_against_input(p, {1, 3, 10, 22}, "x");
  EXPECT_NE(s.message().find("width after crop and padding is 20 + 2 + 1 = 23, but the network input W is 22"), std::string::npos) << s.message();
  s = validate_against_input(p, {1, 3, 9, 23}, "x");
  EXPECT_NE(s.message().find("height after crop and padding is 10 + 0 + 0 = 10, but the network input H is 9"), std::string::npos) << s.message();
  EXPECT_TRUE(validate_against_input(p, {1, 3, 10, 23}, "x").is_ok());
  // Resize: 0 means the network size; the scale must lie in [1/16, 16].
  p = parse_one(block("src_image_size_w: 20 src_image_size_h: 10 resize: true"));
  ASSERT_TRUE(validate_against_input(p, {1, 3, 40, 30}, "x").is_ok());
  EXPECT_EQ(p.resize_output_w, 30);
  EXPECT_EQ(p.resize_output_h, 40);
  p = parse_one(block("src_image_size_w: 400 src_image_size_h: 10 resize: true resize_output_w: 16 resize_output_h: 16"));
  EXPECT_NE(validate_against_input(p, {1, 3, 16, 16}, "x").message().find("resize 400x10 -> 16x16 is outside the scale range [1/16, 16]"),
            std::string::npos);
  // Channels.
  p = parse_one("aipp_op { aipp_mode: static input_format: YUV400_U8 }");
  s = validate_against_input(p, {1, 3, 8, 8}, "x");
  EXPECT_NE(s.message().find("network wants C = 3 channels but input_format YUV400_U8 delivers 1"), std::string::npos) << s.message();
  EXPECT_NE(validate_against_input(p, {1, 2, 8, 8}, "x").message().find("C = 2 must be 1, 3 or 4"), std::string::npos);
  EXPECT_NE(validate_against_input(p, {1, 1, 8}, "x").message().find("4-D"), std::string::npos);
  EXPECT_TRUE(validate_against_input(p, {1, 1, -1, 8}, "x").is_ok());  // --dynamic_image_size: follows the image
  EXPECT_TRUE(follows_image_size(p));
  Params sized = parse_params_text("aipp_op { aipp_mode: static input_format: YUV400_U8 src_image_size_w: 8 src_image_size_h: 8 }");
  EXPECT_NE(validate_against_input(sized, {1, 1, -1, 8}, "x").message().find("needs crop, resize and padding off and src_image_size_w/h = 0"),
            std::string::npos);
  // YUV420SP and an odd network size with src 0.
  p = parse_one("aipp_op { aipp_mode: static input_format: YUV420SP_U8 }");
  EXPECT_NE(validate_against_input(p, {1, 3, 7, 8}, "x").message().find("even source size"), std::string::npos);
}

TEST(AippConfig, JsonRoundTrip) {
  Params p = parse_one(std::string(kSpecExample));
  p.crop = true, p.crop_size_w = 100, p.padding_value = -1.25f, p.input_edge_idx = 2u, p.related_input_name = "img";
  auto back = from_json(to_json(p), "test");
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(to_json(*back), to_json(p));
  EXPECT_EQ(back->matrix, p.matrix);
  EXPECT_EQ(back->input_edge_idx, p.input_edge_idx);
  EXPECT_FALSE(from_json("{", "m.om"));
  auto bad = from_json(R"({"crop": "yes"})", "m.om");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("m.om: AIPP field 'crop'"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(from_json(R"({"input_format": "BMP"})", "m.om"));
}

TEST(AippDynamicBlock, RoundTrip) {
  Params a = parse_one(std::string(kSpecExample));
  a.crop = true, a.load_start_pos_w = 2, a.load_start_pos_h = 4, a.crop_size_w = 100, a.crop_size_h = 90;
  a.padding = true, a.left_padding_size = 1, a.right_padding_size = 2, a.top_padding_size = 3, a.bottom_padding_size = 4;
  a.mean_chn = {1, 2, 3, 4};
  a.min_chn = {0.5f, 1.25f, 100.f, 0};
  a.var_reci_chn = {0.015625f, 2.f, -0.5f, 1.f};  // exact in fp16
  Params b = a;
  b.crop = false, b.padding = false, b.mean_chn = {9, 8, 7, 6};
  b.resize = true, b.resize_output_w = 100, b.resize_output_h = 50;
  b.load_start_pos_w = b.load_start_pos_h = b.crop_size_w = b.crop_size_h = 0;
  b.left_padding_size = b.right_padding_size = b.top_padding_size = b.bottom_padding_size = 0;
  const std::vector<uint8_t> blk = encode_dynamic_block({a, b});
  ASSERT_EQ(blk.size(), 64u + 2 * 96u);
  for (int e = 0; e < 2; ++e) {
    auto d = decode_dynamic_block(blk.data(), blk.size(), e);
    ASSERT_TRUE(d) << d.status().message();
    const Params& want = e == 0 ? a : b;
    EXPECT_EQ(d->input_format, want.input_format);
    EXPECT_EQ(d->csc_switch, want.csc_switch);
    EXPECT_EQ(d->src_image_size_w, want.src_image_size_w);
    EXPECT_EQ(d->src_image_size_h, want.src_image_size_h);
    EXPECT_EQ(d->matrix, want.matrix);
    EXPECT_EQ(d->input_bias, want.input_bias);
    EXPECT_EQ(d->output_bias, want.output_bias);
    EXPECT_EQ(d->crop, want.crop);
    EXPECT_EQ(d->load_start_pos_w, want.load_start_pos_w);
    EXPECT_EQ(d->load_start_pos_h, want.load_start_pos_h);
    EXPECT_EQ(d->crop_size_w, want.crop_size_w);
    EXPECT_EQ(d->crop_size_h, want.crop_size_h);
    EXPECT_EQ(d->padding, want.padding);
    EXPECT_EQ(d->resize, want.resize);
    EXPECT_EQ(d->resize_output_w, want.resize ? want.resize_output_w : 0);
    EXPECT_EQ(d->resize_output_h, want.resize ? want.resize_output_h : 0);
    EXPECT_EQ(d->left_padding_size, want.left_padding_size);
    EXPECT_EQ(d->right_padding_size, want.right_padding_size);
    EXPECT_EQ(d->top_padding_size, want.top_padding_size);
    EXPECT_EQ(d->bottom_padding_size, want.bottom_padding_size);
    EXPECT_EQ(d->mean_chn, want.mean_chn);
    EXPECT_EQ(d->min_chn, want.min_chn);
    EXPECT_EQ(d->var_reci_chn, want.var_reci_chn);
  }
  // Byte layout spot checks (spec §9).
  EXPECT_EQ(blk[0], 1);    // inputFormat YUV420SP_U8
  EXPECT_EQ(blk[4], 2);    // batchNum
  EXPECT_EQ(blk[8], 224);  // srcImageSizeW (int32 LE)
  EXPECT_EQ(blk[64], 1);   // batch 0 cropSwitch
  EXPECT_EQ(blk[64 + 8], 2);                 // cropStartPosW
  EXPECT_EQ(blk[64 + 56], 1);                // dtcPixelMeanChn0
  EXPECT_EQ(blk[64 + 72] | blk[64 + 73] << 8, 0x2400);  // var_reci 0.015625 in fp16
}

TEST(AippDynamicBlock, BadBlocksNameTheField) {
  Params a = parse_one(std::string(kSpecExample));
  auto error_after = [&](const std::function<void(std::vector<uint8_t>&)>& corrupt, int64_t b = 0) {
    std::vector<uint8_t> blk = encode_dynamic_block({a});
    corrupt(blk);
    auto d = decode_dynamic_block(blk.data(), blk.size(), b);
    return d ? std::string() : d.status().message();
  };
  EXPECT_NE(error_after([](auto& v) { v[0] = 9; }).find("inputFormat"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[1] = 3; }).find("cscSwitch"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[4] = 0; }).find("batchNum"), std::string::npos);
  EXPECT_NE(error_after([](auto&) {}, 1).find("batchNum"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[8] = 1, v[9] = 0; }).find("srcImageSizeW"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[64 + 1] = 2; }).find("scfSwitch"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[64 + 1] = 1; }).find("scfInputSizeW/H: 0x0 must equal the crop (or source) size 224x224"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[64 + 1] = 1, v[64 + 24] = 224, v[64 + 28] = 224, v[64 + 32] = 8; }).find("scfOutputSizeW"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[64 + 3] = 1; }).find("rotateSwitch"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[64 + 2] = 1, v[64 + 8 + 4 * 10] = 40; }).find("paddingSizeLeft"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[64] = 1, v[64 + 16] = 8, v[64 + 20] = 8, v[64 + 8] = 250; }).find("cropSizeW/H"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[64 + 56] = 0, v[64 + 57] = 1; }).find("dtcPixelMeanChn0"), std::string::npos);
  EXPECT_NE(error_after([](auto& v) { v[64 + 72] = 0, v[64 + 73] = 0x7c; }).find("dtcPixelVarReciChn0"), std::string::npos);
  std::vector<uint8_t> blk = encode_dynamic_block({a});
  auto shortd = decode_dynamic_block(blk.data(), 100, 0);
  ASSERT_FALSE(shortd);
  EXPECT_NE(shortd.status().message().find("100 bytes"), std::string::npos);
  EXPECT_FALSE(decode_dynamic_block(blk.data(), 10, 0));
}

}  // namespace
}  // namespace kiln::aipp
