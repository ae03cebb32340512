// insert_aipp (the graph rewrite), the Transpose-into-Aipp fold of simplify_transposes, and the
// end-to-end check: an NV12 image through AIPP + resnet50 scores like the equivalent float tensor
// through the plain model.
#include <filesystem>

#include "aipp/aipp_test_util.h"
#include "converter/insert_aipp.h"
#include "frontend/onnx/onnx_loader.h"
#include "passes/infer_types.h"
#include "passes/pass_check.h"
#include "passes/passes.h"
#include "passes/pipeline.h"

namespace kiln::aipp::test {
namespace {

using test_util::GraphBuilder;

// x [n, 3, h, w] -> Conv 3x3 (pads 1) -> Relu -> y.
std::shared_ptr<ir::Model> conv_model(int64_t n, int64_t h, int64_t w) {
  GraphBuilder b(17);
  ir::Value* x = b.input("x", {n, 3, h, w});
  ir::Node* conv = b.node("Conv", {x, b.constant(test_util::random_tensor({4, 3, 3, 3}, 5, DType::kFloat32, -0.1f, 0.1f)),
                                   b.constant(test_util::random_tensor({4}, 6))});
  test_util::attr_ints(conv, "pads", {1, 1, 1, 1});
  b.output(b.op("Relu", {conv->outputs[0]}));
  b.g->finalize().is_ok();
  EXPECT_TRUE(infer_types(*b.model).is_ok());
  return b.model;
}

const ir::Node* find_node(const ir::Graph& g, const std::string& op) {
  for (const auto& node : g.nodes) {
    if (node->op_type == op) return node.get();
  }
  return nullptr;
}

TEST(InsertAipp, RewritesInputAndMatchesPlainModel) {
  const int64_t N = 2, H = 6, W = 8;
  Params p = parse_params("aipp_op { aipp_mode: static input_format: RGB888_U8 rbuv_swap_switch: true src_image_size_w: 11 "
                          "src_image_size_h: 9 crop: true load_start_pos_w: 3 load_start_pos_h: 2 crop_size_w: 7 crop_size_h: 5 "
                          "padding: true left_padding_size: 1 bottom_padding_size: 1 padding_value: 0.5 min_chn_0: 123.675 "
                          "min_chn_1: 116.28 min_chn_2: 103.53 var_reci_chn_0: 0.0171 var_reci_chn_1: 0.0175 var_reci_chn_2: 0.0174 }");
  auto model = conv_model(N, H, W);
  auto ins = insert_aipp(*model, p, NetworkLayout::kNCHW);
  ASSERT_TRUE(ins) << ins.status().message();
  EXPECT_EQ(ins->data_input, "x");
  EXPECT_EQ(ins->dims_v1, (std::vector<int64_t>{N, 9, 11, 3}));
  EXPECT_EQ(ins->dims_v2, (std::vector<int64_t>{N, 9, 11, 3}));
  EXPECT_EQ(ins->bytes, N * 9 * 11 * 3);
  EXPECT_EQ(ins->param_input, "");
  const ir::Graph& g = *model->graph;
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0]->name, "x");
  EXPECT_EQ(g.inputs[0]->type.elem, DType::kUInt8);
  const ir::Node* aipp = find_node(g, "Aipp");
  ASSERT_NE(aipp, nullptr);
  EXPECT_EQ(aipp->inputs[0]->name, "x");
  EXPECT_EQ(aipp->attr_ints("output_chw"), (std::vector<int64_t>{3, H, W}));
  EXPECT_EQ(find_node(g, "Conv")->inputs[0], aipp->outputs[0]);
  // Inserting twice on the same input is refused.
  Params again = p;
  auto twice = insert_aipp(*model, again, NetworkLayout::kNCHW);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.status().message().find("already has AIPP"), std::string::npos) << twice.status().message();

  // Same numbers as the plain model fed with the straightforward conversion.
  const int64_t image_bytes = p.image_bytes(11, 9);
  const std::vector<uint8_t> raw = random_bytes(static_cast<size_t>(N * image_bytes), 3);
  Tensor x(DType::kFloat32, {N, 3, H, W});
  for (int64_t b = 0; b < N; ++b) {
    std::vector<float> one = straightforward_aipp(p, raw.data() + b * image_bytes, 3, H, W);
    std::copy(one.begin(), one.end(), x.data<float>() + b * 3 * H * W);
  }
  for (Backend backend : {Backend::kReference, Backend::kCpu}) {
    SessionOptions opt;
    opt.backend = backend;
    opt.threads = 2;
    auto with_aipp = conv_model(N, H, W);
    Params q = p;
    ASSERT_TRUE(insert_aipp(*with_aipp, q, NetworkLayout::kNCHW));
    auto s1 = Session::create(with_aipp, opt);
    auto s2 = Session::create(conv_model(N, H, W), opt);
    ASSERT_TRUE(s1 && s2) << s1.status().message() << s2.status().message();
    auto y1 = (*s1)->run({{"x", Value(bytes_tensor(raw, {N, 9, 11, 3}))}});
    auto y2 = (*s2)->run({{"x", Value(x)}});
    ASSERT_TRUE(y1 && y2) << y1.status().message() << y2.status().message();
    const Tensor& a = (*y1)[0].tensor();
    const Tensor& r = (*y2)[0].tensor();
    ASSERT_EQ(a.shape(), r.shape());
    for (int64_t i = 0; i < a.numel(); ++i) ASSERT_NEAR(a.data<float>()[i], r.data<float>()[i], 1e-4) << i;
    if (backend == Backend::kCpu) {
      // The layout pass + simplify_transposes leave Aipp writing NHWC straight into the NHWC conv.
      const ir::Graph& opt_g = *(*s1)->model().graph;
      const ir::Node* a_node = find_node(opt_g, "Aipp");
      ASSERT_NE(a_node, nullptr);
      const ir::Node* conv = find_node(opt_g, "FusedConv");
      ASSERT_NE(conv, nullptr);
      EXPECT_EQ(a_node->attr_int("channels_last", 0), 1);
      EXPECT_EQ(conv->attr_int("channels_last", 0), 1);
      EXPECT_EQ(conv->inputs[0], a_node->outputs[0]);
      EXPECT_EQ(find_node(opt_g, "Transpose") == nullptr || find_node(opt_g, "Transpose")->inputs[0] != a_node->outputs[0], true);
    }
  }
}

