// .om round trips: small graphs (every attribute kind, subgraphs, kiln-domain ops, dynamic dims)
// and resnet50 give the same outputs as the ONNX-built session; weights view the mapping.
#include <filesystem>

#include "backends/cpu/dnnl/conv_kernels.h"
#include "core/file_util.h"
#include "frontend/onnx/onnx_loader.h"
#include "offline/om_test_util.h"
#include "runtime/batch_split.h"

namespace kiln {
namespace {

using namespace test_util;

// Optimizes `b`'s model in a CPU session, writes it as .om, reads it back and compares a run of
// both sessions on the builder's feeds.
void check_round_trip(GraphBuilder& b, const std::string& path) {
  auto onnx_session = Session::create(b.model);
  ASSERT_TRUE(onnx_session) << onnx_session.status().to_string();
  const Session& s = **onnx_session;
  ASSERT_TRUE(offline::write_om(path, meta_for(s.model()), s) .is_ok());
  auto om = offline::read_om(path);
  ASSERT_TRUE(om) << om.status().to_string();
  ASSERT_TRUE(om->memory_plan);
  EXPECT_EQ(om->memory_plan->arena_bytes, s.memory_plan().arena_bytes);
  EXPECT_EQ(om->memory_plan->slots.size(), s.memory_plan().slots.size());
  const int64_t reorders = cpu::onednn::conv_weight_reorders();
  auto om_session = offline::create_session(*om, {});
  ASSERT_TRUE(om_session) << om_session.status().to_string();
  // Convolutions take their prepacked weights from the file instead of reordering them.
  EXPECT_EQ(cpu::onednn::conv_weight_reorders(), reorders);
  // The stored plan is used as is, and no pass ran again (same node count and ops).
  EXPECT_EQ((*om_session)->memory_plan().arena_bytes, s.memory_plan().arena_bytes);
  ASSERT_EQ((*om_session)->model().graph->nodes.size(), s.model().graph->nodes.size());
  for (size_t i = 0; i < s.model().graph->nodes.size(); ++i) {
    EXPECT_EQ((*om_session)->model().graph->nodes[i]->op_type, s.model().graph->nodes[i]->op_type);
    EXPECT_EQ((*om_session)->model().graph->nodes[i]->domain, s.model().graph->nodes[i]->domain);
  }
  auto want = s.run(b.feeds);
  ASSERT_TRUE(want) << want.status().to_string();
  auto got = (*om_session)->run(b.feeds);
  ASSERT_TRUE(got) << got.status().to_string();
  expect_close(*got, *want);
}

TEST(OfflineModel, ConvModelRoundTripKeepsFusedKilnOpsAndOutputs) {
  TempDir dir;
  GraphBuilder b = conv_model();
  check_round_trip(b, dir.file("conv.om"));
  auto om = offline::read_om(dir.file("conv.om"));
  ASSERT_TRUE(om);
  bool fused = false;
  for (const auto& n : om->model->graph->nodes) fused = fused || (n->domain == "kiln" && n->op_type == "FusedConv");
  EXPECT_TRUE(fused) << "the optimized graph (with kiln.FusedConv) is what is stored";
  EXPECT_EQ(om->model->opsets.at("kiln"), 1);
  EXPECT_EQ(om->model->opsets.at(""), 17);
  EXPECT_EQ(om->meta.command_line, "atc --model=test.onnx --framework=5 --output=test --soc_version=cpu");
  EXPECT_GT(om->meta.weight_bytes, 0u);
  EXPECT_GT(om->meta.work_bytes, 0u);
  EXPECT_EQ(om->file_bytes, std::filesystem::file_size(dir.file("conv.om")));
  EXPECT_TRUE(offline::is_om_file(dir.file("conv.om")));
}

// What aclmdlQuerySize reads: the interface and sizes, without the graph and (here) the checksum;
// structural damage is still an error.
TEST(OfflineModel, MetadataOnlyReadGivesTheInterfaceWithoutTheGraph) {
  TempDir dir;
  GraphBuilder b = conv_model();
  check_round_trip(b, dir.file("conv.om"));
  auto full = offline::read_om(dir.file("conv.om"));
  ASSERT_TRUE(full);
  offline::ReadOptions options;
  options.metadata_only = true;
  options.verify_checksum = false;
  auto meta = offline::read_om(dir.file("conv.om"), options);
  ASSERT_TRUE(meta) << meta.status().to_string();
  EXPECT_EQ(meta->model, nullptr);
  EXPECT_EQ(meta->meta.work_bytes, full->meta.work_bytes);
  EXPECT_EQ(meta->meta.weight_bytes, full->meta.weight_bytes);
  ASSERT_EQ(meta->meta.inputs.size(), full->meta.inputs.size());
  EXPECT_EQ(meta->meta.inputs[0].name, full->meta.inputs[0].name);
  std::filesystem::resize_file(dir.file("conv.om"), full->file_bytes - 1);
  auto truncated = offline::read_om(dir.file("conv.om"), options);
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.status().message().find("truncated or damaged"), std::string::npos) << truncated.status().message();
}

// Prepacked weights are an optimization only: without them, or with a blob whose descriptor no
// primitive wants (another ISA's layout, a damaged blob), the kernels pack from the plain weights.
TEST(OfflineModel, PackedWeightsAreOptionalAndCheckedBeforeUse) {
  TempDir dir;
  GraphBuilder b = conv_model();
  auto s = Session::create(b.model);
  ASSERT_TRUE(s);
  const auto blobs = (*s)->export_packed();
  ASSERT_EQ(blobs.size(), 1u) << "one convolution, one blob";
  auto want = (*s)->run(b.feeds);
  ASSERT_TRUE(want);
  auto run_om = [&](const std::vector<std::pair<std::string, std::string>>& packed, bool expect_reorder) {
    const std::string path = dir.file("p.om");
    ASSERT_TRUE(offline::write_om(path, meta_for((*s)->model()), (*s)->model(), &(*s)->memory_plan(), packed).is_ok());
    auto om = offline::read_om(path);
    ASSERT_TRUE(om) << om.status().to_string();
    EXPECT_EQ(om->packed != nullptr, !packed.empty());
    const int64_t before = cpu::onednn::conv_weight_reorders();
    auto os = offline::create_session(*om, {});
    ASSERT_TRUE(os) << os.status().to_string();
    EXPECT_EQ(cpu::onednn::conv_weight_reorders() > before, expect_reorder);
    auto got = (*os)->run(b.feeds);
    ASSERT_TRUE(got);
    expect_close(*got, *want);
  };
  run_om(blobs, false);
  run_om({}, true);
  for (size_t at : {size_t{0}, size_t{4}, size_t{8}, size_t{16}}) {  // tag, desc size, ndims, dims[0]
    auto damaged = blobs;
    damaged[0].second[at] = static_cast<char>(damaged[0].second[at] ^ 0x7f);
    run_om(damaged, true);
  }
  auto short_blob = blobs;
  short_blob[0].second.resize(short_blob[0].second.size() - 64);
  run_om(short_blob, true);
  auto other_key = blobs;
  other_key[0].first = "not_a_value";
  run_om(other_key, true);
}

// A symbolic batch dim: the stored graph keeps it, and the .om session runs any batch.
TEST(OfflineModel, DynamicBatchRoundTripRunsOtherBatches) {
  TempDir dir;
  GraphBuilder b(17);
  ir::Value* x = b.input("x", {2, 3, 6, 6}, 9);
  x->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("N"), ir::Dim(3), ir::Dim(6), ir::Dim(6)});
  ir::Node* conv = b.node("Conv", {x, b.constant(random_tensor({4, 3, 3, 3}, 21))});
  attr_ints(conv, "pads", {1, 1, 1, 1});
  ir::Value* pooled = b.op("GlobalAveragePool", {b.op("Relu", {conv->outputs[0]})});
  b.output(b.op("Flatten", {pooled}));
  ASSERT_TRUE(b.g->finalize().is_ok());
  check_round_trip(b, dir.file("dyn.om"));
  auto om = offline::read_om(dir.file("dyn.om"));
  ASSERT_TRUE(om);
  EXPECT_EQ(om->model->graph->inputs[0]->type.str(), "float32[N,3,6,6]");
  auto s = offline::create_session(*om, {});
  ASSERT_TRUE(s);
  std::vector<NamedValue> five = {{"x", Value(random_tensor({5, 3, 6, 6}, 4))}};
  auto got = (*s)->run(five);
  ASSERT_TRUE(got) << got.status().to_string();
  EXPECT_EQ(got->at(0).tensor().shape(), (Shape{5, 4}));
  auto ref = Session::create(b.model, {});  // b.model was optimized by check_round_trip's session
  ASSERT_TRUE(ref);
  auto want = (*ref)->run(five);
  ASSERT_TRUE(want);
  expect_close(*got, *want);
}

