// Runs the ONNX backend node suite (Debian libonnx-testdata) through Kiln's reference backend and
// compares every output with ONNX's reference output.
//
//   onnx_node_tests [--data DIR] [--expected FILE] [--not-comparable FILE] [--filter SUBSTR]
//                   [--write-pass FILE] [--markdown FILE] [--backend reference|cpu] [-v]
//
// --not-comparable lists cases whose reference outputs come from a random generator (Bernoulli,
// training-mode Dropout, ...): they still run (and must not crash) but are not compared.
// --markdown writes the table of every case that does not pass, with its reason.
//
// Each case runs in a forked child so a crash or hang fails that case, not the suite. Exit code
// is non-zero when a case listed in --expected does not pass (a regression).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "frontend/onnx/onnx_loader.h"
#include "frontend/onnx/tensor_proto.h"
#include "runtime/session.h"

namespace fs = std::filesystem;
using namespace kiln;

namespace {

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-7;

enum class Outcome { kPass, kFail, kUnsupported };

struct Result {
  Outcome outcome = Outcome::kFail;
  std::string detail;
};

std::string compare_tensors(const Tensor& want, const Tensor& got, const std::string& what) {
  if (want.dtype() != got.dtype()) {
    return fmt::format("{}: dtype {} expected, got {}", what, dtype_name(want.dtype()), dtype_name(got.dtype()));
  }
  if (want.shape() != got.shape()) {
    return fmt::format("{}: shape [{}] expected, got [{}]", what, shape_str(want.shape()), shape_str(got.shape()));
  }
  const int64_t n = want.numel();
  if (want.dtype() == DType::kString) {
    for (int64_t i = 0; i < n; ++i) {
      if (want.data<std::string>()[i] != got.data<std::string>()[i]) {
        return fmt::format("{}: element {} is '{}', expected '{}'", what, i, got.data<std::string>()[i],
                           want.data<std::string>()[i]);
      }
    }
    return {};
  }
  const bool is_float = dtype_is_float(want.dtype());
  int64_t bad = 0;
  int64_t first_bad = -1;
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    bool ok;
    if (is_float) {
      double a = want.as_double(i), b = got.as_double(i);
      if (std::isnan(a) || std::isnan(b)) ok = std::isnan(a) && std::isnan(b);
      else if (std::isinf(a) || std::isinf(b)) ok = a == b;
      else {
        double diff = std::fabs(a - b);
        ok = diff <= kAtol + kRtol * std::fabs(a);
        worst = std::max(worst, diff);
      }
    } else {
      ok = want.as_int64(i) == got.as_int64(i);
      if (want.dtype() == DType::kUInt64) ok = want.data<uint64_t>()[i] == got.data<uint64_t>()[i];
    }
    if (!ok) {
      if (first_bad < 0) first_bad = i;
      ++bad;
    }
  }
  if (bad == 0) return {};
  return fmt::format("{}: {} of {} elements differ; first at {}: expected {}, got {} (max abs diff {:.3g})", what,
                     bad, n, first_bad, want.as_double(first_bad), got.as_double(first_bad), worst);
}

std::string compare_values(const Value& want, const Value& got, const std::string& what) {
  if (want.kind() != got.kind()) return what + ": kind differs (tensor/sequence/none)";
  if (want.is_tensor()) return compare_tensors(want.tensor(), got.tensor(), what);
  if (want.is_sequence()) {
    const auto& a = want.sequence().items;
    const auto& b = got.sequence().items;
    if (a.size() != b.size()) return fmt::format("{}: sequence length {} expected, got {}", what, a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      std::string e = compare_tensors(a[i], b[i], fmt::format("{}[{}]", what, i));
      if (!e.empty()) return e;
    }
  }
  return {};
}

std::vector<fs::path> sorted_files(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".pb") files.push_back(e.path());
  }
  // input_10.pb after input_9.pb
  std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
    auto num = [&](const fs::path& p) { return std::stoi(p.stem().string().substr(prefix.size())); };
    return num(a) < num(b);
  });
  return files;
}


// --backend cpu runs every case through the graph passes and the optimized CPU kernels.
Backend g_backend = Backend::kReference;