TEST(InsertAipp, NhwcNetworkInput) {
  GraphBuilder b(17);
  ir::Value* x = b.input("img", {1, 4, 6, 3});
  b.output(b.op("Relu", {x}));
  b.g->finalize().is_ok();
  ASSERT_TRUE(infer_types(*b.model).is_ok());
  Params p = parse_params("aipp_op { aipp_mode: static input_format: YUV420SP_U8 csc_switch: true related_input_name: \"img\" }");
  auto ins = insert_aipp(*b.model, p, NetworkLayout::kNHWC);
  ASSERT_TRUE(ins) << ins.status().message();
  EXPECT_EQ(p.src_image_size_w, 6);  // resolved from the network
  EXPECT_EQ(p.src_image_size_h, 4);
  EXPECT_EQ(ins->dims_v2, (std::vector<int64_t>{1, 6, 6, 1}));
  EXPECT_EQ(ins->bytes, 36);
  EXPECT_EQ(find_node(*b.model->graph, "Aipp")->attr_int("channels_last", 0), 1);
  ASSERT_TRUE(infer_types(*b.model).is_ok());
  EXPECT_EQ(b.model->graph->outputs[0]->type.str(), "float32[1,4,6,3]");
}

TEST(InsertAipp, Errors) {
  auto error_of = [](std::shared_ptr<ir::Model> m, const std::string& cfg) {
    Params p = parse_params(cfg);
    auto r = insert_aipp(*m, p, NetworkLayout::kNCHW);
    return r ? std::string() : r.status().message();
  };
  const std::string rgb = "aipp_op { aipp_mode: static input_format: RGB888_U8 ";
  EXPECT_NE(error_of(conv_model(1, 4, 4), rgb + "related_input_rank: 1 }").find("related_input_rank = 1 is out of range: the model has 1 data input"),
            std::string::npos);
  EXPECT_NE(error_of(conv_model(1, 4, 4), rgb + "related_input_name: \"data\" }").find("related_input_name 'data' is not a model input (inputs: x)"),
            std::string::npos);
  EXPECT_NE(error_of(conv_model(1, 4, 4), rgb + "input_edge_idx: 0 }").find("input_edge_idx"), std::string::npos);
  EXPECT_NE(error_of(conv_model(1, 4, 4), "aipp_op { aipp_mode: static input_format: YUV400_U8 }").find("network wants C = 3"),
            std::string::npos);
  EXPECT_NE(error_of(conv_model(1, 4, 4), rgb + "src_image_size_w: 5 src_image_size_h: 4 }").find("but the network input W is 4"),
            std::string::npos);
  GraphBuilder b(17);
  b.output(b.op("Relu", {b.input("v", {2, 3})}));
  b.g->finalize().is_ok();
  ASSERT_TRUE(infer_types(*b.model).is_ok());
  EXPECT_NE(error_of(b.model, rgb + "}").find("AIPP input 'v' must be 4-D"), std::string::npos);
}

