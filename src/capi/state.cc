// Library state (spec §4.1-§4.5): aclInit (acl.json rules) / aclFinalize, version, SoC name, run
// mode, devices with their default contexts, contexts, and the per-thread current context with
// the §4.5 leniency.
//
// Implementation-defined settings (environment, read once): KILN_ACL_DEVICE_COUNT (logical
// devices, default 1), KILN_ACL_SOC_NAME (default "Ascend310"), KILN_ACL_RUN_MODE ("device" makes
// aclrtGetRunMode report ACL_DEVICE; default ACL_HOST).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "capi/capi.h"
#include "capi/handle_table.h"
#include "capi/runtime.h"
#include "capi/stream.h"

namespace kiln::capi {
namespace {

struct Device {
  int open_count = 0;  // aclrtSetDevice minus aclrtResetDevice
  aclrtContext default_context = nullptr;
};

struct Settings {
  int device_count = 1;
  std::string soc_name = "Ascend310";
  aclrtRunMode run_mode = ACL_HOST;
};

const Settings& settings() {
  // Never destroyed: aclrtGetSocName's string stays valid while the process exits.
  static const Settings& s = *new Settings([] {
    Settings c;
    if (const char* v = std::getenv("KILN_ACL_DEVICE_COUNT"); v && *v) {
      char* end = nullptr;
      long n = std::strtol(v, &end, 10);
      if (end && *end == '\0' && n >= 1 && n <= 64) c.device_count = static_cast<int>(n);
    }
    if (const char* v = std::getenv("KILN_ACL_SOC_NAME"); v && *v) c.soc_name = v;
    if (const char* v = std::getenv("KILN_ACL_RUN_MODE"); v && std::string(v) == "device") c.run_mode = ACL_DEVICE;
    return c;
  }());
  return s;
}

std::atomic<bool> g_initialized{false};
bool g_finalized = false;     // aclFinalize ran and no aclInit since; guarded by g_lifecycle
std::mutex g_lifecycle;       // serialises aclInit / aclFinalize
std::mutex g_mutex;           // devices and context stream lists
std::vector<Device>& g_devices = *new std::vector<Device>;  // never destroyed (exit without aclFinalize)

HandleTable<Context>& contexts() {
  // Never destroyed: an application may exit without aclFinalize while stream workers still run.
  static auto* table = new HandleTable<Context>;
  return *table;
}

thread_local aclrtContext t_current = nullptr;

bool valid_device(int32_t id) { return id >= 0 && id < settings().device_count; }

// Creates a context (with its default stream) on `device`; caller holds g_mutex.
aclrtContext create_context_locked(int32_t device, bool is_default) {
  auto context = std::make_shared<Context>();
  context->device = device;
  context->is_default = is_default;
  void* handle = new_handle_value();
  context->default_stream = std::make_shared<Stream>(handle);
  return contexts().insert(handle, std::move(context));
}

// Opens `device` if it is closed (first aclrtSetDevice or implicit open); caller holds g_mutex.
void open_device_locked(int32_t device) {
  if (g_devices.empty()) g_devices.resize(settings().device_count);
  Device& d = g_devices[device];
  if (d.open_count == 0) d.default_context = create_context_locked(device, true);
  ++d.open_count;
}

// Drains and destroys the context's streams. Called without g_mutex held: tasks may call back in.
void destroy_context_streams(Context& context) {
  std::vector<aclrtStream> streams;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    streams.swap(context.streams);
  }
  for (aclrtStream s : streams) destroy_user_stream(s);
  if (context.default_stream) {
    context.default_stream->close();
    forget_report_subscription(context.default_stream.get());
  }
}

// Removes every context of `device` (all devices when -1) from the table and destroys them.
void destroy_contexts_of(int32_t device) {
  std::vector<std::shared_ptr<Context>> doomed;
  for (auto& [handle, context] : contexts().snapshot()) {
    if (device >= 0 && context->device != device) continue;
    if (contexts().remove(handle)) doomed.push_back(context);
  }
  for (auto& context : doomed) destroy_context_streams(*context);
}

aclError parse_config(const char* path) {
  if (path == nullptr || *path == '\0') return ACL_SUCCESS;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(ACL_ERROR_INVALID_FILE, "configuration file '{}' does not exist or is not a regular file", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ACL_ERROR_INVALID_FILE, "configuration file '{}' cannot be read", path);
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().empty()) return ACL_SUCCESS;  // an empty file means "no configuration"
  nlohmann::json config = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) {
    return fail(ACL_ERROR_PARSE_FILE, "configuration file '{}' is not one JSON object", path);
  }
  if (config.contains("dump") && !config["dump"].is_object()) {
    return fail(ACL_ERROR_INVALID_DUMP_CONFIG, "configuration file '{}': \"dump\" must be an object", path);
  }
  if (config.contains("profiler") && !config["profiler"].is_object()) {
    return fail(ACL_ERROR_INVALID_PROFILING_CONFIG, "configuration file '{}': \"profiler\" must be an object", path);
  }
  return ACL_SUCCESS;  // dump, profiler, max_opqueue_num, err_msg_mode and unknown keys: accepted, ignored
}

}  // namespace