Result run_case(const fs::path& dir, bool compare) {
  auto model = onnx_frontend::load_model((dir / "model.onnx").string());
  if (!model) {
    return {model.status().code() == StatusCode::kUnsupported ? Outcome::kUnsupported : Outcome::kFail,
            model.status().message()};
  }
  SessionOptions options;
  options.verify_inference = true;
  options.backend = g_backend;
  auto session = Session::create(*model, options);
  if (!session) {
    return {session.status().code() == StatusCode::kUnsupported ? Outcome::kUnsupported : Outcome::kFail,
            session.status().message()};
  }
  const ir::Graph& graph = *(*model)->graph;
  std::vector<const ir::Value*> feedable;
  for (const ir::Value* in : graph.inputs) {
    if (!in->constant) feedable.push_back(in);
  }
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {Outcome::kFail, "no test_data_set_* folders"};
  for (const fs::path& set : sets) {
    std::vector<NamedValue> inputs;
    auto in_files = sorted_files(set, "input_");
    for (size_t i = 0; i < in_files.size() && i < feedable.size(); ++i) {
      auto v = onnx_frontend::read_value_pb(in_files[i].string(), feedable[i]->type);
      if (!v) return {Outcome::kFail, v.status().message()};
      inputs.push_back({feedable[i]->name, std::move(*v)});
    }
    auto outputs = (*session)->run(inputs);
    if (!outputs) {
      return {outputs.status().code() == StatusCode::kUnsupported ? Outcome::kUnsupported : Outcome::kFail,
              outputs.status().message()};
    }
    auto out_files = sorted_files(set, "output_");
    if (out_files.size() != outputs->size()) {
      return {Outcome::kFail, fmt::format("{} outputs expected, model produced {}", out_files.size(), outputs->size())};
    }
    for (size_t i = 0; i < out_files.size(); ++i) {
      auto want = onnx_frontend::read_value_pb(out_files[i].string(), graph.outputs[i]->type);
      if (!want) return {Outcome::kFail, want.status().message()};
      if (!compare) continue;
      std::string err = compare_values(*want, (*outputs)[i],
                                       fmt::format("{} output '{}'", set.filename().string(), graph.outputs[i]->name));
      if (!err.empty()) return {Outcome::kFail, err};
    }
  }
  return {Outcome::kPass, {}};
}

// Runs one case in a child process; a crash or a time-out becomes a failure with a reason.
Result run_isolated(const fs::path& dir, bool compare, int timeout_s) {
  int fds[2];
  if (pipe(fds) != 0) return run_case(dir, compare);
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(static_cast<unsigned>(timeout_s));
    Result r = run_case(dir, compare);
    std::string msg = std::to_string(static_cast<int>(r.outcome)) + "\n" + r.detail;
    ssize_t w = write(fds[1], msg.data(), msg.size());
    (void)w;
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  ssize_t r;
  while ((r = read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(r));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return {Outcome::kFail, sig == SIGALRM ? fmt::format("timed out after {} s", timeout_s)
                                           : fmt::format("crashed with signal {}", sig)};
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return {Outcome::kFail, fmt::format("child exited with status {} (sanitizer report above?)", WEXITSTATUS(status))};
  }
  auto nl = msg.find('\n');
  if (nl == std::string::npos) return {Outcome::kFail, "no result from child"};
  return {static_cast<Outcome>(std::stoi(msg.substr(0, nl))), msg.substr(nl + 1)};
}

