#include "passes/pass_check.h"

namespace kiln {
namespace {

using test_util::attr_int;
using test_util::attr_ints;
using test_util::GraphBuilder;
using test_util::PassCheck;
using test_util::random_tensor;
using Ops = std::vector<std::string>;

void set_clip(ir::Node* n, const std::string& prefix = "") {
  n->attrs[prefix + "activation"].kind = ir::Attribute::Kind::kString;
  n->attrs[prefix + "activation"].s = "Clip";
  n->attrs[prefix + "activation_params"].kind = ir::Attribute::Kind::kFloats;
  n->attrs[prefix + "activation_params"].floats = {0.f, 6.f};
}

struct Block {
  int64_t h = 64, k = 16, c = 96, stride = 2;  // 64 x 64 x 96 floats: 1.5 MB expanded
  bool residual_on_expand = false;             // the expand has a sum input Z
  bool second_use = false;                     // the expanded tensor is also a graph output
  bool dilated = false;
  int64_t project = 0;                         // > 0: the block's 1x1 project to this many channels
  bool project_residual = false;               // the project has a sum input Z
  bool depthwise_second_use = false;           // the depthwise result is also a graph output
  bool no_expand = false;                      // the depthwise reads x directly (k == c)
};

// A MobileNetV2 block's expand and depthwise convolutions as layout_channels_last leaves them.
void block(GraphBuilder& b, const Block& s) {
  ir::Value* x = b.input("x", {1, s.h, s.h, s.k}, 1, -2, 2);
  std::vector<ir::Value*> pw_in = {x, b.constant(random_tensor({s.c, s.k, 1, 1}, 2, DType::kFloat32, -0.25f, 0.25f)),
                                   b.constant(random_tensor({s.c}, 3))};
  if (s.residual_on_expand) pw_in.push_back(b.input("z", {1, s.h, s.h, s.c}, 4));
  ir::Value* t = x;
  if (!s.no_expand) {
    ir::Node* pw = b.node("FusedConv", pw_in, 1, "kiln");
    attr_int(pw, "channels_last", 1);
    set_clip(pw);
    t = pw->outputs[0];
  }
  ir::Node* dw = b.node("FusedConv",
                        {t, b.constant(random_tensor({s.c, 1, 3, 3}, 5, DType::kFloat32, -0.5f, 0.5f)),
                         b.constant(random_tensor({s.c}, 6))},
                        1, "kiln");
  attr_int(dw, "channels_last", 1);
  attr_int(dw, "group", s.c);
  attr_ints(dw, "kernel_shape", {3, 3});
  attr_ints(dw, "strides", {s.stride, s.stride});
  attr_ints(dw, "pads", {1, 1, 1, 1});
  if (s.dilated) attr_ints(dw, "dilations", {2, 2});
  set_clip(dw);
  if (s.second_use) b.output(t);
  if (s.project == 0) {
    b.output(dw->outputs[0]);
    return;
  }
  const int64_t oh = (s.h + 2 - 3) / s.stride + 1;
  std::vector<ir::Value*> pj_in = {
      dw->outputs[0], b.constant(random_tensor({s.project, s.c, 1, 1}, 7, DType::kFloat32, -0.1f, 0.1f)),
      b.constant(random_tensor({s.project}, 8))};
  if (s.project_residual) pj_in.push_back(b.input("r", {1, oh, oh, s.project}, 9));
  ir::Node* pj = b.node("FusedConv", pj_in, 1, "kiln");
  attr_int(pj, "channels_last", 1);
  if (s.depthwise_second_use) b.output(dw->outputs[0]);
  b.output(pj->outputs[0]);
}

// The pipeline's order: the block's expand and depthwise first, then its project.
Expected<bool> both_passes(ir::Graph& g) {
  KILN_ASSIGN_OR_RETURN(bool a, fuse_pointwise_depthwise(g));
  KILN_ASSIGN_OR_RETURN(bool b, fuse_pointwise_depthwise_project(g));
  return a || b;
}

TEST(FusePointwiseDepthwise, LargeExpandAndDepthwiseBecomeOneNode) {
  for (int64_t stride : {1, 2}) {
    Block s;
    s.stride = stride;
    PassCheck c([&](GraphBuilder& b) { block(b, s); });
    ASSERT_TRUE(c.apply(fuse_pointwise_depthwise));
    EXPECT_EQ(c.ops(), (Ops{"kiln.PointwiseDepthwise"}));
    const ir::Node& n = *c.after->g->nodes[0];
    EXPECT_EQ(n.inputs.size(), 5u);
    EXPECT_EQ(n.attr_string("pw_activation", ""), "Clip");
    EXPECT_EQ(n.attr_floats("pw_activation_params"), (std::vector<float>{0.f, 6.f}));
    EXPECT_EQ(n.attr_string("activation", ""), "Clip");
    EXPECT_EQ(n.attr_ints("strides"), (std::vector<int64_t>{stride, stride}));
    EXPECT_EQ(n.attr_int("group", 0), 96);
    EXPECT_EQ(c.output_names(), c.original_outputs);
    EXPECT_TRUE(c.numeric()) << "stride " << stride;
  }
}

TEST(FusePointwiseDepthwise, OtherShapesAndUsesStay) {
  const auto stays = [](const Block& s) {
    PassCheck c([&](GraphBuilder& b) { block(b, s); });
    EXPECT_TRUE(c.apply(fuse_pointwise_depthwise));
    return !c.changed;
  };
  Block small;  // 28 x 28 x 96 floats (294 KB) stay in the cache as two nodes
  small.h = 28;
  EXPECT_TRUE(stays(small));
  Block odd_c;  // 100 channels: not a multiple of 8
  odd_c.c = 100;
  EXPECT_TRUE(stays(odd_c));
  Block z;
  z.residual_on_expand = true;
  EXPECT_TRUE(stays(z));
  Block used;
  used.second_use = true;
  EXPECT_TRUE(stays(used));
  Block dilated;
  dilated.dilated = true;
  EXPECT_TRUE(stays(dilated));
  Block s3;
  s3.stride = 3;
  EXPECT_TRUE(stays(s3));
}

// The project (with and without the residual as Z) joins the node as inputs 5-7.
TEST(FusePointwiseDepthwiseProject, ProjectJoinsTheNode) {
  for (bool residual : {false, true}) {
    Block s;
    s.stride = residual ? 1 : 2;
    s.k = residual ? 24 : 16;
    s.project = 24;
    s.project_residual = residual;
    PassCheck c([&](GraphBuilder& b) { block(b, s); });
    ASSERT_TRUE(c.apply(both_passes));
    EXPECT_EQ(c.ops(), (Ops{"kiln.PointwiseDepthwise"}));
    const ir::Node& n = *c.after->g->nodes[0];
    EXPECT_EQ(n.inputs.size(), residual ? 8u : 7u);
    EXPECT_FALSE(n.has_attr("pj_activation")) << "the project is linear";
    EXPECT_EQ(n.attr_string("pw_activation", ""), "Clip");
    EXPECT_EQ(n.attr_string("activation", ""), "Clip");
    EXPECT_EQ(c.output_names(), c.original_outputs);
    EXPECT_TRUE(c.numeric()) << "residual " << residual;
  }
}

// A large depthwise without expand (MobileNetV2 features.1) becomes a PointwiseDepthwise without
// Wp / Bp, but only with its project: alone it stays a FusedConv (oneDNN's depthwise).
TEST(FusePointwiseDepthwiseProject, BlockWithoutExpand) {
  Block s;
  s.k = s.c = 32, s.h = 96, s.stride = 1, s.no_expand = true, s.project = 16;  // 96 x 96 x 32: 1.2 MB
  PassCheck c([&](GraphBuilder& b) { block(b, s); });
  ASSERT_TRUE(c.apply(both_passes));
  EXPECT_EQ(c.ops(), (Ops{"kiln.PointwiseDepthwise"}));
  const ir::Node& n = *c.after->g->nodes[0];
  EXPECT_EQ(n.inputs.size(), 7u);
  EXPECT_FALSE(n.has_input(1) || n.has_input(2)) << "no expand";
  EXPECT_FALSE(n.has_attr("pw_activation"));
  EXPECT_TRUE(c.numeric());
  Block alone = s;
  alone.project = 0;
  PassCheck d([&](GraphBuilder& b) { block(b, alone); });
  ASSERT_TRUE(d.apply(both_passes));
  EXPECT_FALSE(d.changed);
}

TEST(FusePointwiseDepthwiseProject, ProjectsThatCannotJoinStay) {
  Block used;  // the depthwise result is needed elsewhere too
  used.project = 24;
  used.depthwise_second_use = true;
  PassCheck c([&](GraphBuilder& b) { block(b, used); });
  ASSERT_TRUE(c.apply(both_passes));
  EXPECT_EQ(c.ops(), (Ops{"kiln.PointwiseDepthwise", "kiln.FusedConv"}));
  EXPECT_TRUE(c.numeric());
  Block small;  // no PointwiseDepthwise to join (28 x 28 x 96 stays two nodes)
  small.h = 28;
  small.project = 24;
  PassCheck d([&](GraphBuilder& b) { block(b, small); });
  ASSERT_TRUE(d.apply(both_passes));
  EXPECT_FALSE(d.changed);
  Block hardswish;  // a project activation outside none / Relu / Clip
  hardswish.project = 24;
  PassCheck h([&](GraphBuilder& b) {
    block(b, hardswish);
    ir::Node* pj = b.g->nodes[2].get();
    pj->attrs["activation"].kind = ir::Attribute::Kind::kString;
    pj->attrs["activation"].s = "HardSwish";
  });
  ASSERT_TRUE(h.apply(both_passes));
  EXPECT_EQ(h.ops(), (Ops{"kiln.PointwiseDepthwise", "kiln.FusedConv"}));
}

// HardSwish (PP-OCRv4 det's blocks) measured slower fused: the pass leaves it to two nodes.
TEST(FusePointwiseDepthwise, ActivationsOutsideReluAndClipStay) {
  PassCheck c([](GraphBuilder& b) {
    block(b, Block{});
    ir::Node* pw = b.g->nodes[0].get();
    pw->attrs["activation"].s = "HardSwish";
    pw->attrs.erase("activation_params");
  });
  ASSERT_TRUE(c.apply(fuse_pointwise_depthwise));
  EXPECT_FALSE(c.changed);
}

}  // namespace
}  // namespace kiln
