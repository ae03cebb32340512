// libFuzzer target for the ONNX loader: arbitrary bytes -> load_model_from_bytes -> type inference
// -> supported-op check. Any crash, hang, leak or sanitizer report is a bug: malformed models must
// come back as a Status. External data resolves against an empty folder, so a fuzzed model can
// name a file but never reads one outside it.
//
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKILN_FUZZ=ON
//   ninja -C build-fuzz onnx_loader_fuzz && ctest --test-dir build-fuzz -L fuzz
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "frontend/onnx/onnx_loader.h"
#include "passes/infer_types.h"
#include "runtime/session.h"

namespace {

const std::string& empty_dir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / "kiln-fuzz-empty";
    std::error_code ec;
    std::filesystem::create_directories(d, ec);
    return d.string();
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model = kiln::onnx_frontend::load_model_from_bytes(data, size, empty_dir(), "fuzz.onnx");
  if (!model) return 0;
  (void)kiln::infer_types(**model);
  (void)kiln::check_supported(**model);
  return 0;
}
