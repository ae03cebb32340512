// SequenceMap: runs the body once per element of the input sequence. Additional sequence inputs
// are indexed in lockstep; additional tensor inputs are passed whole.
#include "backends/reference/control/control_kernels.h"

namespace kiln::reference {

Status sequence_map(KernelContext& ctx) {
  const ir::Graph* body = ctx.node().attr_graph("body");
  if (!body) return ctx.error("missing graph attribute 'body'");
  if (!ctx.has_input(0) || !ctx.input_value(0).is_sequence()) return ctx.error("input 0 must be a sequence");
  if (body->inputs.size() != ctx.num_inputs() || body->outputs.size() != ctx.num_outputs()) {
    return ctx.error("body has {} inputs and {} outputs but the node has {} and {}", body->inputs.size(),
                     body->outputs.size(), ctx.num_inputs(), ctx.num_outputs());
  }
  const size_t n = ctx.input_value(0).sequence().items.size();
  for (size_t j = 1; j < ctx.num_inputs(); ++j) {
    if (!ctx.has_input(j)) return ctx.error("input {} is missing", j);
    const Value& v = ctx.input_value(j);
    if (v.is_sequence() && v.sequence().items.size() != n) {
      return ctx.error("input {} has {} elements but input 0 has {}", j, v.sequence().items.size(), n);
    }
  }
  std::vector<Sequence> outs(ctx.num_outputs());
  for (size_t k = 0; k < outs.size(); ++k) outs[k].elem_type = body->outputs[k]->type.elem;
  for (size_t i = 0; i < n; ++i) {
    std::vector<Value> in;
    for (size_t j = 0; j < ctx.num_inputs(); ++j) {
      const Value& v = ctx.input_value(j);
      in.push_back(v.is_sequence() ? Value(v.sequence().items[i]) : v);
    }
    KILN_ASSIGN_OR_RETURN(std::vector<Value> res, ctx.run_subgraph(*body, in));
    for (size_t k = 0; k < outs.size(); ++k) {
      if (!res[k].is_tensor()) return ctx.error("body output {} must be a tensor", k);
      outs[k].elem_type = res[k].tensor().dtype();
      outs[k].items.push_back(res[k].tensor());
    }
  }
  for (size_t k = 0; k < outs.size(); ++k) ctx.set_output(k, std::move(outs[k]));
  return Status::ok();
}

}  // namespace kiln::reference