TEST(InsertAipp, DynamicAddsParameterInput) {
  auto model = conv_model(2, 6, 8);
  Params p = parse_params("aipp_op { aipp_mode: dynamic max_src_image_size: 300 }");
  auto ins = insert_aipp(*model, p, NetworkLayout::kNCHW);
  ASSERT_TRUE(ins) << ins.status().message();
  EXPECT_EQ(ins->param_input, "ascend_dynamic_aipp_data");
  EXPECT_EQ(ins->param_bytes, 64 + 96 * 2);
  EXPECT_EQ(ins->bytes, 300);
  const ir::Graph& g = *model->graph;
  ASSERT_EQ(g.inputs.size(), 2u);
  EXPECT_EQ(g.inputs[0]->type.str(), "uint8[300]");
  EXPECT_EQ(g.inputs[1]->name, "ascend_dynamic_aipp_data");
  EXPECT_EQ(g.inputs[1]->type.str(), "uint8[256]");
  ASSERT_TRUE(infer_types(*model).is_ok());
  EXPECT_EQ(find_node(g, "Aipp")->outputs[0]->type.str(), "float32[2,3,6,8]");

  // Runs: NV12 8x6 images, one per batch element, through the session.
  Params e = parse_params("aipp_op { aipp_mode: static input_format: YUV420SP_U8 csc_switch: true src_image_size_w: 8 src_image_size_h: 6 }");
  const std::vector<uint8_t> block = encode_dynamic_block({e, e});
  std::vector<uint8_t> raw = random_bytes(300, 4);
  SessionOptions opt;
  opt.threads = 2;
  auto s = Session::create(model, opt);
  ASSERT_TRUE(s) << s.status().message();
  auto y = (*s)->run({{"x", Value(bytes_tensor(raw, {300}))}, {"ascend_dynamic_aipp_data", Value(bytes_tensor(block, {256}))}});
  ASSERT_TRUE(y) << y.status().message();
  EXPECT_EQ((*y)[0].tensor().shape(), Shape({2, 4, 6, 8}));
}

// --dynamic_image_size: static AIPP with src sizes 0 on a network with symbolic H, W takes the
// size of each run's raw image.
TEST(InsertAipp, DynamicImageSizeFollowsTheRawImage) {
  auto make = [] {
    auto m = conv_model(1, 4, 4);
    m->graph->inputs[0]->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim(1), ir::Dim(3), ir::Dim::named("h"), ir::Dim::named("w")});
    EXPECT_TRUE(infer_types(*m).is_ok());
    return m;
  };
  Params p = parse_params("aipp_op { aipp_mode: static input_format: YUV420SP_U8 csc_switch: true min_chn_0: 100 var_reci_chn_1: 0.5 }");
  auto model = make();
  auto ins = insert_aipp(*model, p, NetworkLayout::kNCHW);
  ASSERT_TRUE(ins) << ins.status().message();
  EXPECT_EQ(ins->dims_v2, (std::vector<int64_t>{1, -1, -1, 1}));
  EXPECT_EQ(ins->bytes, 0);
  EXPECT_EQ(model->graph->inputs[0]->type.str(), "uint8[1,x_rows,w,1]");
  // Crop or a fixed source size cannot follow the gear.
  Params fixed = parse_params("aipp_op { aipp_mode: static input_format: YUV420SP_U8 src_image_size_w: 8 src_image_size_h: 6 }");
  auto refused = insert_aipp(*make(), fixed, NetworkLayout::kNCHW);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("needs crop, resize and padding off and src_image_size_w/h = 0"), std::string::npos)
      << refused.status().message();

  for (Backend backend : {Backend::kReference, Backend::kCpu}) {
    SessionOptions opt;
    opt.backend = backend;
    opt.threads = 2;
    auto with_aipp = make();
    Params q = p;
    ASSERT_TRUE(insert_aipp(*with_aipp, q, NetworkLayout::kNCHW));
    auto s1 = Session::create(with_aipp, opt);
    auto s2 = Session::create(make(), opt);
    ASSERT_TRUE(s1 && s2) << s1.status().message() << s2.status().message();
    for (auto [w, h] : {std::pair<int, int>{8, 6}, {10, 4}}) {
      Params sized = p;
      sized.src_image_size_w = w, sized.src_image_size_h = h;
      const std::vector<uint8_t> raw = random_bytes(static_cast<size_t>(w * h * 3 / 2), static_cast<uint64_t>(w));
      Tensor x(DType::kFloat32, {1, 3, h, w});
      std::vector<float> f = straightforward_aipp(sized, raw.data(), 3, h, w);
      std::copy(f.begin(), f.end(), x.data<float>());
      auto y1 = (*s1)->run({{"x", Value(bytes_tensor(raw, {1, h * 3 / 2, w, 1}))}});
      auto y2 = (*s2)->run({{"x", Value(x)}});
      ASSERT_TRUE(y1 && y2) << y1.status().message() << y2.status().message();
      const Tensor& a = (*y1)[0].tensor();
      const Tensor& r = (*y2)[0].tensor();
      ASSERT_EQ(a.shape(), r.shape());
      EXPECT_EQ(a.shape(), Shape({1, 4, h, w}));
      for (int64_t i = 0; i < a.numel(); ++i) ASSERT_NEAR(a.data<float>()[i], r.data<float>()[i], 1e-4) << i;
    }
    // A raw image whose rows are not H*3/2 is refused with the expected layout.
    auto bad = (*s1)->run({{"x", Value(Tensor(DType::kUInt8, {1, 7, 8, 1}))}});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.status().message().find("are not [N, H*3/2, W, 1]"), std::string::npos) << bad.status().message();
  }
}

