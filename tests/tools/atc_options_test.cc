// The `atc` command line without a model: option syntax (spec §1), the value parsers of
// --input_shape and the gear options (§2, §4), the per-mode checks of options_from_flags, and
// the fusion switch file.
#include <gtest/gtest.h>

#include "converter/atc_flags.h"
#include "converter/convert_options.h"
#include "converter/fusion_switch.h"
#include "converter/input_shape.h"
#include "core/cpu_features.h"

namespace kiln::convert {
namespace {

bool has_code(const Status& st, const std::string& code) { return st.message().rfind(code + ":", 0) == 0; }
bool mentions(const Status& st, const std::string& text) { return st.message().find(text) != std::string::npos; }

// ---- syntax ----

TEST(AtcFlags, BothValueFormsDashesAndSingleDash) {
  auto f = parse_atc_flags({"--model=m.onnx", "--output", "out/m", "-output_type=FP32", "--input-shape=x:1,3",
                            "--soc_version", "Ascend310"});
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(f->get("model"), "m.onnx");
  EXPECT_EQ(f->get("output"), "out/m");
  EXPECT_EQ(f->get("output_type"), "FP32");
  EXPECT_EQ(f->get("input_shape"), "x:1,3");
  EXPECT_EQ(f->get("soc_version"), "Ascend310");
  EXPECT_FALSE(f->help);
}

TEST(AtcFlags, LastValueWinsAndEmptyValueIsKept) {
  auto f = parse_atc_flags({"--output=a", "--output=b", "--log="});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->get("output"), "b");
  EXPECT_TRUE(f->has("log"));
  EXPECT_EQ(f->get("log"), "");
  EXPECT_EQ(f->order, (std::vector<std::string>{"output", "log"}));
}

TEST(AtcFlags, ValueMayLookLikeANumberOrPath) {
  auto f = parse_atc_flags({"--input_shape", "-1,3", "--output", "best_model_miou"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->get("input_shape"), "-1,3");
  EXPECT_EQ(f->get("output"), "best_model_miou");
}

TEST(AtcFlags, Help) {
  EXPECT_TRUE(parse_atc_flags({"--help"})->help);
  EXPECT_TRUE(parse_atc_flags({"--h"})->help);
  EXPECT_TRUE(parse_atc_flags({"-help"})->help);
}

TEST(AtcFlags, UnknownFlag) {
  auto f = parse_atc_flags({"--model=m", "--frobnicate=1"});
  ASSERT_FALSE(f);
  EXPECT_TRUE(has_code(f.status(), "E10001"));
  EXPECT_TRUE(mentions(f.status(), "unknown command line flag 'frobnicate'"));
}

TEST(AtcFlags, MissingValue) {
  auto f = parse_atc_flags({"--model"});
  ASSERT_FALSE(f);
  EXPECT_TRUE(mentions(f.status(), "flag '--model' is missing its argument"));
  auto g = parse_atc_flags({"--model", "--output=x"});
  ASSERT_FALSE(g);
  EXPECT_TRUE(mentions(g.status(), "flag '--model' is missing its argument"));
}

TEST(AtcFlags, StrayWordAndSingleLetterAreErrors) {
  auto f = parse_atc_flags({"--model=m", "model.onnx"});
  ASSERT_FALSE(f);
  EXPECT_TRUE(has_code(f.status(), "E10001"));
  EXPECT_TRUE(mentions(f.status(), "'model.onnx'"));
  EXPECT_FALSE(parse_atc_flags({"-m=x"}));
  EXPECT_FALSE(parse_atc_flags({"--=x"}));
}

TEST(AtcFlags, CommandLineQuotesWhatAShellWouldSplit) {
  EXPECT_EQ(join_command_line("atc", {"--model=m.onnx", "--input_shape=x:1,3;y:2", "--output", "a b"}),
            "atc --model=m.onnx --input_shape=\"x:1,3;y:2\" --output \"a b\"");
}

// ---- --input_shape ----

TEST(InputShape, SampleWithSpaces) {
  auto e = parse_input_shape("x:1, 3, 768, 1280; im_info: 1, 4");
  ASSERT_TRUE(e) << e.status().message();
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0].name, "x");
  ASSERT_EQ((*e)[0].dims.size(), 4u);
  EXPECT_EQ((*e)[0].dims[3].value, 1280);
  EXPECT_EQ((*e)[1].name, "im_info");
  EXPECT_EQ((*e)[1].dims[1].value, 4);
}

