// Errors and logging of the AscendCL entry points: the per-thread "recent error" text
// (aclGetRecentErrMsg), the log sink honouring ASCEND_GLOBAL_LOG_LEVEL /
// ASCEND_SLOG_PRINT_TO_STDOUT, aclAppLog, and the exception guard around every entry point.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>

#include "capi/capi.h"

namespace kiln::capi {
namespace {

thread_local std::string t_recent_error;
thread_local const char* t_entry_point = nullptr;

struct LogConfig {
  int level = ACL_ERROR;  // 0 debug, 1 info, 2 warning, 3 error, 4 none
  bool to_stdout = false;
};

// Read once: the real stack reads the variables at start-up too.
const LogConfig& log_config() {
  static const LogConfig config = [] {
    LogConfig c;
    if (const char* v = std::getenv("ASCEND_GLOBAL_LOG_LEVEL"); v && *v) {
      char* end = nullptr;
      long level = std::strtol(v, &end, 10);
      if (end && *end == '\0' && level >= 0 && level <= 4) c.level = static_cast<int>(level);
    }
    if (const char* v = std::getenv("ASCEND_SLOG_PRINT_TO_STDOUT"); v && std::string(v) == "1") c.to_stdout = true;
    return c;
  }();
  return config;
}

const char* level_name(aclLogLevel level) {
  switch (level) {
    case ACL_DEBUG: return "DEBUG";
    case ACL_INFO: return "INFO";
    case ACL_WARNING: return "WARNING";
    default: return "ERROR";
  }
}

std::mutex g_log_mutex;

}  // namespace

bool log_enabled(aclLogLevel level) { return static_cast<int>(level) >= log_config().level; }

void log(aclLogLevel level, std::string_view message) {
  if (!log_enabled(level)) return;
  std::FILE* out = log_config().to_stdout ? stdout : stderr;
  std::lock_guard<std::mutex> lock(g_log_mutex);
  std::fprintf(out, "[%s] KILN_ACL: %.*s\n", level_name(level), static_cast<int>(message.size()), message.data());
  std::fflush(out);
}

aclError fail(aclError code, std::string message) {
  std::string text = t_entry_point ? fmt::format("{}: {}", t_entry_point, message) : std::move(message);
  log(ACL_ERROR, fmt::format("{} (error {})", text, code));
  t_recent_error = std::move(text);
  return code;
}

aclError guard_impl(const char* func, const std::function<aclError()>& body) noexcept {
  const char* outer = t_entry_point;
  t_entry_point = func;
  aclError result;
  try {
    result = body();
  } catch (const std::bad_alloc&) {
    result = fail(ACL_ERROR_BAD_ALLOC, "out of memory");
  } catch (const std::exception& e) {
    result = fail(ACL_ERROR_INTERNAL_ERROR, fmt::format("internal error: {}", e.what()));
  } catch (...) {
    result = fail(ACL_ERROR_INTERNAL_ERROR, "internal error (unknown exception)");
  }
  t_entry_point = outer;
  return result;
}

}  // namespace kiln::capi

extern "C" {

const char* aclGetRecentErrMsg(void) { return kiln::capi::t_recent_error.c_str(); }

void aclAppLog(aclLogLevel logLevel, const char* func, const char* file, uint32_t line, const char* fmt, ...) {
  if (!fmt || !kiln::capi::log_enabled(logLevel)) return;
  char buffer[2048];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof(buffer), fmt, args);
  va_end(args);
  kiln::capi::log(logLevel, fmt::format("[{}:{}] {}: {}", file ? file : "?", line, func ? func : "?", buffer));
}

}  // extern "C"