// simplify_transposes folds an NCHW->NHWC Transpose after kiln.Aipp into the Aipp (and back).
TEST(InsertAipp, SimplifyTransposesFoldsTransposeIntoAipp) {
  for (bool start_channels_last : {false, true}) {
    // img -> Relu, the input NCHW [1, 3, 4, 6] or NHWC [1, 4, 6, 3]; then AIPP, then the Relu is
    // replaced by a layout Transpose.
    GraphBuilder b(17);
    b.output(b.op("Relu", {b.input("img", start_channels_last ? Shape{1, 4, 6, 3} : Shape{1, 3, 4, 6})}));
    ASSERT_TRUE(b.g->finalize().is_ok());
    ASSERT_TRUE(infer_types(*b.model).is_ok());
    auto model = b.model;
    Params p = parse_params("aipp_op { aipp_mode: static input_format: RGB888_U8 }");
    ASSERT_TRUE(insert_aipp(*model, p, start_channels_last ? NetworkLayout::kNHWC : NetworkLayout::kNCHW));
    ir::Graph& g = *model->graph;
    ir::Node* aipp = const_cast<ir::Node*>(find_node(g, "Aipp"));
    g.nodes.erase(std::remove_if(g.nodes.begin(), g.nodes.end(), [](const auto& n) { return n->op_type != "Aipp"; }), g.nodes.end());
    ir::Value* t_out = g.get_or_create("t_out");
    ir::Node* t = g.add_node("Transpose", "", 17, {aipp->outputs[0]}, {t_out}, "t");
    t->attrs["perm"].kind = ir::Attribute::Kind::kInts;
    t->attrs["perm"].ints = start_channels_last ? std::vector<int64_t>{0, 3, 1, 2} : std::vector<int64_t>{0, 2, 3, 1};
    g.outputs = {t_out};
    g.prune_values();
    ASSERT_TRUE(g.finalize().is_ok());
    ASSERT_TRUE(infer_types(*model).is_ok());
    const std::string before = t_out->type.str();
    auto changed = simplify_transposes(g);
    ASSERT_TRUE(changed && *changed);
    g.prune_values();
    ASSERT_TRUE(g.finalize().is_ok());
    ASSERT_TRUE(infer_types(*model).is_ok());
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0]->op_type, "Aipp");
    EXPECT_EQ(g.nodes[0]->attr_int("channels_last", -1), start_channels_last ? 0 : 1);
    EXPECT_EQ(g.outputs[0]->name, "t_out");
    EXPECT_EQ(g.outputs[0]->type.str(), before);
  }
}

std::string resnet50_path() { return std::string(KILN_SOURCE_DIR) + "/models/torch/resnet50_op17/model.onnx"; }

