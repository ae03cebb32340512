// Events (spec §4.6, CUDA-event-like): aclrtCreateEvent / DestroyEvent / RecordEvent /
// ResetEvent / QueryEvent / SynchronizeEvent / EventElapsedTime / StreamWaitEvent.
//
// Each aclrtRecordEvent bumps the event's generation and queues a task that marks that
// generation reached, with a timestamp, when the stream gets there. Waiting (host or another
// stream) waits for the generation recorded at the time of the call, as CUDA does; an event never
// recorded counts as complete.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "capi/capi.h"
#include "capi/handle_table.h"
#include "capi/runtime.h"
#include "capi/stream.h"

namespace kiln::capi {
namespace {

using Clock = std::chrono::steady_clock;

struct Event {
  std::mutex mutex;
  std::condition_variable reached_cv;
  std::uint64_t recorded = 0;  // generation of the latest aclrtRecordEvent
  std::uint64_t reached = 0;   // generation the stream has executed
  Clock::time_point time;      // when `reached` was set

  std::uint64_t last_recorded() {
    std::lock_guard<std::mutex> lock(mutex);
    return recorded;
  }
  void wait_for(std::uint64_t generation) {
    std::unique_lock<std::mutex> lock(mutex);
    reached_cv.wait(lock, [&] { return reached >= generation; });
  }
};

HandleTable<Event>& events() {
  // Never destroyed: an application may exit without aclFinalize while stream workers still run.
  static auto* table = new HandleTable<Event>;
  return *table;
}

aclError find_event(aclrtEvent handle, const char* name, std::shared_ptr<Event>* event) {
  if (!handle) return fail(ACL_ERROR_INVALID_PARAM, "{} is NULL", name);
  *event = events().find(handle);
  if (!*event) return fail(ACL_ERROR_INVALID_PARAM, "{} {} is unknown or destroyed", name, handle);
  return ACL_SUCCESS;
}

// The event and the stream (null = the current context's default stream) a stream-side event
// call works on.
aclError find_event_and_stream(aclrtEvent event, aclrtStream stream, std::shared_ptr<Event>* target,
                               std::shared_ptr<Stream>* queue) {
  if (aclError error = find_event(event, "event", target); error != ACL_SUCCESS) return error;
  return resolve_stream(stream, queue);
}

}  // namespace

void destroy_all_events() { events().clear(); }

}  // namespace kiln::capi

using namespace kiln::capi;

extern "C" {

aclError aclrtCreateEvent(aclrtEvent* event) {
  return guard(__func__, [&]() -> aclError {
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, "event (the output pointer) is NULL");
    if (!initialized()) return fail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
    if (!current_context()) return fail(ACL_ERROR_RT_CONTEXT_NULL, "no current context: call aclrtSetDevice first");
    *event = events().add(std::make_shared<Event>());
    return ACL_SUCCESS;
  });
}

aclError aclrtDestroyEvent(aclrtEvent event) {
  return guard(__func__, [&]() -> aclError {
    if (!event) return fail(ACL_ERROR_INVALID_PARAM, "event is NULL");
    // Queued record/wait tasks hold their own reference: they still complete.
    if (!events().remove(event)) return fail(ACL_ERROR_INVALID_PARAM, "event {} is unknown or destroyed", event);
    return ACL_SUCCESS;
  });
}

aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    std::shared_ptr<Event> target;
    std::shared_ptr<Stream> queue;
    if (aclError error = find_event_and_stream(event, stream, &target, &queue); error != ACL_SUCCESS) return error;
    std::uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(target->mutex);
      generation = ++target->recorded;
    }
    return queue->push([target, generation] {
      std::lock_guard<std::mutex> lock(target->mutex);
      if (target->reached < generation) {
        target->reached = generation;
        target->time = Clock::now();
      }
      target->reached_cv.notify_all();
      return ACL_SUCCESS;
    });
  });
}

aclError aclrtResetEvent(aclrtEvent event, aclrtStream stream) {
  return guard(__func__, [&]() -> aclError {
    std::shared_ptr<Event> target;
    std::shared_ptr<Stream> queue;
    if (aclError error = find_event_and_stream(event, stream, &target, &queue); error != ACL_SUCCESS) return error;
    // Back to "never recorded" once the stream gets there: pending records count as reached.
    return queue->push([target] {
      std::lock_guard<std::mutex> lock(target->mutex);
      target->reached = target->recorded;
      target->time = Clock::time_point{};
      target->reached_cv.notify_all();
      return ACL_SUCCESS;
    });
  });
}

aclError aclrtQueryEvent(aclrtEvent event, aclrtEventStatus* status) {
  return guard(__func__, [&]() -> aclError {
    if (!status) return fail(ACL_ERROR_INVALID_PARAM, "status is NULL");
    std::shared_ptr<Event> target;
    if (aclError error = find_event(event, "event", &target); error != ACL_SUCCESS) return error;
    std::lock_guard<std::mutex> lock(target->mutex);
    *status = target->reached >= target->recorded ? ACL_EVENT_STATUS_COMPLETE : ACL_EVENT_STATUS_NOT_READY;
    return ACL_SUCCESS;
  });
}

aclError aclrtSynchronizeEvent(aclrtEvent event) {
  return guard(__func__, [&]() -> aclError {
    std::shared_ptr<Event> target;
    if (aclError error = find_event(event, "event", &target); error != ACL_SUCCESS) return error;
    const std::uint64_t generation = target->last_recorded();
    target->wait_for(generation);
    return ACL_SUCCESS;
  });
}

aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event) {
  return guard(__func__, [&]() -> aclError {
    std::shared_ptr<Event> target;
    std::shared_ptr<Stream> queue;
    if (aclError error = find_event_and_stream(event, stream, &target, &queue); error != ACL_SUCCESS) return error;
    const std::uint64_t generation = target->last_recorded();
    return queue->push([target, generation] {
      target->wait_for(generation);
      return ACL_SUCCESS;
    });
  });
}

aclError aclrtEventElapsedTime(float* ms, aclrtEvent startEvent, aclrtEvent endEvent) {
  return guard(__func__, [&]() -> aclError {
    if (!ms) return fail(ACL_ERROR_INVALID_PARAM, "ms is NULL");
    std::shared_ptr<Event> start, end;
    if (aclError error = find_event(startEvent, "startEvent", &start); error != ACL_SUCCESS) return error;
    if (aclError error = find_event(endEvent, "endEvent", &end); error != ACL_SUCCESS) return error;
    Clock::time_point times[2];
    std::shared_ptr<Event>* both[2] = {&start, &end};
    for (int i = 0; i < 2; ++i) {
      Event& e = **both[i];
      std::lock_guard<std::mutex> lock(e.mutex);
      const char* name = i == 0 ? "startEvent" : "endEvent";
      if (e.recorded == 0) return fail(ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID, "{} has not been recorded", name);
      if (e.reached < e.recorded) return fail(ACL_ERROR_RT_EVENT_NOT_COMPLETE, "{} has not completed yet", name);
      if (e.time == Clock::time_point{}) return fail(ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID, "{} was reset", name);
      times[i] = e.time;
    }
    if (times[1] < times[0]) {
      return fail(ACL_ERROR_RT_EVENT_TIMESTAMP_REVERSAL, "endEvent completed before startEvent");
    }
    *ms = std::chrono::duration<float, std::milli>(times[1] - times[0]).count();
    return ACL_SUCCESS;
  });
}

}  // extern "C"