TEST(InputShape, SplitsAtTheLastColon) {
  auto e = parse_input_shape("Placeholder:0:-1,-1,-1,3");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)[0].name, "Placeholder:0");
  EXPECT_EQ((*e)[0].dims.size(), 4u);
  EXPECT_TRUE((*e)[0].dims[0].is_dynamic());
  EXPECT_EQ((*e)[0].dims[3].value, 3);
}

TEST(InputShape, RangesScalarsAndMinusOne) {
  auto e = parse_input_shape("input_0_0:1~10,32,208,208;flag:;data:-1,3,224,224");
  ASSERT_TRUE(e) << e.status().message();
  const DimSpec& r = (*e)[0].dims[0];
  EXPECT_TRUE(r.is_range());
  EXPECT_TRUE(r.is_dynamic());
  EXPECT_EQ(r.min, 1);
  EXPECT_EQ(r.max, 10);
  EXPECT_TRUE((*e)[0].has_range());
  EXPECT_TRUE((*e)[1].dims.empty());  // scalar
  EXPECT_TRUE((*e)[2].has_dynamic());
  EXPECT_FALSE((*e)[2].has_range());
}

TEST(InputShape, Errors) {
  for (const char* bad : {"x", "x:0,3", "x:abc", "x:1.5", "x:1,,3", "x:5~2", ":1,2", "x:1;x:2", "x:-2", ""}) {
    auto e = parse_input_shape(bad);
    EXPECT_FALSE(e) << bad;
    if (!e) {
      EXPECT_TRUE(e.status().message().rfind("E100", 0) == 0) << e.status().message();
    }
  }
  EXPECT_TRUE(mentions(parse_input_shape("x:1,abc").status(), "'abc'"));
}

TEST(InputShape, DeprecatedRangeForm) {
  auto e = parse_input_shape_range("input:[1~10,3,224,224];b:[2]");
  ASSERT_TRUE(e) << e.status().message();
  EXPECT_EQ((*e)[0].dims[0].max, 10);
  EXPECT_EQ((*e)[1].dims[0].value, 2);
  EXPECT_FALSE(parse_input_shape_range("input:1~10,3"));
}

// ---- gears ----

TEST(Gears, BatchSizes) {
  auto g = parse_dynamic_batch_size("1,2,4,8");
  ASSERT_TRUE(g);
  EXPECT_EQ(*g, (GearList{{1}, {2}, {4}, {8}}));
}

TEST(Gears, BatchOnlyDigitsAndCommas) {
  auto g = parse_dynamic_batch_size("1.1,2");
  ASSERT_FALSE(g);
  EXPECT_TRUE(has_code(g.status(), "E10003"));
  EXPECT_TRUE(mentions(g.status(), "It can only contain digits and ','"));
  EXPECT_TRUE(has_code(parse_dynamic_batch_size("1;2").status(), "E10003"));
  EXPECT_TRUE(has_code(parse_dynamic_batch_size("1, 2").status(), "E10003"));
}

TEST(Gears, BatchCountValuesAndRepeats) {
  EXPECT_FALSE(parse_dynamic_batch_size("4"));        // one gear
  EXPECT_FALSE(parse_dynamic_batch_size("0,1"));      // not positive
  EXPECT_FALSE(parse_dynamic_batch_size("1,1"));      // repeated
  EXPECT_FALSE(parse_dynamic_batch_size("1,,2"));     // empty value
  EXPECT_FALSE(parse_dynamic_batch_size(""));
  std::string hundred;
  for (int i = 1; i <= 100; ++i) hundred += (i > 1 ? "," : "") + std::to_string(i);
  const std::string hundred_one = hundred + ",101";
  EXPECT_TRUE(parse_dynamic_batch_size(hundred)) << hundred;
  auto over = parse_dynamic_batch_size(hundred_one);
  ASSERT_FALSE(over);
  EXPECT_TRUE(mentions(over.status(), "101 gear(s)"));
}

TEST(Gears, ImageSizes) {
  auto g = parse_dynamic_image_size("416,416;832,832;1248,1248");
  ASSERT_TRUE(g) << g.status().message();
  EXPECT_EQ(*g, (GearList{{416, 416}, {832, 832}, {1248, 1248}}));
  EXPECT_TRUE(parse_dynamic_image_size("416,416;832,832;"));  // trailing ';'
  EXPECT_FALSE(parse_dynamic_image_size("416;832"));           // one value per gear
  EXPECT_FALSE(parse_dynamic_image_size("416,416"));           // one gear
  EXPECT_TRUE(has_code(parse_dynamic_image_size("416x416;2,2").status(), "E10003"));
}

