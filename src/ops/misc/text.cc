// Shape inference for the text ops: StringNormalizer and TfIdfVectorizer.
#include <algorithm>

#include "ops/misc/misc_ops.h"

namespace kiln {

Status infer_string_normalizer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (X) is required");
  const ir::TypeInfo& in = ctx.input_type(0);
  if (in.elem != DType::kString && in.elem != DType::kUndefined) {
    return ctx.error("X must be a string tensor, got {}", dtype_name(in.elem));
  }
  const std::string action = ctx.node().attr_string("case_change_action", "NONE");
  if (action != "NONE" && action != "LOWER" && action != "UPPER") {
    return ctx.error("case_change_action must be NONE, LOWER or UPPER, got '{}'", action);
  }
  if (!in.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(DType::kString));
    return Status::ok();
  }
  std::vector<ir::Dim> dims = *in.dims;
  if (dims.size() != 1 && dims.size() != 2) return ctx.error("X must be [C] or [1, C], got rank {}", dims.size());
  if (dims.size() == 2 && dims[0].known() && dims[0].value != 1) {
    return ctx.error("X of rank 2 must be [1, C], got first dimension {}", dims[0].value);
  }
  if (dims.size() == 2) dims[0] = ir::Dim(1);
  // Stopword removal makes the length data dependent (an all-removed input gives one "").
  const bool no_filter = ctx.node().attr_strings("stopwords").empty();
  ir::Dim& c = dims.back();
  if (!no_filter) c = ir::Dim();
  else if (c.known() && c.value == 0) c = ir::Dim(1);
  ctx.set_output(0, ir::TypeInfo::tensor(DType::kString, dims));
  return Status::ok();
}

Status infer_tfidf_vectorizer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.error("input 0 (X) is required");
  const ir::TypeInfo& in = ctx.input_type(0);
  const ir::Node& node = ctx.node();
  std::vector<int64_t> indexes = node.attr_ints("ngram_indexes");
  if (indexes.empty()) return ctx.error("attribute ngram_indexes is required and must not be empty");
  const int64_t width = *std::max_element(indexes.begin(), indexes.end()) + 1;
  if (*std::min_element(indexes.begin(), indexes.end()) < 0) return ctx.error("ngram_indexes must be >= 0");
  const std::string mode = node.attr_string("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF") {
    return ctx.error("mode must be TF, IDF or TFIDF, got '{}'", mode);
  }
  if (!in.dims) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(DType::kFloat32));
    return Status::ok();
  }
  const auto& d = *in.dims;
  if (d.size() == 1) {
    ctx.set_output(0, ir::TypeInfo::tensor(DType::kFloat32, {ir::Dim(width)}));
  } else if (d.size() == 2) {
    ctx.set_output(0, ir::TypeInfo::tensor(DType::kFloat32, {d[0], ir::Dim(width)}));
  } else {
    return ctx.error("X must be [C] or [N, C], got rank {}", d.size());
  }
  return Status::ok();
}

}  // namespace kiln
