// make_api_test_models <dir>: writes the public-API test models (addmul.onnx/.om, affine.onnx, affine_dynbatch.om) for the
// Python tests (ctest fixture api_models).
#include <cstdio>
#include <filesystem>

#include "api_test_models.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_api_test_models <dir>\n");
    return 2;
  }
  std::filesystem::create_directories(argv[1]);
  std::string error = kiln_api_test::write_addmul_models(argv[1]);
  if (error.empty()) error = kiln_api_test::write_affine_dynbatch_model(argv[1]);
  if (!error.empty()) {
    std::fprintf(stderr, "make_api_test_models: %s\n", error.c_str());
    return 1;
  }
  return 0;
}
