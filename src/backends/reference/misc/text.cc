// Text kernels: StringNormalizer and TfIdfVectorizer.
#include <algorithm>
#include <cwctype>
#include <locale>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "backends/reference/misc/misc_kernels.h"

namespace kiln::reference {

namespace {

// ---- UTF-8 <-> code points (invalid bytes pass through as themselves) ----
std::u32string utf8_decode(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (c >= 0xF8 || i + static_cast<size_t>(extra) >= s.size()) extra = 0;
    char32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      extra = 0;
      cp = c;
    }
    out.push_back(cp);
    i += static_cast<size_t>(extra) + 1;
  }
  return out;
}

std::string utf8_encode(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

// Case mapping through a named C++ locale ("en_US.UTF-8" style); falls back to C.UTF-8, then to
// ASCII-only mapping when the system lacks those locales.
class CaseMapper {
 public:
  explicit CaseMapper(const std::string& name) {
    for (const std::string& n : {name.empty() ? std::string("en_US") : name, std::string("C.UTF-8")}) {
      for (const std::string& candidate : {n, n + ".UTF-8", n + ".utf8"}) {
        try {
          loc_ = std::locale(candidate.c_str());
          ok_ = true;
          return;
        } catch (const std::exception&) {
        }
      }
    }
  }
  std::string convert(const std::string& s, bool upper) const {
    std::u32string cps = utf8_decode(s);
    for (char32_t& cp : cps) {
      if (ok_ && cp <= 0x10FFFF) {
        const auto& facet = std::use_facet<std::ctype<wchar_t>>(loc_);
        const wchar_t w = static_cast<wchar_t>(cp);
        cp = static_cast<char32_t>(upper ? facet.toupper(w) : facet.tolower(w));
      } else if (upper && cp >= 'a' && cp <= 'z') {
        cp -= 32;
      } else if (!upper && cp >= 'A' && cp <= 'Z') {
        cp += 32;
      }
    }
    return utf8_encode(cps);
  }

 private:
  std::locale loc_ = std::locale::classic();
  bool ok_ = false;
};

// N-gram pool: each n-gram of the pool, in order, gets id 0, 1, ...
template <typename Key>
struct NgramPool {
  std::map<std::vector<Key>, int64_t> ids;
  int64_t count = 0;
};

template <typename Key>
Expected<NgramPool<Key>> build_pool(KernelContext& ctx, const std::vector<Key>& pool,
                                    const std::vector<int64_t>& starts) {
  NgramPool<Key> p;
  const int64_t size = static_cast<int64_t>(pool.size());
  for (size_t g = 0; g < starts.size(); ++g) {
    const int64_t n = static_cast<int64_t>(g) + 1;
    const int64_t begin = starts[g];
    const int64_t end = g + 1 < starts.size() ? starts[g + 1] : size;
    if (begin < 0 || end > size || begin > end || (end - begin) % n != 0) {
      return ctx.error("ngram_counts[{}] = {} does not delimit whole {}-grams in a pool of {}", g, begin, n, size);
    }
    for (int64_t i = begin; i < end; i += n) {
      std::vector<Key> gram(pool.begin() + i, pool.begin() + i + n);
      p.ids.emplace(std::move(gram), p.count);
      ++p.count;
    }
  }
  return p;
}

// Counts the pool's n-grams in each row of `tokens` ([rows][cols]); returns counts [rows][ids].
template <typename Key>
std::vector<double> count_ngrams(const NgramPool<Key>& pool, const std::vector<Key>& tokens, int64_t rows,
                                 int64_t cols, int64_t min_n, int64_t max_n, int64_t max_skip) {
  std::vector<double> counts(static_cast<size_t>(rows * pool.count), 0.0);
  std::vector<Key> gram;
  for (int64_t r = 0; r < rows; ++r) {
    const Key* row = tokens.data() + r * cols;
    double* c = counts.data() + r * pool.count;
    for (int64_t n = std::max<int64_t>(min_n, 1); n <= max_n; ++n) {
      // Unigrams do not depend on the skip: count them once.
      const int64_t skips = n == 1 ? 0 : max_skip;
      for (int64_t skip = 0; skip <= skips; ++skip) {
        const int64_t span = (n - 1) * (skip + 1);
        for (int64_t s = 0; s + span < cols; ++s) {
          gram.clear();
          for (int64_t k = 0; k < n; ++k) gram.push_back(row[s + k * (skip + 1)]);
          auto it = pool.ids.find(gram);
          if (it != pool.ids.end()) c[it->second] += 1.0;
        }
      }
    }
  }
  return counts;
}

}  // namespace

