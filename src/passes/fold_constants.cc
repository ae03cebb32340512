// fold_constants: evaluates, once, every deterministic node whose inputs are all known at load
// time (initializers, values fixed by static inference such as Shape of a static input) with the
// reference kernel, and replaces it by initializers. This collapses the shape subgraphs exporters
// emit (Shape -> Gather -> Unsqueeze -> Concat -> Reshape's shape) once input shapes are static.
// The reference backend is the one dependency of the passes layer on a backend (see
// src/CMakeLists.txt): it is the oracle, so folding computes exactly what running would.
#include <algorithm>
#include <string_view>

#include "backends/reference/backend.h"
#include "backends/reference/kiln/forward_context.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

namespace kiln {

namespace {

constexpr size_t kMaxFoldedBytes = size_t{64} << 20;

bool deterministic(const ir::Node& n) {
  static constexpr std::string_view kRandom[] = {"RandomNormal", "RandomUniform", "RandomNormalLike",
                                                 "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout"};
  if (n.domain.empty() && std::find(std::begin(kRandom), std::end(kRandom), n.op_type) != std::end(kRandom)) return false;
  for (const auto& [key, attr] : n.attrs) {
    if (attr.g || !attr.graphs.empty()) return false;  // control flow: bodies may read anything
  }
  return true;
}

// Outputs must be plain tensors that nothing pins by name (graph outputs stay computed so their
// producer and name are what the model says).
bool foldable_outputs(const ir::Graph& g, const ir::Node& n) {
  if (n.outputs.empty()) return false;
  for (const ir::Value* out : n.outputs) {
    if (!out) continue;
    if (!out->type.is_tensor() || passes::is_graph_output(g, out) || passes::read_by_subgraph(out)) return false;
  }
  return true;
}

}  // namespace

Expected<bool> fold_constants(ir::Graph& graph) {
  return passes::rewrite_until_stable(graph, [](ir::Node& n, passes::Rewrite& rw) -> Expected<bool> {
    if (!deterministic(n) || !foldable_outputs(rw.graph, n)) return false;
    // Values static inference already knows (Shape of a static input, Constant): no evaluation.
    bool all_known = true;
    for (const ir::Value* out : n.outputs) {
      if (out && !out->inferred_constant) all_known = false;
    }
    std::vector<Tensor> results;
    if (all_known) {
      for (const ir::Value* out : n.outputs) results.push_back(out ? *out->inferred_constant : Tensor());
    } else {
      std::vector<Value> inputs;
      for (const ir::Value* in : n.inputs) {
        if (!in) {
          inputs.emplace_back();
          continue;
        }
        const Tensor* t = passes::known(in);
        if (!t) return false;
        inputs.emplace_back(*t);
      }
      KernelFn fn = reference::find_kernel(n.domain, n.op_type);
      if (!fn) return false;
      ForwardContext ctx(n, std::move(inputs), n.outputs.size());
      // A kernel error here means the node would fail at run time too: leave it to report then.
      if (!fn(ctx).is_ok()) return false;
      for (size_t i = 0; i < n.outputs.size(); ++i) {
        if (!n.outputs[i]) {
          results.emplace_back();
          continue;
        }
        const Value& v = ctx.outputs()[i];
        if (!v.is_tensor()) return false;
        results.push_back(v.tensor());
      }
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (n.outputs[i] && (!results[i].valid() || results[i].nbytes() > kMaxFoldedBytes)) return false;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      ir::Value* out = n.outputs[i];
      if (!out) continue;
      out->constant = std::move(results[i]);
      out->inferred_constant.reset();
    }
    rw.remove(&n);
    return true;
  });
}

}  // namespace kiln
