#include "bench_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace kiln::tools {

namespace {

// trtexec prints through std::ostream's default format: 6 significant digits (%g).
std::string num(double v) { return fmt::format("{:.6g}", v); }

std::string mib(int64_t kb) { return fmt::format("{:.1f} MiB", static_cast<double>(kb) / 1024.0); }

std::string dims_text(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::vector<double> latencies(const BenchFigures& f) {
  std::vector<double> ms;
  ms.reserve(f.queries.size());
  for (const QueryTrace& q : f.queries) ms.push_back(q.end_ms - q.start_ms);
  return ms;
}

double total_compute_ms(const BenchFigures& f) {
  double sum = 0;
  for (const QueryTrace& q : f.queries) sum += q.end_ms - q.start_ms;
  return sum;
}

double throughput_qps(const BenchFigures& f) {
  return f.walltime_ms > 0 ? static_cast<double>(f.queries.size()) * 1000.0 / f.walltime_ms : 0.0;
}

double profile_total_ms(const BenchFigures& f) {
  double total = 0;
  for (const NodeTime& n : f.nodes) total += n.median_ms;
  return total;
}

struct OpTime {
  std::string op;
  int nodes = 0;
  double ms = 0;
};

std::vector<OpTime> op_times(const BenchFigures& f) {
  std::map<std::string, OpTime> by_op;
  for (const NodeTime& n : f.nodes) {
    OpTime& o = by_op[n.op];
    o.op = n.op;
    ++o.nodes;
    o.ms += n.median_ms;
  }
  std::vector<OpTime> out;
  for (auto& [op, o] : by_op) out.push_back(o);
  std::stable_sort(out.begin(), out.end(), [](const OpTime& a, const OpTime& b) { return a.ms > b.ms; });
  return out;
}

// Minimal JSON writer: objects and arrays are written in order with commas managed here, so the
// callers read like the document they produce.
class Json {
 public:
  Json& begin_object(const char* key = nullptr) { return open(key, '{'); }
  Json& begin_array(const char* key = nullptr) { return open(key, '['); }
  Json& end_object() { return close('}'); }
  Json& end_array() { return close(']'); }
  // Rounded to 1e-6 (ns for ms figures) so values print short; non-finite values have no JSON form.
  Json& value(const char* key, double v) {
    return raw(key, std::isfinite(v) ? fmt::format("{}", std::round(v * 1e6) / 1e6) : "null");
  }
  Json& value(const char* key, const std::vector<int64_t>& v) { return raw(key, fmt::format("[{}]", fmt::join(v, ", "))); }
  Json& value(const char* key, int64_t v) { return raw(key, std::to_string(v)); }
  Json& value(const char* key, int v) { return raw(key, std::to_string(v)); }
  Json& value(const char* key, uint64_t v) { return raw(key, std::to_string(v)); }
  Json& value(const char* key, bool v) { return raw(key, v ? "true" : "false"); }
  Json& value(const char* key, const std::string& v) { return raw(key, quote(v)); }
  Json& value(const char* key, const char* v) { return raw(key, quote(v)); }
  std::string str() const { return out_ + "\n"; }

 private:
  static std::string quote(std::string_view s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') {
        q += '\\';
        q += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        q += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
      } else {
        q += c;
      }
    }
    return q + "\"";
  }
  void separate(const char* key) {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ",";
      first_.back() = false;
      out_ += "\n" + std::string(2 * first_.size(), ' ');
    }
    if (key) out_ += quote(key) + ": ";
  }
  Json& raw(const char* key, const std::string& text) {
    separate(key);
    out_ += text;
    return *this;
  }
  Json& open(const char* key, char bracket) {
    separate(key);
    out_ += bracket;
    first_.push_back(true);
    return *this;
  }
  Json& close(char bracket) {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) out_ += "\n" + std::string(2 * first_.size(), ' ');
    out_ += bracket;
    return *this;
  }
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written into it yet
};

}  // namespace

