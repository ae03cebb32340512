// Callback tasks and report processing (spec §4.8, §7.2-§7.4): aclrtSubscribeReport,
// aclrtLaunchCallback, aclrtProcessReport, aclrtUnSubscribeReport.
//
// A subscription pairs a stream with a thread id; the thread is named by the value the
// application got from pthread_self() (or std::thread::id printed by libstdc++, or
// acl.util.start_thread), and is never validated: it may not exist yet or may have exited.
// When a stream's worker reaches a callback task it queues a report on that thread's FIFO; the
// thread runs it inside aclrtProcessReport. A BLOCK callback holds the stream until it returned.
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "capi/capi.h"
#include "capi/runtime.h"
#include "capi/stream.h"

namespace kiln::capi {
namespace {

struct Report {
  aclrtCallback fn = nullptr;
  void* user_data = nullptr;
  const Stream* stream = nullptr;
  bool finished = false;  // ran, or dropped by an unsubscription
};

struct ReportThread {
  std::deque<std::shared_ptr<Report>> queue;
  int subscriptions = 0;
};

// Never destroyed: stream workers may still deliver reports while a process exits.
std::mutex g_mutex;
std::condition_variable& g_changed = *new std::condition_variable;  // a report queued/finished, a subscription gone
std::map<const Stream*, std::uint64_t>& g_subscribers = *new std::map<const Stream*, std::uint64_t>;
std::map<std::uint64_t, ReportThread>& g_threads = *new std::map<std::uint64_t, ReportThread>;

std::uint64_t this_thread_id() { return static_cast<std::uint64_t>(pthread_self()); }

// Removes the pairing of `stream` (caller holds g_mutex) and drops its undelivered reports.
void unsubscribe_locked(const Stream* stream) {
  auto it = g_subscribers.find(stream);
  if (it == g_subscribers.end()) return;
  ReportThread& thread = g_threads[it->second];
  --thread.subscriptions;
  auto dropped = std::remove_if(thread.queue.begin(), thread.queue.end(), [&](const std::shared_ptr<Report>& r) {
    if (r->stream != stream) return false;
    r->finished = true;  // releases a stream task waiting on a BLOCK callback
    log(ACL_ERROR, "a callback report was dropped: its stream was unsubscribed before the report was processed");
    return true;
  });
  thread.queue.erase(dropped, thread.queue.end());
  if (thread.subscriptions == 0 && thread.queue.empty()) g_threads.erase(it->second);
  g_subscribers.erase(it);
  g_changed.notify_all();
}

// The stream task of aclrtLaunchCallback: hands the report to the subscribed thread.
aclError deliver(const Stream* stream, aclrtCallback fn, void* user_data, bool block) {
  auto report = std::make_shared<Report>();
  report->fn = fn;
  report->user_data = user_data;
  report->stream = stream;
  std::unique_lock<std::mutex> lock(g_mutex);
  auto it = g_subscribers.find(stream);
  if (it == g_subscribers.end()) {
    log(ACL_ERROR, "a callback task was dropped: its stream has no subscribed report thread any more");
    return ACL_SUCCESS;
  }
  g_threads[it->second].queue.push_back(report);
  g_changed.notify_all();
  if (block) g_changed.wait(lock, [&] { return report->finished; });
  return ACL_SUCCESS;
}

}  // namespace

void forget_report_subscription(const Stream* stream) {
  std::lock_guard<std::mutex> lock(g_mutex);
  unsubscribe_locked(stream);
}

}  // namespace kiln::capi

using namespace kiln::capi;

extern "C" {

aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    std::shared_ptr<Stream> target;
    if (aclError error = resolve_stream(stream, &target); error != ACL_SUCCESS) return error;
    std::lock_guard<std::mutex> lock(g_mutex);
    if (auto it = g_subscribers.find(target.get()); it != g_subscribers.end()) {
      return fail(ACL_ERROR_RT_STREAM_SUBSCRIBE, "stream {} is already subscribed by thread {}", stream, it->second);
    }
    g_subscribers[target.get()] = threadId;
    ++g_threads[threadId].subscriptions;
    return ACL_SUCCESS;
  });
}

