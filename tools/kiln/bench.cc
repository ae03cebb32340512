// `kiln bench --model M [--shapes NAME:1x3x224x224]... [--threads N] [--iterations N | --duration S]
//            [--warmUp MS] [--streams N] [--percentile P[,P...]] [--exportTimes F] [--dumpProfile]
//            [--json F] [--backend cpu|reference] [--seed N]`
// trtexec-style latency/throughput benchmark on random (or given) inputs. Options and the summary
// block follow trtexec so numbers and scripts carry over; Kiln adds load/prepare time, peak memory,
// threads, streams and ISA.
//
// Semantics as in trtexec: warm up for at least --warmUp ms, then time at least --iterations
// queries AND at least --duration seconds (only --iterations given: exactly that many queries).
// --streams N runs N threads that call the same Session concurrently, each with threads/N OpenMP
// threads, and reports aggregate throughput.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "bench_report.h"
#include "commands.h"
#include "core/cpu_features.h"
#include "core/file_util.h"
#include "inputs.h"
#include "model_source.h"
#include "runtime/batch_split.h"
#include "runtime/session.h"

namespace kiln::tools {

namespace {

using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::string model;
  std::vector<std::string> shapes;
  std::vector<std::string> inputs;
  int threads = 0;
  int64_t iterations = 10;  // trtexec defaults: 10 iterations, 3 s, 200 ms warm-up
  double duration_s = 3;
  double warmup_ms = 200;
  int streams = 1;
  std::string percentiles = "90,95,99";
  std::string export_times;
  std::string json;
  bool dump_profile = false;
  bool no_batch_split = false;
  std::string backend = "cpu";
  int64_t seed = -1;
  std::vector<std::string> disabled_passes;
  GearChoice gear;
  // Which of --iterations / --duration the user gave (the other then does not bound the run).
  CLI::Option* iterations_option = nullptr;
  CLI::Option* duration_option = nullptr;
};

int fail(const Status& st) {
  fmt::print(stderr, "error: {}\n", st.message());
  return 1;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int64_t current_rss_kb() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int64_t peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

Expected<std::vector<double>> parse_percentiles(const std::string& text) {
  std::vector<double> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    const std::string part = text.substr(pos, end - pos);
    char* stop = nullptr;
    const double p = std::strtod(part.c_str(), &stop);
    if (part.empty() || *stop != '\0' || !(p >= 0 && p <= 100)) {
      return invalid_argument("--percentile '{}': each value must be a number in [0, 100], got '{}'", text, part);
    }
    out.push_back(p);
    pos = end + 1;
  }
  return out;
}

// One measuring phase shared by all streams: a stream keeps starting queries until it has run
// `min_per_stream` itself, the phase has started at least `min_queries` AND `min_ms` have passed
// since `start`.
struct Phase {
  int64_t min_per_stream = 0;
  int64_t min_queries = 0;
  double min_ms = 0;
  Clock::time_point start;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> end_ns{0};  // latest query end, ns after `start`
};

struct SharedRun {
  const Session* session = nullptr;
  const std::vector<NamedValue>* inputs = nullptr;
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  Status error;
};

void run_phase(SharedRun& shared, Phase& phase, int stream, std::vector<QueryTrace>* traces) {
  for (int64_t own = 0; !shared.failed.load(std::memory_order_relaxed); ++own) {
    const Clock::time_point a = Clock::now();
    if (own >= phase.min_per_stream && phase.next.fetch_add(1) >= phase.min_queries &&
        ms_between(phase.start, a) >= phase.min_ms) {
      break;
    }
    Expected<std::vector<Value>> outputs = shared.session->run(*shared.inputs);
    const Clock::time_point b = Clock::now();
    if (!outputs) {
      std::lock_guard<std::mutex> lock(shared.error_mutex);
      if (!shared.failed.exchange(true)) shared.error = outputs.status();
      break;
    }
    phase.done.fetch_add(1);
    const int64_t end_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(b - phase.start).count();
    int64_t seen = phase.end_ns.load();
    while (seen < end_ns && !phase.end_ns.compare_exchange_weak(seen, end_ns)) {
    }
    if (traces) traces->push_back({ms_between(phase.start, a), ms_between(phase.start, b), stream});
  }
}

// Warm-up then timing, with all streams in both phases; the streams' threads live across both so
// their OpenMP thread pools are warm when timing starts.
Status measure(const Session& session, const std::vector<NamedValue>& inputs, const BenchOptions& opt,
               BenchFigures& f) {
  SharedRun shared;
  shared.session = &session;
  shared.inputs = &inputs;
  Phase warm, timed;
  warm.min_ms = opt.warmup_ms;
  // Thread start-up can outlast a short warm-up: each stream still warms its own OpenMP pool once.
  warm.min_per_stream = opt.warmup_ms > 0 ? 1 : 0;
  const bool iterations_given = opt.iterations_option->count() > 0;
  const bool duration_given = opt.duration_option->count() > 0;
  timed.min_queries = opt.iterations;
  timed.min_ms = (iterations_given && !duration_given) ? 0.0 : opt.duration_s * 1000;
  std::vector<std::vector<QueryTrace>> traces(static_cast<size_t>(opt.streams));
  std::barrier sync(opt.streams, [&timed]() noexcept { timed.start = Clock::now(); });

  auto stream_main = [&](int k) {
    traces[static_cast<size_t>(k)].reserve(4096);  // no allocation between most timed queries
    run_phase(shared, warm, k, nullptr);
    sync.arrive_and_wait();
    run_phase(shared, timed, k, &traces[static_cast<size_t>(k)]);
  };
  warm.start = Clock::now();
  if (opt.streams == 1) {
    stream_main(0);
  } else {
    std::vector<std::thread> threads;
    for (int k = 0; k < opt.streams; ++k) threads.emplace_back(stream_main, k);
    for (std::thread& t : threads) t.join();
  }
  if (shared.failed) return shared.error;

  f.warmup_queries = warm.done.load();
  f.warmup_ms = static_cast<double>(warm.end_ns.load()) / 1e6;
  for (const auto& t : traces) f.queries.insert(f.queries.end(), t.begin(), t.end());
  std::sort(f.queries.begin(), f.queries.end(),
            [](const QueryTrace& a, const QueryTrace& b) { return a.start_ms < b.start_ms; });
  if (!f.queries.empty()) {
    double end = 0;
    for (const QueryTrace& q : f.queries) end = std::max(end, q.end_ms);
    f.walltime_ms = end - f.queries.front().start_ms;
  }
  return Status::ok();
}

// Per-node times in a separate pass after timing (clock reads per node would slow the timed
// queries): the median over the runs of each top-level node.
Status profile_nodes(const Session& session, const std::vector<NamedValue>& inputs, int64_t timed_queries,
                     BenchFigures& f) {
  const int runs = static_cast<int>(std::clamp<int64_t>(timed_queries, 10, 100));
  const ir::Graph& graph = *session.model().graph;
  std::vector<std::vector<int64_t>> per_node(graph.nodes.size());
  RunProfile profile;
  std::vector<double> run_ms, node_sum_ms;  // per run: the difference is time spent between nodes
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    Expected<std::vector<Value>> outputs = session.run(inputs, &profile);
    run_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!outputs) return outputs.status();
    int64_t sum_ns = 0;
    for (size_t i = 0; i < per_node.size() && i < profile.node_ns.size(); ++i) {
      per_node[i].push_back(profile.node_ns[i]);
      sum_ns += profile.node_ns[i];
    }
    node_sum_ms.push_back(static_cast<double>(sum_ns) / 1e6);
  }
  f.profile_runs = runs;
  f.profile_run_ms = latency_stats(run_ms, {}).median;
  f.profile_node_sum_ms = latency_stats(node_sum_ms, {}).median;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& node = *graph.nodes[i];
    std::vector<int64_t>& ns = per_node[i];
    double median = 0;
    if (!ns.empty()) {
      std::sort(ns.begin(), ns.end());
      const size_t n = ns.size();
      median = (n % 2 ? static_cast<double>(ns[n / 2]) : (static_cast<double>(ns[n / 2 - 1]) + ns[n / 2]) / 2) / 1e6;
    }
    f.nodes.push_back({node.name.empty() ? node.label() : node.name,
                       node.domain.empty() ? node.op_type : node.domain + "." + node.op_type,
                       session.kernel_kind(node), median});
  }
  return Status::ok();
}

