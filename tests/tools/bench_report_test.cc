// `kiln bench` report functions: trtexec's statistics and wording, the profile tables, the JSON.
#include "bench_report.h"

#include <gtest/gtest.h>

namespace kiln::tools {
namespace {

std::vector<double> one_to_ten() { return {7, 3, 10, 1, 5, 9, 2, 8, 4, 6}; }

TEST(BenchReport, LatencyStatsFollowTrtexec) {
  LatencyStats s = latency_stats(one_to_ten(), {0, 50, 90, 99, 100});
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_DOUBLE_EQ(s.median, 5.5);  // even count: mean of the two middle values
  // index n-1-floor((1-P/100)*n): P=90 -> 8, P=99 -> 9, P=0 -> clamped to 0.
  ASSERT_EQ(s.percentiles.size(), 5u);
  EXPECT_EQ(s.percentiles[0], 1);
  EXPECT_EQ(s.percentiles[1], 5);
  EXPECT_EQ(s.percentiles[2], 9);
  EXPECT_EQ(s.percentiles[3], 10);
  EXPECT_EQ(s.percentiles[4], 10);
}

TEST(BenchReport, LatencyStatsOddCountAndSingleValue) {
  EXPECT_EQ(latency_stats({3, 1, 2}, {}).median, 2);
  LatencyStats one = latency_stats({4.5}, {90});
  EXPECT_EQ(one.min, 4.5);
  EXPECT_EQ(one.median, 4.5);
  EXPECT_EQ(one.percentiles[0], 4.5);
  LatencyStats none = latency_stats({}, {90, 99});
  EXPECT_EQ(none.percentiles.size(), 2u);
  EXPECT_EQ(none.max, 0);
}

TEST(BenchReport, StatsLineInTrtexecWords) {
  EXPECT_EQ(format_stats(latency_stats(one_to_ten(), {90, 99.9}), {90, 99.9}),
            "min = 1 ms, max = 10 ms, mean = 5.5 ms, median = 5.5 ms, percentile(90%) = 9 ms, "
            "percentile(99.9%) = 10 ms");
  // Six significant digits, as std::ostream prints a float.
  EXPECT_EQ(format_stats(latency_stats({41.8234567}, {}), {}),
            "min = 41.8235 ms, max = 41.8235 ms, mean = 41.8235 ms, median = 41.8235 ms");
}

BenchFigures two_stream_figures() {
  BenchFigures f;
  f.model = "m.onnx";
  f.backend = "cpu";
  f.isa = "avx512";
  f.threads = 2;
  f.streams = 2;
  f.threads_per_stream = 1;
  f.inputs = {{"x", "float32", {1, 3, 4, 4}}};
  f.load_ms = 100;
  f.prepare_ms = 250;
  f.rss_before_load_kb = 1024;
  f.peak_rss_kb = 11 * 1024;
  f.warmup_queries = 4;
  f.warmup_ms = 210;
  // Two streams, overlapping: 4 queries of 10 ms in 20 ms of wall time.
  f.queries = {{0, 10, 0}, {0, 10, 1}, {10, 20, 0}, {10, 20, 1}};
  f.walltime_ms = 20;
  f.percentiles = {90};
  return f;
}

TEST(BenchReport, SummaryBlock) {
  const std::string t = format_summary(two_stream_figures());
  EXPECT_NE(t.find("Warmup completed 4 queries over 210 ms\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Timing trace has 4 queries over 0.02 s\n"), std::string::npos) << t;
  EXPECT_NE(t.find("\n=== Performance summary ===\nThroughput: 200 qps\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Latency: min = 10 ms, max = 10 ms, mean = 10 ms, median = 10 ms, percentile(90%) = 10 ms\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("Total Host Walltime: 0.02 s\nTotal Compute Time: 0.04 s\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Input: x float32 1x3x4x4\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Threads: 2 (2 streams x 1 thread)\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Session prepare time: 250.0 ms (model file -> ready: 350.0 ms)\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Peak resident memory: 11.0 MiB (growth from before load: 10.0 MiB)\n"), std::string::npos) << t;
}

TEST(BenchReport, ProfileSortedByTimeWithOpSummary) {
  BenchFigures f = two_stream_figures();
  f.profile_runs = 10;
  f.nodes = {{"a", "Conv", "cpu", 1.0}, {"b", "Relu", "reference", 0.5}, {"c", "Conv", "cpu", 2.5}};
  const std::string t = format_profile(f);
  const size_t c = t.find("  c\n"), a = t.find("  a\n"), b = t.find("  b\n");
  ASSERT_NE(c, std::string::npos) << t;
  EXPECT_LT(c, a);
  EXPECT_LT(a, b);
  EXPECT_NE(t.find("=== Profile (10 runs, median per node) ==="), std::string::npos);
  EXPECT_NE(t.find("     3.5000     87.5      2  Conv\n"), std::string::npos) << t;
  EXPECT_NE(t.find("     0.5000     12.5      1  Relu\n"), std::string::npos) << t;
}

TEST(BenchReport, JsonHoldsEveryFigure) {
  BenchFigures f = two_stream_figures();
  f.model = "dir/\"odd\"\\name.onnx";
  const std::string j = format_json(f);
  for (const char* key : {"\"throughput_qps\": 200", "\"walltime_s\": 0.02", "\"total_compute_s\": 0.04",
                          "\"ready_ms\": 350", "\"peak_rss_growth_kb\": 10240", "\"shape\": [1, 3, 4, 4]",
                          "\"90\": 10", "\"model\": \"dir/\\\"odd\\\"\\\\name.onnx\"", "\"threads_per_stream\": 1"}) {
    EXPECT_NE(j.find(key), std::string::npos) << key << "\n" << j;
  }
  EXPECT_EQ(j.find("\"profile\""), std::string::npos);  // only with --dumpProfile
  const std::string times = format_times_json(f);
  EXPECT_NE(times.find("\"startComputeMs\": 10"), std::string::npos) << times;
  EXPECT_NE(times.find("\"latencyMs\": 10"), std::string::npos) << times;
}

}  // namespace
}  // namespace kiln::tools
