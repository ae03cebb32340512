#include "api_test_models.h"

#include <fstream>

#include "converter/atc_flags.h"
#include "converter/convert.h"
#include "converter/convert_options.h"
#include "frontend/onnx/onnx_writer.h"
#include "offline/offline_model.h"
#include "offline/om_test_util.h"

namespace kiln_api_test {

using namespace kiln;

namespace {

std::shared_ptr<ir::Model> addmul() {
  auto model = std::make_shared<ir::Model>();
  model->path = "addmul";
  model->opsets[""] = 17;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  auto input = [&](const char* name) {
    ir::Value* v = g.get_or_create(name);
    v->type = ir::TypeInfo::tensor_of(DType::kFloat32, {2, 3});
    v->is_graph_input = true;
    g.inputs.push_back(v);
    return v;
  };
  ir::Value* a = input("a");
  ir::Value* b = input("b");
  ir::Value* sum = g.get_or_create("sum");
  ir::Value* prod = g.get_or_create("prod");
  g.add_node("Add", "", 17, {a, b}, {sum}, "add");
  g.add_node("Mul", "", 17, {a, b}, {prod}, "mul");
  g.outputs = {sum, prod};
  return model;
}

// x[N,3] -> y = 2x + 1, N symbolic (converted with batch gears).
std::shared_ptr<ir::Model> affine() {
  auto model = std::make_shared<ir::Model>();
  model->path = "affine";
  model->opsets[""] = 17;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  ir::Value* x = g.get_or_create("x");
  x->type = ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim::named("N"), ir::Dim(3)});
  x->is_graph_input = true;
  g.inputs.push_back(x);
  auto constant = [&](const char* name, float v) {
    ir::Value* c = g.get_or_create(name);
    c->constant = Tensor::scalar<float>(v);
    c->type = ir::TypeInfo::tensor_of(DType::kFloat32, {});
    return c;
  };
  ir::Value* twice = g.get_or_create("twice");
  ir::Value* y = g.get_or_create("y");
  g.add_node("Mul", "", 17, {x, constant("two", 2.f)}, {twice}, "mul");
  g.add_node("Add", "", 17, {twice, constant("one", 1.f)}, {y}, "add");
  g.outputs = {y};
  return model;
}

}  // namespace

std::string write_affine_dynbatch_model(const std::string& dir) {
  auto model = affine();
  if (Status s = model->graph->finalize(); !s.is_ok()) return "finalize: " + s.message();
  auto bytes = onnx_frontend::write_model_bytes(*model);
  if (!bytes) return "write onnx: " + bytes.status().message();
  const std::string onnx = dir + "/affine.onnx";
  std::ofstream(onnx, std::ios::binary) << *bytes;
  const std::vector<std::string> args = {"--model=" + onnx, "--framework=5", "--output=" + dir + "/affine_dynbatch",
                                         "--soc_version=Ascend310", "--input_shape=x:-1,3",
                                         "--dynamic_batch_size=1,2,4"};
  auto flags = convert::parse_atc_flags(args);
  if (!flags) return "atc flags: " + flags.status().message();
  auto options = convert::options_from_flags(*flags, "atc (make_api_test_models)");
  if (!options) return "atc options: " + options.status().message();
  auto result = convert::convert(*options);
  if (!result) return "convert: " + result.status().message();
  return "";
}

std::string write_addmul_models(const std::string& dir) {
  auto model = addmul();
  if (Status s = model->graph->finalize(); !s.is_ok()) return "finalize: " + s.message();
  auto bytes = onnx_frontend::write_model_bytes(*model);
  if (!bytes) return "write onnx: " + bytes.status().message();
  std::ofstream(dir + "/addmul.onnx", std::ios::binary) << *bytes;
  auto session = Session::create(model);
  if (!session) return "session: " + session.status().message();
  if (Status s = offline::write_om(dir + "/addmul.om", test_util::meta_for((*session)->model()), **session);
      !s.is_ok()) {
    return "write om: " + s.message();
  }
  return "";
}

}  // namespace kiln_api_test
