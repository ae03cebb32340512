#include "backends/cpu/backend.h"

#include <cstdlib>
#include <map>
#include <string>

namespace kiln::cpu {

const std::vector<PrepareFn>& find_prepare(std::string_view domain, std::string_view op_type) {
  using Key = std::pair<std::string, std::string>;
  static const std::map<Key, std::vector<PrepareFn>> index = [] {
    std::map<Key, std::vector<PrepareFn>> m;
    using Table = std::span<const PreparedKernelEntry> (*)();
    struct Family {
      const char* name;
      Table table;
    };
    const Family families[] = {{"depthwise", depthwise_kernels},     {"pointwise_depthwise", pointwise_depthwise_kernels},
                               {"gemm_conv", gemm_conv_kernels},
                               {"winograd", winograd_kernels},       {"pool", pool_kernels},
                               {"dnnl_conv", dnnl_conv_kernels},
                               {"dnnl_matmul", dnnl_matmul_kernels}, {"elementwise", elementwise_kernels},
                               {"tensor", tensor_kernels},           {"aipp", aipp_kernels}};
    // KILN_CPU_DISABLE=depthwise,tensor turns families off (A/B benchmarks, bisecting a bug).
    const char* env = std::getenv("KILN_CPU_DISABLE");
    const std::string disabled = env ? "," + std::string(env) + "," : "";
    for (const Family& f : families) {
      if (disabled.find("," + std::string(f.name) + ",") != std::string::npos) continue;
      for (const PreparedKernelEntry& e : f.table()) m[{std::string(e.domain), std::string(e.name)}].push_back(e.prepare);
    }
    return m;
  }();
  static const std::vector<PrepareFn> kNone;
  if (domain == "ai.onnx") domain = "";
  auto it = index.find({std::string(domain), std::string(op_type)});
  return it == index.end() ? kNone : it->second;
}

}  // namespace kiln::cpu