LatencyStats latency_stats(std::vector<double> ms, const std::vector<double>& percentiles) {
  LatencyStats s;
  if (ms.empty()) {
    s.percentiles.assign(percentiles.size(), 0.0);
    return s;
  }
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  s.min = ms.front();
  s.max = ms.back();
  s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(n);
  s.median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  for (double p : percentiles) {
    // (100-P)*n/100 rather than (1-P/100)*n: the latter makes P=90, n=10 exclude 0.999.. -> 0 samples.
    const double clamped = std::clamp(p, 0.0, 100.0);
    const auto exclude = static_cast<int64_t>((100.0 - clamped) * static_cast<double>(n) / 100.0 + 1e-9);
    s.percentiles.push_back(ms[static_cast<size_t>(std::max<int64_t>(static_cast<int64_t>(n) - 1 - exclude, 0))]);
  }
  return s;
}

std::string format_stats(const LatencyStats& s, const std::vector<double>& percentiles) {
  std::string text = fmt::format("min = {} ms, max = {} ms, mean = {} ms, median = {} ms", num(s.min), num(s.max),
                                 num(s.mean), num(s.median));
  for (size_t i = 0; i < percentiles.size() && i < s.percentiles.size(); ++i) {
    text += fmt::format(", percentile({:g}%) = {} ms", percentiles[i], num(s.percentiles[i]));
  }
  return text;
}

std::string format_summary(const BenchFigures& f) {
  const LatencyStats lat = latency_stats(latencies(f), f.percentiles);
  std::string t;
  t += fmt::format("Warmup completed {} queries over {} ms\n", f.warmup_queries, num(f.warmup_ms));
  t += fmt::format("Timing trace has {} queries over {} s\n", f.queries.size(), num(f.walltime_ms / 1000));
  t += "\n=== Performance summary ===\n";
  t += fmt::format("Throughput: {} qps\n", num(throughput_qps(f)));
  t += fmt::format("Latency: {}\n", format_stats(lat, f.percentiles));
  t += fmt::format("Total Host Walltime: {} s\n", num(f.walltime_ms / 1000));
  t += fmt::format("Total Compute Time: {} s\n", num(total_compute_ms(f) / 1000));
  // trtexec's H2D/D2H/Enqueue lines have no CPU counterpart: a query here is one Session::run.
  t += "Latency is the wall time of one Session::run (no host-device transfers on the CPU); Total Compute "
       "Time sums it over all queries.\n";

  t += "\n=== Kiln ===\n";
  t += fmt::format("Model: {}\n", f.model);
  for (const InputDesc& in : f.inputs) {
    t += fmt::format("Input: {} {} {}\n", in.name, in.dtype, dims_text(in.shape));
  }
  t += fmt::format("Backend: {}, ISA: {}\n", f.backend, f.isa);
  t += fmt::format("Threads: {} ({} stream{} x {} thread{})\n", f.threads, f.streams, f.streams == 1 ? "" : "s",
                   f.threads_per_stream, f.threads_per_stream == 1 ? "" : "s");
  if (!f.batch_split.empty()) t += fmt::format("Batch split: {}\n", f.batch_split);
  t += fmt::format("Model load time: {:.1f} ms\n", f.load_ms);
  t += fmt::format("Session prepare time: {:.1f} ms (model file -> ready: {:.1f} ms)\n", f.prepare_ms,
                   f.load_ms + f.prepare_ms);
  t += fmt::format("Peak resident memory: {} (growth from before load: {})\n", mib(f.peak_rss_kb),
                   mib(f.peak_rss_kb - f.rss_before_load_kb));
  return t;
}

std::string format_profile(const BenchFigures& f) {
  const double total = profile_total_ms(f);
  const auto pct = [&](double ms) { return total > 0 ? 100.0 * ms / total : 0.0; };
  std::vector<const NodeTime*> sorted;
  for (const NodeTime& n : f.nodes) sorted.push_back(&n);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const NodeTime* a, const NodeTime* b) { return a->median_ms > b->median_ms; });
  size_t op_width = 2;
  for (const NodeTime& n : f.nodes) op_width = std::max(op_width, n.op.size());

  std::string t = fmt::format("\n=== Profile ({} runs, median per node) ===\n", f.profile_runs);
  t += fmt::format("{:>11}{:>9}  {:<10}{:<{}}  {}\n", "Time (ms)", "Time %", "Kernel", "Op", op_width, "Name");
  for (const NodeTime* n : sorted) {
    t += fmt::format("{:>11.4f}{:>9.1f}  {:<10}{:<{}}  {}\n", n->median_ms, pct(n->median_ms), n->kernel, n->op,
                     op_width, n->name);
  }
  t += fmt::format("{:>11.4f}{:>9.1f}  {:<10}{:<{}}  {}\n", total, total > 0 ? 100.0 : 0.0, "", "Total", op_width,
                   fmt::format("{} nodes", f.nodes.size()));

  t += "\n=== Profile by op type ===\n";
  t += fmt::format("{:>11}{:>9}{:>7}  {}\n", "Time (ms)", "Time %", "Nodes", "Op");
  for (const OpTime& o : op_times(f)) {
    t += fmt::format("{:>11.4f}{:>9.1f}{:>7}  {}\n", o.ms, pct(o.ms), o.nodes, o.op);
  }
  t += fmt::format("Per profiled run (medians): wall time {} ms, node times summed {} ms, between nodes {} ms\n",
                   num(f.profile_run_ms), num(f.profile_node_sum_ms), num(f.profile_run_ms - f.profile_node_sum_ms));
  t += "Node times are medians over the profile runs, taken in a separate pass after timing so the clock\n"
       "reads do not slow the timed queries (trtexec --separateProfileRun).\n";
  return t;
}