aclError aclrtUnSubscribeReport(uint64_t threadId, aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    std::shared_ptr<Stream> target;
    if (aclError error = resolve_stream(stream, &target); error != ACL_SUCCESS) return error;
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_subscribers.find(target.get());
    if (it == g_subscribers.end() || it->second != threadId) {
      return fail(ACL_ERROR_RT_STREAM_SUBSCRIBE, "thread {} is not subscribed to stream {}", threadId, stream);
    }
    unsubscribe_locked(target.get());
    return ACL_SUCCESS;
  });
}

aclError aclrtLaunchCallback(aclrtCallback fn, void* userData, aclrtCallbackBlockType blockType, aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    if (!fn) return fail(ACL_ERROR_INVALID_PARAM, "fn (the callback) is NULL");
    const long long block_type = enum_value(blockType);
    if (block_type != ACL_CALLBACK_NO_BLOCK && block_type != ACL_CALLBACK_BLOCK) {
      return fail(ACL_ERROR_INVALID_PARAM, "blockType {} is not ACL_CALLBACK_NO_BLOCK (0) or ACL_CALLBACK_BLOCK (1)", block_type);
    }
    std::shared_ptr<Stream> target;
    if (aclError error = resolve_stream(stream, &target); error != ACL_SUCCESS) return error;
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      if (!g_subscribers.count(target.get())) {
        return fail(ACL_ERROR_RT_STREAM_NO_CB_REG, "stream {} has no report thread: call aclrtSubscribeReport first", stream);
      }
    }
    const Stream* raw = target.get();  // the task runs on this stream, which outlives its tasks
    bool block = block_type == ACL_CALLBACK_BLOCK;
    return target->push([raw, fn, userData, block] { return deliver(raw, fn, userData, block); });
  });
}

aclError aclrtProcessReport(int32_t timeout) {
  return guard(__func__, [&]() -> aclError {
    if (timeout == 0 || timeout < -1) {
      return fail(ACL_ERROR_INVALID_PARAM, "timeout {} ms is invalid (-1 waits forever, > 0 waits that long)", timeout);
    }
    const std::uint64_t self = this_thread_id();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
    std::unique_lock<std::mutex> lock(g_mutex);
    auto subscribed = [&] {
      auto it = g_threads.find(self);
      return it != g_threads.end() && (it->second.subscriptions > 0 || !it->second.queue.empty());
    };
    if (!subscribed()) {
      lock.unlock();
      // The real stack returns at once; loops that start before aclrtSubscribeReport would spin.
      std::this_thread::sleep_for(std::chrono::milliseconds(timeout == -1 ? 10 : std::min(timeout, 10)));
      return fail(ACL_ERROR_RT_THREAD_SUBSCRIBE, "thread {} is not subscribed to any stream", self);
    }
    auto ready = [&] { return !subscribed() || !g_threads[self].queue.empty(); };
    if (timeout == -1) {
      g_changed.wait(lock, ready);
    } else if (!g_changed.wait_until(lock, deadline, ready)) {
      return fail(ACL_ERROR_RT_REPORT_TIMEOUT, "no callback report arrived within {} ms", timeout);
    }
    if (!subscribed()) return fail(ACL_ERROR_RT_THREAD_SUBSCRIBE, "thread {} was unsubscribed while waiting", self);
    ReportThread& thread = g_threads[self];
    std::shared_ptr<Report> report = thread.queue.front();
    thread.queue.pop_front();
    if (thread.subscriptions == 0 && thread.queue.empty()) g_threads.erase(self);
    lock.unlock();
    auto finish = [&] {
      std::lock_guard<std::mutex> relock(g_mutex);
      report->finished = true;  // the stream may go on (BLOCK)
      g_changed.notify_all();
    };
    try {
      report->fn(report->user_data);
    } catch (...) {  // a C++ (e.g. Python-binding) callback threw: still release the stream
      finish();
      throw;
    }
    finish();
    return ACL_SUCCESS;
  });
}

}  // extern "C"