TEST(Gears, Dims) {
  auto g = parse_dynamic_dims("1,200,200;2,200,200;1,224,224;2,224,224", 3);
  ASSERT_TRUE(g) << g.status().message();
  EXPECT_EQ(g->size(), 4u);
  EXPECT_EQ((*g)[3], (std::vector<int64_t>{2, 224, 224}));
  auto wrong = parse_dynamic_dims("1,200;2,200", 3);
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(mentions(wrong.status(), "one per -1"));
}

// ---- options per mode ----

Expected<ConvertOptions> options(std::vector<std::string> args) {
  KILN_ASSIGN_OR_RETURN(AtcFlags flags, parse_atc_flags(args));
  return options_from_flags(flags, join_command_line("atc", args));
}

const std::vector<std::string> kBase = {"--model=m.onnx", "--framework=5", "--output=out/m", "--soc_version=Ascend310"};

std::vector<std::string> base_with(std::initializer_list<std::string> more) {
  std::vector<std::string> args = kBase;
  args.insert(args.end(), more);
  return args;
}

TEST(AtcOptions, FirstAppCommand) {
  auto o = options(kBase);
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_EQ(o->mode, Mode::kConvert);
  EXPECT_EQ(o->framework, 5);
  EXPECT_EQ(o->om_path, "out/m.om");
  EXPECT_EQ(o->isa, isa_name(cpu_isa()));
  ASSERT_EQ(o->notes.size(), 1u);
  EXPECT_TRUE(o->notes[0].find("Ascend310 is mapped to the host CPU backend") != std::string::npos);
  EXPECT_EQ(o->command_line, "atc --model=m.onnx --framework=5 --output=out/m --soc_version=Ascend310");
}

TEST(AtcOptions, OutputEndingInOmIsNotDoubled) {
  auto o = options({"--model=m.onnx", "--framework=5", "--output=m.om", "--soc_version=cpu"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->om_path, "m.om");
  EXPECT_TRUE(o->notes.empty());
}

TEST(AtcOptions, Framework) {
  auto missing = options({"--model=m.onnx", "--output=m", "--soc_version=Ascend310"});
  ASSERT_FALSE(missing);
  EXPECT_TRUE(has_code(missing.status(), "E10007"));
  for (const char* fw : {"0", "1", "3"}) {
    auto o = options({"--model=m", std::string("--framework=") + fw, "--output=m", "--soc_version=Ascend310"});
    ASSERT_FALSE(o);
    EXPECT_TRUE(mentions(o.status(), std::string("framework ") + fw)) << o.status().message();
    EXPECT_TRUE(mentions(o.status(), "is not supported by this converter yet")) << o.status().message();
  }
  for (const char* fw : {"2", "4", "abc", "7"}) {
    auto o = options({"--model=m", std::string("--framework=") + fw, "--output=m", "--soc_version=Ascend310"});
    ASSERT_FALSE(o);
    EXPECT_TRUE(has_code(o.status(), "E10001")) << o.status().message();
  }
}

TEST(AtcOptions, RequiredValues) {
  auto soc = options({"--model=m.onnx", "--framework=5", "--output=m"});
  ASSERT_FALSE(soc);
  EXPECT_EQ(soc.status().message(), "E10004: Value for --soc_version is empty.");
  auto out = options({"--model=m.onnx", "--framework=5", "--soc_version=Ascend310"});
  ASSERT_FALSE(out);
  EXPECT_TRUE(has_code(out.status(), "E10004"));
  EXPECT_TRUE(mentions(out.status(), "--output"));
  // Mode 3 needs no --output.
  EXPECT_TRUE(options({"--mode=3", "--model=m.onnx", "--framework=5", "--soc_version=Ascend310"}));
}

TEST(AtcOptions, SocVersions) {
  EXPECT_FALSE(options({"--model=m", "--framework=5", "--output=m", "--soc_version=Kirin990"}));
  auto avx512 = options({"--model=m", "--framework=5", "--output=m", "--soc_version=cpu-avx512"});
  if (cpu_isa() == Isa::kAvx512) {
    ASSERT_TRUE(avx512);
    EXPECT_EQ(avx512->isa, "avx512");
  } else {
    ASSERT_FALSE(avx512);
    EXPECT_TRUE(mentions(avx512.status(), "supports only ISA level"));
  }
  if (cpu_isa() >= Isa::kAvx2) {
    auto avx2 = options({"--model=m", "--framework=5", "--output=m", "--soc_version=cpu-avx2"});
    ASSERT_TRUE(avx2);
    EXPECT_EQ(avx2->isa, "avx2");
  }
}

TEST(AtcOptions, Modes) {
  EXPECT_TRUE(mentions(options({"--mode=5", "--om=a", "--json=b"}).status(), "not supported"));
  EXPECT_TRUE(mentions(options({"--mode=30"}).status(), "out of scope"));
  EXPECT_TRUE(has_code(options({"--mode=2"}).status(), "E10001"));
  EXPECT_TRUE(has_code(options({"--mode=6"}).status(), "E10004"));
  auto six = options({"--mode=6", "--om=m.om"});
  ASSERT_TRUE(six);
  EXPECT_EQ(six->mode, Mode::kDisplayInfo);
  auto one = options({"--mode=1", "--om=m.onnx", "--json=m.json", "--framework=5"});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->mode, Mode::kJsonDump);
  EXPECT_FALSE(options({"--mode=1", "--om=m.air", "--json=m.json", "--framework=1"}));
  EXPECT_FALSE(options({"--mode=1", "--om=m.om"}));  // --json missing
}

