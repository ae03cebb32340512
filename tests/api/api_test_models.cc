#include "api_test_models.h"

#include <fstream>

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

}  // namespace

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
