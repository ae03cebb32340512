// Load-time benchmark for offline models: how long until a session is ready to run, from an ONNX
// file (import + type inference + passes + kernel prepare) and from the `.om` written from it
// (map + validate + parse + kernel prepare). Each mode runs its path `repeat` times in one
// process and prints every iteration, so a driver loop can report the first-in-process time
// (fresh process, warm page cache) and the later ones (warm process) separately.
//
//   build/benchmarks/om_load_bench convert models/torch/resnet50_op17/model.onnx /tmp/r50.om
//   build/benchmarks/om_load_bench onnx models/torch/resnet50_op17/model.onnx [repeat=5]
//   build/benchmarks/om_load_bench om /tmp/r50.om [repeat=5]
//   scripts/om_load_bench.sh  (runs both, several processes each, prints medians)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "frontend/onnx/onnx_loader.h"
#include "offline/offline_model.h"
#include "runtime/session.h"

namespace kiln {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

int fail(const Status& st) {
  fmt::print(stderr, "om_load_bench: {}\n", st.to_string());
  return 1;
}

// Feeds of zeros for every input (shapes must be static).
std::vector<NamedValue> zero_feeds(const Session& s) {
  std::vector<NamedValue> feeds;
  for (const ir::Value* in : s.inputs()) {
    if (in->constant || !in->type.fully_known()) continue;
    feeds.push_back({in->name, Value(Tensor(in->type.elem, in->type.concrete()))});
  }
  return feeds;
}

int convert(const std::string& onnx, const std::string& om) {
  auto model = onnx_frontend::load_model(onnx);
  if (!model) return fail(model.status());
  auto s = Session::create(*model);
  if (!s) return fail(s.status());
  offline::Metadata meta;
  meta.producer = "kiln om_load_bench";
  meta.source_path = onnx;
  meta.command_line = "om_load_bench convert " + onnx + " " + om;
  // KILN_OM_NO_PACKED=1 leaves the prepacked weights out (to measure what they save).
  Status st = offline::write_om(om, meta, **s, std::getenv("KILN_OM_NO_PACKED") == nullptr);
  if (!st) return fail(st);
  fmt::print("wrote {}\n", om);
  return 0;
}

int bench(const std::string& mode, const std::string& path, int repeat) {
  for (int i = 0; i < repeat; ++i) {
    const Clock::time_point t0 = Clock::now();
    double load_ms = 0;
    std::unique_ptr<Session> session;
    if (mode == "onnx") {
      auto model = onnx_frontend::load_model(path);
      if (!model) return fail(model.status());
      load_ms = ms_since(t0);
      auto s = Session::create(*model);
      if (!s) return fail(s.status());
      session = std::move(*s);
    } else {
      offline::ReadOptions ro;
      ro.verify_checksum = std::getenv("KILN_OM_NO_CHECKSUM") == nullptr;  // to see the checksum's share
      auto om = offline::read_om(path, ro);
      if (!om) return fail(om.status());
      load_ms = ms_since(t0);
      auto s = offline::create_session(*om, {});
      if (!s) return fail(s.status());
      session = std::move(*s);
    }
    const double ready_ms = ms_since(t0);
    const Clock::time_point r0 = Clock::now();
    auto out = session->run(zero_feeds(*session));
    if (!out) return fail(out.status());
    const double run_ms = ms_since(r0);
    // One line per iteration: mode, iteration, file load/parse, session create, ready total, first run.
    fmt::print("{} iter={} load_ms={:.2f} create_ms={:.2f} ready_ms={:.2f} first_run_ms={:.2f}\n", mode, i, load_ms,
               ready_ms - load_ms, ready_ms, run_ms);
  }
  return 0;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "convert") return kiln::convert(argv[2], argv[3]);
  if (argc >= 3 && (std::string(argv[1]) == "onnx" || std::string(argv[1]) == "om")) {
    return kiln::bench(argv[1], argv[2], argc >= 4 ? std::max(1, std::atoi(argv[3])) : 5);
  }
  fmt::print(stderr, "usage: om_load_bench convert MODEL.onnx OUT.om | onnx MODEL.onnx [repeat] | om MODEL.om [repeat]\n");
  return 2;
}
