// The kernel interface every backend implements against. A kernel is a free function
//   Status my_op(KernelContext& ctx)
// that reads its inputs and attributes and writes each output it produces. The executor owns
// memory and lifetimes; a kernel never keeps pointers past its return. Values are immutable once
// produced (Identity and Reshape share storage), so a kernel never writes into an input.
//
//   Status relu(KernelContext& ctx) {
//     const Tensor& x = ctx.input(0);
//     Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
//     ...
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "ir/graph.h"

namespace kiln {

class KernelContext {
 public:
  virtual ~KernelContext() = default;

  virtual const ir::Node& node() const = 0;
  int opset() const { return node().opset; }

  virtual size_t num_inputs() const = 0;
  // False for an omitted optional input (empty name) or an empty optional value.
  virtual bool has_input(size_t i) const = 0;
  virtual const Value& input_value(size_t i) const = 0;
  const Tensor& input(size_t i) const { return input_value(i).tensor(); }

  virtual size_t num_outputs() const = 0;
  // False when the model does not use output i (omitted optional output).
  virtual bool wants_output(size_t i) const = 0;
  // Allocates a zero-filled tensor for output i and returns it for the kernel to fill.
  virtual Tensor& allocate_output(size_t i, DType dtype, const Shape& shape) = 0;
  // Like allocate_output, but the contents are unspecified: for kernels that write every element.
  // The executor may place it in the planned activation arena.
  virtual Tensor& allocate_output_uninit(size_t i, DType dtype, const Shape& shape) {
    return allocate_output(i, dtype, shape);
  }
  // Scratch memory (64-byte aligned) valid until the kernel returns; owned by the execution
  // context, so the hot path does not allocate once a shape has run.
  virtual void* scratch(size_t bytes) = 0;
  virtual void set_output(size_t i, Value value) = 0;

  // Runs a subgraph (If/Loop/Scan body) with the given inputs; it sees this node's scope.
  virtual Expected<std::vector<Value>> run_subgraph(const ir::Graph& graph,
                                                    const std::vector<Value>& inputs) = 0;

  // Error naming the node: "Conv 'conv1': <message>".
  template <typename... Args>
  Status error(fmt::format_string<Args...> f, Args&&... args) const {
    return invalid_argument("{}: {}", node().label(), fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  Status unsupported_error(fmt::format_string<Args...> f, Args&&... args) const {
    return unsupported("{}: {}", node().label(), fmt::format(f, std::forward<Args>(args)...));
  }
};

using KernelFn = Status (*)(KernelContext&);

// ---- Prepared (stateful) kernels: the optimized backends' two-phase interface ----
//
// prepare() runs once when a session is created: it parses attributes, checks that this backend
// handles the node's configuration, creates library primitives and packs constant weights.
// run() is the hot path: it must not log, and it may be called from several threads at once
// (each call has its own KernelContext), so any per-shape cache it keeps must be synchronised.

// Prepacked constant data of prepared kernels (an offline model's PACKED section): bytes a kernel
// exported when the model was converted (OpKernel::export_packed), found again by key at prepare
// so the kernel can use them in place instead of packing its weights anew.
struct PackedBlob {
  const uint8_t* data = nullptr;  // 64-byte aligned, read-only; lives as long as the store
  size_t bytes = 0;
};
class PackedStore {
 public:
  virtual ~PackedStore() = default;
  // Null when nothing was stored under `key`.
  virtual const PackedBlob* find(const std::string& key) const = 0;
};
// The key of a top-level node's blob: its output 0's name (unique in the graph, unlike node names).
inline std::string packed_key(const ir::Node& node) {
  return node.outputs.empty() || !node.outputs[0] ? std::string() : node.outputs[0]->name;
}

struct PrepareContext {
  const ir::Node& node;
  // Static type of each input/output (nullptr for an omitted one). Dims may be symbolic.
  std::vector<const ir::TypeInfo*> input_types;
  std::vector<const ir::TypeInfo*> output_types;
  // Value of each input known before running (initializer or folded constant), else nullptr.
  std::vector<const Tensor*> constants;
  int threads = 1;  // intra-op threads the session runs with
  // This node's prepacked blob from an offline model, else nullptr. A kernel that uses it checks
  // that it fits what its primitive wants, and packs from the constants when it does not.
  const PackedBlob* packed = nullptr;

  const Tensor* constant(size_t i) const { return i < constants.size() ? constants[i] : nullptr; }
  const ir::TypeInfo* input_type(size_t i) const { return i < input_types.size() ? input_types[i] : nullptr; }
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual Status run(KernelContext& ctx) const = 0;
  // The kernel's packed constant data, to be stored in an offline model and handed back through
  // PrepareContext::packed; empty when it has none worth storing.
  virtual std::string export_packed() const { return {}; }
  // An input whose storage output 0 may take (-1: none): the kernel reads each element of that
  // input before writing the output element at the same index, never elsewhere (kiln.FusedConv's
  // sum input Z). The memory planner then lets a dying input's slot become the output's.
  virtual int in_place_input() const { return -1; }
};

// Returns the prepared kernel, or nullptr (no error) when this implementation does not handle the
// node's configuration (dtype, rank, attribute) so the next candidate — finally the reference
// kernel — is tried. An error means the node itself is invalid.
using PrepareFn = Expected<std::unique_ptr<OpKernel>> (*)(const PrepareContext&);

struct PreparedKernelEntry {
  std::string_view domain;  // "" = ai.onnx
  std::string_view name;
  PrepareFn prepare;
};

struct KernelEntry {
  std::string_view domain;  // "" = ai.onnx
  std::string_view name;
  KernelFn fn;
};

}  // namespace kiln
