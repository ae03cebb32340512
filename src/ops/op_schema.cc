#include "ops/op_schema.h"

#include <map>
#include <string>

#include "ops/families.h"

namespace kiln {

InferContext::InferContext(const ir::Node& node, std::vector<const ir::TypeInfo*> input_types,
                           std::vector<const Tensor*> input_constants)
    : node_(node),
      input_types_(std::move(input_types)),
      input_constants_(std::move(input_constants)),
      outputs_(node.outputs.size()),
      output_constants_(node.outputs.size()) {}

void InferContext::set_output_constant(size_t i, Tensor value) {
  if (i < output_constants_.size()) output_constants_[i] = std::move(value);
}

namespace {

using Key = std::pair<std::string, std::string>;

const std::map<Key, const OpSchema*>& schema_index() {
  static const std::map<Key, const OpSchema*> index = [] {
    std::map<Key, const OpSchema*> m;
    for (auto family : op_families()) {
      for (const OpSchema& s : family()) m[{std::string(s.domain), std::string(s.name)}] = &s;
    }
    return m;
  }();
  return index;
}

}  // namespace

const OpSchema* find_op_schema(std::string_view domain, std::string_view name) {
  if (domain == "ai.onnx") domain = "";
  auto it = schema_index().find({std::string(domain), std::string(name)});
  return it == schema_index().end() ? nullptr : it->second;
}

std::vector<const OpSchema*> all_op_schemas() {
  std::vector<const OpSchema*> v;
  for (auto& [key, s] : schema_index()) v.push_back(s);
  return v;
}

}  // namespace kiln
