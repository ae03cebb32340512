// Python module `acl`: pyACL over libascendcl.so (../shared/spec/acl-api.md §8). Sub-modules
// rt, mdl, op, util (and an empty media: Kiln's headers declare no DVPP functions yet); dir() on
// each lists its functions, which is how the samples probe for optional helpers.
#include <pybind11/pybind11.h>

#include "acl_py.h"

PYBIND11_MODULE(acl, m) {
  namespace py = pybind11;
  m.doc() = "pyACL: the AscendCL API from Python (Kiln's CPU implementation).";
  acl_py::bind_base(m);
  py::module_ rt = m.def_submodule("rt", "Runtime: devices, contexts, streams, memory, callbacks.");
  py::module_ mdl = m.def_submodule("mdl", "Offline models: load, describe, datasets, execute.");
  py::module_ op = m.def_submodule("op", "Single operators.");
  py::module_ util = m.def_submodule("util", "Threads and pointer <-> bytes/NumPy helpers.");
  m.def_submodule("media", "DVPP/VDEC (not provided by this build).");
  acl_py::bind_rt(rt);
  acl_py::bind_mdl(mdl);
  acl_py::bind_op(op);
  acl_py::bind_util(util);
}
