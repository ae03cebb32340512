// Internal glue shared by the AscendCL entry points (src/capi/*_api.cc). The C functions
// themselves are thin: check arguments, call into runtime/offline, map Status to an aclError.
//
//   aclError aclmdlUnload(uint32_t modelId) {
//     return capi::guard(__func__, [&]() -> aclError {
//       if (!capi::initialized()) return capi::fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
//       ...
//     });
//   }
//
// Ownership: state.cc (init, log, errors, devices, contexts), stream.cc (streams, events, tasks),
// report.cc (callback subscriptions), memory.cc (aclrtMalloc registry): the runtime half;
// model_registry.cc + mdl_*.cc + buffer_api.cc + op_api.cc: the model half.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "acl/acl.h"
#include "core/status.h"

namespace kiln::capi {

// --- errors and logging (state.cc) --------------------------------------------------------------
// Logs `message` at error level (prefixed by the entry point being run on this thread), stores it
// as the thread's aclGetRecentErrMsg text, and returns `code`. Every non-success return goes
// through here so that every failure explains itself.
aclError fail(aclError code, std::string message);
template <typename... Args>
aclError fail(aclError code, fmt::format_string<Args...> f, Args&&... args) {
  return fail(code, fmt::format(f, std::forward<Args>(args)...));
}
// Maps a Kiln Status to `code` (the caller picks the AscendCL code for the context) via fail().
inline aclError fail(aclError code, const Status& status) { return fail(code, status.message()); }

// Honours ASCEND_GLOBAL_LOG_LEVEL (0 debug .. 3 error (default), 4 none) and
// ASCEND_SLOG_PRINT_TO_STDOUT (1: stdout, else stderr). Thread-safe, one line per call.
void log(aclLogLevel level, std::string_view message);
bool log_enabled(aclLogLevel level);

// Runs an entry point's body: records `func` for messages, converts any escaping C++ exception
// (std::bad_alloc and anything else) into an error code, so nothing crosses the C boundary.
aclError guard_impl(const char* func, const std::function<aclError()>& body) noexcept;
template <typename F>
aclError guard(const char* func, F&& body) noexcept {
  return guard_impl(func, std::function<aclError()>(std::forward<F>(body)));
}

// --- library state (state.cc) -------------------------------------------------------------------
bool initialized();
// The calling thread's current context, applying the §4.5 leniency (no current context and exactly
// one open device: bind that device's default context). Null when there is none.
aclrtContext current_context();

// --- stream tasks (stream.cc) -------------------------------------------------------------------
// A task runs on the stream's worker thread; its return value is recorded as the stream's first
// error (reported by aclrtSynchronizeStream) when it is not ACL_SUCCESS.
using Task = std::function<aclError()>;
// Queues `task` on `stream` (nullptr = the current context's default stream). Returns 100000 for
// an unknown/destroyed stream handle, 107002 when there is no context for a null stream.
// Never waits for earlier tasks; blocks only while the stream's bounded queue is full.
aclError submit(aclrtStream stream, Task task);

// --- models (model_registry.cc) -----------------------------------------------------------------
// Called by aclFinalize: waits for in-flight executions, unloads every model and forgets the
// single-operator model directory (so a later aclInit starts clean).
void finalize_models();

}  // namespace kiln::capi
