#include "core/cpu_features.h"

#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace kiln {

namespace {

Isa detect() {
  Isa isa = Isa::kScalar;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa = Isa::kAvx2;
  if (isa == Isa::kAvx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
    isa = Isa::kAvx512;
  }
#endif
  if (const char* cap = std::getenv("KILN_ISA")) {
    Isa limit = std::strcmp(cap, "scalar") == 0 ? Isa::kScalar : std::strcmp(cap, "avx2") == 0 ? Isa::kAvx2 : Isa::kAvx512;
    if (limit < isa) isa = limit;
  }
  return isa;
}

}  // namespace

Isa cpu_isa() {
  static const Isa isa = detect();
  return isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "?";
}

int physical_cores() {
  static const int cores = [] {
    cpu_set_t set;
    int logical = 0;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) logical = CPU_COUNT(&set);
    if (logical <= 0) logical = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    // SMT width from /proc/cpuinfo ("siblings" logical per "cpu cores" physical in a package).
    int siblings = 0, per_package = 0;
    std::ifstream info("/proc/cpuinfo");
    std::string line;
    while (std::getline(info, line) && (siblings == 0 || per_package == 0)) {
      auto value = [&] { return std::atoi(line.substr(line.find(':') + 1).c_str()); };
      if (line.rfind("siblings", 0) == 0) siblings = value();
      if (line.rfind("cpu cores", 0) == 0) per_package = value();
    }
    int smt = siblings > 0 && per_package > 0 && siblings >= per_package ? siblings / per_package : 1;
    return std::max(1, logical / std::max(1, smt));
  }();
  return cores;
}

}  // namespace kiln
