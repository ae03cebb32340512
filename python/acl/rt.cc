// acl.rt.*: devices, contexts, streams, events, memory, report subscription and Python callbacks
// (spec §8.3 `acl.rt`, semantics §4 and §7).
#include <memory>
#include <utility>

#include "acl_py.h"

namespace acl_py {

namespace {

// A Python callback in flight: the references are held until it has run (§8.3 launch_callback).
struct PendingCallback {
  py::object fn;
  py::object user_data;
};

// Runs on the thread that called aclrtProcessReport (it released the GIL while blocked there).
void run_python_callback(void* p) {
  py::gil_scoped_acquire gil;
  std::unique_ptr<PendingCallback> cb(static_cast<PendingCallback*>(p));
  try {
    cb->fn(cb->user_data);
  } catch (py::error_already_set& e) {
    e.restore();
    report_callback_error("an acl.rt.launch_callback callback");
  } catch (const std::exception& e) {
    PySys_WriteStderr("acl: exception in an acl.rt.launch_callback callback (ignored): %s\n", e.what());
  }
  // The references are dropped here, with the GIL held.
}

}  // namespace

void bind_rt(py::module_& rt) {
  rt.def("set_device", &aclrtSetDevice, py::arg("device_id"), release_gil());
  rt.def("reset_device", &aclrtResetDevice, py::arg("device_id"), release_gil());
  rt.def("get_device", [] {
    int32_t id = 0;
    aclError ret = aclrtGetDevice(&id);
    return py::make_tuple(id, ret);
  });
  rt.def("get_device_count", [] {
    uint32_t count = 0;
    aclError ret = aclrtGetDeviceCount(&count);
    return py::make_tuple(count, ret);
  });
  rt.def("get_run_mode", [] {
    aclrtRunMode mode = ACL_HOST;
    aclError ret = aclrtGetRunMode(&mode);
    return py::make_tuple(static_cast<int>(mode), ret);
  });
  rt.def("synchronize_device", &aclrtSynchronizeDevice, release_gil());

  rt.def(
      "create_context",
      [](int32_t device_id) {
        aclrtContext ctx = nullptr;
        aclError ret = aclrtCreateContext(&ctx, device_id);
        return py::make_tuple(addr(ctx), ret);
      },
      py::arg("device_id"));
  rt.def("destroy_context", [](Ptr ctx) { return aclrtDestroyContext(as(ctx)); }, py::arg("context"), release_gil());
  rt.def("set_context", [](Ptr ctx) { return aclrtSetCurrentContext(as(ctx)); }, py::arg("context"));
  rt.def("get_context", [] {
    aclrtContext ctx = nullptr;
    aclError ret = aclrtGetCurrentContext(&ctx);
    return py::make_tuple(addr(ctx), ret);
  });

  rt.def("create_stream", [] {
    aclrtStream stream = nullptr;
    aclError ret = aclrtCreateStream(&stream);
    return py::make_tuple(addr(stream), ret);
  });
  rt.def("destroy_stream", [](Ptr s) { return aclrtDestroyStream(as(s)); }, py::arg("stream"), release_gil());
  rt.def("synchronize_stream", [](Ptr s) { return aclrtSynchronizeStream(as(s)); }, py::arg("stream"), release_gil());

  rt.def("create_event", [] {
    aclrtEvent event = nullptr;
    aclError ret = aclrtCreateEvent(&event);
    return py::make_tuple(addr(event), ret);
  });
  rt.def("destroy_event", [](Ptr e) { return aclrtDestroyEvent(as(e)); }, py::arg("event"), release_gil());
  rt.def("record_event", [](Ptr e, Ptr s) { return aclrtRecordEvent(as(e), as(s)); }, py::arg("event"),
         py::arg("stream"), release_gil());
  rt.def("reset_event", [](Ptr e, Ptr s) { return aclrtResetEvent(as(e), as(s)); }, py::arg("event"),
         py::arg("stream"), release_gil());
  rt.def(
      "query_event",
      [](Ptr e) {
        aclrtEventStatus status = ACL_EVENT_STATUS_NOT_READY;
        aclError ret = aclrtQueryEvent(as(e), &status);
        return py::make_tuple(static_cast<int>(status), ret);
      },
      py::arg("event"));
  rt.def("synchronize_event", [](Ptr e) { return aclrtSynchronizeEvent(as(e)); }, py::arg("event"), release_gil());
  rt.def(
      "event_elapsed_time",
      [](Ptr start, Ptr end) {
        float ms = 0;
        aclError ret = aclrtEventElapsedTime(&ms, as(start), as(end));
        return py::make_tuple(ms, ret);
      },
      py::arg("start"), py::arg("end"));
  rt.def("stream_wait_event", [](Ptr s, Ptr e) { return aclrtStreamWaitEvent(as(s), as(e)); }, py::arg("stream"),
         py::arg("event"), release_gil());

  rt.def(
      "malloc",
      [](size_t size, int policy) {
        void* p = nullptr;
        aclError ret = aclrtMalloc(&p, size, static_cast<aclrtMemMallocPolicy>(policy));
        return std::make_pair(addr(p), ret);
      },
      py::arg("size"), py::arg("policy"), release_gil());
  rt.def(
      "malloc_cached",
      [](size_t size, int policy) {
        void* p = nullptr;
        aclError ret = aclrtMallocCached(&p, size, static_cast<aclrtMemMallocPolicy>(policy));
        return std::make_pair(addr(p), ret);
      },
      py::arg("size"), py::arg("policy"), release_gil());
  rt.def("free", [](Ptr p) { return aclrtFree(as(p)); }, py::arg("dev_ptr"), release_gil());
  rt.def(
      "malloc_host",
      [](size_t size) {
        void* p = nullptr;
        aclError ret = aclrtMallocHost(&p, size);
        return std::make_pair(addr(p), ret);
      },
      py::arg("size"), release_gil());
  rt.def("free_host", [](Ptr p) { return aclrtFreeHost(as(p)); }, py::arg("host_ptr"), release_gil());
  rt.def(
      "memcpy",
      [](Ptr dst, size_t dest_max, Ptr src, size_t count, int kind) {
        return aclrtMemcpy(as(dst), dest_max, as(src), count, static_cast<aclrtMemcpyKind>(kind));
      },
      py::arg("dst"), py::arg("dest_max"), py::arg("src"), py::arg("count"), py::arg("kind"), release_gil());
  rt.def(
      "memcpy_async",
      [](Ptr dst, size_t dest_max, Ptr src, size_t count, int kind, Ptr stream) {
        return aclrtMemcpyAsync(as(dst), dest_max, as(src), count, static_cast<aclrtMemcpyKind>(kind), as(stream));
      },
      py::arg("dst"), py::arg("dest_max"), py::arg("src"), py::arg("count"), py::arg("kind"), py::arg("stream"),
      release_gil());
  rt.def(
      "memset", [](Ptr p, size_t max_count, int32_t value, size_t count) { return aclrtMemset(as(p), max_count, value, count); },
      py::arg("dev_ptr"), py::arg("max_count"), py::arg("value"), py::arg("count"), release_gil());
  rt.def(
      "memset_async",
      [](Ptr p, size_t max_count, int32_t value, size_t count, Ptr stream) {
        return aclrtMemsetAsync(as(p), max_count, value, count, as(stream));
      },
      py::arg("dev_ptr"), py::arg("max_count"), py::arg("value"), py::arg("count"), py::arg("stream"), release_gil());

  rt.def("subscribe_report", [](uint64_t tid, Ptr s) { return aclrtSubscribeReport(tid, as(s)); }, py::arg("thread_id"),
         py::arg("stream"), release_gil());
  rt.def("unsubscribe_report", [](uint64_t tid, Ptr s) { return aclrtUnSubscribeReport(tid, as(s)); },
         py::arg("thread_id"), py::arg("stream"), release_gil());
  // The callback (if one is due) runs inside this call, on this thread, with the GIL re-taken.
  rt.def("process_report", &aclrtProcessReport, py::arg("timeout_ms"), release_gil());
  rt.def(
      "launch_callback",
      [](py::object fn, py::object user_data, int block_type, Ptr stream) {
        if (!PyCallable_Check(fn.ptr())) throw py::type_error("launch_callback: fn must be callable");
        auto* cb = new PendingCallback{std::move(fn), std::move(user_data)};
        aclError ret;
        {
          // Submission may block on a full stream queue whose worker waits for a callback that
          // needs the GIL.
          py::gil_scoped_release release;
          ret = aclrtLaunchCallback(&run_python_callback, cb, static_cast<aclrtCallbackBlockType>(block_type), as(stream));
        }
        if (ret != ACL_SUCCESS) delete cb;  // never queued: drop the references now
        return ret;
      },
      py::arg("fn"), py::arg("user_data"), py::arg("block_type"), py::arg("stream"));
}

}  // namespace acl_py
