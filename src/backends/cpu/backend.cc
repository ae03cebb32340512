#include "backends/cpu/backend.h"

#include <map>
#include <string>

namespace kiln::cpu {

const std::vector<PrepareFn>& find_prepare(std::string_view domain, std::string_view op_type) {
  using Key = std::pair<std::string, std::string>;
  static const std::map<Key, std::vector<PrepareFn>> index = [] {
    std::map<Key, std::vector<PrepareFn>> m;
    using Table = std::span<const PreparedKernelEntry> (*)();
    const Table tables[] = {depthwise_kernels, dnnl_conv_kernels, dnnl_matmul_kernels, elementwise_kernels,
                            tensor_kernels};
    for (Table table : tables) {
      for (const PreparedKernelEntry& e : table()) m[{std::string(e.domain), std::string(e.name)}].push_back(e.prepare);
    }
    return m;
  }();
  static const std::vector<PrepareFn> kNone;
  if (domain == "ai.onnx") domain = "";
  auto it = index.find({std::string(domain), std::string(op_type)});
  return it == index.end() ? kNone : it->second;
}

}  // namespace kiln::cpu
