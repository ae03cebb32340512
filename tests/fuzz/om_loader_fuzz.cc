// libFuzzer target for the offline-model (.om) reader: arbitrary bytes -> read_om_from_bytes with
// the checksum off (so mutations reach the header, section table, META/PLAN JSON, the GRAPH's
// ONNX parser, external-data references and PACKED entries) -> type inference. Any crash,
// sanitizer report or leak is a bug: a damaged .om must come back as a Status.
//
// The seed is written by the fuzzer binary itself (no test build needed in the fuzz build):
//   KILN_OM_WRITE_SEED=corpus/seed.om build-fuzz/tests/fuzz/om_loader_fuzz
// writes a small .om (Conv + Relu + If with two subgraphs, plan and prepacked weights) and exits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "offline/offline_model.h"
#include "passes/infer_types.h"
#include "runtime/session.h"

namespace {

using namespace kiln;

std::shared_ptr<ir::Model> seed_model() {
  auto model = std::make_shared<ir::Model>();
  model->path = "seed";
  model->opsets[""] = 17;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  auto input = [&](const std::string& name, DType dtype, Shape shape) {
    ir::Value* v = g.get_or_create(name);
    v->type = ir::TypeInfo::tensor_of(dtype, shape);
    v->is_graph_input = true;
    g.inputs.push_back(v);
    return v;
  };
  auto constant = [&](const std::string& name, Tensor t) {
    ir::Value* v = g.get_or_create(name);
    v->type = ir::TypeInfo::tensor_of(t.dtype(), t.shape());
    v->constant = std::move(t);
    return v;
  };
  ir::Value* x = input("x", DType::kFloat32, {1, 3, 4, 4});
  ir::Value* cond = input("cond", DType::kBool, {});
  Tensor w(DType::kFloat32, {2, 3, 3, 3});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = static_cast<float>(i % 7) * 0.1f - 0.3f;
  ir::Value* conv = g.get_or_create("conv");
  ir::Node* c = g.add_node("Conv", "", 17, {x, constant("w", w), constant("b", Tensor::from_vector<float>({0.5f, -1}, {2}))},
                           {conv}, "conv");
  c->attrs["pads"].kind = ir::Attribute::Kind::kInts;
  c->attrs["pads"].ints = {1, 1, 1, 1};
  ir::Value* relu = g.get_or_create("relu");
  g.add_node("Relu", "", 17, {conv}, {relu}, "relu");
  auto branch = [&](const char* name, const char* op) {
    auto sub = std::make_shared<ir::Graph>();
    sub->name = name;
    sub->parent = &g;
    ir::Value* k = sub->get_or_create(std::string(name) + "_k");
    k->constant = Tensor::scalar<float>(2.0f);
    k->type = ir::TypeInfo::tensor_of(DType::kFloat32, {});
    ir::Value* out = sub->get_or_create(std::string(name) + "_out");
    sub->add_node(op, "", 17, {sub->get_or_create("relu"), k}, {out}, name);
    sub->outputs.push_back(out);
    (void)sub->finalize();
    return sub;
  };
  ir::Value* y = g.get_or_create("y");
  ir::Node* n = g.add_node("If", "", 17, {cond}, {y}, "if");
  n->attrs["then_branch"].kind = ir::Attribute::Kind::kGraph;
  n->attrs["then_branch"].g = branch("then", "Mul");
  n->attrs["else_branch"].kind = ir::Attribute::Kind::kGraph;
  n->attrs["else_branch"].g = branch("else", "Add");
  g.outputs.push_back(y);
  (void)g.finalize();
  return model;
}

int write_seed(const char* path) {
  auto session = Session::create(seed_model());
  if (!session) {
    std::fprintf(stderr, "om_loader_fuzz: seed model: %s\n", session.status().to_string().c_str());
    return 1;
  }
  offline::Metadata meta;
  meta.producer = "om_loader_fuzz seed";
  meta.command_line = "atc --model=seed.onnx --framework=5 --output=seed --soc_version=cpu";
  for (const ir::Value* v : (*session)->inputs()) {
    offline::TensorDesc d;
    d.name = d.graph_name = v->name;
    d.dtype = v->type.elem;
    meta.inputs.push_back(d);
  }
  Status st = offline::write_om(path, meta, **session);
  if (!st) {
    std::fprintf(stderr, "om_loader_fuzz: %s\n", st.to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* seed = std::getenv("KILN_OM_WRITE_SEED")) std::exit(write_seed(seed));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A 64-byte aligned copy, as a mapping would be, so weights are views (not copies) and their
  // bounds are what ASan checks.
  std::shared_ptr<void> buf(std::aligned_alloc(64, (size + 64) / 64 * 64), std::free);
  if (size) std::memcpy(buf.get(), data, size);
  offline::ReadOptions options;
  options.verify_checksum = false;
  auto om = offline::read_om_from_bytes(buf, static_cast<const uint8_t*>(buf.get()), size, "fuzz.om", options);
  if (!om) return 0;
  (void)infer_types(*om->model);
  return 0;
}