TEST(AtcOptions, OutputTypes) {
  auto global = options(base_with({"--output_type=FP16"}));
  ASSERT_TRUE(global);
  EXPECT_EQ(global->output_type, DType::kFloat16);
  auto per = options(base_with({"--out_nodes=prob:0;fc:0", "--output_type=prob:0:FP16;fc:0:INT32"}));
  ASSERT_TRUE(per) << per.status().message();
  ASSERT_EQ(per->output_type_rules.size(), 2u);
  EXPECT_EQ(per->output_type_rules[1].output, "fc:0");
  EXPECT_EQ(per->output_type_rules[1].dtype, DType::kInt32);
  EXPECT_EQ(per->out_nodes, (std::vector<std::string>{"prob:0", "fc:0"}));
  EXPECT_TRUE(mentions(options(base_with({"--output_type=prob:0:FP16"})).status(), "--out_nodes"));
  EXPECT_FALSE(options(base_with({"--output_type=FLOAT"})));
  EXPECT_FALSE(options(base_with({"--output_type=HIF8"})));
}

TEST(AtcOptions, GearRules) {
  auto batch = options(base_with({"--input_shape=data:-1,3,224,224", "--dynamic_batch_size=1,2,4,8"}));
  ASSERT_TRUE(batch) << batch.status().message();
  EXPECT_EQ(batch->gear_kind, offline::GearKind::kBatch);
  EXPECT_EQ(batch->gears.size(), 4u);
  // Without --input_shape, two gear options, a range, bad characters.
  EXPECT_TRUE(mentions(options(base_with({"--dynamic_batch_size=1,2"})).status(), "--input_shape"));
  EXPECT_TRUE(mentions(options(base_with({"--input_shape=data:-1,3,-1,-1", "--dynamic_batch_size=1,2",
                                          "--dynamic_image_size=1,1;2,2"}))
                           .status(),
                       "mutually exclusive"));
  EXPECT_TRUE(mentions(options(base_with({"--input_shape=data:1~4,3,224,224", "--dynamic_batch_size=1,2"})).status(),
                       "shape range"));
  auto chars = options(base_with({"--input_shape=data:-1,3,224,224", "--dynamic_batch_size=1.1,2"}));
  ASSERT_FALSE(chars);
  EXPECT_TRUE(has_code(chars.status(), "E10003"));
  // Image sizes need NCHW/NHWC; dims count the -1s and exclude AIPP.
  EXPECT_FALSE(options(base_with({"--input_format=ND", "--input_shape=data:1,3,-1,-1", "--dynamic_image_size=1,1;2,2"})));
  auto dims = options(base_with({"--input_format=ND", "--input_shape=x:-1,-1,-1,3", "--dynamic_dims=1,200,200;2,224,224"}));
  ASSERT_TRUE(dims) << dims.status().message();
  EXPECT_EQ(dims->gears, (GearList{{1, 200, 200}, {2, 224, 224}}));
  EXPECT_FALSE(options(base_with({"--input_format=ND", "--input_shape=x:-1,-1,-1,3", "--dynamic_dims=1,200;2,224"})));
  EXPECT_TRUE(mentions(options(base_with({"--input_shape=x:-1,-1,-1,3", "--dynamic_dims=1,2,3;4,5,6",
                                          "--insert_op_conf=aipp.cfg"}))
                           .status(),
                       "--insert_op_conf"));
}