std::set<std::string> read_list(const std::string& path) {
  std::set<std::string> names;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line = line.substr(0, hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) names.insert(line);
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_root = "/usr/share/libonnx-testdata/data";
  std::string expected_path;
  std::string write_pass;
  std::string not_comparable_path;
  std::string markdown_path;
  std::vector<std::string> filters;
  bool verbose = false;
  bool isolate = true;
  int timeout_s = 120;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--data") data_root = next();
    else if (a == "--expected") expected_path = next();
    else if (a == "--write-pass") write_pass = next();
    else if (a == "--not-comparable") not_comparable_path = next();
    else if (a == "--markdown") markdown_path = next();
    else if (a == "--filter") filters.push_back(next());
    else if (a == "--no-fork") isolate = false;
    else if (a == "--timeout") timeout_s = std::stoi(next());
    else if (a == "-v" || a == "--verbose") verbose = true;
    else if (a == "--backend") g_backend = next() == "cpu" ? Backend::kCpu : Backend::kReference;
    else {
      std::cerr << "usage: onnx_node_tests [--data DIR] [--expected FILE] [--not-comparable FILE] [--write-pass FILE]"
                    " [--markdown FILE] [--filter S]... [--no-fork] [--timeout S] [--backend reference|cpu] [-v]\n";
      return 2;
    }
  }
  const char* suites[] = {"node", "simple", "pytorch-converted", "pytorch-operator"};
  std::vector<std::string> cases;
  for (const char* suite : suites) {
    fs::path dir = fs::path(data_root) / suite;
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!fs::exists(e.path() / "model.onnx")) continue;
      std::string name = std::string(suite) + "/" + e.path().filename().string();
      bool match = filters.empty();
      for (const auto& f : filters) match = match || name.find(f) != std::string::npos;
      if (match) cases.push_back(name);
    }
  }
  std::sort(cases.begin(), cases.end());
  if (cases.empty()) {
    std::cerr << "no test cases found under " << data_root << " (is libonnx-testdata installed?)\n";
    return 2;
  }
  std::set<std::string> expected = expected_path.empty() ? std::set<std::string>{} : read_list(expected_path);
  std::set<std::string> not_comparable =
      not_comparable_path.empty() ? std::set<std::string>{} : read_list(not_comparable_path);
  int passed = 0, failed = 0, unsupported_count = 0, skipped = 0;
  std::vector<std::string> regressions, passing;
  std::vector<std::pair<std::string, Result>> problems;
  for (const std::string& name : cases) {
    fs::path dir = fs::path(data_root) / name;
    const bool compare = !not_comparable.count(name);
    Result r = isolate ? run_isolated(dir, compare, timeout_s) : run_case(dir, compare);
    const char* tag = r.outcome == Outcome::kPass ? "PASS" : r.outcome == Outcome::kFail ? "FAIL" : "UNSUPPORTED";
    if (!compare && r.outcome == Outcome::kPass) {
      ++skipped;
      r.detail = "ran, outputs not comparable (random)";
      problems.emplace_back(name, r);
      if (verbose) std::cout << "NOT-COMPARABLE " << name << "\n";
      continue;
    }
    if (r.outcome != Outcome::kPass) problems.emplace_back(name, r);
    if (r.outcome == Outcome::kPass) {
      ++passed;
      passing.push_back(name);
    } else {
      r.outcome == Outcome::kFail ? ++failed : ++unsupported_count;
      if (expected.count(name)) regressions.push_back(name);
    }
    if (verbose || r.outcome != Outcome::kPass) {
      std::string detail = r.detail;
      if (!verbose && detail.size() > 300) detail = detail.substr(0, 300) + "...";
      std::replace(detail.begin(), detail.end(), '\n', ' ');
      std::cout << tag << " " << name << (detail.empty() ? "" : ": " + detail) << "\n";
    }
  }
  if (!write_pass.empty()) {
    std::ofstream out(write_pass);
    for (const auto& n : passing) out << n << "\n";
  }
  int newly = 0;
  for (const auto& n : passing) newly += expected.count(n) ? 0 : 1;
  if (!expected.empty()) {
    std::cout << "\n" << regressions.size() << " regression(s) against " << expected_path << "; " << newly
              << " case(s) pass that the list does not name yet\n";
    for (const auto& n : regressions) std::cout << "REGRESSION " << n << "\n";
  }
  if (!markdown_path.empty()) {
    std::ofstream md(markdown_path);
    md << "| case | result | reason |\n|---|---|---|\n";
    for (const auto& [name, r] : problems) {
      std::string detail = r.detail;
      std::replace(detail.begin(), detail.end(), '\n', ' ');
      std::replace(detail.begin(), detail.end(), '|', '/');
      if (detail.size() > 240) detail = detail.substr(0, 240) + "...";
      const char* tag = r.outcome == Outcome::kPass ? "not comparable"
                        : r.outcome == Outcome::kFail ? "fail" : "unsupported";
      md << "| " << name << " | " << tag << " | " << detail << " |\n";
    }
  }
  std::cout << "onnx-node: " << passed << " passed, " << failed << " failed, " << unsupported_count
            << " unsupported, " << skipped << " not comparable (of " << cases.size() << ")\n";
  return regressions.empty() ? 0 : 1;
}
