// An offline model ready to execute on caller memory in AscendCL input order (the runtime behind
// aclmdlExecute): data inputs are bound to their graph inputs by graph_name and wrapped
// zero-copy, the gear input (`ascend_mbatch_shape_data`) is not read, sizes are checked for the
// selected gear, and outputs are written densely into the caller's buffers (only the bytes the
// gear produces; the rest of a larger buffer is left untouched).
//
//   KILN_ASSIGN_OR_RETURN(auto runner, offline::ModelRunner::create(std::move(om)));
//   KILN_TRY(runner->run({{x, x_bytes}, {gear, 4}}, {{y, y_bytes}}, runner->default_gear()));
//
// run() is thread-safe; concurrent runs (of any models in the process) each get
// max(1, threads / runs in flight) intra-op threads so that two streams never oversubscribe the
// cores.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "core/shape.h"
#include "core/status.h"
#include "offline/offline_model.h"
#include "runtime/session.h"

namespace kiln::offline {

struct InBuffer {
  const void* data = nullptr;
  size_t size = 0;
};
struct OutBuffer {
  void* data = nullptr;
  size_t size = 0;
};

class ModelRunner {
 public:
  // `threads`: intra-op threads shared by all concurrent runs (0 = physical cores).
  static Expected<std::unique_ptr<ModelRunner>> create(OfflineModel om, int threads = 0);

  const Metadata& meta() const { return om_.meta; }
  int threads() const { return threads_; }
  // The gear that runs when none was chosen: the largest; -1 for models without gears.
  int default_gear() const { return default_gear_; }
  // Concrete dims / bytes of input `i` at `gear` (-1 = default_gear()). The gear input needs 0
  // bytes (it is not read). Fails when dims remain unknown (a -1 no gear fixes).
  Expected<Shape> input_shape(size_t i, int gear) const;
  Expected<size_t> input_bytes(size_t i, int gear) const;
  // Dims of output `o` at `gear` as recorded by the converter (-1 where only running tells).
  std::vector<int64_t> output_dims(size_t o, int gear) const;
  // Bytes of output `o` at `gear`; 0 when its dims are not all known before running.
  size_t output_bytes(size_t o, int gear) const;

  // Counts, NULL data and sizes for `gear`, without running (kInvalidArgument naming the index).
  Status check(const std::vector<InBuffer>& inputs, const std::vector<OutBuffer>& outputs, int gear) const;
  // check() then run; execution failures come back as the session's error.
  Status run(const std::vector<InBuffer>& inputs, const std::vector<OutBuffer>& outputs, int gear) const;

 private:
  struct GearPlan {
    std::vector<Shape> inputs;  // per meta input; empty for the gear input
    Status status;              // why this gear cannot run (unknown dims), else ok
  };
  int gear_or_default(int gear) const;  // an out-of-range gear (or -1) means the default
  const GearPlan& plan(int gear) const;
  Status make_plans();

  OfflineModel om_;
  std::unique_ptr<Session> session_;
  int threads_ = 1;
  int default_gear_ = -1;
  std::vector<GearPlan> plans_;  // one per gear, or one for a model without gears
};

}  // namespace kiln::offline
