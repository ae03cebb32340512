// Python module `kiln`: the public C++ API (include/kiln/kiln.hpp) with NumPy arrays.
//
//   import kiln, numpy as np
//   m = kiln.Model("resnet50.om", threads=0)
//   print(m.inputs)                      # [TensorInfo(name='actual_input_1', dtype=float32, shape=[1, 3, 224, 224])]
//   scores = m.run([np.zeros((1, 3, 224, 224), np.float32)])[0]
//   outputs = m.run({"actual_input_1": image})   # a dict in -> a dict (by output name) out
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <stdexcept>
#include <string>

#include "kiln/kiln.hpp"

namespace py = pybind11;

namespace {

struct TypeMap {
  kiln::DataType type;
  const char* numpy;  // NumPy dtype name
};
constexpr TypeMap kTypes[] = {
    {kiln::DataType::kFloat32, "float32"}, {kiln::DataType::kFloat16, "float16"}, {kiln::DataType::kFloat64, "float64"},
    {kiln::DataType::kUInt8, "uint8"},     {kiln::DataType::kInt8, "int8"},       {kiln::DataType::kUInt16, "uint16"},
    {kiln::DataType::kInt16, "int16"},     {kiln::DataType::kInt32, "int32"},     {kiln::DataType::kInt64, "int64"},
    {kiln::DataType::kUInt32, "uint32"},   {kiln::DataType::kUInt64, "uint64"},   {kiln::DataType::kBool, "bool"},
};

py::dtype numpy_dtype(kiln::DataType t) {
  for (const TypeMap& m : kTypes) {
    if (m.type == t) return py::dtype(std::string(m.numpy));
  }
  throw py::type_error(std::string("no NumPy dtype for kiln type ") + kiln::data_type_name(t));
}

kiln::DataType kiln_type(const py::dtype& d, const std::string& what) {
  for (const TypeMap& m : kTypes) {
    if (d.equal(py::dtype(std::string(m.numpy)))) return m.type;
  }
  throw py::type_error(what + ": NumPy dtype " + py::str(static_cast<const py::handle&>(d)).cast<std::string>() + " is not supported by kiln");
}

std::string type_name(kiln::DataType t) { return kiln::data_type_name(t); }

// The info objects are plain data; repr shows what a user needs to feed the model.
std::string info_repr(const kiln::TensorInfo& i) {
  std::string s = "TensorInfo(name='" + i.name + "', dtype=" + type_name(i.type) + ", shape=[";
  for (size_t k = 0; k < i.shape.size(); ++k) s += (k ? ", " : "") + std::to_string(i.shape[k]);
  return s + "])";
}

class PyModel {
 public:
  PyModel(const std::string& path, int threads) {
    if (threads < 0) throw py::value_error("threads must be >= 0 (0 = physical cores), got " + std::to_string(threads));
    kiln::ModelOptions options;
    options.threads = threads;
    kiln::Result<kiln::Model> m = [&] {
      py::gil_scoped_release release;
      return kiln::Model::load(path, options);
    }();
    if (!m) {
      const kiln::StatusCode code = m.status().code();
      if (code == kiln::StatusCode::kNotFound || code == kiln::StatusCode::kIoError) {
        PyErr_SetString(code == kiln::StatusCode::kNotFound ? PyExc_FileNotFoundError : PyExc_OSError,
                        m.status().message().c_str());
        throw py::error_already_set();
      }
      throw std::runtime_error(m.status().message());
    }
    model_.emplace(std::move(m).value());
    path_ = path;
  }

  const std::vector<kiln::TensorInfo>& inputs() const { return model_->inputs(); }
  const std::vector<kiln::TensorInfo>& outputs() const { return model_->outputs(); }

