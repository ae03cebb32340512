#include "passes/infer_types.h"

#include "ops/op_schema.h"

namespace kiln {

namespace {

// An inferred dim refines a declared one: known beats symbolic beats unknown.
ir::TypeInfo merge_types(const ir::TypeInfo& declared, const ir::TypeInfo& inferred) {
  if (declared.kind == ir::TypeInfo::Kind::kUnknown) return inferred;
  if (inferred.kind == ir::TypeInfo::Kind::kUnknown) return declared;
  if (declared.kind != ir::TypeInfo::Kind::kTensor || inferred.kind != ir::TypeInfo::Kind::kTensor) {
    return inferred;
  }
  ir::TypeInfo out = inferred;
  if (out.elem == DType::kUndefined) out.elem = declared.elem;
  if (!inferred.dims) {
    out.dims = declared.dims;
  } else if (declared.dims && declared.dims->size() == inferred.dims->size()) {
    for (size_t i = 0; i < out.dims->size(); ++i) {
      if (!(*out.dims)[i].known() && ((*declared.dims)[i].known() || !(*declared.dims)[i].symbol.empty()) &&
          (*out.dims)[i].symbol.empty()) {
        (*out.dims)[i] = (*declared.dims)[i];
      }
    }
  }
  return out;
}

const ir::Value* find_in_scope(const ir::Graph* g, const std::string& name) {
  for (; g; g = g->parent) {
    if (const ir::Value* v = g->find(name); v && !v->is_outer_ref) return v;
  }
  return nullptr;
}

}  // namespace

Status infer_graph_types(ir::Graph& graph) {
  for (ir::Value* ref : graph.outer_refs) {
    if (const ir::Value* outer = find_in_scope(graph.parent, ref->name)) {
      if (ref->type.kind == ir::TypeInfo::Kind::kUnknown) ref->type = outer->type;
    }
  }
  for (auto& node : graph.nodes) {
    for (auto& [key, attr] : node->attrs) {
      if (attr.g) KILN_TRY(infer_graph_types(*attr.g));
      for (auto& sub : attr.graphs) KILN_TRY(infer_graph_types(*sub));
    }
    const OpSchema* schema = find_op_schema(node->domain, node->op_type);
    if (!schema || !schema->infer) continue;
    std::vector<const ir::TypeInfo*> types;
    std::vector<const Tensor*> constants;
    for (ir::Value* in : node->inputs) {
      types.push_back(in ? &in->type : nullptr);
      constants.push_back(in ? in->known_value() : nullptr);
    }
    InferContext ctx(*node, std::move(types), std::move(constants));
    KILN_TRY(schema->infer(ctx));
    for (size_t i = 0; i < node->outputs.size(); ++i) {
      ir::Value* out = node->outputs[i];
      if (!out) continue;
      out->type = merge_types(out->type, ctx.outputs()[i]);
      if (ctx.output_constants()[i].valid()) out->inferred_constant = ctx.output_constants()[i];
    }
  }
  return Status::ok();
}

Status infer_types(ir::Model& model) { return infer_graph_types(*model.graph); }

}  // namespace kiln
