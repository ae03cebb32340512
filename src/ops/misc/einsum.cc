// Einsum: equation parsing (shared with the kernel) and shape inference.
#include <algorithm>
#include <cctype>
#include <map>

#include "ops/misc/misc_ops.h"

namespace kiln {

namespace {

constexpr int kEllipsisBase = 1000;

// One side of the equation term: letters in order, and where "..." sits (-1 if absent).
struct Term {
  std::vector<int> letters;
  int ellipsis_at = -1;  // index into letters before which "..." stands
};

Expected<Term> parse_term(const std::string& s) {
  Term t;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 3, "...") == 0) {
      if (t.ellipsis_at >= 0) return invalid_argument("term '{}' has more than one ellipsis", s);
      t.ellipsis_at = static_cast<int>(t.letters.size());
      i += 3;
    } else if (std::isalpha(static_cast<unsigned char>(s[i]))) {
      t.letters.push_back(s[i]);
      ++i;
    } else {
      return invalid_argument("term '{}' has invalid character '{}'", s, s[i]);
    }
  }
  return t;
}

}  // namespace

Expected<EinsumSpec> parse_einsum(const std::string& equation, const std::vector<int64_t>& ranks) {
  std::string eq;
  for (char c : equation) {
    if (!std::isspace(static_cast<unsigned char>(c))) eq += c;
  }
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<Term> terms;
  size_t start = 0;
  while (true) {
    size_t comma = lhs.find(',', start);
    KILN_ASSIGN_OR_RETURN(Term t, parse_term(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    terms.push_back(std::move(t));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != ranks.size()) {
    return invalid_argument("equation '{}' has {} operands, but {} inputs are given", equation, terms.size(), ranks.size());
  }
  // Ellipsis ranks, right-aligned to the widest.
  int64_t max_ell = 0;
  std::vector<int64_t> ell(terms.size(), 0);
  for (size_t k = 0; k < terms.size(); ++k) {
    const int64_t letters = static_cast<int64_t>(terms[k].letters.size());
    if (terms[k].ellipsis_at < 0) {
      if (letters != ranks[k]) {
        return invalid_argument("operand {} has rank {} but its term has {} labels", k, ranks[k], letters);
      }
    } else {
      if (ranks[k] < letters) {
        return invalid_argument("operand {} has rank {}, fewer than its {} labels", k, ranks[k], letters);
      }
      ell[k] = ranks[k] - letters;
      max_ell = std::max(max_ell, ell[k]);
    }
  }
  EinsumSpec spec;
  std::map<int, int> counts;
  for (size_t k = 0; k < terms.size(); ++k) {
    std::vector<int> labels;
    const Term& t = terms[k];
    for (size_t i = 0; i <= t.letters.size(); ++i) {
      if (static_cast<int>(i) == t.ellipsis_at) {
        for (int64_t j = 0; j < ell[k]; ++j) labels.push_back(kEllipsisBase + static_cast<int>(max_ell - ell[k] + j));
      }
      if (i < t.letters.size()) {
        labels.push_back(t.letters[i]);
        counts[t.letters[i]]++;
      }
    }
    spec.inputs.push_back(std::move(labels));
  }
  if (arrow == std::string::npos) {
    // Implicit output: broadcast (ellipsis) dims, then labels seen exactly once, sorted.
    for (int64_t j = 0; j < max_ell; ++j) spec.output.push_back(kEllipsisBase + static_cast<int>(j));
    for (const auto& [label, count] : counts) {
      if (count == 1) spec.output.push_back(label);
    }
  } else {
    KILN_ASSIGN_OR_RETURN(Term out, parse_term(eq.substr(arrow + 2)));
    for (size_t i = 0; i <= out.letters.size(); ++i) {
      if (static_cast<int>(i) == out.ellipsis_at) {
        for (int64_t j = 0; j < max_ell; ++j) spec.output.push_back(kEllipsisBase + static_cast<int>(j));
      }
      if (i < out.letters.size()) {
        const int label = out.letters[i];
        if (!counts.count(label)) {
          return invalid_argument("output label '{}' does not appear in any input", static_cast<char>(label));
        }
        if (std::count(out.letters.begin(), out.letters.end(), label) > 1) {
          return invalid_argument("output label '{}' appears more than once", static_cast<char>(label));
        }
        spec.output.push_back(label);
      }
    }
  }
  return spec;
}

Status infer_einsum(InferContext& ctx) {
  const std::string equation = ctx.node().attr_string("equation", "");
  if (equation.empty()) return ctx.error("attribute equation is required");
  if (ctx.num_inputs() == 0) return ctx.error("needs at least one input");
  DType elem = DType::kUndefined;
  std::vector<int64_t> ranks;
  bool ranks_known = true;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) return ctx.error("input {} is required", i);
    const ir::TypeInfo& t = ctx.input_type(i);
    if (elem == DType::kUndefined) elem = t.elem;
    if (!t.dims) ranks_known = false;
    ranks.push_back(t.rank());
  }
  if (!ranks_known) {
    ctx.set_output(0, ir::TypeInfo::tensor_unknown_shape(elem));
    return Status::ok();
  }
  auto spec = parse_einsum(equation, ranks);
  if (!spec) return ctx.error("{}", spec.status().message());
  // Size of each label from the inputs (broadcast 1s for ellipsis labels).
  std::map<int, ir::Dim> size;
  for (size_t k = 0; k < spec->inputs.size(); ++k) {
    const auto& dims = *ctx.input_type(k).dims;
    for (size_t a = 0; a < dims.size(); ++a) {
      const int label = spec->inputs[k][a];
      const ir::Dim d = dims[a];
      auto it = size.find(label);
      if (it == size.end()) {
        size[label] = d;
        continue;
      }
      ir::Dim& cur = it->second;
      if (cur.known() && d.known() && cur.value != d.value) {
        const bool ellipsis = label >= kEllipsisBase;
        if (ellipsis && cur.value == 1) cur = d;
        else if (!(ellipsis && d.value == 1)) {
          return ctx.error("label dimension mismatch: {} vs {} (operand {}, axis {})", cur.value, d.value, k, a);
        }
      } else if (!cur.known() && d.known() && !(label >= kEllipsisBase && d.value == 1)) {
        cur = d;
      }
    }
  }
  std::vector<ir::Dim> out;
  for (int label : spec->output) out.push_back(size.count(label) ? size[label] : ir::Dim(1));
  ctx.set_output(0, ir::TypeInfo::tensor(elem, out));
  return Status::ok();
}

}  // namespace kiln
