// Matching and rewriting helpers shared by the graph passes.
//
//   return rewrite_until_stable(graph, [](ir::Node& n, Rewrite& rw) -> Expected<bool> {
//     if (n.op_type != "Identity" || rw.dead(&n)) return false;
//     ...; rw.remove(&n); return true;
//   });
#pragma once

#include <functional>
#include <optional>
#include <unordered_set>
#include <vector>

#include "ir/graph.h"
#include "ops/kiln/activation.h"

namespace kiln::passes {

// Nodes a sweep has replaced. Consumer lists are those of the last finalize(), so a sweep must not
// match through a node it already rewrote; the next sweep (after finalize) sees the new graph.
struct Rewrite {
  ir::Graph& graph;
  std::unordered_set<const ir::Node*> removed;
  bool dead(const ir::Node* n) const { return n == nullptr || removed.count(n) != 0; }
  void remove(const ir::Node* n) { removed.insert(n); }
};

using NodeRewriter = std::function<Expected<bool>(ir::Node& node, Rewrite& rw)>;

// Offers every node to `fn` (topological order), drops what it removed, re-links, and repeats
// until a sweep changes nothing. Returns whether anything changed.
Expected<bool> rewrite_until_stable(ir::Graph& graph, const NodeRewriter& fn);

bool is_graph_output(const ir::Graph& g, const ir::Value* v);
// A subgraph of a consumer reads `v` by name: renaming or replacing it would break that.
bool read_by_subgraph(const ir::Value* v);
// `v` feeds exactly one node (once or several times), is no graph output and no subgraph reads it:
// fusing it away changes nothing else.
bool sole_use(const ir::Graph& g, const ir::Value* v);

// Known value fixed at load time (initializer or inferred constant, never an overridable graph input).
const Tensor* known(const ir::Value* v);
// Value of a one-element known constant.
std::optional<double> scalar_of(const ir::Value* v);
bool near(double a, double b, double rel = 1e-6);
bool scalar_is(const ir::Value* v, double expected);

// The producer of `v` when it is `op_type` (domain "" unless given) and not already rewritten.
ir::Node* producer_if(const Rewrite& rw, const ir::Value* v, std::string_view op_type, std::string_view domain = "");
// For a two-input node: the input that is not `v` (nullptr when neither is, or both are).
ir::Value* other_input(const ir::Node& n, const ir::Value* v);

// Replaces node `n` (whose output `out` carries `src`'s data unchanged) by a direct use of `src`,
// keeping graph output names: when `out` is a graph output, `src`'s producer writes `out` instead.
// Returns false (graph untouched) when neither is possible.
bool bypass(Rewrite& rw, ir::Node& n, ir::Value* out, ir::Value* src);

// A new initializer value.
ir::Value* add_constant(ir::Graph& g, const std::string& hint, Tensor t);

// The activation a node computes, for fusing into kiln.FusedMatMul / kiln.FusedConv: Relu,
// LeakyRelu, Clip (constant bounds), Sigmoid, Tanh, HardSigmoid, HardSwish, kiln.Silu, kiln.Gelu.
std::optional<Activation> activation_of(const ir::Node& n);

void set_int(ir::Node& n, const std::string& key, int64_t v);
void set_ints(ir::Node& n, const std::string& key, std::vector<int64_t> v);
void set_float(ir::Node& n, const std::string& key, float v);
void set_string(ir::Node& n, const std::string& key, std::string v);

// Transpose's perm (reversed axes when absent); empty when the rank is unknown.
std::vector<int64_t> transpose_perm(const ir::Node& n);
bool is_identity_perm(const std::vector<int64_t>& perm);

}  // namespace kiln::passes
