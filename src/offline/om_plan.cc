#include "offline/om_plan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>

namespace kiln::offline {

using json = nlohmann::json;

std::string plan_to_json(const MemoryPlan& plan) {
  // Sorted by name so the same plan always gives the same bytes (unordered_map order is not stable).
  std::map<std::string, MemoryPlan::Slot> slots;
  for (const auto& [v, slot] : plan.slots) slots[v->name] = slot;
  json s = json::array();
  for (const auto& [name, slot] : slots) s.push_back({name, slot.offset, slot.bytes});
  std::vector<std::string> views;
  for (const ir::Node* n : plan.view_nodes) {
    if (!n->outputs.empty() && n->outputs[0]) views.push_back(n->outputs[0]->name);
  }
  std::sort(views.begin(), views.end());
  json j{{"arena_bytes", plan.arena_bytes}, {"unshared_bytes", plan.unshared_bytes}, {"slots", s}, {"views", views}};
  if (plan.batch_split > 1) j["batch_split"] = plan.batch_split;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

bool read_size(const json& v, size_t* out) {
  if (!v.is_number_unsigned()) return false;
  const uint64_t u = v.get<uint64_t>();
  if (u > std::numeric_limits<size_t>::max()) return false;
  *out = static_cast<size_t>(u);
  return true;
}

}  // namespace

Expected<MemoryPlan> plan_from_json(const std::string& text, const ir::Graph& graph, const std::string& file) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return invalid_model("'{}': the PLAN section is not a JSON object", file);
  MemoryPlan plan;
  auto bad = [&](const std::string& what) { return invalid_model("'{}': PLAN {}", file, what); };
  auto it = j.find("arena_bytes");
  if (it == j.end() || !read_size(*it, &plan.arena_bytes)) return bad("needs 'arena_bytes', a non-negative integer");
  if (plan.arena_bytes > (size_t{1} << 40)) return bad(fmt::format("arena_bytes {} is more than 1 TiB", plan.arena_bytes));
  it = j.find("unshared_bytes");
  if (it != j.end() && !read_size(*it, &plan.unshared_bytes)) return bad("'unshared_bytes' must be a non-negative integer");
  it = j.find("batch_split");
  if (it != j.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() < 2 || it->get<uint64_t>() > (uint64_t{1} << 31)) {
      return bad("'batch_split' must be an integer of at least 2 (the number of sub-batches the batch runs as)");
    }
    plan.batch_split = it->get<int64_t>();
  }
  it = j.find("slots");
  if (it == j.end() || !it->is_array()) return bad("needs 'slots', an array of [value, offset, bytes]");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    MemoryPlan::Slot slot;
    if (!e.is_array() || e.size() != 3 || !e[0].is_string() || !read_size(e[1], &slot.offset) ||
        !read_size(e[2], &slot.bytes)) {
      return bad(fmt::format("slots[{}] must be [value name, offset, bytes]", i));
    }
    const std::string name = e[0].get<std::string>();
    const ir::Value* v = graph.find(name);
    if (!v) return bad(fmt::format("slots[{}] names value '{}', which the graph does not have", i, name));
    if (!v->producer || v->constant || v->is_graph_input) {
      return bad(fmt::format("slots[{}]: value '{}' is not computed by a node (input or constant)", i, name));
    }
    if (slot.offset > plan.arena_bytes || slot.bytes > plan.arena_bytes - slot.offset) {
      return bad(fmt::format("slots[{}]: value '{}' at bytes [{}, +{}) lies outside the {}-byte arena", i, name,
                             slot.offset, slot.bytes, plan.arena_bytes));
    }
    if (slot.offset % 64 != 0) return bad(fmt::format("slots[{}]: value '{}' offset {} is not 64-byte aligned", i, name, slot.offset));
    if (v->type.is_tensor() && v->type.fully_known() && v->type.elem != DType::kString &&
        v->type.elem != DType::kUndefined) {
      // With a batch split the slot holds one image of the batch.
      const size_t images = plan.batch_split > 1 ? static_cast<size_t>(plan.batch_split) : 1;
      const size_t need = static_cast<size_t>(shape_numel(v->type.concrete())) * dtype_size(v->type.elem) / images;
      if (slot.bytes < need) {
        return bad(fmt::format("slots[{}]: value '{}' ({}) needs {} bytes but its slot has {}", i, name,
                               v->type.str(), need, slot.bytes));
      }
    }
    if (!plan.slots.emplace(v, slot).second) return bad(fmt::format("slots[{}]: value '{}' is listed twice", i, name));
  }
  it = j.find("views");
  if (it != j.end()) {
    if (!it->is_array()) return bad("'views' must be an array of value names");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      if (!e.is_string()) return bad(fmt::format("views[{}] must be a value name", i));
      const ir::Value* v = graph.find(e.get<std::string>());
      if (!v || !v->producer || v->producer->outputs.empty() || v->producer->outputs[0] != v) {
        return bad(fmt::format("views[{}] '{}' is not output 0 of a node of the graph", i, e.get<std::string>()));
      }
      plan.view_nodes.insert(v->producer);
    }
  }
  return plan;
}

}  // namespace kiln::offline
