#include "model_source.h"

#include <algorithm>
#include <chrono>

#include "frontend/onnx/onnx_loader.h"
#include "inputs.h"
#include "offline/gears.h"

namespace kiln::tools {

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

Expected<OpenedModel> open_model(const std::string& path, const SessionOptions& options) {
  OpenedModel out;
  const Clock::time_point t0 = Clock::now();
  if (offline::is_om_file(path)) {
    KILN_ASSIGN_OR_RETURN(offline::OfflineModel om, offline::read_om(path));
    const Clock::time_point t1 = Clock::now();
    // The stored plan was made for the stored shapes; gear and --shapes sizes are fed at run time.
    SessionOptions om_options = options;
    om_options.input_shapes.clear();
    KILN_ASSIGN_OR_RETURN(out.session, offline::create_session(om, om_options));
    out.om = std::move(om);
    out.load_ms = ms_between(t0, t1);
    out.prepare_ms = ms_between(t1, Clock::now());
    return out;
  }
  KILN_ASSIGN_OR_RETURN(std::shared_ptr<ir::Model> model, onnx_frontend::load_model(path));
  const Clock::time_point t1 = Clock::now();
  KILN_ASSIGN_OR_RETURN(out.session, Session::create(model, options));
  out.load_ms = ms_between(t0, t1);
  out.prepare_ms = ms_between(t1, Clock::now());
  return out;
}

Expected<std::map<std::string, Shape>> gear_input_shapes(const OpenedModel& model, const GearChoice& choice,
                                                         std::string* chosen) {
  std::map<std::string, Shape> shapes;
  const offline::Gears* gears = model.om ? &model.om->meta.gears : nullptr;
  if (!gears || gears->kind == offline::GearKind::kNone || gears->values.empty()) {
    if (choice.given()) {
      return invalid_argument("--dymBatch/--dymHW/--dymDims need a .om converted with --dynamic_batch_size, "
                              "--dynamic_image_size or --dynamic_dims; this model has no gears");
    }
    return shapes;
  }
  const char* kind_option = gears->kind == offline::GearKind::kBatch       ? "--dymBatch"
                            : gears->kind == offline::GearKind::kImageSize ? "--dymHW"
                                                                           : "--dymDims";
  const std::string& text = gears->kind == offline::GearKind::kBatch       ? choice.batch
                            : gears->kind == offline::GearKind::kImageSize ? choice.hw
                                                                           : choice.dims;
  if (choice.given() && text.empty()) {
    return invalid_argument("this model has {} gears ({}); choose one with {}", offline::gear_kind_name(gears->kind),
                            offline::gear_list(*gears), kind_option);
  }
  size_t index = offline::largest_gear(*gears);
  if (!text.empty()) {
    auto parsed = parse_dims(text, kind_option);
    if (!parsed) return parsed.status();
    const int found = offline::find_gear(*gears, std::vector<int64_t>(parsed->begin(), parsed->end()));
    if (found < 0) {
      return invalid_argument("{} {} is not a gear of this model; its {} gears are: {}", kind_option, text,
                              offline::gear_kind_name(gears->kind), offline::gear_list(*gears));
    }
    index = static_cast<size_t>(found);
  }
  const std::vector<int64_t>& gear = gears->values[index];
  KILN_ASSIGN_OR_RETURN(shapes, offline::gear_input_shapes(model.om->meta, *model.session->model().graph, index));
  for (const auto& [name, shape] : shapes) {
    if (std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; })) {
      return invalid_argument("input '{}' still has unknown dims after applying the gear; give --shapes", name);
    }
  }
  if (chosen) {
    *chosen = fmt::format("{} {}{}", offline::gear_kind_name(gears->kind), offline::gear_str(gear),
                          text.empty() ? " (the largest; pick another with " + std::string(kind_option) + ")" : "");
  }
  return shapes;
}

}  // namespace kiln::tools
