// Human-readable summaries for the `kiln` commands: tensors (`kiln run`), op histograms (`kiln info`).
#pragma once

#include <string>
#include <string_view>

#include "core/value.h"
#include "ir/graph.h"

namespace kiln::tools {

// "shape 1x1000 float32  min -3.2 max 9.1 mean 0.01  first [..]  top-5 [(idx, score), ...]"
std::string summarize_value(const std::string& name, const Value& v);

// "ops (N nodes<note>):" then one line per op type (subgraphs included), most frequent first.
void print_op_histogram(const ir::Graph& g, std::string_view note = "");

}  // namespace kiln::tools