Status string_normalizer(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DType::kString) return ctx.error("X must be a string tensor, got {}", x.describe());
  if (x.rank() != 1 && !(x.rank() == 2 && x.dim(0) == 1)) {
    return ctx.error("X must be [C] or [1, C], got {}", x.describe());
  }
  const ir::Node& node = ctx.node();
  const std::string action = node.attr_string("case_change_action", "NONE");
  if (action != "NONE" && action != "LOWER" && action != "UPPER") {
    return ctx.error("case_change_action must be NONE, LOWER or UPPER, got '{}'", action);
  }
  const bool case_sensitive = node.attr_int("is_case_sensitive", 0) != 0;
  const CaseMapper mapper(node.attr_string("locale", ""));
  std::set<std::string> stop;
  for (const std::string& w : node.attr_strings("stopwords")) stop.insert(case_sensitive ? w : mapper.convert(w, false));
  std::vector<std::string> kept;
  const std::string* in = x.data<std::string>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const std::string key = case_sensitive ? in[i] : mapper.convert(in[i], false);
    if (stop.count(key)) continue;
    if (action == "NONE") kept.push_back(in[i]);
    else kept.push_back(mapper.convert(in[i], action == "UPPER"));
  }
  if (kept.empty()) kept.emplace_back();  // all filtered out: a single empty string
  const int64_t c = static_cast<int64_t>(kept.size());
  Tensor& y = ctx.allocate_output(0, DType::kString, x.rank() == 1 ? Shape{c} : Shape{1, c});
  std::copy(kept.begin(), kept.end(), y.data<std::string>());
  return Status::ok();
}

Status tfidf_vectorizer(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const ir::Node& node = ctx.node();
  if (x.rank() != 1 && x.rank() != 2) return ctx.error("X must be [C] or [N, C], got {}", x.describe());
  const int64_t rows = x.rank() == 2 ? x.dim(0) : 1;
  const int64_t cols = x.dim(x.rank() - 1);
  const int64_t min_n = node.attr_int("min_gram_length", 1), max_n = node.attr_int("max_gram_length", 1);
  const int64_t max_skip = node.attr_int("max_skip_count", 0);
  if (min_n < 1 || max_n < min_n || max_skip < 0) {
    return ctx.error("need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0, got {}, {}, {}", min_n,
                     max_n, max_skip);
  }
  const std::string mode = node.attr_string("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF") return ctx.error("mode must be TF, IDF or TFIDF, got '{}'", mode);
  const std::vector<int64_t> starts = node.attr_ints("ngram_counts");
  const std::vector<int64_t> indexes = node.attr_ints("ngram_indexes");
  const std::vector<float> weights = node.attr_floats("weights");
  if (indexes.empty()) return ctx.error("ngram_indexes must not be empty");
  const int64_t width = *std::max_element(indexes.begin(), indexes.end()) + 1;

  std::vector<double> counts;
  int64_t ngrams = 0;
  if (x.dtype() == DType::kString) {
    std::vector<std::string> pool = node.attr_strings("pool_strings");
    if (pool.empty()) return ctx.error("string input needs the pool_strings attribute");
    KILN_ASSIGN_OR_RETURN(auto p, build_pool<std::string>(ctx, pool, starts));
    std::vector<std::string> tokens(x.data<std::string>(), x.data<std::string>() + x.numel());
    counts = count_ngrams(p, tokens, rows, cols, min_n, max_n, max_skip);
    ngrams = p.count;
  } else if (x.dtype() == DType::kInt32 || x.dtype() == DType::kInt64) {
    std::vector<int64_t> pool = node.attr_ints("pool_int64s");
    if (pool.empty()) return ctx.error("integer input needs the pool_int64s attribute");
    KILN_ASSIGN_OR_RETURN(auto p, build_pool<int64_t>(ctx, pool, starts));
    counts = count_ngrams(p, x.to_int64_vector(), rows, cols, min_n, max_n, max_skip);
    ngrams = p.count;
  } else {
    return ctx.error("X must be string, int32 or int64, got {}", x.describe());
  }
  if (static_cast<int64_t>(indexes.size()) != ngrams) {
    return ctx.error("ngram_indexes has {} entries but the pool holds {} n-grams", indexes.size(), ngrams);
  }
  if (!weights.empty() && static_cast<int64_t>(weights.size()) != ngrams) {
    return ctx.error("weights has {} entries but the pool holds {} n-grams", weights.size(), ngrams);
  }
  Tensor& y = ctx.allocate_output(0, DType::kFloat32, x.rank() == 2 ? Shape{rows, width} : Shape{width});
  float* py = y.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t id = 0; id < ngrams; ++id) {
      const double c = counts[static_cast<size_t>(r * ngrams + id)];
      const int64_t col = indexes[static_cast<size_t>(id)];
      if (col < 0) return ctx.error("ngram_indexes[{}] = {} is negative", id, col);
      const double w = weights.empty() ? 1.0 : weights[static_cast<size_t>(id)];
      double v = c;
      if (mode == "IDF") v = c > 0 ? w : 0.0;
      else if (mode == "TFIDF") v = c * w;
      py[r * width + col] = static_cast<float>(v);
    }
  }
  return Status::ok();
}

}  // namespace kiln::reference
