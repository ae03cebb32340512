// What the AscendCL layer costs, and what streams buy (issue 5's cost lines), on one `.om`:
//
//   acl_bench overhead resnet50.om [rounds=9] [iterations=20]
//     aclmdlExecute (libascendcl.so: datasets, checks, the model runner) against calling the C++
//     runtime directly (offline::read_om + create_session + Session::run on a wrapped input):
//     rounds x iterations pairs of back-to-back runs in one process, the order alternating, so
//     both paths see the same machine. Prints each path's median and the median per-pair ratio.
//   acl_bench streams resnet50.om [seconds=10]
//     Throughput of aclmdlExecuteAsync: one stream with the model's executions using 2 threads,
//     one stream with 1 thread, and two streams fed concurrently (each execution then gets
//     threads / executions running, so the two never oversubscribe the cores). The three take
//     turns in 5 rounds; each stream is kept busy (two halves of queued work, refilled on events).
//
// Threads: KILN_NUM_THREADS is read when a model is loaded (default: physical cores), so each
// configuration loads its own copy of the model with the variable set for it.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "acl/acl.h"
#include "offline/offline_model.h"
#include "runtime/session.h"

namespace kiln {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

#define ACL_OR_DIE(call)                                                                          \
  do {                                                                                            \
    aclError ret_ = (call);                                                                       \
    if (ret_ != ACL_SUCCESS) {                                                                    \
      fmt::print(stderr, "acl_bench: {} failed: {} ({})\n", #call, ret_, aclGetRecentErrMsg());   \
      std::exit(1);                                                                               \
    }                                                                                             \
  } while (0)

// One loaded model with one input/output dataset pair per slot (inputs zero-filled by aclrtMalloc).
struct AclModel {
  uint32_t id = 0;
  aclmdlDesc* desc = nullptr;
  std::vector<aclmdlDataset*> inputs, outputs;

  AclModel(const std::string& path, int threads, int slots) {
    if (threads > 0) setenv("KILN_NUM_THREADS", std::to_string(threads).c_str(), 1);
    ACL_OR_DIE(aclmdlLoadFromFile(path.c_str(), &id));
    unsetenv("KILN_NUM_THREADS");
    desc = aclmdlCreateDesc();
    ACL_OR_DIE(aclmdlGetDesc(desc, id));
    for (int s = 0; s < slots; ++s) {
      inputs.push_back(make_dataset(aclmdlGetNumInputs(desc), true));
      outputs.push_back(make_dataset(aclmdlGetNumOutputs(desc), false));
    }
  }
  aclmdlDataset* make_dataset(size_t count, bool input) {
    aclmdlDataset* set = aclmdlCreateDataset();
    for (size_t i = 0; i < count; ++i) {
      size_t size = input ? aclmdlGetInputSizeByIndex(desc, i) : aclmdlGetOutputSizeByIndex(desc, i);
      void* p = nullptr;
      ACL_OR_DIE(aclrtMalloc(&p, size, ACL_MEM_MALLOC_HUGE_FIRST));
      ACL_OR_DIE(aclmdlAddDatasetBuffer(set, aclCreateDataBuffer(p, size)));
    }
    return set;
  }
  ~AclModel() {
    for (auto* sets : {&inputs, &outputs}) {
      for (aclmdlDataset* set : *sets) {
        for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(set); ++i) {
          aclDataBuffer* b = aclmdlGetDatasetBuffer(set, i);
          aclrtFree(aclGetDataBufferAddr(b));
          aclDestroyDataBuffer(b);
        }
        aclmdlDestroyDataset(set);
      }
    }
    aclmdlDestroyDesc(desc);
    aclmdlUnload(id);
  }
};

// The same model through the C++ runtime: the session over the .om, the input wrapped without a
// copy, outputs copied into a caller buffer (what aclmdlExecute's contract also does).
struct DirectModel {
  std::unique_ptr<Session> session;
  std::vector<NamedValue> feeds;
  std::vector<std::vector<char>> out_buffers;