// A smooth synthetic NV12 image (gradients + a disc), so the network sees natural-ish statistics.
std::vector<uint8_t> synthetic_nv12(int w, int h) {
  std::vector<uint8_t> img(static_cast<size_t>(w * h * 3 / 2));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int dx = x - w / 2, dy = y - h / 3;
      img[static_cast<size_t>(y * w + x)] = static_cast<uint8_t>(dx * dx + dy * dy < 2500 ? 200 : 40 + (x + 2 * y) % 120);
    }
  for (int y = 0; y < h / 2; ++y)
    for (int x = 0; x < w / 2; ++x) {
      img[static_cast<size_t>(w * h + y * w + 2 * x)] = static_cast<uint8_t>(100 + x / 2);
      img[static_cast<size_t>(w * h + y * w + 2 * x + 1)] = static_cast<uint8_t>(180 - y / 2);
    }
  return img;
}

std::vector<int> top5(const Tensor& t) {
  std::vector<int> idx(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
  std::partial_sort(idx.begin(), idx.begin() + 5, idx.end(), [&](int a, int b) { return t.data<float>()[a] > t.data<float>()[b]; });
  idx.resize(5);
  return idx;
}

TEST(InsertAipp, Resnet50Nv12MatchesFloatInput) {
  if (!std::filesystem::exists(resnet50_path())) GTEST_SKIP() << "model not found: " << resnet50_path() << " (link models/)";
  // NV12 224x224 with the JPEG YUV->RGB matrix and ImageNet normalisation: the demo's config.
  auto cfg = read_config_file(std::string(KILN_SOURCE_DIR) + "/configs/aipp/yuv420sp_224_imagenet.cfg");
  ASSERT_TRUE(cfg) << cfg.status().message();
  Params p = cfg->ops.at(0);
  auto with_aipp = onnx_frontend::load_model(resnet50_path());
  auto plain = onnx_frontend::load_model(resnet50_path());
  ASSERT_TRUE(with_aipp && plain) << with_aipp.status().message();
  ASSERT_TRUE(infer_types(**with_aipp).is_ok());
  auto ins = insert_aipp(**with_aipp, p, NetworkLayout::kNCHW);
  ASSERT_TRUE(ins) << ins.status().message();
  EXPECT_EQ(ins->bytes, 75264);
  SessionOptions opt;
  opt.threads = 2;
  auto s_aipp = Session::create(*with_aipp, opt);
  auto s_plain = Session::create(*plain, opt);
  ASSERT_TRUE(s_aipp && s_plain) << s_aipp.status().message() << s_plain.status().message();
  const std::vector<uint8_t> nv12 = synthetic_nv12(224, 224);
  Tensor x(DType::kFloat32, {1, 3, 224, 224});
  std::vector<float> f = straightforward_aipp(p, nv12.data(), 3, 224, 224);
  std::copy(f.begin(), f.end(), x.data<float>());
  auto y_aipp = (*s_aipp)->run({{"input", Value(bytes_tensor(nv12, {1, 336, 224, 1}))}});
  auto y_plain = (*s_plain)->run({{"input", Value(x)}});
  ASSERT_TRUE(y_aipp && y_plain) << y_aipp.status().message() << y_plain.status().message();
  const Tensor& a = (*y_aipp)[0].tensor();
  const Tensor& r = (*y_plain)[0].tensor();
  ASSERT_EQ(a.shape(), r.shape());
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    max_abs = std::max(max_abs, std::fabs(double(r.data<float>()[i])));
    max_diff = std::max(max_diff, std::fabs(double(a.data<float>()[i]) - r.data<float>()[i]));
  }
  EXPECT_LE(max_diff, 1e-4 * max_abs + 1e-4) << "max |diff| " << max_diff << " of max |score| " << max_abs;
  EXPECT_EQ(top5(a), top5(r));
  // The optimized graph feeds the channels-last first conv straight from Aipp.
  const ir::Graph& g = *(*s_aipp)->model().graph;
  const ir::Node* aipp = find_node(g, "Aipp");
  ASSERT_NE(aipp, nullptr);
  EXPECT_EQ(aipp->attr_int("channels_last", 0), 1);
  ASSERT_EQ(aipp->outputs[0]->consumers.size(), 1u);
  EXPECT_EQ(aipp->outputs[0]->consumers[0]->op_type, "FusedConv");
  EXPECT_EQ((*s_aipp)->kernel_kind(*aipp), "cpu");
}

}  // namespace
}  // namespace kiln::aipp::test