std::string format_json(const BenchFigures& f) {
  const LatencyStats lat = latency_stats(latencies(f), f.percentiles);
  Json j;
  j.begin_object();
  j.value("tool", "kiln bench").value("model", f.model).value("backend", f.backend).value("isa", f.isa);
  j.value("threads", f.threads).value("streams", f.streams).value("threads_per_stream", f.threads_per_stream);
  j.value("batch_split", f.batch_split);
  j.value("seed", f.seed);
  j.begin_array("inputs");
  for (const InputDesc& in : f.inputs) {
    j.begin_object().value("name", in.name).value("dtype", in.dtype).value("shape", in.shape).end_object();
  }
  j.end_array();
  j.value("load_ms", f.load_ms).value("prepare_ms", f.prepare_ms).value("ready_ms", f.load_ms + f.prepare_ms);
  j.value("rss_before_load_kb", f.rss_before_load_kb).value("peak_rss_kb", f.peak_rss_kb);
  j.value("peak_rss_growth_kb", f.peak_rss_kb - f.rss_before_load_kb);
  j.value("warmup_queries", f.warmup_queries).value("warmup_ms", f.warmup_ms);
  j.value("queries", static_cast<int64_t>(f.queries.size())).value("walltime_s", f.walltime_ms / 1000);
  j.value("throughput_qps", throughput_qps(f)).value("total_compute_s", total_compute_ms(f) / 1000);
  j.begin_object("latency_ms").value("min", lat.min).value("max", lat.max).value("mean", lat.mean);
  j.value("median", lat.median).begin_object("percentiles");
  for (size_t i = 0; i < f.percentiles.size(); ++i) {
    j.value(fmt::format("{:g}", f.percentiles[i]).c_str(), lat.percentiles[i]);
  }
  j.end_object().end_object();
  if (f.profile_runs > 0) {
    const double total = profile_total_ms(f);
    const auto pct = [&](double ms) { return total > 0 ? 100.0 * ms / total : 0.0; };
    j.begin_object("profile").value("runs", f.profile_runs).value("total_ms", total);
    j.value("run_ms", f.profile_run_ms).value("node_sum_ms", f.profile_node_sum_ms).begin_array("nodes");
    for (const NodeTime& n : f.nodes) {
      j.begin_object().value("name", n.name).value("op", n.op).value("kernel", n.kernel);
      j.value("median_ms", n.median_ms).value("percent", pct(n.median_ms)).end_object();
    }
    j.end_array().begin_array("ops");
    for (const OpTime& o : op_times(f)) {
      j.begin_object().value("op", o.op).value("nodes", o.nodes).value("ms", o.ms).value("percent", pct(o.ms));
      j.end_object();
    }
    j.end_array().end_object();
  }
  j.end_object();
  return j.str();
}

std::string format_times_json(const BenchFigures& f) {
  // trtexec's key names where they apply; on the CPU compute spans the whole query.
  Json j;
  j.begin_array();
  for (const QueryTrace& q : f.queries) {
    const double latency = q.end_ms - q.start_ms;
    j.begin_object().value("stream", q.stream).value("startComputeMs", q.start_ms).value("endComputeMs", q.end_ms);
    j.value("computeMs", latency).value("latencyMs", latency).end_object();
  }
  j.end_array();
  return j.str();
}

}  // namespace kiln::tools