bool initialized() { return g_initialized.load(); }

std::shared_ptr<Context> find_context(aclrtContext handle) { return contexts().find(handle); }

void set_current_context(aclrtContext context) { t_current = context; }

aclrtContext current_context() {
  if (t_current && contexts().find(t_current)) return t_current;
  t_current = nullptr;  // never set, or destroyed since
  std::lock_guard<std::mutex> lock(g_mutex);
  const Device* only = nullptr;
  int open = 0;
  for (const Device& d : g_devices) {
    if (d.open_count > 0) ++open, only = &d;
  }
  if (open == 1) t_current = only->default_context;  // §4.5 leniency
  return t_current;
}

bool attach_stream(aclrtContext handle, aclrtStream stream) {
  auto context = contexts().find(handle);
  if (!context) return false;
  std::lock_guard<std::mutex> lock(g_mutex);
  context->streams.push_back(stream);
  return true;
}

void detach_stream(aclrtContext handle, aclrtStream stream) {
  auto context = contexts().find(handle);
  if (!context) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  std::erase(context->streams, stream);
}

}  // namespace kiln::capi

using namespace kiln::capi;

extern "C" {

aclError aclInit(const char* configPath) {
  return guard(__func__, [&]() -> aclError {
    std::lock_guard<std::mutex> lock(g_lifecycle);
    if (g_initialized) return fail(ACL_ERROR_REPEAT_INITIALIZE, "aclInit was already called (call aclFinalize first)");
    if (aclError error = parse_config(configPath); error != ACL_SUCCESS) return error;
    {
      std::lock_guard<std::mutex> state_lock(g_mutex);
      g_devices.assign(settings().device_count, Device{});
    }
    g_finalized = false;
    g_initialized = true;
    return ACL_SUCCESS;
  });
}

aclError aclFinalize(void) {
  return guard(__func__, [&]() -> aclError {
    std::lock_guard<std::mutex> lock(g_lifecycle);
    if (!g_initialized) {
      if (g_finalized) return fail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize was already called");
      return fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
    }
    // Streams first (they drain, finishing queued model executions), then models, then memory.
    destroy_all_user_streams();
    destroy_contexts_of(-1);
    {
      std::lock_guard<std::mutex> state_lock(g_mutex);
      g_devices.assign(settings().device_count, Device{});
    }
    destroy_all_events();
    finalize_models();
    release_all_memory();
    t_current = nullptr;
    g_initialized = false;
    g_finalized = true;
    return ACL_SUCCESS;
  });
}

aclError aclrtGetVersion(int32_t* majorVersion, int32_t* minorVersion, int32_t* patchVersion) {
  return guard(__func__, [&]() -> aclError {
    if (!majorVersion || !minorVersion || !patchVersion) {
      return fail(ACL_ERROR_INVALID_PARAM, "majorVersion, minorVersion and patchVersion must not be NULL");
    }
    *majorVersion = ACL_MAJOR_VERSION;
    *minorVersion = ACL_MINOR_VERSION;
    *patchVersion = ACL_PATCH_VERSION;
    return ACL_SUCCESS;
  });
}

const char* aclrtGetSocName(void) { return settings().soc_name.c_str(); }

aclError aclrtGetRunMode(aclrtRunMode* runMode) {
  return guard(__func__, [&]() -> aclError {
    if (!runMode) return fail(ACL_ERROR_INVALID_PARAM, "runMode is NULL");
    *runMode = settings().run_mode;
    return ACL_SUCCESS;
  });
}

aclError aclrtGetDeviceCount(uint32_t* count) {
  return guard(__func__, [&]() -> aclError {
    if (!count) return fail(ACL_ERROR_INVALID_PARAM, "count is NULL");
    *count = static_cast<uint32_t>(settings().device_count);
    return ACL_SUCCESS;
  });
}

aclError aclrtSetTsDevice(aclrtTsId tsId) {
  return guard(__func__, [&]() -> aclError {
    const long long ts = enum_value(tsId);
    if (ts != ACL_TS_ID_AICORE && ts != ACL_TS_ID_AIVECTOR) {
      return fail(ACL_ERROR_INVALID_PARAM, "tsId {} is not ACL_TS_ID_AICORE (0) or ACL_TS_ID_AIVECTOR (1)", ts);
    }
    return ACL_SUCCESS;  // one kind of compute unit on the CPU
  });
}

aclError aclrtSetDevice(int32_t deviceId) {
  return guard(__func__, [&]() -> aclError {
    if (!initialized()) return fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
    if (!valid_device(deviceId)) {
      return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device id {} is not in 0..{}", deviceId, settings().device_count - 1);
    }
    std::lock_guard<std::mutex> lock(g_mutex);
    open_device_locked(deviceId);
    t_current = g_devices[deviceId].default_context;
    return ACL_SUCCESS;
  });
}

aclError aclrtResetDevice(int32_t deviceId) {
  return guard(__func__, [&]() -> aclError {
    if (!valid_device(deviceId)) {
      return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device id {} is not in 0..{}", deviceId, settings().device_count - 1);
    }
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      if (g_devices.empty() || g_devices[deviceId].open_count == 0) return ACL_SUCCESS;  // not open: no-op
      if (--g_devices[deviceId].open_count > 0) return ACL_SUCCESS;
      g_devices[deviceId].default_context = nullptr;
    }
    destroy_contexts_of(deviceId);
    return ACL_SUCCESS;
  });
}

