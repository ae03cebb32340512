// Opening a model for `kiln run` / `kiln bench`: an `.onnx` file (imported and optimized now) or
// an `.om` (offline::read_om + create_session: the stored graph and plan, no passes), detected by
// the file's magic. For `.om` models with gears, `--dymBatch/--dymHW/--dymDims` pick one.
//
//   KILN_ASSIGN_OR_RETURN(OpenedModel m, open_model(path, session_options));
//   KILN_ASSIGN_OR_RETURN(auto shapes, gear_input_shapes(m, {.batch = 2}));
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/shape.h"
#include "offline/offline_model.h"
#include "runtime/session.h"

namespace kiln::tools {

struct OpenedModel {
  std::unique_ptr<Session> session;
  std::optional<offline::OfflineModel> om;  // set for .om files
  double load_ms = 0;                       // file -> IR (ONNX import, or .om read)
  double prepare_ms = 0;                    // IR -> ready session
};

Expected<OpenedModel> open_model(const std::string& path, const SessionOptions& options);

// The gear a run asked for (`kiln run --dymBatch 2`, `--dymHW 224,224`, `--dymDims 1,3,224`).
struct GearChoice {
  std::string batch;  // "" = not given
  std::string hw;
  std::string dims;
  bool given() const { return !batch.empty() || !hw.empty() || !dims.empty(); }
};

// Concrete shapes of the graph inputs whose -1 dims the chosen gear fills ({} when the model has
// no gears). No choice = the largest gear (as AscendCL does). Errors list the stored gears.
// `chosen` receives a description ("batch 2").
Expected<std::map<std::string, Shape>> gear_input_shapes(const OpenedModel& model, const GearChoice& choice,
                                                         std::string* chosen);

}  // namespace kiln::tools