// A static batch of 4 runs image by image (runtime/batch_split.h): the stored plan is sized for
// one image and says so, prepacked weights are those of the batch-1 kernels, and the loader
// makes the same decision and uses both.
TEST(OfflineModel, BatchSplitRoundTripKeepsTheOneImagePlan) {
  TempDir dir;
  GraphBuilder b(17);
  ir::Value* x = b.input("x", {4, 3, 8, 8}, 31);
  ir::Node* conv = b.node("Conv", {x, b.constant(random_tensor({8, 3, 3, 3}, 32))});
  attr_ints(conv, "pads", {1, 1, 1, 1});
  ir::Value* pooled = b.op("GlobalAveragePool", {b.op("Relu", {conv->outputs[0]})});
  b.output(b.op("Reshape", {pooled, b.ints({4, 8})}));
  ASSERT_TRUE(b.g->finalize().is_ok());
  check_round_trip(b, dir.file("split.om"));
  auto om = offline::read_om(dir.file("split.om"));
  ASSERT_TRUE(om && om->memory_plan);
  EXPECT_EQ(om->memory_plan->batch_split, 4);
  EXPECT_EQ(om->meta.work_bytes, om->memory_plan->arena_bytes * 4);
  auto s = offline::create_session(*om, {});
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)->batch_split().batch, 4) << (*s)->batch_split().reason;
  EXPECT_EQ((*s)->memory_plan().batch_split, 4);
}

