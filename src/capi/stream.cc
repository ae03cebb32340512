// Streams (spec §4.6, §7.1): the Stream worker, the user-stream handle table, capi::submit and
// aclrtCreateStream / aclrtDestroyStream / aclrtSynchronizeStream.
#include "capi/stream.h"

#include <exception>

#include "capi/handle_table.h"
#include "capi/runtime.h"

namespace kiln::capi {
namespace {

HandleTable<Stream>& user_streams() {
  // Never destroyed: an application may exit without aclFinalize while stream workers still run.
  static auto* table = new HandleTable<Stream>;
  return *table;
}

}  // namespace

Stream::Stream(aclrtContext context) : context_(context) {
  worker_ = std::thread([this] { run(); });
  worker_id_ = worker_.get_id();
}

Stream::~Stream() { close(); }

aclError Stream::push(Task task) {
  std::unique_lock<std::mutex> lock(mutex_);
  // Never fail for a full queue (§7.1): wait for the worker to make room.
  cv_space_.wait(lock, [&] { return closing_ || queue_.size() < kCapacity; });
  if (closing_) return fail(ACL_ERROR_INVALID_PARAM, "the stream is being destroyed");
  queue_.push_back(std::move(task));
  ++pushed_;
  cv_work_.notify_one();
  return ACL_SUCCESS;
}

aclError Stream::synchronize() {
  if (on_worker_thread()) {
    return fail(ACL_ERROR_INVALID_PARAM, "a task cannot synchronize the stream it runs on (deadlock)");
  }
  std::unique_lock<std::mutex> lock(mutex_);
  const std::uint64_t target = pushed_;
  cv_done_.wait(lock, [&] { return done_ >= target; });
  aclError error = first_error_;
  std::string message = std::move(first_error_message_);
  first_error_ = ACL_SUCCESS;
  first_error_message_.clear();
  lock.unlock();
  if (error == ACL_SUCCESS) return ACL_SUCCESS;
  return fail(error, "a stream task failed since the last synchronization: {}", message);
}

void Stream::close() {
  std::lock_guard<std::mutex> close_lock(close_mutex_);
  if (!worker_.joinable()) return;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t target = pushed_;
    cv_done_.wait(lock, [&] { return done_ >= target; });
    closing_ = true;
  }
  cv_work_.notify_all();
  cv_space_.notify_all();
  if (on_worker_thread()) {
    worker_.detach();  // only reachable if a task drops the last reference to its own stream
  } else {
    worker_.join();
  }
}

void Stream::run() {
  set_current_context(context_);  // tasks call entry points that need a context
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    cv_work_.wait(lock, [&] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;  // closing and drained
    Task task = std::move(queue_.front());
    queue_.pop_front();
    cv_space_.notify_one();
    lock.unlock();
    aclError result;
    std::string message;
    try {
      result = task();
      if (result != ACL_SUCCESS) message = aclGetRecentErrMsg();  // the task's fail() text, this thread
    } catch (const std::exception& e) {
      result = ACL_ERROR_INTERNAL_ERROR;
      message = fmt::format("internal error: {}", e.what());
      log(ACL_ERROR, message);
    } catch (...) {
      result = ACL_ERROR_INTERNAL_ERROR;
      message = "internal error (unknown exception)";
      log(ACL_ERROR, message);
    }
    task = nullptr;  // release captured state before the task counts as done
    lock.lock();
    if (result != ACL_SUCCESS && first_error_ == ACL_SUCCESS) {
      first_error_ = result;
      first_error_message_ = std::move(message);
    }
    ++done_;
    cv_done_.notify_all();
  }
}

std::shared_ptr<Stream> find_stream(aclrtStream handle) { return user_streams().find(handle); }

aclError resolve_stream(aclrtStream handle, std::shared_ptr<Stream>* stream) {
  if (handle != nullptr) {
    *stream = user_streams().find(handle);
    if (!*stream) return fail(ACL_ERROR_INVALID_PARAM, "stream {} is unknown or destroyed", handle);
    return ACL_SUCCESS;
  }
  aclrtContext context = current_context();
  auto owner = context ? find_context(context) : nullptr;
  if (!owner || !owner->default_stream) {
    return fail(ACL_ERROR_RT_CONTEXT_NULL, "the default stream (NULL) needs a current context: call aclrtSetDevice or aclrtSetCurrentContext");
  }
  *stream = owner->default_stream;
  return ACL_SUCCESS;
}

aclError submit(aclrtStream handle, Task task) {
  std::shared_ptr<Stream> stream;
  if (aclError error = resolve_stream(handle, &stream); error != ACL_SUCCESS) return error;
  return stream->push(std::move(task));
}

void destroy_user_stream(aclrtStream handle) {
  auto stream = user_streams().remove(handle);
  if (!stream) return;
  detach_stream(stream->context(), handle);
  stream->close();
  forget_report_subscription(stream.get());
}

void destroy_all_user_streams() {
  for (auto& [handle, stream] : user_streams().snapshot()) destroy_user_stream(handle);
}

}  // namespace kiln::capi

using namespace kiln::capi;

extern "C" {

aclError aclrtCreateStream(aclrtStream* stream) {
  return guard(__func__, [&]() -> aclError {
    if (!stream) return fail(ACL_ERROR_INVALID_PARAM, "stream (the output pointer) is NULL");
    if (!initialized()) return fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
    aclrtContext context = current_context();
    if (!context) return fail(ACL_ERROR_RT_CONTEXT_NULL, "no current context: call aclrtSetDevice or aclrtSetCurrentContext first");
    aclrtStream handle = user_streams().add(std::make_shared<Stream>(context));
    if (!attach_stream(context, handle)) {
      destroy_user_stream(handle);
      return fail(ACL_ERROR_RT_CONTEXT_NULL, "the current context was destroyed while the stream was created");
    }
    *stream = handle;
    return ACL_SUCCESS;
  });
}

aclError aclrtDestroyStream(aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    if (!stream) return fail(ACL_ERROR_INVALID_PARAM, "stream is NULL (the default stream cannot be destroyed)");
    auto found = find_stream(stream);
    if (!found) return fail(ACL_ERROR_INVALID_PARAM, "stream {} is unknown or destroyed", stream);
    if (found->on_worker_thread()) return fail(ACL_ERROR_INVALID_PARAM, "a task cannot destroy its own stream");
    destroy_user_stream(stream);
    return ACL_SUCCESS;
  });
}

aclError aclrtSynchronizeStream(aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    std::shared_ptr<Stream> target;
    if (aclError error = resolve_stream(stream, &target); error != ACL_SUCCESS) return error;
    return target->synchronize();
  });
}

}  // extern "C"
