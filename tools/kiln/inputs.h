// Model inputs for the `kiln` subcommands that run a model (run, bench): shape options, files and
// random data, shared so that `kiln run` and `kiln bench` feed a model the same way.
//
//   KILN_ASSIGN_OR_RETURN(auto shapes, parse_shape_specs({"x:1x3x224x224"}));
//   KILN_ASSIGN_OR_RETURN(auto fed, make_inputs(*session->model().graph, {}, shapes, resolve_seed(-1)));
//   session->run(fed.values);
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/shape.h"
#include "core/tensor.h"
#include "ir/graph.h"
#include "runtime/session.h"

namespace kiln::tools {

// "1x3x224x224" (or "1,3,224,224") -> {1, 3, 224, 224}; `what` names the option in errors.
Expected<Shape> parse_dims(const std::string& text, const std::string& what);

// Repeatable "NAME:1x3x224x224" options, or trtexec's list "a:1x3x8x8,b:1x5" in one option ->
// {NAME: shape}. The last ':' of a spec splits, so names may hold ':'.
Expected<std::map<std::string, Shape>> parse_shape_specs(const std::vector<std::string>& options);

// Repeatable "NAME=FILE" options -> {NAME: FILE}.
Expected<std::map<std::string, std::string>> parse_input_files(const std::vector<std::string>& specs);

// Random values in a range that suits the dtype (float [0,1), integers [0,10), bool).
Tensor random_tensor(DType dtype, const Shape& shape, std::mt19937_64& rng);

// `seed` when >= 0, else a time-based seed (printed by the caller so a run can be repeated).
uint64_t resolve_seed(int64_t seed);

struct ModelInputs {
  std::vector<NamedValue> values;  // in graph input order, constants with defaults skipped
  bool used_random = false;
};

// One value per non-constant graph input: from `files` (.npy or ONNX TensorProto .pb) when named
// there, else random data shaped by `shapes` or the input's static shape. Errors name the input
// and say which option fixes it.
Expected<ModelInputs> make_inputs(const ir::Graph& graph, const std::map<std::string, std::string>& files,
                                  const std::map<std::string, Shape>& shapes, uint64_t seed);

}  // namespace kiln::tools