TEST(OfflineModel, IfSubgraphRoundTripRuns) {
  TempDir dir;
  GraphBuilder b(17);
  ir::Value* x = b.input("x", {2, 3}, 3);
  ir::Value* cond = b.g->get_or_create("cond");
  cond->type = ir::TypeInfo::tensor_of(DType::kBool, {});
  cond->is_graph_input = true;
  b.g->inputs.push_back(cond);
  b.feeds.push_back({"cond", Value(Tensor::scalar<bool>(true))});
  auto branch = [&](const char* name, const char* op, float k) {
    auto g = std::make_shared<ir::Graph>();
    g->name = name;
    g->parent = b.g;
    ir::Value* kc = g->get_or_create(std::string(name) + "_k");
    kc->constant = Tensor::scalar<float>(k);
    kc->type = ir::TypeInfo::tensor_of(DType::kFloat32, {});
    ir::Value* xin = g->get_or_create("x");  // outer ref
    ir::Value* out = g->get_or_create(std::string(name) + "_out");
    g->add_node(op, "", 17, {xin, kc}, {out}, std::string(name) + "_node");
    g->outputs.push_back(out);
    EXPECT_TRUE(g->finalize().is_ok());
    return g;
  };
  ir::Value* y = b.g->get_or_create("y");
  ir::Node* n = b.g->add_node("If", "", 17, {cond}, {y}, "if");
  n->attrs["then_branch"].kind = ir::Attribute::Kind::kGraph;
  n->attrs["then_branch"].g = branch("then", "Mul", 3.0f);
  n->attrs["else_branch"].kind = ir::Attribute::Kind::kGraph;
  n->attrs["else_branch"].g = branch("else", "Add", 1.0f);
  b.output(b.op("Relu", {y}));
  ASSERT_TRUE(b.g->finalize().is_ok());
  (void)x;
  check_round_trip(b, dir.file("if.om"));
}

