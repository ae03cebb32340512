// acl.util.*: native threads for report processing (§7.2: the id is the thread's pthread_self())
// and pointer <-> bytes / NumPy helpers (spec §8.3 `acl.util`).
#include <pthread.h>
#include <pybind11/numpy.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "acl_py.h"

namespace acl_py {

namespace {

struct PyThread {
  pthread_t handle{};
  py::object func;
  py::object args;
};

std::mutex g_threads_mutex;
std::map<uint64_t, PyThread*> g_threads;  // started and not yet stopped, by pthread_self value

void* thread_main(void* p) {
  auto* t = static_cast<PyThread*>(p);
  py::gil_scoped_acquire gil;
  try {
    t->func(t->args);
  } catch (py::error_already_set& e) {
    e.restore();
    report_callback_error("an acl.util.start_thread function");
  } catch (const std::exception& e) {
    PySys_WriteStderr("acl: exception in an acl.util.start_thread function (ignored): %s\n", e.what());
  }
  t->func = py::object();
  t->args = py::object();
  return nullptr;
}

// NumPy's C type numbers (NPY_BOOL = 0 ... NPY_HALF = 23) for the types the samples use.
py::dtype dtype_of_npy(int npy_type) {
  try {
    return py::dtype(npy_type);
  } catch (py::error_already_set&) {
    throw py::value_error("ptr_to_numpy: unknown NumPy type number " + std::to_string(npy_type));
  }
}

Ptr array_address(const py::handle& arr, const char* fn) {
  if (!py::isinstance<py::array>(arr)) {
    throw py::type_error(std::string(fn) + ": expected a numpy.ndarray, got " + std::string(py::str(py::type::of(arr))));
  }
  py::array a = py::reinterpret_borrow<py::array>(arr);
  if (!(a.flags() & py::array::c_style)) {
    throw py::value_error(std::string(fn) + ": the array is not C-contiguous (use numpy.ascontiguousarray)");
  }
  return addr(a.data());
}

}  // namespace

void bind_util(py::module_& util) {
  util.def(
      "start_thread",
      [](py::object func, py::object args) {
        if (!PyCallable_Check(func.ptr())) throw py::type_error("start_thread: func must be callable");
        auto* t = new PyThread{pthread_t{}, std::move(func), std::move(args)};
        // The new thread blocks on the GIL until this call returns, so registering after
        // pthread_create is race-free.
        int rc = pthread_create(&t->handle, nullptr, &thread_main, t);
        if (rc != 0) {
          delete t;
          return py::make_tuple(0, ACL_ERROR_FAILURE);
        }
        const auto tid = static_cast<uint64_t>(t->handle);
        {
          std::lock_guard<std::mutex> lock(g_threads_mutex);
          g_threads[tid] = t;
        }
        return py::make_tuple(tid, ACL_SUCCESS);
      },
      py::arg("func"), py::arg("args"));
  util.def(
      "stop_thread",
      [](uint64_t tid) -> int {
        PyThread* t = nullptr;
        {
          std::lock_guard<std::mutex> lock(g_threads_mutex);
          auto it = g_threads.find(tid);
          if (it == g_threads.end()) return ACL_ERROR_INVALID_PARAM;
          t = it->second;
          g_threads.erase(it);
        }
        {
          py::gil_scoped_release release;
          pthread_join(t->handle, nullptr);
        }
        delete t;  // func/args were dropped by the thread itself
        return ACL_SUCCESS;
      },
      py::arg("thread_id"));

  util.def(
      "bytes_to_ptr",
      [](const py::handle& b) -> Ptr {
        if (PyBytes_Check(b.ptr())) return addr(PyBytes_AS_STRING(b.ptr()));
        if (PyByteArray_Check(b.ptr())) return addr(PyByteArray_AS_STRING(b.ptr()));
        throw py::type_error("bytes_to_ptr: expected bytes or bytearray, got " + std::string(py::str(py::type::of(b))));
      },
      py::arg("b"));
  util.def("numpy_to_ptr", [](const py::handle& arr) { return array_address(arr, "numpy_to_ptr"); }, py::arg("arr"));
  util.def(
      "numpy_contiguous_to_ptr",
      [](const py::handle& arr) {
        py::array a = py::module_::import("numpy").attr("ascontiguousarray")(arr);
        return py::make_tuple(array_address(a, "numpy_contiguous_to_ptr"), a);
      },
      py::arg("arr"));
  util.def(
      "ptr_to_bytes",
      [](Ptr p, size_t size) {
        if (!p && size) throw py::value_error("ptr_to_bytes: null pointer");
        return py::bytes(as<const char>(p), size);
      },
      py::arg("ptr"), py::arg("size"));
  util.def(
      "ptr_to_numpy",
      [](Ptr p, const py::object& shape, int npy_type) {
        std::vector<py::ssize_t> dims;
        if (py::isinstance<py::int_>(shape)) {
          dims.push_back(shape.cast<py::ssize_t>());
        } else {
          dims = shape.cast<std::vector<py::ssize_t>>();
        }
        for (py::ssize_t d : dims) {
          if (d < 0) throw py::value_error("ptr_to_numpy: negative dim");
        }
        if (!p) throw py::value_error("ptr_to_numpy: null pointer");
        // A view over the memory (no copy): the base object only stops NumPy from copying.
        py::capsule base(as(p), [](void*) {});
        return py::array(dtype_of_npy(npy_type), dims, as(p), base);
      },
      py::arg("ptr"), py::arg("shape"), py::arg("npy_type"));
}

}  // namespace acl_py
