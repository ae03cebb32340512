// Figures and reports of `kiln bench`: latency statistics with trtexec's definitions, the
// trtexec-style text summary, the per-node profile tables and the JSON files. Pure functions of the
// measured figures (no clocks, no model), so they are tested without running a model.
//
//   BenchFigures f = ...;                  // filled by bench.cc while it measures
//   fmt::print("{}", format_summary(f));   // "=== Performance summary ===\nThroughput: ..."
//   write_file_atomic(path, format_json(f));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::tools {

// One timed query: times in ms from the start of the timing phase.
struct QueryTrace {
  double start_ms = 0;
  double end_ms = 0;
  int stream = 0;
};

struct LatencyStats {
  double min = 0, max = 0, mean = 0, median = 0;
  std::vector<double> percentiles;  // values (ms) at BenchFigures::percentiles
};

// trtexec's definitions (samples/common/sampleReporting.cpp): median is the mean of the two middle
// values for an even count; percentile(P) is the sorted value at index n-1-floor((1-P/100)*n).
LatencyStats latency_stats(std::vector<double> ms, const std::vector<double>& percentiles);

struct NodeTime {
  std::string name;
  std::string op;      // "Conv", or "kiln.FusedConv" outside the default domain
  std::string kernel;  // "cpu" or "reference": which implementation ran it
  double median_ms = 0;
};

struct InputDesc {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
};

struct BenchFigures {
  std::string model;
  std::string backend;
  std::string isa;
  int threads = 0;             // total; each stream's session gets threads_per_stream
  int streams = 1;
  int threads_per_stream = 0;
  std::string batch_split;  // "16 images, one per thread" or "no: <why>"
  uint64_t seed = 0;
  std::vector<InputDesc> inputs;
  double load_ms = 0;     // ONNX file -> IR
  double prepare_ms = 0;  // IR -> session ready (inference, passes, kernel preparation)
  int64_t rss_before_load_kb = 0;
  int64_t peak_rss_kb = 0;  // getrusage ru_maxrss at the end
  int64_t warmup_queries = 0;
  double warmup_ms = 0;
  std::vector<QueryTrace> queries;  // timed queries, sorted by start
  double walltime_ms = 0;           // first timed start -> last timed end
  std::vector<double> percentiles = {90, 95, 99};
  int profile_runs = 0;         // 0: no profile
  double profile_run_ms = 0;       // median wall time of one profiled Session::run
  double profile_node_sum_ms = 0;  // median over the profiled runs of that run's node-time sum
  std::vector<NodeTime> nodes;  // execution order
};

// "min = A ms, max = B ms, mean = C ms, median = D ms, percentile(90%) = E ms, ..."
std::string format_stats(const LatencyStats& s, const std::vector<double>& percentiles);
// trtexec's prolog + "=== Performance summary ===" block, then Kiln's own lines.
std::string format_summary(const BenchFigures& f);
// Per-node table sorted by time, then the per-op-type summary.
std::string format_profile(const BenchFigures& f);
// Every figure, machine-readable.
std::string format_json(const BenchFigures& f);
// trtexec --exportTimes style: one object per timed query.
std::string format_times_json(const BenchFigures& f);

}  // namespace kiln::tools