int bench_model(const BenchOptions& opt) {
  auto shapes = parse_shape_specs(opt.shapes);
  if (!shapes) return fail(shapes.status());
  auto files = parse_input_files(opt.inputs);
  if (!files) return fail(files.status());
  auto percentiles = parse_percentiles(opt.percentiles);
  if (!percentiles) return fail(percentiles.status());
  if (opt.streams < 1) return fail(invalid_argument("--streams must be >= 1, got {}", opt.streams));
  if (opt.iterations < 0) return fail(invalid_argument("--iterations must be >= 0, got {}", opt.iterations));
  if (!(opt.duration_s >= 0)) return fail(invalid_argument("--duration must be >= 0 s, got {}", opt.duration_s));
  if (!(opt.warmup_ms >= 0)) return fail(invalid_argument("--warmUp must be >= 0 ms, got {}", opt.warmup_ms));

  BenchFigures f;
  f.model = opt.model;
  f.backend = opt.backend;
  f.isa = isa_name(cpu_isa());
  f.streams = opt.streams;
  f.threads = opt.threads > 0 ? opt.threads : physical_cores();
  f.threads_per_stream = std::max(1, f.threads / opt.streams);
  f.percentiles = *percentiles;
  if (f.threads % opt.streams != 0) {
    fmt::print("note: {} threads do not split evenly over {} streams; each stream gets {}\n", f.threads, opt.streams,
               f.threads_per_stream);
  }

  f.rss_before_load_kb = current_rss_kb();
  SessionOptions session_options;
  session_options.backend = opt.backend == "reference" ? Backend::kReference : Backend::kCpu;
  session_options.threads = f.threads_per_stream;
  session_options.input_shapes = *shapes;
  session_options.disabled_passes = opt.disabled_passes;
  session_options.batch_split = !opt.no_batch_split;
  auto opened = open_model(opt.model, session_options);
  if (!opened) return fail(opened.status());
  const Session* session = opened->session.get();
  f.load_ms = opened->load_ms;
  f.prepare_ms = opened->prepare_ms;
  const BatchSplit& split = session->batch_split();
  f.batch_split = split.batch > 1 ? fmt::format("{} sub-batches of {} image{}, one per thread", split.runs(), split.images, split.images == 1 ? "" : "s") : "no: " + split.reason;
  std::string gear;
  auto gear_shapes = gear_input_shapes(*opened, opt.gear, &gear);
  if (!gear_shapes) return fail(gear_shapes.status());
  if (!gear.empty()) fmt::print("gear: {}\n", gear);
  for (const auto& [name, shape] : *gear_shapes) shapes->try_emplace(name, shape);

  f.seed = resolve_seed(opt.seed);
  auto fed = make_inputs(*session->model().graph, *files, *shapes, f.seed);
  if (!fed) return fail(fed.status());
  if (fed->used_random) fmt::print("random inputs with seed {} (repeat with --seed {})\n", f.seed, f.seed);
  for (const NamedValue& nv : fed->values) {
    if (!nv.value.is_tensor()) continue;
    const Tensor& t = nv.value.tensor();
    f.inputs.push_back({nv.name, std::string(dtype_name(t.dtype())), std::vector<int64_t>(t.shape().begin(), t.shape().end())});
  }

  Status st = measure(*session, fed->values, opt, f);
  if (!st.is_ok()) return fail(st);
  if (opt.dump_profile) {
    st = profile_nodes(*session, fed->values, static_cast<int64_t>(f.queries.size()), f);
    if (!st.is_ok()) return fail(st);
  }
  f.peak_rss_kb = peak_rss_kb();

  fmt::print("{}", format_summary(f));
  if (opt.dump_profile) fmt::print("{}", format_profile(f));
  if (!opt.export_times.empty()) {
    st = write_file_atomic(opt.export_times, format_times_json(f));
    if (!st.is_ok()) return fail(st);
    fmt::print("wrote  {}\n", opt.export_times);
  }
  if (!opt.json.empty()) {
    st = write_file_atomic(opt.json, format_json(f));
    if (!st.is_ok()) return fail(st);
    fmt::print("wrote  {}\n", opt.json);
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "Benchmark a model like trtexec: latency, throughput, memory, profile");
  cmd->add_option("--model,-m", opt->model, "Model file (.onnx, or .om from kiln convert / atc)")->required();
  cmd->add_option("--shapes", opt->shapes,
                  "NAME:1x3x224x224 (repeatable, or trtexec's a:1x3x8x8,b:1x5); fixes the plan's input shapes");
  cmd->add_option("--input,-i", opt->inputs, "NAME=FILE (.npy or ONNX TensorProto .pb) instead of random data");
  cmd->add_option("--threads", opt->threads, "Intra-op threads in total (default: physical cores)");
  opt->iterations_option =
      cmd->add_option("--iterations", opt->iterations, "Time at least N queries (default 10; alone: exactly N)");
  opt->duration_option = cmd->add_option("--duration", opt->duration_s, "Time for at least S seconds (default 3)");
  cmd->add_option("--warmUp", opt->warmup_ms, "Warm up for at least MS milliseconds before timing (default 200)");
  cmd->add_option("--streams", opt->streams, "Concurrent callers of one Session, threads/N threads each (default 1)");
  cmd->add_option("--percentile", opt->percentiles, "Latency percentiles to report, e.g. 90 or 90,95,99 (default)");
  cmd->add_option("--exportTimes", opt->export_times, "Write per-query start/end/latency (JSON) to this file");
  cmd->add_flag("--dumpProfile", opt->dump_profile, "Print per-node and per-op-type times (separate pass)");
  cmd->add_option("--json", opt->json, "Write every figure (JSON) to this file");
  cmd->add_flag("--noBatchSplit", opt->no_batch_split,
                "Run a batch as a whole even when its images could run one per thread (runtime/batch_split.h)");
  cmd->add_option("--backend", opt->backend, "cpu (optimized, default) or reference (the oracle)")
      ->check(CLI::IsMember({"cpu", "reference"}));
  cmd->add_option("--seed", opt->seed, "Seed for random inputs (default: time-based, printed)");
  cmd->add_option("--disable-pass", opt->disabled_passes, "Skip this graph pass (repeatable)");
  cmd->add_option("--dymBatch", opt->gear.batch, ".om with --dynamic_batch_size: run this batch gear");
  cmd->add_option("--dymHW", opt->gear.hw, ".om with --dynamic_image_size: run this H,W gear");
  cmd->add_option("--dymDims", opt->gear.dims, ".om with --dynamic_dims: run this gear (d1,d2,...)");
  cmd->callback([&exit_code, opt] { exit_code = bench_model(*opt); });
}

}  // namespace kiln::tools