// Every attribute kind, a kiln-domain op, symbolic and unknown dims survive write + read (no
// session: the node is not meant to run).
TEST(OfflineModel, EveryAttributeKindAndDynamicDimsRoundTrip) {
  TempDir dir;
  auto model = std::make_shared<ir::Model>();
  model->path = "attrs";
  model->opsets[""] = 17;
  model->opsets["kiln"] = 1;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  g.name = "main";
  ir::Value* x = g.get_or_create("x");
  x->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("batch"), ir::Dim(), ir::Dim(3)});
  x->is_graph_input = true;
  g.inputs.push_back(x);
  ir::Value* w = g.get_or_create("w");
  w->constant = test_util::random_tensor({3, 5}, 4);
  w->type = ir::TypeInfo::tensor_of(DType::kFloat32, {3, 5});
  ir::Value* y = g.get_or_create("y");
  y->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("batch"), ir::Dim(), ir::Dim(5)});
  ir::Node* n = g.add_node("Everything", "kiln", 1, {x, nullptr, w}, {y}, "every_attr");
  using K = ir::Attribute::Kind;
  auto& a = n->attrs;
  a["f"].kind = K::kFloat, a["f"].f = 1.5f;
  a["i"].kind = K::kInt, a["i"].i = -7;
  a["s"].kind = K::kString, a["s"].s = std::string("bytes\0with nul", 14);
  a["t"].kind = K::kTensor, a["t"].t = Tensor::from_vector<int64_t>({1, 2, 3}, {3});
  a["st"].kind = K::kTensor, a["st"].t = Tensor::from_vector<std::string>({"a", "bc"}, {2});
  a["fs"].kind = K::kFloats, a["fs"].floats = {0.25f, -2.0f};
  a["is"].kind = K::kInts, a["is"].ints = {4, 5, 6};
  a["ss"].kind = K::kStrings, a["ss"].strings = {"p", "q"};
  a["ts"].kind = K::kTensors, a["ts"].tensors = {Tensor::scalar<float>(2.0f), Tensor::from_vector<int32_t>({9}, {1})};
  a["tp"].kind = K::kTypeProto, a["tp"].type = ir::TypeInfo::sequence_of(ir::TypeInfo::tensor_of(DType::kInt64, {2}));
  auto sub = [&](const std::string& name) {
    auto s = std::make_shared<ir::Graph>();
    s->name = name;
    s->parent = &g;
    ir::Value* in = s->get_or_create(name + "_in");
    in->type = ir::TypeInfo::tensor_of(DType::kFloat32, {2});
    in->is_graph_input = true;
    s->inputs.push_back(in);
    ir::Value* out = s->get_or_create(name + "_out");
    s->add_node("Add", "", 17, {in, s->get_or_create("w")}, {out}, name + "_add");
    s->outputs.push_back(out);
    EXPECT_TRUE(s->finalize().is_ok());
    return s;
  };
  a["g"].kind = K::kGraph, a["g"].g = sub("one");
  a["gs"].kind = K::kGraphs, a["gs"].graphs = {sub("two"), sub("three")};
  g.outputs.push_back(y);
  ASSERT_TRUE(g.finalize().is_ok());

  ASSERT_TRUE(offline::write_om(dir.file("attrs.om"), meta_for(*model), *model, nullptr).is_ok());
  auto om = offline::read_om(dir.file("attrs.om"));
  ASSERT_TRUE(om) << om.status().to_string();
  EXPECT_FALSE(om->memory_plan);
  const ir::Graph& rg = *om->model->graph;
  ASSERT_EQ(rg.nodes.size(), 1u);
  const ir::Node& r = *rg.nodes[0];
  EXPECT_EQ(r.domain, "kiln");
  EXPECT_EQ(r.name, "every_attr");
  ASSERT_EQ(r.inputs.size(), 3u);
  EXPECT_EQ(r.inputs[1], nullptr);
  EXPECT_EQ(rg.inputs[0]->type.str(), x->type.str());
  EXPECT_EQ(r.outputs[0]->type.str(), y->type.str());
  EXPECT_EQ(r.attr("f")->f, 1.5f);
  EXPECT_EQ(r.attr("i")->i, -7);
  EXPECT_EQ(r.attr("s")->s, std::string("bytes\0with nul", 14));
  EXPECT_EQ(r.attr("t")->t.to_int64_vector(), (std::vector<int64_t>{1, 2, 3}));
  ASSERT_EQ(r.attr("st")->t.numel(), 2);
  EXPECT_EQ(r.attr("st")->t.data<std::string>()[1], "bc");
  EXPECT_EQ(r.attr("fs")->floats, (std::vector<float>{0.25f, -2.0f}));
  EXPECT_EQ(r.attr("is")->ints, (std::vector<int64_t>{4, 5, 6}));
  EXPECT_EQ(r.attr("ss")->strings, (std::vector<std::string>{"p", "q"}));
  ASSERT_EQ(r.attr("ts")->tensors.size(), 2u);
  EXPECT_EQ(r.attr("ts")->tensors[0].as_double(0), 2.0);
  EXPECT_EQ(r.attr("ts")->tensors[1].dtype(), DType::kInt32);
  EXPECT_EQ(r.attr("tp")->type.str(), a["tp"].type.str());
  ASSERT_EQ(r.attr("g")->kind, K::kGraph);
  EXPECT_EQ(r.attr("g")->g->name, "one");
  ASSERT_EQ(r.attr("gs")->graphs.size(), 2u);
  EXPECT_EQ(r.attr("gs")->graphs[1]->name, "three");
  EXPECT_EQ(r.attr("gs")->graphs[1]->nodes[0]->name, "three_add");
  ASSERT_EQ(r.attr("g")->g->outer_refs.size(), 1u);
  EXPECT_EQ(r.attr("g")->g->outer_refs[0]->name, "w");
  const ir::Value* rw = rg.find("w");
  ASSERT_TRUE(rw && rw->constant);
  for (int64_t k = 0; k < 15; ++k) EXPECT_EQ(rw->constant->as_double(k), w->constant->as_double(k));
}

