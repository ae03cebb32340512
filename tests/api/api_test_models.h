// Small models for the public-API test, written by internal code in their own translation unit
// (the test proper includes only <kiln/kiln.hpp>, as an application would).
#pragma once

#include <string>

namespace kiln_api_test {

// Writes <dir>/addmul.onnx and <dir>/addmul.om: inputs a, b float32[2,3]; outputs
// sum = a + b and prod = a * b. Returns "" or an error message.
std::string write_addmul_models(const std::string& dir);

// Writes <dir>/affine.onnx and <dir>/affine_dynbatch.om (atc --dynamic_batch_size=1,2,4):
// input x float32[N,3], output y = 2x + 1.
std::string write_affine_dynbatch_model(const std::string& dir);

}  // namespace kiln_api_test
