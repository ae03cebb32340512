// Shared helpers of the pyACL binding (module `acl`, ../shared/spec/acl-api.md §8): handles and
// addresses are Python ints (§8.2), out-parameters come back as tuples ending in `ret`.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>

#include "acl/acl.h"

namespace acl_py {

namespace py = pybind11;

// A handle or address as Python sees it: the numeric pointer value, NULL = 0.
using Ptr = uintptr_t;
template <typename T = void>
inline T* as(Ptr p) {
  return reinterpret_cast<T*>(p);
}
inline Ptr addr(const void* p) { return reinterpret_cast<Ptr>(p); }
// C strings that may be NULL become "".
inline std::string str_or_empty(const char* s) { return s ? std::string(s) : std::string(); }

// For calls that may block (§8.2): the GIL is released while the C function runs, so callbacks
// and other Python threads keep going.
using release_gil = py::call_guard<py::gil_scoped_release>;

// Prints a Python callback's exception and swallows it (callbacks run on threads Python did not
// start: nothing could catch it). Call with the GIL held.
void report_callback_error(const char* where);

void bind_base(py::module_& m);  // acl.*: init/finalize, data buffers, tensor descs
void bind_rt(py::module_& rt);
void bind_mdl(py::module_& mdl);
void bind_op(py::module_& op);
void bind_util(py::module_& util);

}  // namespace acl_py
