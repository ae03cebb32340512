#include "inputs.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/npy.h"
#include "frontend/onnx/tensor_proto.h"

namespace kiln::tools {

namespace fs = std::filesystem;

namespace {

// trtexec writes several shapes in one option ("a:1x3x8x8,b:1x5"); dims may use ',' too, so a
// ',' starts a new spec only where the next piece names an input (holds a ':').
std::vector<std::string> split_shape_list(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    while (comma != std::string::npos) {
      size_t next = text.find(',', comma + 1);
      if (text.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1).find(':') !=
          std::string::npos) {
        break;
      }
      comma = next;
    }
    parts.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

}  // namespace

Expected<Shape> parse_dims(const std::string& text, const std::string& what) {
  Shape shape;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("x,", pos);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(pos, end - pos);
    // 18 digits keep stoll in range; real dims are far smaller.
    if (part.empty() || part.size() > 18 || part.find_first_not_of("0123456789") != std::string::npos) {
      return invalid_argument("{}: '{}' is not a shape like 1x3x224x224", what, text);
    }
    shape.push_back(std::stoll(part));
    pos = end + 1;
  }
  return shape;
}

Expected<std::map<std::string, Shape>> parse_shape_specs(const std::vector<std::string>& options) {
  std::vector<std::string> specs;
  for (const std::string& option : options) {
    for (std::string& spec : split_shape_list(option)) specs.push_back(std::move(spec));
  }
  std::map<std::string, Shape> shapes;
  for (const std::string& spec : specs) {
    auto colon = spec.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return invalid_argument("--shapes '{}' must be NAME:1x3x224x224", spec);
    }
    KILN_ASSIGN_OR_RETURN(Shape dims, parse_dims(spec.substr(colon + 1), "--shapes " + spec));
    shapes[spec.substr(0, colon)] = std::move(dims);
  }
  return shapes;
}

Expected<std::map<std::string, std::string>> parse_input_files(const std::vector<std::string>& specs) {
  std::map<std::string, std::string> files;
  for (const std::string& spec : specs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) return invalid_argument("--input '{}' must be NAME=FILE", spec);
    files[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  return files;
}

Tensor random_tensor(DType dtype, const Shape& shape, std::mt19937_64& rng) {
  Tensor t(dtype, shape);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int64_t n = t.numel();
  KILN_DISPATCH_POD(dtype, T, {
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      double u = unit(rng);
      if constexpr (std::is_same_v<T, bool>) p[i] = u < 0.5;
      else if constexpr (std::is_integral_v<T>) p[i] = static_cast<T>(u * 10);
      else p[i] = T(static_cast<float>(u));
    }
  });
  return t;
}

uint64_t resolve_seed(int64_t seed) {
  if (seed >= 0) return static_cast<uint64_t>(seed);
  return static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 100000;
}

Expected<ModelInputs> make_inputs(const ir::Graph& graph, const std::map<std::string, std::string>& files,
                                  const std::map<std::string, Shape>& shapes, uint64_t seed) {
  for (const auto& [name, file] : files) {
    bool known = std::any_of(graph.inputs.begin(), graph.inputs.end(), [&](auto* v) { return v->name == name; });
    if (!known) {
      std::string names;
      for (const ir::Value* in : graph.inputs) names += (names.empty() ? "" : ", ") + in->name;
      return invalid_argument("--input names '{}', but the model's inputs are: {}", name, names);
    }
  }
  std::mt19937_64 rng(seed);
  ModelInputs out;
  for (const ir::Value* in : graph.inputs) {
    if (in->constant) continue;
    auto f = files.find(in->name);
    if (f != files.end()) {
      if (fs::path(f->second).extension() == ".npy") {
        KILN_ASSIGN_OR_RETURN(Tensor t, read_npy(f->second));
        out.values.push_back({in->name, Value(std::move(t))});
      } else {
        KILN_ASSIGN_OR_RETURN(Value v, onnx_frontend::read_value_pb(f->second, in->type));
        out.values.push_back({in->name, std::move(v)});
      }
      continue;
    }
    if (in->type.kind != ir::TypeInfo::Kind::kTensor) {
      return invalid_argument("input '{}' is a {}; give it with --input", in->name, in->type.str());
    }
    Shape shape;
    auto s = shapes.find(in->name);
    if (s != shapes.end()) {
      shape = s->second;
    } else if (in->type.fully_known()) {
      shape = in->type.concrete();
    } else {
      return invalid_argument("input '{}' has dynamic shape {}; give --shapes {}:<dims> or --input", in->name,
                              in->type.str(), in->name);
    }
    out.values.push_back({in->name, Value(random_tensor(in->type.elem, shape, rng))});
    out.used_random = true;
  }
  return out;
}

}  // namespace kiln::tools
