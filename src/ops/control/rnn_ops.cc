// Inference for RNN, GRU and LSTM. Inputs: X, W, R, B?, sequence_lens?, initial_h?, (LSTM:
// initial_c?, P?). layout 0: X [seq, batch, in], Y [seq, dirs, batch, hidden], Y_h [dirs, batch,
// hidden]; layout 1: X [batch, seq, in], Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden].
#include "ops/control/control_ops.h"

namespace kiln {

namespace {

Status infer_recurrent(InferContext& ctx, int64_t gates, size_t num_state_outputs) {
  if (!ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2)) return ctx.error("X, W and R are required");
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& w = ctx.input_type(1);
  const std::string direction = ctx.node().attr_string("direction", "forward");
  int64_t dirs = 1;
  if (direction == "bidirectional") {
    dirs = 2;
  } else if (direction != "forward" && direction != "reverse") {
    return ctx.error("direction must be forward, reverse or bidirectional, got '{}'", direction);
  }
  const int64_t layout = ctx.opset() >= 14 ? ctx.node().attr_int("layout", 0) : 0;
  if (layout != 0 && layout != 1) return ctx.error("layout must be 0 or 1, got {}", layout);
  if (x.dims && x.dims->size() != 3) return ctx.error("X must have rank 3, got {}", x.dims->size());
  if (w.dims && w.dims->size() != 3) return ctx.error("W must have rank 3, got {}", w.dims->size());

  ir::Dim hidden;
  if (ctx.node().has_attr("hidden_size")) {
    hidden = ctx.node().attr_int("hidden_size", 0);
  } else if (w.dims && (*w.dims)[1].known()) {
    hidden = (*w.dims)[1].value / gates;
  }
  ir::Dim seq, batch;
  if (x.dims) {
    seq = (*x.dims)[layout == 0 ? 0 : 1];
    batch = (*x.dims)[layout == 0 ? 1 : 0];
  }
  const DType dt = x.elem;
  if (ctx.num_outputs() > 0) {
    ctx.set_output(0, layout == 0 ? ir::TypeInfo::tensor(dt, {seq, dirs, batch, hidden})
                                  : ir::TypeInfo::tensor(dt, {batch, seq, dirs, hidden}));
  }
  for (size_t i = 1; i <= num_state_outputs && i < ctx.num_outputs(); ++i) {
    ctx.set_output(i, layout == 0 ? ir::TypeInfo::tensor(dt, {dirs, batch, hidden})
                                  : ir::TypeInfo::tensor(dt, {batch, dirs, hidden}));
  }
  return Status::ok();
}

}  // namespace

Status infer_rnn(InferContext& ctx) { return infer_recurrent(ctx, 1, 1); }
Status infer_gru(InferContext& ctx) { return infer_recurrent(ctx, 3, 1); }
Status infer_lstm(InferContext& ctx) { return infer_recurrent(ctx, 4, 2); }

}  // namespace kiln