TEST(AtcOptions, AippNeedsNchwOrNhwc) {
  EXPECT_TRUE(options(base_with({"--insert_op_conf=aipp.cfg", "--input_format=NHWC"})));
  EXPECT_FALSE(options(base_with({"--insert_op_conf=aipp.cfg", "--input_format=ND"})));
  EXPECT_FALSE(options(base_with({"--input_format=NC1HWC0"})));
}

TEST(AtcOptions, PrecisionModes) {
  auto fp16 = options(base_with({"--precision_mode=allow_fp32_to_fp16"}));
  ASSERT_TRUE(fp16);
  EXPECT_EQ(fp16->precision_mode, "allow_fp32_to_fp16");
  EXPECT_EQ(fp16->notes.size(), 2u);  // soc mapping + precision mapping
  auto fp32 = options(base_with({"--precision_mode=force_fp32"}));
  ASSERT_TRUE(fp32);
  EXPECT_EQ(fp32->notes.size(), 1u);
  EXPECT_FALSE(options(base_with({"--precision_mode=fast"})));
  EXPECT_FALSE(options(base_with({"--precision_mode=force_fp16", "--precision_mode_v2=fp16"})));
  EXPECT_TRUE(options(base_with({"--precision_mode_v2=mixed_float16"})));
}

TEST(AtcOptions, OtherDocumentedOptions) {
  auto o = options(base_with({"--enable_single_stream=false", "--op_select_implmode=high_precision", "--log=error",
                              "--disable_reuse_memory=1", "--display_model_info=1", "--host_env_os=linux"}));
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_TRUE(o->disable_reuse_memory);
  EXPECT_TRUE(o->display_model_info);
  EXPECT_EQ(o->log_level, "error");
  ASSERT_EQ(o->warnings.size(), 2u);
  EXPECT_TRUE(o->warnings[0].find("--enable_single_stream is accepted and ignored") != std::string::npos);
  EXPECT_TRUE(mentions(options(base_with({"--auto_tune_mode=RL,GA"})).status(), "AOE"));
  EXPECT_FALSE(options(base_with({"--log=verbose"})));
  EXPECT_FALSE(options(base_with({"--input_fp16_nodes=data", "--is_input_adjust_hw_layout=true"})));
  EXPECT_TRUE(options(base_with({"--input_fp16_nodes=data", "--is_input_adjust_hw_layout=false"})));
  EXPECT_FALSE(options(base_with({"--display_model_info=2"})));
  auto range = options(base_with({"--input_shape_range=input:[1~4,3,224,224]"}));
  ASSERT_TRUE(range) << range.status().message();
  EXPECT_EQ(range->input_shape[0].dims[0].max, 4);
}

// ---- fusion switch ----

TEST(FusionSwitch, LinesForm) {
  auto sw = parse_fusion_switch("ConvBatchnormFusionPass:off\n# comment\nfuse_conv:off\nSomeNpuPass:off\n", "f.cfg");
  ASSERT_TRUE(sw) << sw.status().message();
  EXPECT_EQ(sw->disabled_passes, (std::vector<std::string>{"fuse_batchnorm", "fuse_conv"}));
  ASSERT_EQ(sw->warnings.size(), 1u);
  EXPECT_TRUE(sw->warnings[0].find("f.cfg:4") != std::string::npos) << sw->warnings[0];
  EXPECT_TRUE(sw->warnings[0].find("SomeNpuPass") != std::string::npos);
  EXPECT_FALSE(parse_fusion_switch("no colon here\n", "f.cfg"));
}

TEST(FusionSwitch, JsonForm) {
  auto sw = parse_fusion_switch(
      R"({"Switch":{"GraphFusion":{"ALL":"off","MatMulBiasAddFusionPass":"on"},"UBFusion":{"ALL":"off"}}})", "f.json");
  ASSERT_TRUE(sw) << sw.status().message();
  EXPECT_EQ(sw->disabled_passes,
            (std::vector<std::string>{"fuse_batchnorm", "fuse_activation_patterns", "simplify_transposes", "fuse_conv"}));
  auto bad = parse_fusion_switch("{not json", "f.json");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(has_code(bad.status(), "E10032"));
}

}  // namespace
}  // namespace kiln::convert