  explicit DirectModel(const std::string& path) {
    auto om = offline::read_om(path);
    if (!om) die(om.status());
    auto s = offline::create_session(*om, {});
    if (!s) die(s.status());
    session = std::move(*s);
    for (const ir::Value* in : session->inputs()) {
      if (in->constant) continue;
      Tensor t(in->type.elem, in->type.concrete());
      feeds.push_back({in->name, Value(Tensor::wrap(t.dtype(), t.shape(), t.raw(), std::make_shared<Tensor>(t)))});
    }
  }
  void run() {
    auto outs = session->run(feeds);
    if (!outs) die(outs.status());
    out_buffers.resize(outs->size());
    for (size_t i = 0; i < outs->size(); ++i) {
      const Tensor& t = (*outs)[i].tensor();
      out_buffers[i].resize(t.nbytes());
      std::memcpy(out_buffers[i].data(), t.raw(), t.nbytes());
    }
  }
  [[noreturn]] static void die(const Status& st) {
    fmt::print(stderr, "acl_bench: {}\n", st.to_string());
    std::exit(1);
  }
};

int overhead(const std::string& path, int rounds, int iterations) {
  DirectModel direct(path);
  AclModel acl(path, 0, 1);
  auto run_direct = [&] {
    auto t = Clock::now();
    direct.run();
    return ms_since(t);
  };
  auto run_acl = [&] {
    auto t = Clock::now();
    ACL_OR_DIE(aclmdlExecute(acl.id, acl.inputs[0], acl.outputs[0]));
    return ms_since(t);
  };
  for (int i = 0; i < 3; ++i) run_direct(), run_acl();  // warm-up (first-run allocations, page faults)
  // Pairs of back-to-back runs, the order alternating, so slow drifts of a shared machine hit both
  // paths alike; the per-pair ratio's median is the figure.
  std::vector<double> direct_ms, acl_ms, ratio;
  for (int n = 0; n < rounds * iterations; ++n) {
    double d, a;
    if (n % 2 == 0) {
      d = run_direct();
      a = run_acl();
    } else {
      a = run_acl();
      d = run_direct();
    }
    direct_ms.push_back(d);
    acl_ms.push_back(a);
    ratio.push_back(a / d);
  }
  const double d = median(direct_ms), a = median(acl_ms), r = median(ratio);
  fmt::print("model {}\n", path);
  fmt::print("{} pairs of runs (C++ runtime, aclmdlExecute), back to back, order alternating\n", ratio.size());
  fmt::print("C++ runtime (Session::run)   median {:.3f} ms\n", d);
  fmt::print("aclmdlExecute                median {:.3f} ms\n", a);
  fmt::print("aclmdlExecute / C++ runtime  {:.4f} ({:+.2f}%), median of the per-pair ratios\n", r, (r - 1) * 100);
  return 0;
}

// Executions per second with `streams` streams for `seconds`. Each stream is fed in two halves of
// `depth` executions, each half followed by an event; the feeder waits for one half's event while
// the other half runs, then refills it, so a stream never drains (how a throughput application
// keeps an accelerator busy).
struct Throughput {
  long executions = 0;
  double seconds = 0;
};
Throughput stream_throughput(AclModel& model, int streams, int depth, double seconds) {
  std::vector<aclrtStream> handles(streams);
  for (auto& s : handles) ACL_OR_DIE(aclrtCreateStream(&s));
  std::atomic<long> done{0};
  const auto start = Clock::now();
  std::vector<std::thread> feeders;
  for (int s = 0; s < streams; ++s) {
    feeders.emplace_back([&, s] {
      aclrtEvent half_done[2];
      for (auto& e : half_done) ACL_OR_DIE(aclrtCreateEvent(&e));
      auto submit_half = [&](int half) {
        for (int k = 0; k < depth; ++k) {
          const int slot = (s * 2 + half) * depth + k;
          ACL_OR_DIE(aclmdlExecuteAsync(model.id, model.inputs[slot], model.outputs[slot], handles[s]));
        }
        ACL_OR_DIE(aclrtRecordEvent(half_done[half], handles[s]));
      };
      submit_half(0);
      for (int half = 1; ms_since(start) < seconds * 1000; half ^= 1) {
        submit_half(half);
        ACL_OR_DIE(aclrtSynchronizeEvent(half_done[half ^ 1]));
        done += depth;
      }
      ACL_OR_DIE(aclrtSynchronizeStream(handles[s]));
      done += depth;
      for (auto& e : half_done) ACL_OR_DIE(aclrtDestroyEvent(e));
    });
  }
  for (auto& f : feeders) f.join();
  Throughput t{done.load(), ms_since(start) / 1000};
  for (auto& s : handles) ACL_OR_DIE(aclrtDestroyStream(s));
  return t;
}

int streams(const std::string& path, double seconds) {
  const int depth = 2, rounds = 5;
  struct Config {
    const char* name;
    int threads, streams;
    std::unique_ptr<AclModel> model;
    Throughput total;
  } configs[] = {{"1 stream, 2 threads per execution", 2, 1, nullptr, {}},
                 {"1 stream, 1 thread per execution", 1, 1, nullptr, {}},
                 {"2 streams, 2 threads shared by the running executions", 2, 2, nullptr, {}}};
  for (Config& c : configs) {
    c.model = std::make_unique<AclModel>(path, c.threads, c.streams * 2 * depth);
    stream_throughput(*c.model, c.streams, depth, 0.5);  // warm-up
  }
  // The configurations take turns, round by round, so a shared machine's drift hits all of them.
  for (int r = 0; r < rounds; ++r) {
    for (Config& c : configs) {
      Throughput t = stream_throughput(*c.model, c.streams, depth, seconds / rounds);
      c.total.executions += t.executions;
      c.total.seconds += t.seconds;
    }
  }
  fmt::print("model {}, {} rounds of {:.1f} s per configuration, 2 x {} executions queued per stream\n", path, rounds,
             seconds / rounds, depth);
  double best_single = 0;
  for (const Config& c : configs) {
    const double qps = c.total.executions / c.total.seconds;
    if (c.streams == 1) best_single = std::max(best_single, qps);
    fmt::print("{:<55} {:8.2f} executions/s{}\n", c.name, qps,
               c.streams == 1 ? "" : fmt::format("  ({:.3f} x the best single stream)", qps / best_single));
  }
  return 0;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: acl_bench overhead MODEL.om [rounds] [iterations] | streams MODEL.om [seconds]\n");
    return 2;
  }
  const std::string mode = argv[1], path = argv[2];
  ACL_OR_DIE(aclInit(nullptr));
  ACL_OR_DIE(aclrtSetDevice(0));
  int rc = 2;
  if (mode == "overhead") {
    rc = kiln::overhead(path, argc > 3 ? std::atoi(argv[3]) : 9, argc > 4 ? std::atoi(argv[4]) : 20);
  } else if (mode == "streams") {
    rc = kiln::streams(path, argc > 3 ? std::atof(argv[3]) : 10.0);
  } else {
    fmt::print(stderr, "acl_bench: unknown mode '{}'\n", mode);
  }
  aclrtResetDevice(0);
  aclFinalize();
  return rc;
}