TEST(OfflineModel, WeightsViewTheMappedBytesAlignedWithoutCopy) {
  TempDir dir;
  GraphBuilder b = conv_model();
  auto s = Session::create(b.model);
  ASSERT_TRUE(s);
  ASSERT_TRUE(offline::write_om(dir.file("m.om"), meta_for((*s)->model()), (*s)->model(), &(*s)->memory_plan()).is_ok());
  auto bytes = read_file(dir.file("m.om"));
  ASSERT_TRUE(bytes);
  std::shared_ptr<void> buf(std::aligned_alloc(64, (bytes->size() + 63) / 64 * 64), std::free);
  std::memcpy(buf.get(), bytes->data(), bytes->size());
  const char* begin = static_cast<const char*>(buf.get());
  auto om = offline::read_om_from_bytes(buf, static_cast<const uint8_t*>(buf.get()), bytes->size(), "m.om");
  ASSERT_TRUE(om) << om.status().to_string();
  int constants = 0;
  for (const auto& v : om->model->graph->values()) {
    if (!v->constant || v->constant->nbytes() == 0) continue;
    ++constants;
    const char* p = static_cast<const char*>(v->constant->raw());
    EXPECT_GE(p, begin) << v->name;
    EXPECT_LE(p + v->constant->nbytes(), begin + bytes->size()) << v->name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << v->name;
  }
  EXPECT_GE(constants, 3);
  // The model outlives the caller's handle on the buffer: tensors keep it alive.
  buf.reset();
  auto session = offline::create_session(*om, {});
  ASSERT_TRUE(session);
  auto got = (*session)->run(b.feeds);
  auto want = (*s)->run(b.feeds);
  ASSERT_TRUE(got && want);
  expect_close(*got, *want);
}

