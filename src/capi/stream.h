// A stream: an in-order task queue executed by its own worker thread (spec §4.6, §7.1).
//
//   auto stream = std::make_shared<Stream>(context);
//   stream->push([] { return ACL_SUCCESS; });   // returns once queued (blocks only while full)
//   aclError first = stream->synchronize();      // waits; reports and clears the first failure
//   stream->close();                             // drains, stops the worker
//
// Entry points use the handle functions below; capi::submit (capi.h) is push() on a resolved
// handle, which is how model executions, copies, callbacks and event records join a stream.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "capi/capi.h"

namespace kiln::capi {

class Stream {
 public:
  // The real stack's per-stream task queue holds on the order of a thousand tasks.
  static constexpr std::size_t kCapacity = 1024;

  explicit Stream(aclrtContext context);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  aclrtContext context() const { return context_; }
  // Queues `task`; blocks while the queue is full. Fails (100000) once the stream is closed.
  aclError push(Task task);
  // Waits for every task pushed before the call; returns the first error recorded since the
  // previous synchronize() (then clears it), with its message as aclGetRecentErrMsg.
  aclError synchronize();
  // Drains the queue (errors stay recorded), then stops and joins the worker. Idempotent.
  void close();
  bool on_worker_thread() const { return std::this_thread::get_id() == worker_id_; }

 private:
  void run();

  const aclrtContext context_;
  std::mutex mutex_;
  std::condition_variable cv_work_;   // worker: a task arrived or closing
  std::condition_variable cv_space_;  // submitters: the queue has room
  std::condition_variable cv_done_;   // synchronize(): a task finished
  std::deque<Task> queue_;
  std::uint64_t pushed_ = 0;
  std::uint64_t done_ = 0;
  aclError first_error_ = ACL_SUCCESS;
  std::string first_error_message_;
  bool closing_ = false;
  std::mutex close_mutex_;  // serialises close() callers
  std::thread worker_;
  std::thread::id worker_id_;
};

// --- handles (stream.cc) -----------------------------------------------------------------------
// The user stream behind `handle`, or null.
std::shared_ptr<Stream> find_stream(aclrtStream handle);
// `handle`, or for null the current context's default stream (§4.5 leniency applies). On failure
// returns the error through fail(): 100000 unknown/destroyed handle, 107002 no context.
aclError resolve_stream(aclrtStream handle, std::shared_ptr<Stream>* stream);

// --- report subscriptions (report.cc) ------------------------------------------------------------
// Drops the stream's subscription, if any, releasing callback tasks that wait on it. Called
// before a stream is closed for good.
void forget_report_subscription(const Stream* stream);

}  // namespace kiln::capi
