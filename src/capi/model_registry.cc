#include "capi/model_registry.h"

#include <map>
#include <vector>

#include "capi/capi.h"

namespace kiln::capi {

namespace {

struct Registry {
  std::mutex mu;
  uint32_t next_id = 1;
  std::map<uint32_t, std::shared_ptr<LoadedModel>> models;
  bool op_model_dir = false;
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: entry points may run during exit
  return *r;
}

void wait_idle(LoadedModel& m) {
  std::unique_lock<std::mutex> lock(m.mu);
  m.idle.wait(lock, [&] { return m.in_flight == 0; });
}

}  // namespace

ModelLease::ModelLease(std::shared_ptr<LoadedModel> m) : model_(std::move(m)) {
  std::lock_guard<std::mutex> lock(model_->mu);
  ++model_->in_flight;
}

ModelLease::~ModelLease() {
  if (!model_) return;
  std::lock_guard<std::mutex> lock(model_->mu);
  if (--model_->in_flight == 0) model_->idle.notify_all();
}

uint32_t add_model(std::shared_ptr<const offline::ModelRunner> runner) {
  auto m = std::make_shared<LoadedModel>();
  m->runner = std::move(runner);
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  m->id = r.next_id++;
  r.models[m->id] = m;
  return m->id;
}

std::shared_ptr<LoadedModel> find_model(uint32_t id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.models.find(id);
  return it == r.models.end() ? nullptr : it->second;
}

std::shared_ptr<ModelLease> lease_model(uint32_t id) {
  // Taken under the registry lock so remove_model cannot miss a lease being created.
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.models.find(id);
  if (it == r.models.end()) return std::make_shared<ModelLease>();
  return std::make_shared<ModelLease>(it->second);
}

bool remove_model(uint32_t id) {
  std::shared_ptr<LoadedModel> m;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.models.find(id);
    if (it == r.models.end()) return false;
    m = std::move(it->second);
    r.models.erase(it);
  }
  wait_idle(*m);
  return true;
}

bool op_model_dir_set() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.op_model_dir;
}

void set_op_model_dir(bool set) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.op_model_dir = set;
}

void finalize_models() {
  std::vector<uint32_t> ids;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    for (const auto& [id, m] : r.models) ids.push_back(id);
    r.op_model_dir = false;
  }
  for (uint32_t id : ids) remove_model(id);
}

}  // namespace kiln::capi
