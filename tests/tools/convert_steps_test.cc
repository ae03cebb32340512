// The converter's interface rewrites and gear planning on a small hand-built graph:
//   x[batch,4], y[batch,4] -> add = x + y -> relu = Relu(add) (output 0), mul = add * add (output 1)
// Numbers are checked against values computed here.
#include <gtest/gtest.h>

#include "converter/convert_steps.h"
#include "passes/infer_types.h"
#include "runtime/session.h"

namespace kiln::convert {
namespace {

std::shared_ptr<ir::Model> small_model(bool static_batch = false) {
  auto model = std::make_shared<ir::Model>();
  model->path = "small";
  model->opsets[""] = 17;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  auto input = [&](const std::string& name) {
    ir::Value* v = g.get_or_create(name);
    v->type = ir::TypeInfo::tensor(DType::kFloat32, {static_batch ? ir::Dim(1) : ir::Dim::named("batch"), ir::Dim(4)});
    v->is_graph_input = true;
    g.inputs.push_back(v);
    return v;
  };
  ir::Value* x = input("x");
  ir::Value* y = input("y");
  ir::Value* add = g.get_or_create("add_out");
  ir::Value* relu = g.get_or_create("relu_out");
  ir::Value* mul = g.get_or_create("mul_out");
  g.add_node("Add", "", 17, {x, y}, {add}, "add");
  g.add_node("Relu", "", 17, {add}, {relu}, "relu");
  g.add_node("Mul", "", 17, {add, add}, {mul}, "mul");
  g.outputs = {relu, mul};
  EXPECT_TRUE(g.finalize().is_ok());
  EXPECT_TRUE(infer_types(*model).is_ok());
  return model;
}

std::vector<std::string> op_types(const ir::Graph& g) {
  std::vector<std::string> ops;
  for (const auto& n : g.nodes) ops.push_back(n->op_type);
  return ops;
}

offline::TensorDesc desc(const std::string& name) {
  offline::TensorDesc d;
  d.name = d.graph_name = name;
  return d;
}

Tensor ramp(int64_t n, float start) {
  std::vector<float> v(static_cast<size_t>(n * 4));
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + 0.5f * static_cast<float>(i);
  return Tensor::from_vector<float>(v, {n, 4});
}

TEST(ConvertSteps, InputShapeNamesAndRanks) {
  auto model = small_model();
  auto entries = parse_input_shape("z:1,4");
  ASSERT_TRUE(entries);
  Status st = apply_input_shape(*model->graph, *entries, false);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("its inputs are: x, y"), std::string::npos) << st.message();
  st = apply_input_shape(*model->graph, *parse_input_shape("x:1,4,1"), false);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("rank 2"), std::string::npos) << st.message();
}

TEST(ConvertSteps, InputShapeFixesAndKeepsSymbols) {
  auto model = small_model();
  ASSERT_TRUE(apply_input_shape(*model->graph, *parse_input_shape("x:3,4;y:-1,4"), false).is_ok());
  EXPECT_EQ(model->graph->inputs[0]->type.str(), "float32[3,4]");
  EXPECT_EQ(model->graph->inputs[1]->type.str(), "float32[batch,4]");  // the model's own symbol
  auto fixed = small_model(true);
  ASSERT_TRUE(apply_input_shape(*fixed->graph, *parse_input_shape("x:-1,4;y:-1,4"), true).is_ok());
  EXPECT_EQ(fixed->graph->inputs[0]->type.str(), "float32[ascend_batch,4]");
}

TEST(ConvertSteps, OutNodesByNodeIndexAndByName) {
  auto model = small_model();
  ASSERT_TRUE(cut_at_out_nodes(*model, {"mul:0"}).is_ok());
  EXPECT_EQ(op_types(*model->graph), (std::vector<std::string>{"Add", "Mul"}));
  ASSERT_EQ(model->graph->outputs.size(), 1u);
  EXPECT_EQ(model->graph->outputs[0]->name, "mul_out");

  auto reordered = small_model();
  ASSERT_TRUE(cut_at_out_nodes(*reordered, {"mul_out", "add:0"}).is_ok());
  EXPECT_EQ(reordered->graph->outputs[0]->name, "mul_out");
  EXPECT_EQ(reordered->graph->outputs[1]->name, "add_out");
  EXPECT_EQ(reordered->graph->nodes.size(), 2u);  // relu is dead

  Status bad_index = cut_at_out_nodes(*small_model(), {"add:3"});
  ASSERT_FALSE(bad_index.is_ok());
  EXPECT_NE(bad_index.message().find("has 1 output(s); index 3"), std::string::npos) << bad_index.message();
  Status unknown = cut_at_out_nodes(*small_model(), {"prob:0"});
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.message().find("'prob:0'"), std::string::npos);
}