aclError aclrtGetDevice(int32_t* deviceId) {
  return guard(__func__, [&]() -> aclError {
    if (!deviceId) return fail(ACL_ERROR_INVALID_PARAM, "deviceId is NULL");
    auto context = t_current ? contexts().find(t_current) : nullptr;
    if (!context) return fail(ACL_ERROR_RT_CONTEXT_NULL, "the calling thread has no current context");
    *deviceId = context->device;
    return ACL_SUCCESS;
  });
}

aclError aclrtSynchronizeDevice(void) {
  return guard(__func__, [&]() -> aclError {
    aclrtContext current = current_context();
    auto context = current ? contexts().find(current) : nullptr;
    if (!context) return fail(ACL_ERROR_RT_CONTEXT_NULL, "the calling thread has no current context");
    std::vector<std::shared_ptr<Stream>> streams;
    for (auto& [handle, c] : contexts().snapshot()) {
      if (c->device != context->device) continue;
      streams.push_back(c->default_stream);
      std::lock_guard<std::mutex> lock(g_mutex);
      for (aclrtStream s : c->streams) {
        if (auto stream = find_stream(s)) streams.push_back(std::move(stream));
      }
    }
    aclError first = ACL_SUCCESS;
    for (auto& stream : streams) {
      aclError error = stream->synchronize();
      if (first == ACL_SUCCESS) first = error;
    }
    return first;
  });
}

aclError aclrtCreateContext(aclrtContext* context, int32_t deviceId) {
  return guard(__func__, [&]() -> aclError {
    if (!initialized()) return fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
    if (!context) return fail(ACL_ERROR_INVALID_PARAM, "context (the output pointer) is NULL");
    if (!valid_device(deviceId)) {
      return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device id {} is not in 0..{}", deviceId, settings().device_count - 1);
    }
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_devices[deviceId].open_count == 0) open_device_locked(deviceId);  // implicit open
    *context = t_current = create_context_locked(deviceId, false);
    return ACL_SUCCESS;
  });
}

aclError aclrtDestroyContext(aclrtContext context) {
  return guard(__func__, [&]() -> aclError {
    if (!context) return fail(ACL_ERROR_INVALID_PARAM, "context is NULL");
    auto found = contexts().find(context);
    if (!found) return fail(ACL_ERROR_INVALID_PARAM, "context {} is unknown or destroyed", context);
    if (found->is_default) {
      return fail(ACL_ERROR_INVALID_PARAM, "context {} is a device's default context (aclrtResetDevice destroys it)", context);
    }
    if (!contexts().remove(context)) return fail(ACL_ERROR_INVALID_PARAM, "context {} was destroyed meanwhile", context);
    if (t_current == context) t_current = nullptr;  // other threads notice on their next lookup
    destroy_context_streams(*found);
    return ACL_SUCCESS;
  });
}

aclError aclrtSetCurrentContext(aclrtContext context) {
  return guard(__func__, [&]() -> aclError {
    if (!context) return fail(ACL_ERROR_INVALID_PARAM, "context is NULL");
    if (!contexts().find(context)) return fail(ACL_ERROR_INVALID_PARAM, "context {} is unknown or destroyed", context);
    t_current = context;
    return ACL_SUCCESS;
  });
}

aclError aclrtGetCurrentContext(aclrtContext* context) {
  return guard(__func__, [&]() -> aclError {
    if (!context) return fail(ACL_ERROR_INVALID_PARAM, "context (the output pointer) is NULL");
    if (!t_current || !contexts().find(t_current)) {
      t_current = nullptr;
      return fail(ACL_ERROR_RT_CONTEXT_NULL, "the calling thread has no current context");
    }
    *context = t_current;
    return ACL_SUCCESS;
  });
}

}  // extern "C"
