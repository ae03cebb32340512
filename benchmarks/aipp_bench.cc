// The cost of AIPP against the network it feeds (issue 4: AIPP for a 224x224 NV12 input must cost
// <= 10% of a resnet50 inference). Converts resnet50 with configs/aipp/yuv420sp_224_imagenet.cfg (NV12
// 224x224, JPEG YUV->RGB, ImageNet normalisation), then reports medians of:
//   - kiln.Aipp alone as a one-node model (NCHW and NHWC output, scalar and AVX2 rows),
//   - the Aipp node inside resnet50+AIPP (per-node profile of the optimized graph),
//   - resnet50 without AIPP (float input) and with AIPP (NV12 input), whole inference.
//
//   build/benchmarks/aipp_bench [model.onnx] [iterations=30] [threads=0 (physical cores)] [config.cfg]
// (run from the repository root for the default model and config paths)
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "backends/cpu/aipp/aipp.h"
#include "converter/insert_aipp.h"
#include "core/cpu_features.h"
#include "frontend/onnx/onnx_loader.h"
#include "passes/infer_types.h"
#include "runtime/session.h"

namespace kiln {
namespace {

// Median and minimum: on a shared machine the minimum is the better estimate of the cost itself
// (a descheduled OpenMP worker shows up as a long barrier wait in some runs).
struct Timing {
  double median = 0, min = 0;
};

Timing summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? Timing{} : Timing{v[v.size() / 2], v.front()};
}

template <typename F>
Timing time_ms(int iterations, F&& f) {
  f();  // warm-up (first-shape allocations, page faults)
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return summarize(ms);
}

Tensor nv12_image() {
  Tensor t(DType::kUInt8, {1, 336, 224, 1});
  uint8_t* p = t.data<uint8_t>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<uint8_t>((i * 37 + (i >> 7)) & 0xff);
  return t;
}

std::shared_ptr<ir::Model> aipp_only_model(const aipp::Params& p, bool channels_last) {
  auto model = std::make_shared<ir::Model>();
  model->path = "aipp_bench";
  model->opsets[""] = 17;
  model->opsets["kiln"] = 1;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  ir::Value* x = g.get_or_create("image");
  x->type = ir::TypeInfo::tensor_of(DType::kUInt8, {1, 336, 224, 1});
  x->is_graph_input = true;
  g.inputs.push_back(x);
  ir::Value* y = g.get_or_create("y");
  g.outputs.push_back(y);
  ir::Node* n = g.add_node("Aipp", "kiln", 1, {x}, {y}, "aipp");
  n->attrs["params"].kind = ir::Attribute::Kind::kString;
  n->attrs["params"].s = aipp::to_json(p);
  n->attrs["output_chw"].kind = ir::Attribute::Kind::kInts;
  n->attrs["output_chw"].ints = {3, 224, 224};
  n->attrs["channels_last"].kind = ir::Attribute::Kind::kInt;
  n->attrs["channels_last"].i = channels_last;
  (void)g.finalize();
  return model;
}

int run(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "models/torch/resnet50_op17/model.onnx";
  const int iterations = argc > 2 ? std::max(1, std::atoi(argv[2])) : 30;
  SessionOptions opt;
  opt.threads = argc > 3 ? std::atoi(argv[3]) : 0;
  // NV12 224x224, JPEG YUV->RGB, ImageNet normalisation (the demo's config).
  const std::string config = argc > 4 ? argv[4] : "configs/aipp/yuv420sp_224_imagenet.cfg";
  auto cfg = aipp::read_config_file(config);
  if (!cfg) return fmt::print(stderr, "{}\n", cfg.status().message()), 1;
  aipp::Params params = cfg->ops[0];
  if (auto s = aipp::validate_against_input(params, {1, 3, 224, 224}, "input"); !s) return fmt::print(stderr, "{}\n", s.message()), 1;
  const Tensor image = nv12_image();
  fmt::print("ISA {}, threads {}, {} iterations, medians\n", isa_name(cpu_isa()), opt.threads > 0 ? opt.threads : physical_cores(), iterations);

  // AIPP alone.
  for (bool channels_last : {false, true}) {
    auto s = Session::create(aipp_only_model(params, channels_last), opt);
    if (!s) return fmt::print(stderr, "{}\n", s.status().message()), 1;
    const Timing t = time_ms(iterations * 10, [&] { (void)(*s)->run({{"image", Value(image)}}); });
    fmt::print("kiln.Aipp NV12 224x224 -> {} float (session, one node): median {:.3f} ms, min {:.3f} ms\n",
               channels_last ? "NHWC" : "NCHW", t.median, t.min);
  }
  const cpu::AippPlan plan = cpu::make_aipp_plan(params, 3, 224, 224, true);
  std::vector<float> out(3 * 224 * 224);
  const Timing scalar = time_ms(iterations * 10, [&] { cpu::aipp_rows_scalar(plan, image.data<uint8_t>(), out.data(), 0, 224); });
  fmt::print("row kernel, 1 thread, NHWC: scalar median {:.3f} / min {:.3f} ms", scalar.median, scalar.min);
  if (cpu_isa() >= Isa::kAvx2) {
    const Timing avx2 = time_ms(iterations * 10, [&] { cpu::aipp_rows_avx2(plan, image.data<uint8_t>(), out.data(), 0, 224); });
    fmt::print(", avx2 median {:.3f} / min {:.3f} ms", avx2.median, avx2.min);
  }
  fmt::print("\n");

  // resnet50 with and without AIPP.
  auto plain = onnx_frontend::load_model(path);
  auto with_aipp = onnx_frontend::load_model(path);
  if (!plain || !with_aipp) return fmt::print(stderr, "{}\n", plain ? with_aipp.status().message() : plain.status().message()), 1;
  if (auto s = infer_types(**with_aipp); !s) return fmt::print(stderr, "{}\n", s.message()), 1;
  aipp::Params p2 = cfg->ops[0];
  auto ins = aipp::insert_aipp(**with_aipp, p2, aipp::NetworkLayout::kNCHW);
  if (!ins) return fmt::print(stderr, "{}\n", ins.status().message()), 1;
  auto s_plain = Session::create(*plain, opt);
  auto s_aipp = Session::create(*with_aipp, opt);
  if (!s_plain || !s_aipp) return fmt::print(stderr, "session failed\n"), 1;
  const std::string input = (*s_plain)->inputs()[0]->name;
  Tensor x(DType::kFloat32, {1, 3, 224, 224});
  const Timing plain_ms = time_ms(iterations, [&] { (void)(*s_plain)->run({{input, Value(x)}}); });
  const Timing aipp_total_ms = time_ms(iterations, [&] { (void)(*s_aipp)->run({{input, Value(image)}}); });
  // The Aipp node's own time inside the converted model.
  const ir::Graph& g = *(*s_aipp)->model().graph;
  int64_t aipp_index = -1;
  for (const auto& n : g.nodes) {
    if (n->op_type == "Aipp") aipp_index = n->index;
  }
  std::vector<double> node_ms;
  for (int i = 0; i < iterations; ++i) {
    RunProfile prof;
    (void)(*s_aipp)->run({{input, Value(image)}}, &prof);
    if (aipp_index >= 0 && static_cast<size_t>(aipp_index) < prof.node_ns.size()) node_ms.push_back(prof.node_ns[static_cast<size_t>(aipp_index)] / 1e6);
  }
  const Timing aipp_node_ms = summarize(node_ms);
  fmt::print("resnet50 float input: median {:.2f} ms, min {:.2f} ms\n", plain_ms.median, plain_ms.min);
  fmt::print("resnet50 + AIPP, NV12 input: median {:.2f} ms, min {:.2f} ms; its Aipp node: median {:.3f} ms, min {:.3f} ms "
             "(channels_last={})\n", aipp_total_ms.median, aipp_total_ms.min, aipp_node_ms.median, aipp_node_ms.min,
             aipp_index >= 0 ? g.nodes[static_cast<size_t>(aipp_index)]->attr_int("channels_last", 0) : -1);
  fmt::print("AIPP / resnet50: medians {:.2f}%, minima {:.2f}% (limit 10%)\n", 100.0 * aipp_node_ms.median / plain_ms.median,
             100.0 * aipp_node_ms.min / plain_ms.min);
  return 0;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) { return kiln::run(argc, argv); }
