// Writes the small `.om` fixtures of the AscendCL C tests (tests/capi/test_mdl_*.c) into the folder
// given as argv[1]: each model is built in code, saved as ONNX, and converted with the same
// options `atc` takes. The models are elementwise so the tests compute every expected value by hand
// (and run in milliseconds, also under ASan):
//   static.om       x,z float [1,3,2,2] NCHW -> sum = x + z, prod = x * z
//   dyn_batch.om    x [-1,3,2,2], gears 1,2,4 -> y = 2x + 1
//   dyn_hw.om       x [1,3,-1,-1], gears (2,2),(4,3) -> y = 2x + 1
//   dyn_dims.om     x [-1,-1,-1,3] ND, gears (1,2,2),(2,2,2),(1,4,4) -> y = x + 1
//   aipp_static.om  x [1,3,4,4] with static AIPP YUV420SP 4x4, no CSC -> y = x + 1
//   aipp_dynamic.om x [1,3,4,4] with dynamic AIPP (max_src_image_size 48) -> y = x + 1
//   long_name.om    an input named with 130 'n's, [2] -> y = x + 1 (names past 127 characters)
//   aipp_batch.om   x [-1,3,4,4], gears 1,2, static AIPP as aipp_static.om -> y = x + 1 (the
//                   googlenet dynamic-batch sample's kind of model)
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "converter/atc_flags.h"
#include "converter/convert.h"
#include "converter/convert_options.h"
#include "frontend/onnx/onnx_writer.h"
#include "ir/graph.h"

namespace {

using namespace kiln;
namespace fs = std::filesystem;

struct Builder {
  std::shared_ptr<ir::Model> model = std::make_shared<ir::Model>();
  ir::Graph* g;
  int counter = 0;
  Builder() {
    model->opsets[""] = 17;
    model->graph = std::make_shared<ir::Graph>();
    g = model->graph.get();
  }
  ir::Value* input(const std::string& name, const Shape& shape) {
    ir::Value* v = g->get_or_create(name);
    v->type = ir::TypeInfo::tensor_of(DType::kFloat32, shape);
    v->is_graph_input = true;
    g->inputs.push_back(v);
    return v;
  }
  ir::Value* scalar(float f) {
    ir::Value* v = g->get_or_create("c" + std::to_string(counter++));
    Tensor t = Tensor::scalar<float>(f);
    v->type = ir::TypeInfo::tensor_of(DType::kFloat32, t.shape());
    v->constant = t;
    return v;
  }
  ir::Value* op(const std::string& type, std::vector<ir::Value*> in, const std::string& out = "") {
    ir::Value* o = g->get_or_create(out.empty() ? type + std::to_string(counter++) : out);
    g->add_node(type, "", 17, std::move(in), {o}, type + "_node" + std::to_string(counter++));
    return o;
  }
  void output(ir::Value* v) { g->outputs.push_back(v); }
};

bool convert_model(const fs::path& dir, const std::string& name, Builder& b, std::vector<std::string> args) {
  if (Status st = b.g->finalize(); !st.is_ok()) {
    fmt::print(stderr, "{}: {}\n", name, st.message());
    return false;
  }
  auto bytes = onnx_frontend::write_model_bytes(*b.model);
  if (!bytes) {
    fmt::print(stderr, "{}: {}\n", name, bytes.status().message());
    return false;
  }
  const fs::path onnx = dir / (name + ".onnx");
  std::ofstream(onnx, std::ios::binary).write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  args.insert(args.begin(), {"--model=" + onnx.string(), "--framework=5", "--output=" + (dir / name).string(),
                             "--soc_version=Ascend310"});
  auto flags = convert::parse_atc_flags(args);
  if (!flags) {
    fmt::print(stderr, "{}: {}\n", name, flags.status().message());
    return false;
  }
  auto opt = convert::options_from_flags(*flags, convert::join_command_line("atc", args));
  if (!opt) {
    fmt::print(stderr, "{}: {}\n", name, opt.status().message());
    return false;
  }
  auto result = convert::convert(*opt);
  if (!result) {
    fmt::print(stderr, "{}: {}\n", name, result.status().message());
    return false;
  }
  fs::remove(onnx);
  return true;
}

// y = 2x + 1 over x of `shape`.
void affine(Builder& b, const Shape& shape) {
  ir::Value* x = b.input("x", shape);
  b.output(b.op("Add", {b.op("Mul", {x, b.scalar(2)}), b.scalar(1)}, "y"));
}

// y = x + 1.
void plus_one(Builder& b, const Shape& shape) { b.output(b.op("Add", {b.input("x", shape), b.scalar(1)}, "y")); }

bool write_text(const fs::path& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: make_capi_test_models <dir>\n");
    return 2;
  }
  const fs::path dir = argv[1];
  fs::create_directories(dir);
  bool ok = true;
  {
    Builder b;
    ir::Value* x = b.input("x", {1, 3, 2, 2});
    ir::Value* z = b.input("z", {1, 3, 2, 2});
    b.output(b.op("Add", {x, z}, "sum"));
    b.output(b.op("Mul", {x, z}, "prod"));
    ok &= convert_model(dir, "static", b, {"--input_format=NCHW"});
  }
  {
    Builder b;
    affine(b, {1, 3, 2, 2});
    ok &= convert_model(dir, "dyn_batch", b, {"--input_shape=x:-1,3,2,2", "--dynamic_batch_size=1,2,4"});
  }
  {
    Builder b;
    affine(b, {1, 3, 4, 4});
    ok &= convert_model(dir, "dyn_hw", b, {"--input_format=NCHW", "--input_shape=x:1,3,-1,-1", "--dynamic_image_size=2,2;4,3"});
  }
  {
    Builder b;
    plus_one(b, {1, 4, 4, 3});
    ok &= convert_model(dir, "dyn_dims", b,
                        {"--input_format=ND", "--input_shape=x:-1,-1,-1,3", "--dynamic_dims=1,2,2;2,2,2;1,4,4"});
  }
  {
    Builder b;
    plus_one(b, {1, 3, 4, 4});
    const fs::path cfg = dir / "aipp_static.cfg";
    ok &= write_text(cfg, "aipp_op {\n  aipp_mode: static\n  input_format: YUV420SP_U8\n  src_image_size_w: 4\n"
                          "  src_image_size_h: 4\n  csc_switch: false\n}\n");
    ok &= convert_model(dir, "aipp_static", b, {"--input_format=NCHW", "--insert_op_conf=" + cfg.string()});
  }
  {
    Builder b;
    b.output(b.op("Add", {b.input(std::string(130, 'n'), {2}), b.scalar(1)}, "y"));
    ok &= convert_model(dir, "long_name", b, {});
  }
  {
    Builder b;
    plus_one(b, {1, 3, 4, 4});
    const fs::path cfg = dir / "aipp_static.cfg";
    ok &= convert_model(dir, "aipp_batch", b,
                        {"--input_format=NCHW", "--insert_op_conf=" + cfg.string(), "--input_shape=x:-1,3,4,4",
                         "--dynamic_batch_size=1,2"});
  }
  {
    Builder b;
    plus_one(b, {1, 3, 4, 4});
    const fs::path cfg = dir / "aipp_dynamic.cfg";
    ok &= write_text(cfg, "aipp_op {\n  aipp_mode: dynamic\n  related_input_rank: 0\n  max_src_image_size: 48\n}\n");
    ok &= convert_model(dir, "aipp_dynamic", b, {"--input_format=NCHW", "--insert_op_conf=" + cfg.string()});
  }
  return ok ? 0 : 1;
}