  // `feeds`: a list/tuple (positional) or a dict (by input name) of array-likes. Returns a list,
  // or a dict keyed by output name when given a dict.
  py::object run(const py::object& feeds) const {
    const bool by_name = py::isinstance<py::dict>(feeds);
    std::vector<py::array> keep;  // contiguous arrays whose memory the views point at
    std::vector<kiln::TensorView> views;
    auto add = [&](const std::string& name, const py::handle& value, const std::string& what) {
      // Python lists and scalars take the model input's dtype (a list of floats would be float64);
      // arrays keep theirs, so a wrong dtype is reported rather than silently converted.
      py::object source = py::reinterpret_borrow<py::object>(value);
      if (!py::isinstance<py::array>(value)) {
        const kiln::TensorInfo* info = nullptr;
        for (size_t k = 0; k < model_->inputs().size(); ++k) {
          const kiln::TensorInfo& in = model_->inputs()[k];
          if (name.empty() ? k == views.size() : in.name == name) info = &in;
        }
        if (info && info->type != kiln::DataType::kUndefined) {
          source = py::module_::import("numpy").attr("asarray")(value, numpy_dtype(info->type));
        }
      }
      py::array a = py::array::ensure(source, py::array::c_style);
      if (!a) throw py::type_error(what + ": expected an array-like, got " + std::string(py::str(py::type::of(value))));
      kiln::TensorView v;
      v.name = name;
      v.type = kiln_type(a.dtype(), what);
      v.shape.assign(a.shape(), a.shape() + a.ndim());
      v.data = a.data();
      views.push_back(std::move(v));
      keep.push_back(std::move(a));
    };
    if (by_name) {
      for (auto item : feeds.cast<py::dict>()) {
        const std::string name = py::str(item.first);
        add(name, item.second, "input '" + name + "'");
      }
    } else if (py::isinstance<py::list>(feeds) || py::isinstance<py::tuple>(feeds)) {
      size_t i = 0;
      for (py::handle h : feeds) add("", h, "input " + std::to_string(i++));
    } else {
      add("", feeds, "input 0");  // a single array for a one-input model
    }
    kiln::Result<std::vector<kiln::Tensor>> out = [&] {
      py::gil_scoped_release release;
      return model_->run(views);
    }();
    if (!out) {
      if (out.status().code() == kiln::StatusCode::kInvalidArgument || out.status().code() == kiln::StatusCode::kNotFound) {
        throw py::value_error(out.status().message());
      }
      throw std::runtime_error(out.status().message());
    }
    py::list arrays;
    for (kiln::Tensor& t : *out) {
      // The array views the output's memory; the capsule keeps that memory alive.
      auto* owner = new kiln::Tensor(t);
      py::capsule base(owner, [](void* p) { delete static_cast<kiln::Tensor*>(p); });
      std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
      arrays.append(py::array(numpy_dtype(t.type()), shape, owner->raw(), base));
    }
    if (!by_name) return arrays;
    py::dict named;
    for (size_t i = 0; i < arrays.size(); ++i) named[py::str(model_->outputs()[i].name)] = arrays[i];
    return named;
  }

  std::string repr() const { return "kiln.Model('" + path_ + "', format='" + model_->format() + "')"; }
  const std::string& format() const { return model_->format(); }

 private:
  std::optional<kiln::Model> model_;
  std::string path_;
};

}  // namespace

PYBIND11_MODULE(kiln, m) {
  m.doc() = "Kiln: run ONNX models and Kiln offline models (.om) on the CPU with NumPy arrays.";
  m.attr("__version__") = kiln::version();

  py::class_<kiln::TensorInfo>(m, "TensorInfo", "A model input or output: name, NumPy dtype, shape (-1 = open).")
      .def_readonly("name", &kiln::TensorInfo::name)
      .def_property_readonly("dtype", [](const kiln::TensorInfo& i) -> py::object {
        if (i.type == kiln::DataType::kUndefined) return py::none();
        return numpy_dtype(i.type);
      })
      .def_property_readonly("shape", [](const kiln::TensorInfo& i) { return py::tuple(py::cast(i.shape)); })
      .def("__repr__", &info_repr);

  py::class_<PyModel>(m, "Model", "A loaded model; run() may be called from several threads at once.")
      .def(py::init<const std::string&, int>(), py::arg("path"), py::arg("threads") = 0,
           "Loads an .onnx model or a .om (detected by content). threads: intra-op threads, 0 = physical cores.")
      .def_property_readonly("inputs", &PyModel::inputs, "The inputs to feed, in order (list of TensorInfo).")
      .def_property_readonly("outputs", &PyModel::outputs, "The outputs, in order (list of TensorInfo).")
      .def_property_readonly("format", &PyModel::format, "'onnx' or 'om'.")
      .def("run", &PyModel::run, py::arg("inputs"),
           "Runs once. inputs: a list of arrays (model input order) -> list of arrays, or a dict "
           "{input name: array} -> dict {output name: array}. Arrays are read in place when C-contiguous.")
      .def("__repr__", &PyModel::repr);
}
