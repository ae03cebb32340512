#include "backends/reference/backend.h"

#include <map>
#include <string>

#include "backends/reference/families.h"

namespace kiln::reference {

KernelFn find_kernel(std::string_view domain, std::string_view op_type) {
  using Key = std::pair<std::string, std::string>;
  static const std::map<Key, KernelFn> index = [] {
    std::map<Key, KernelFn> m;
    using Table = std::span<const KernelEntry> (*)();
    const Table tables[] = {elementwise_kernels, tensor_kernels, reduction_kernels,
                            nn_kernels,          control_kernels, misc_kernels, kiln_kernels};
    for (Table table : tables) {
      for (const KernelEntry& e : table()) m[{std::string(e.domain), std::string(e.name)}] = e.fn;
    }
    return m;
  }();
  if (domain == "ai.onnx") domain = "";
  auto it = index.find({std::string(domain), std::string(op_type)});
  return it == index.end() ? nullptr : it->second;
}

}  // namespace kiln::reference