TEST(ConvertSteps, Fp16InputAndOutputCastKeepNamesAndValues) {
  auto model = small_model(true);
  ASSERT_TRUE(make_fp16_input(*model, "x").is_ok());
  ASSERT_TRUE(cast_output(*model, 1, DType::kFloat16).is_ok());
  ASSERT_TRUE(infer_types(*model).is_ok());
  const ir::Graph& g = *model->graph;
  EXPECT_EQ(g.inputs[0]->name, "x");
  EXPECT_EQ(g.inputs[0]->type.str(), "float16[1,4]");
  EXPECT_EQ(g.outputs[1]->name, "mul_out");
  EXPECT_EQ(g.outputs[1]->type.str(), "float16[1,4]");
  EXPECT_EQ(g.outputs[0]->type.str(), "float32[1,4]");
  EXPECT_FALSE(make_fp16_input(*model, "nope").is_ok());

  SessionOptions reference;
  reference.backend = Backend::kReference;
  auto session = Session::create(model, reference);
  ASSERT_TRUE(session) << session.status().message();
  Tensor x32 = ramp(1, -1.0f), y = ramp(1, 0.25f);
  Tensor x16(DType::kFloat16, {1, 4});
  for (int i = 0; i < 4; ++i) x16.data<float16>()[i] = float16(x32.data<float>()[i]);
  auto out = (*session)->run({{"x", Value(x16)}, {"y", Value(y)}});
  ASSERT_TRUE(out) << out.status().message();
  for (int i = 0; i < 4; ++i) {
    // The ramp values are exact in float16.
    const float add = x32.data<float>()[i] + y.data<float>()[i];
    EXPECT_FLOAT_EQ((*out)[0].tensor().data<float>()[i], std::max(add, 0.0f));
    EXPECT_FLOAT_EQ(static_cast<float>((*out)[1].tensor().data<float16>()[i]), static_cast<float>(float16(add * add)));
  }
}

TEST(ConvertSteps, BatchGearsOutputDimsSizesAndNothingConcreteLeft) {
  auto model = small_model();
  ConvertOptions opt;
  opt.input_shape = *parse_input_shape("x:-1,4;y:-1,4");
  opt.gear_kind = offline::GearKind::kBatch;
  opt.gears = {{1}, {2}, {8}};
  ASSERT_TRUE(apply_input_shape(*model->graph, opt.input_shape, true).is_ok());
  offline::Metadata meta;
  for (const ir::Value* v : model->graph->inputs) meta.inputs.push_back(desc(v->name));
  for (const ir::Value* v : model->graph->outputs) meta.outputs.push_back(desc(v->name));
  ASSERT_TRUE(plan_gears(opt, *model->graph, meta).is_ok());
  EXPECT_EQ(meta.gears.positions, (std::vector<std::pair<int, int>>{{0, 0}, {1, 0}}));
  ASSERT_TRUE(infer_gear_shapes(*model, meta).is_ok());
  ASSERT_EQ(meta.gears.output_dims.size(), 3u);
  EXPECT_EQ(meta.gears.output_dims[1][0], (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(meta.gears.output_dims[2][1], (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(meta.inputs[0].bytes, 8 * 4 * 4);
  EXPECT_EQ(meta.outputs[1].bytes, 8 * 4 * 4);
  for (const auto& v : model->graph->values()) {
    EXPECT_FALSE(v->type.fully_known()) << v->name << " " << v->type.str();
  }
}

TEST(ConvertSteps, GearRulesAgainstTheModel) {
  auto model = small_model();
  offline::Metadata meta;
  for (const ir::Value* v : model->graph->inputs) meta.inputs.push_back(desc(v->name));
  ConvertOptions opt;
  opt.gear_kind = offline::GearKind::kBatch;
  opt.gears = {{1}, {2}};
  opt.input_shape = *parse_input_shape("x:-1,4");  // y missing
  Status missing = plan_gears(opt, *model->graph, meta);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.message().find("missing: y"), std::string::npos) << missing.message();
  opt.input_shape = *parse_input_shape("x:1,-1;y:1,4");
  Status position = plan_gears(opt, *model->graph, meta);
  ASSERT_FALSE(position.is_ok());
  EXPECT_NE(position.message().find("only be the first (N) dim"), std::string::npos) << position.message();
  opt.gear_kind = offline::GearKind::kImageSize;
  opt.gears = {{1, 1}, {2, 2}};
  Status image = plan_gears(opt, *model->graph, meta);
  ASSERT_FALSE(image.is_ok());
  EXPECT_NE(image.message().find("H and W"), std::string::npos) << image.message();
}

}  // namespace
}  // namespace kiln::convert