TEST(OfflineModel, MetadataJsonRoundTripsEveryField) {
  offline::Metadata m;
  m.producer = "kiln 0.1.0";
  m.isa = "avx512";
  m.soc_version = "Ascend310";
  m.command_line = "atc --model=\"a b.onnx\" --framework=5";
  m.source_hash = "deadbeefdeadbeef";
  m.precision_mode = "force_fp32";
  offline::TensorDesc in;
  in.name = "data";
  in.graph_name = "data";
  in.dtype = DType::kUInt8;
  in.format = offline::Format::kNHWC;
  in.dims = {-1, 224, 224, 3};
  in.dims_v2 = {-1, 224, 224, 3};
  in.bytes = 8 * 224 * 224 * 3;
  in.aipp_index = 0;
  offline::TensorDesc gear;
  gear.name = "ascend_mbatch_shape_data";
  gear.dtype = DType::kInt32;
  gear.dims = {1};
  gear.bytes = 4;
  gear.role = offline::TensorDesc::Role::kDynamicGear;
  m.inputs = {in, gear};
  m.outputs = {in};
  m.gears.kind = offline::GearKind::kBatch;
  m.gears.values = {{1}, {8}};
  m.gears.positions = {{0, 0}};
  m.gears.output_dims = {{{1, 1000}}, {{8, 1000}}};
  aipp::Params p;
  p.mode = aipp::Mode::kStatic;
  p.input_format = aipp::InputFormat::kYuv420spU8;
  p.src_image_size_w = 224;
  p.mean_chn = {104, 117, 123, 0};
  m.aipp = {p};
  m.work_bytes = 12345;
  m.weight_bytes = 678;
  auto back = offline::metadata_from_json(offline::metadata_to_json(m), "x.om");
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_EQ(offline::metadata_to_json(*back), offline::metadata_to_json(m));
  EXPECT_EQ(back->inputs[1].role, offline::TensorDesc::Role::kDynamicGear);
  EXPECT_EQ(back->inputs[0].format, offline::Format::kNHWC);
  EXPECT_EQ(back->gears.output_dims[1][0], (std::vector<int64_t>{8, 1000}));
  EXPECT_EQ(back->aipp[0].mean_chn[2], 123);
  EXPECT_EQ(back->aipp[0].input_format, aipp::InputFormat::kYuv420spU8);
  EXPECT_EQ(back->work_bytes, 12345u);
}

TEST(OfflineModel, MetadataJsonErrorsNameFileAndField) {
  auto err = [](const std::string& json) {
    auto m = offline::metadata_from_json(json, "bad.om");
    EXPECT_FALSE(m) << json;
    return m ? std::string() : m.status().message();
  };
  EXPECT_NE(err("{").find("bad.om"), std::string::npos);
  EXPECT_NE(err("[1]").find("object"), std::string::npos);
  EXPECT_NE(err(R"({"inputs":[{"dtype":"float99"}]})").find("inputs[0].dtype"), std::string::npos);
  EXPECT_NE(err(R"({"inputs":[{"dims":[1,"x"]}]})").find("inputs[0].dims"), std::string::npos);
  EXPECT_NE(err(R"({"inputs":[{"format":"NC1HWC0"}]})").find("NC1HWC0"), std::string::npos);
  EXPECT_NE(err(R"({"inputs":[{"aipp_index":3}]})").find("aipp_index"), std::string::npos);
  EXPECT_NE(err(R"({"gears":{"kind":"batch","positions":[[5,0]]}})").find("gears.positions[0]"), std::string::npos);
  EXPECT_NE(err(R"({"gears":{"kind":"warp"}})").find("gears.kind"), std::string::npos);
  EXPECT_NE(err(R"({"work_bytes":-1})").find("work_bytes"), std::string::npos);
  EXPECT_NE(err(R"({"producer":5})").find("producer"), std::string::npos);
}

// resnet50 (torchvision export): .om outputs equal the ONNX session's; skipped without models/.
TEST(OfflineModel, Resnet50RoundTripMatchesOnnxSession) {
  const std::string path = std::string(KILN_SOURCE_DIR) + "/models/torch/resnet50_op17/model.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent (scripts/models.sh)";
  TempDir dir;
  auto model = onnx_frontend::load_model(path);
  ASSERT_TRUE(model) << model.status().to_string();
  auto s = Session::create(*model);
  ASSERT_TRUE(s) << s.status().to_string();
  const std::string om_path = dir.file("resnet50.om");
  ASSERT_TRUE(offline::write_om(om_path, meta_for((*s)->model()), **s).is_ok());
  auto om = offline::read_om(om_path);
  ASSERT_TRUE(om) << om.status().to_string();
  auto os = offline::create_session(*om, {});
  ASSERT_TRUE(os) << os.status().to_string();
  const std::string input = (*s)->inputs()[0]->name;
  std::vector<NamedValue> feeds = {{input, Value(random_tensor({1, 3, 224, 224}, 5))}};
  auto want = (*s)->run(feeds);
  auto got = (*os)->run(feeds);
  ASSERT_TRUE(want && got);
  expect_close(*got, *want, 1e-4, 1e-4);
}

}  // namespace
}  // namespace kiln
