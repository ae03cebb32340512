// The `--insert_op_conf` file: a small hand-written reader for the protobuf text format of
// `InsertNewOps` (../shared/spec/aipp.md §1), the converter's default filling (§2), range
// validation (§1.3). Geometry and the model-dependent checks (§4, §7) are in aipp_geometry.cc.
//
// Parsing keeps every scalar as its token text plus line, so each field converts with its own type
// rules and every message can name file:line, field, value and the allowed range.
#include "converter/aipp_config.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "core/file_util.h"

namespace kiln::aipp {

namespace {

// ---------------------------------------------------------------------------------------------
// Tokenizer

enum class TokKind { kIdent, kNumber, kString, kPunct, kEnd };

struct Token {
  TokKind kind = TokKind::kEnd;
  std::string text;  // identifier, number text, unquoted string, or the punctuation character
  int line = 0;
};

class Lexer {
 public:
  Lexer(const std::string& text, const std::string& file) : s_(text), file_(file) {}

  Expected<std::vector<Token>> tokens() {
    std::vector<Token> out;
    while (true) {
      skip_space_and_comments();
      if (pos_ >= s_.size()) break;
      const char c = s_[pos_];
      Token t;
      t.line = line_;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        t.kind = TokKind::kIdent;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' || s_[pos_] == '.')) {
          t.text += s_[pos_++];
        }
      } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') {
        t.kind = TokKind::kNumber;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
                                    ((s_[pos_] == '-' || s_[pos_] == '+') &&
                                     (t.text.empty() || t.text.back() == 'e' || t.text.back() == 'E')))) {
          t.text += s_[pos_++];
        }
      } else if (c == '"' || c == '\'') {
        t.kind = TokKind::kString;
        ++pos_;
        while (pos_ < s_.size() && s_[pos_] != c) {
          if (s_[pos_] == '\n') return error(t.line, "unterminated string");
          if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
          t.text += s_[pos_++];
        }
        if (pos_ >= s_.size()) return error(t.line, "unterminated string");
        ++pos_;
      } else if (c == '{' || c == '}' || c == ':' || c == ';' || c == ',' || c == '<' || c == '>') {
        t.kind = TokKind::kPunct;
        // protobuf text format also allows <...> around messages: treat as braces.
        t.text = c == '<' ? "{" : c == '>' ? "}" : std::string(1, c);
        ++pos_;
      } else {
        return error(line_, fmt::format("unexpected character '{}'", c));
      }
      out.push_back(std::move(t));
    }
    Token end;
    end.line = line_;
    out.push_back(end);
    return out;
  }

 private:
  void skip_space_and_comments() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }
  Status error(int line, const std::string& what) const {
    return invalid_argument("{}:{}: {}", file_, line, what);
  }

  const std::string& s_;
  const std::string& file_;
  size_t pos_ = 0;
  int line_ = 1;
};

// ---------------------------------------------------------------------------------------------
// Field table

enum class FieldType { kEnumMode, kEnumFormat, kUint32, kInt32, kBool, kFloat, kString };

struct FieldInfo {
  std::string_view name;
  FieldType type;
  bool repeated;  // declared repeated in the message (still at most once per block)
};

constexpr FieldInfo kAippFields[] = {
    {"aipp_mode", FieldType::kEnumMode, false},
    {"related_input_rank", FieldType::kUint32, false},
    {"related_input_name", FieldType::kString, false},
    {"input_edge_idx", FieldType::kUint32, true},
    {"max_src_image_size", FieldType::kUint32, false},
    {"support_rotation", FieldType::kBool, false},
    {"input_format", FieldType::kEnumFormat, false},
    {"csc_switch", FieldType::kBool, false},
    {"cpadding_value", FieldType::kFloat, false},
    {"rbuv_swap_switch", FieldType::kBool, false},
    {"ax_swap_switch", FieldType::kBool, false},
    {"single_line_mode", FieldType::kBool, false},
    {"src_image_size_w", FieldType::kInt32, false},
    {"src_image_size_h", FieldType::kInt32, false},
    {"crop", FieldType::kBool, false},
    {"load_start_pos_w", FieldType::kInt32, false},
    {"load_start_pos_h", FieldType::kInt32, false},
    {"crop_size_w", FieldType::kInt32, false},
    {"crop_size_h", FieldType::kInt32, false},
    {"resize", FieldType::kBool, false},
    {"resize_output_w", FieldType::kInt32, false},
    {"resize_output_h", FieldType::kInt32, false},
    {"padding", FieldType::kBool, false},
    {"left_padding_size", FieldType::kInt32, false},
    {"right_padding_size", FieldType::kInt32, false},
    {"top_padding_size", FieldType::kInt32, false},
    {"bottom_padding_size", FieldType::kInt32, false},
    {"padding_value", FieldType::kFloat, false},
    {"mean_chn_0", FieldType::kInt32, false},
    {"mean_chn_1", FieldType::kInt32, false},
    {"mean_chn_2", FieldType::kInt32, false},
    {"mean_chn_3", FieldType::kInt32, false},
    {"min_chn_0", FieldType::kFloat, false},
    {"min_chn_1", FieldType::kFloat, false},
    {"min_chn_2", FieldType::kFloat, false},
    {"min_chn_3", FieldType::kFloat, false},
    {"var_reci_chn_0", FieldType::kFloat, true},
    {"var_reci_chn_1", FieldType::kFloat, true},
    {"var_reci_chn_2", FieldType::kFloat, true},
    {"var_reci_chn_3", FieldType::kFloat, true},
    {"matrix_r0c0", FieldType::kInt32, true},
    {"matrix_r0c1", FieldType::kInt32, true},
    {"matrix_r0c2", FieldType::kInt32, true},
    {"matrix_r1c0", FieldType::kInt32, true},
    {"matrix_r1c1", FieldType::kInt32, true},
    {"matrix_r1c2", FieldType::kInt32, true},
    {"matrix_r2c0", FieldType::kInt32, true},
    {"matrix_r2c1", FieldType::kInt32, true},
    {"matrix_r2c2", FieldType::kInt32, true},
    {"output_bias_0", FieldType::kInt32, true},
    {"output_bias_1", FieldType::kInt32, true},
    {"output_bias_2", FieldType::kInt32, true},
    {"input_bias_0", FieldType::kInt32, true},
    {"input_bias_1", FieldType::kInt32, true},
    {"input_bias_2", FieldType::kInt32, true},
    {"raw_rgbir_to_f16_n", FieldType::kUint32, false},
};

const FieldInfo* find_field(std::string_view name) {
  for (const FieldInfo& f : kAippFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

constexpr std::pair<std::string_view, int> kFormatNames[] = {
    {"UNDEFINED", 0},     {"YUV420SP_U8", 1}, {"XRGB8888_U8", 2},    {"RGB888_U8", 3},       {"YUV400_U8", 4},
    {"NC1HWC0DI_FP16", 5}, {"NC1HWC0DI_S8", 6}, {"ARGB8888_U8", 7},   {"YUYV_U8", 8},         {"YUV422SP_U8", 9},
    {"AYUV444_U8", 10},   {"RAW10", 11},      {"RAW12", 12},         {"RAW16", 13},          {"RAW24", 14},
    {"RGB16", 15},        {"RGB20", 16},      {"RGB24", 17},         {"RGB16_IR", 18},       {"RGB24_IR", 19},
    {"RGB8_IR", 20},
};

std::string format_name_of(int v) {
  for (const auto& [name, value] : kFormatNames) {
    if (value == v) return std::string(name);
  }
  return std::to_string(v);
}

bool is_supported_format(int v) { return v >= 1 && v <= 4; }

// One scalar as written in the file.
struct RawField {
  std::string text;
  TokKind kind;
  int line;
};

// ---------------------------------------------------------------------------------------------
// Block reader: turns the tokens of one `aipp_op { ... }` into Params.

class BlockReader {
 public:
  BlockReader(const std::string& file, int block_line, std::map<std::string, RawField> fields)
      : file_(file), block_line_(block_line), fields_(std::move(fields)) {}

  Expected<Params> read() {
    Params p;
    KILN_TRY(get_mode("aipp_mode", p.mode));
    KILN_TRY(get_u32("related_input_rank", p.related_input_rank));
    KILN_TRY(get_string("related_input_name", p.related_input_name));
    if (has("input_edge_idx")) {
      uint32_t v = 0;
      KILN_TRY(get_u32("input_edge_idx", v));
      p.input_edge_idx = v;
    }
    KILN_TRY(get_u32("max_src_image_size", p.max_src_image_size));
    KILN_TRY(get_bool("support_rotation", p.support_rotation));
    int fmt_value = 0;
    KILN_TRY(get_format("input_format", fmt_value));
    p.input_format = static_cast<InputFormat>(fmt_value);
    KILN_TRY(get_bool("csc_switch", p.csc_switch));
    KILN_TRY(get_float("cpadding_value", p.cpadding_value));
    KILN_TRY(get_bool("rbuv_swap_switch", p.rbuv_swap_switch));
    KILN_TRY(get_bool("ax_swap_switch", p.ax_swap_switch));
    KILN_TRY(get_bool("single_line_mode", p.single_line_mode));
    KILN_TRY(get_i32("src_image_size_w", p.src_image_size_w));
    KILN_TRY(get_i32("src_image_size_h", p.src_image_size_h));
    KILN_TRY(get_bool("crop", p.crop));
    KILN_TRY(get_i32("load_start_pos_w", p.load_start_pos_w));
    KILN_TRY(get_i32("load_start_pos_h", p.load_start_pos_h));
    KILN_TRY(get_i32("crop_size_w", p.crop_size_w));
    KILN_TRY(get_i32("crop_size_h", p.crop_size_h));
    KILN_TRY(get_bool("resize", p.resize));
    KILN_TRY(get_i32("resize_output_w", p.resize_output_w));
    KILN_TRY(get_i32("resize_output_h", p.resize_output_h));
    KILN_TRY(get_bool("padding", p.padding));
    KILN_TRY(get_i32("left_padding_size", p.left_padding_size));
    KILN_TRY(get_i32("right_padding_size", p.right_padding_size));
    KILN_TRY(get_i32("top_padding_size", p.top_padding_size));
    KILN_TRY(get_i32("bottom_padding_size", p.bottom_padding_size));
    KILN_TRY(get_float("padding_value", p.padding_value));
    for (int i = 0; i < 4; ++i) {
      KILN_TRY(get_i32(fmt::format("mean_chn_{}", i), p.mean_chn[i]));
      KILN_TRY(get_float(fmt::format("min_chn_{}", i), p.min_chn[i]));
      KILN_TRY(get_float(fmt::format("var_reci_chn_{}", i), p.var_reci_chn[i]));  // default 1.0 (§2 rule 2)
    }
    std::array<bool, 9> matrix_given{};
    for (int k = 0; k < 9; ++k) {
      const std::string name = fmt::format("matrix_r{}c{}", k / 3, k % 3);
      matrix_given[k] = has(name);
      KILN_TRY(get_i32(name, p.matrix[k]));
    }
    std::array<bool, 3> in_given{}, out_given{};
    for (int k = 0; k < 3; ++k) {
      out_given[k] = has(fmt::format("output_bias_{}", k));
      in_given[k] = has(fmt::format("input_bias_{}", k));
      KILN_TRY(get_i32(fmt::format("output_bias_{}", k), p.output_bias[k]));
      KILN_TRY(get_i32(fmt::format("input_bias_{}", k), p.input_bias[k]));
    }
    KILN_TRY(get_u32("raw_rgbir_to_f16_n", p.raw_rgbir_to_f16_n));

    if (p.mode == Mode::kUndefined) {
      return error(line_of("aipp_mode"), "aipp_mode must be set to static or dynamic");
    }
    if (p.mode == Mode::kDynamic) {
      if (p.max_src_image_size == 0) {
        return error(line_of("max_src_image_size"), "max_src_image_size must be > 0 in dynamic mode (got 0)");
      }
      if (p.support_rotation) return error(line_of("support_rotation"), "support_rotation is reserved and must be false");
      return p;
    }
    fill_defaults(p, matrix_given, in_given, out_given);
    KILN_TRY(validate_static(p));
    return p;
  }

 private:
  // §2: each matrix element / bias is filled individually when it was not given.
  static void fill_defaults(Params& p, const std::array<bool, 9>& matrix_given, const std::array<bool, 3>& in_given,
                            const std::array<bool, 3>& out_given) {
    if (p.csc_switch) {
      static constexpr std::array<int32_t, 9> kYuvToBgr601Narrow = {298, 516, 0, 298, -100, -208, 298, 0, 409};
      static constexpr std::array<int32_t, 9> kRgbToYuv601Narrow = {66, 129, 25, -38, -74, 112, 112, -94, -18};
      const auto& def = p.input_format == InputFormat::kYuv420spU8 ? kYuvToBgr601Narrow : kRgbToYuv601Narrow;
      for (int k = 0; k < 9; ++k) {
        if (!matrix_given[k]) p.matrix[k] = def[k];
      }
      static constexpr std::array<int32_t, 3> kBias = {16, 128, 128};
      for (int k = 0; k < 3; ++k) {
        if (!in_given[k]) p.input_bias[k] = kBias[k];
        if (!out_given[k]) p.output_bias[k] = kBias[k];
      }
    }
    if (!p.crop) p.load_start_pos_w = p.load_start_pos_h = p.crop_size_w = p.crop_size_h = 0;
    if (!p.resize) p.resize_output_w = p.resize_output_h = 0;
    if (!p.padding) p.left_padding_size = p.right_padding_size = p.top_padding_size = p.bottom_padding_size = 0;
  }

  Status validate_static(const Params& p) {
    const int f = static_cast<int>(p.input_format);
    if (p.input_format == InputFormat::kUndefined) {
      return error(line_of("input_format"), "input_format is required in static mode");
    }
    if (!is_supported_format(f)) {
      return unsupported("{}:{}: input_format {} is not supported (supported: YUV420SP_U8, XRGB8888_U8, RGB888_U8, YUV400_U8)",
                         file_, line_of("input_format"), format_name_of(f));
    }
    if (p.support_rotation) return error(line_of("support_rotation"), "support_rotation is reserved and must be false");
    if (p.single_line_mode) return error(line_of("single_line_mode"), "single_line_mode is reserved and must be false");
    if (p.input_format == InputFormat::kYuv400U8 && p.csc_switch) {
      return error(line_of("csc_switch"), "csc_switch must be false for YUV400_U8 (a grey image has no colour to convert)");
    }
    const bool yuv420 = p.input_format == InputFormat::kYuv420spU8;
    auto range = [&](const char* name, int64_t v, int64_t lo, int64_t hi, bool zero_ok = false) -> Status {
      if ((zero_ok && v == 0) || (v >= lo && v <= hi)) return Status::ok();
      return error(line_of(name), fmt::format("{} = {} is out of range [{}, {}]{}", name, v, lo, hi, zero_ok ? " (or 0)" : ""));
    };
    auto even = [&](const char* name, int64_t v) -> Status {
      if (!yuv420 || v % 2 == 0) return Status::ok();
      return error(line_of(name), fmt::format("{} = {} must be even for YUV420SP_U8", name, v));
    };
    KILN_TRY(range("src_image_size_w", p.src_image_size_w, 2, 4096, true));
    KILN_TRY(range("src_image_size_h", p.src_image_size_h, 1, 4096, true));
    KILN_TRY(even("src_image_size_w", p.src_image_size_w));
    KILN_TRY(even("src_image_size_h", p.src_image_size_h));
    if ((p.src_image_size_w == 0 || p.src_image_size_h == 0) && (p.crop || p.padding)) {
      return error(line_of(p.src_image_size_w == 0 ? "src_image_size_w" : "src_image_size_h"),
                   "src_image_size_w/h may be 0 only when crop and padding are both off");
    }
    if (p.crop) {
      KILN_TRY(range("load_start_pos_w", p.load_start_pos_w, 0, 4095));
      KILN_TRY(range("load_start_pos_h", p.load_start_pos_h, 0, 4095));
      KILN_TRY(even("load_start_pos_w", p.load_start_pos_w));
      KILN_TRY(even("load_start_pos_h", p.load_start_pos_h));
      KILN_TRY(range("crop_size_w", p.crop_size_w, 0, 4096));
      KILN_TRY(range("crop_size_h", p.crop_size_h, 0, 4096));
      if (p.load_start_pos_w >= p.src_image_size_w) {
        return error(line_of("load_start_pos_w"), fmt::format("load_start_pos_w = {} must be < src_image_size_w = {}",
                                                              p.load_start_pos_w, p.src_image_size_w));
      }
      if (p.load_start_pos_h >= p.src_image_size_h) {
        return error(line_of("load_start_pos_h"), fmt::format("load_start_pos_h = {} must be < src_image_size_h = {}",
                                                              p.load_start_pos_h, p.src_image_size_h));
      }
      if (p.load_start_pos_w + p.crop_size_w > p.src_image_size_w) {
        return error(line_of("crop_size_w"), fmt::format("load_start_pos_w + crop_size_w = {} + {} exceeds src_image_size_w = {}",
                                                         p.load_start_pos_w, p.crop_size_w, p.src_image_size_w));
      }
      if (p.load_start_pos_h + p.crop_size_h > p.src_image_size_h) {
        return error(line_of("crop_size_h"), fmt::format("load_start_pos_h + crop_size_h = {} + {} exceeds src_image_size_h = {}",
                                                         p.load_start_pos_h, p.crop_size_h, p.src_image_size_h));
      }
      if ((p.crop_size_w == 0 || p.crop_size_h == 0) && p.padding) {
        return error(line_of(p.crop_size_w == 0 ? "crop_size_w" : "crop_size_h"),
                     "crop_size_w/h may be 0 (network size) only when padding is off");
      }
    }
    KILN_TRY(range("resize_output_w", p.resize_output_w, 16, 1920, true));
    KILN_TRY(range("resize_output_h", p.resize_output_h, 16, 4096, true));
    if (p.resize && (p.resize_output_w == 0 || p.resize_output_h == 0) && p.padding) {
      return error(line_of("resize"), "resize_output_w/h may be 0 (network size) only when padding is off");
    }
    if (p.padding) {
      KILN_TRY(range("left_padding_size", p.left_padding_size, 0, 32));
      KILN_TRY(range("right_padding_size", p.right_padding_size, 0, 32));
      KILN_TRY(range("top_padding_size", p.top_padding_size, 0, 32));
      KILN_TRY(range("bottom_padding_size", p.bottom_padding_size, 0, 32));
    }
    KILN_TRY(frange("padding_value", p.padding_value, -65504, 65504));
    for (int i = 0; i < 4; ++i) {
      KILN_TRY(range(name_buf(fmt::format("mean_chn_{}", i)), p.mean_chn[i], 0, 255));
      KILN_TRY(frange(fmt::format("min_chn_{}", i), p.min_chn[i], 0, 255));
      KILN_TRY(frange(fmt::format("var_reci_chn_{}", i), p.var_reci_chn[i], -65504, 65504));
    }
    for (int k = 0; k < 9; ++k) {
      KILN_TRY(range(name_buf(fmt::format("matrix_r{}c{}", k / 3, k % 3)), p.matrix[k], -32677, 32676));
    }
    for (int k = 0; k < 3; ++k) {
      KILN_TRY(range(name_buf(fmt::format("output_bias_{}", k)), p.output_bias[k], 0, 255));
      KILN_TRY(range(name_buf(fmt::format("input_bias_{}", k)), p.input_bias[k], 0, 255));
    }
    KILN_TRY(range("raw_rgbir_to_f16_n", p.raw_rgbir_to_f16_n, 0, 31));
    return Status::ok();
  }

  // Keeps a generated field name alive for the `range` lambda's const char* parameter.
  const char* name_buf(std::string s) {
    names_.push_back(std::move(s));
    return names_.back().c_str();
  }

  Status frange(const std::string& name, float v, float lo, float hi) {
    if (std::isfinite(v) && v >= lo && v <= hi) return Status::ok();
    return error(line_of(name), fmt::format("{} = {} is out of range [{}, {}]", name, v, lo, hi));
  }

  bool has(const std::string& name) const { return fields_.count(name) != 0; }
  int line_of(const std::string& name) const {
    auto it = fields_.find(name);
    return it == fields_.end() ? block_line_ : it->second.line;
  }
  Status error(int line, const std::string& what) const { return invalid_argument("{}:{}: {}", file_, line, what); }
  Status bad_value(const std::string& name, const RawField& f, const char* expected) const {
    return error(f.line, fmt::format("{}: invalid value '{}' (expected {})", name, f.text, expected));
  }

  Expected<int64_t> integer(const std::string& name, const RawField& f, int64_t lo, int64_t hi, const char* type) const {
    int64_t v = 0;
    const char* b = f.text.data();
    const char* e = b + f.text.size();
    if (f.kind == TokKind::kNumber && !f.text.empty() && f.text[0] == '+') ++b;
    auto r = std::from_chars(b, e, v);
    if (f.kind != TokKind::kNumber || r.ec != std::errc() || r.ptr != e) return bad_value(name, f, type);
    if (v < lo || v > hi) {
      return error(f.line, fmt::format("{} = {} does not fit {} [{}, {}]", name, v, type, lo, hi));
    }
    return v;
  }

  Status get_i32(const std::string& name, int32_t& out) {
    auto it = fields_.find(name);
    if (it == fields_.end()) return Status::ok();
    KILN_ASSIGN_OR_RETURN(int64_t v, integer(name, it->second, std::numeric_limits<int32_t>::min(),
                                             std::numeric_limits<int32_t>::max(), "an int32"));
    out = static_cast<int32_t>(v);
    return Status::ok();
  }
  Status get_u32(const std::string& name, uint32_t& out) {
    auto it = fields_.find(name);
    if (it == fields_.end()) return Status::ok();
    KILN_ASSIGN_OR_RETURN(int64_t v, integer(name, it->second, 0, std::numeric_limits<uint32_t>::max(), "a uint32"));
    out = static_cast<uint32_t>(v);
    return Status::ok();
  }
  Status get_bool(const std::string& name, bool& out) {
    auto it = fields_.find(name);
    if (it == fields_.end()) return Status::ok();
    const std::string& t = it->second.text;
    if (t == "true" || t == "True" || t == "t" || t == "1") {
      out = true;
    } else if (t == "false" || t == "False" || t == "f" || t == "0") {
      out = false;
    } else {
      return bad_value(name, it->second, "true/false");
    }
    return Status::ok();
  }
  Status get_float(const std::string& name, float& out) {
    auto it = fields_.find(name);
    if (it == fields_.end()) return Status::ok();
    const RawField& f = it->second;
    std::string t = f.text;
    if (!t.empty() && t[0] == '+') t.erase(0, 1);
    if (!t.empty() && (t.back() == 'f' || t.back() == 'F')) t.pop_back();  // protobuf allows 1.5f
    double v = 0;
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (f.kind == TokKind::kIdent && (f.text == "inf" || f.text == "nan")) {
      return error(f.line, fmt::format("{} = {} is not a finite number", name, f.text));
    }
    if (f.kind != TokKind::kNumber || t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size()) {
      return bad_value(name, f, "a number");
    }
    out = static_cast<float>(v);
    return Status::ok();
  }
  Status get_string(const std::string& name, std::string& out) {
    auto it = fields_.find(name);
    if (it == fields_.end()) return Status::ok();
    if (it->second.kind != TokKind::kString) return bad_value(name, it->second, "a double-quoted string");
    out = it->second.text;
    return Status::ok();
  }
  Status get_mode(const std::string& name, Mode& out) {
    auto it = fields_.find(name);
    if (it == fields_.end()) return Status::ok();
    const std::string& t = it->second.text;
    if (t == "undefined" || t == "0") out = Mode::kUndefined;
    else if (t == "static" || t == "1") out = Mode::kStatic;
    else if (t == "dynamic" || t == "2") out = Mode::kDynamic;
    else return bad_value(name, it->second, "static, dynamic (or 1, 2)");
    return Status::ok();
  }
  Status get_format(const std::string& name, int& out) {
    auto it = fields_.find(name);
    if (it == fields_.end()) return Status::ok();
    const RawField& f = it->second;
    if (f.kind == TokKind::kIdent) {
      for (const auto& [n, v] : kFormatNames) {
        if (n == f.text) {
          out = v;
          return Status::ok();
        }
      }
      return bad_value(name, f, "an InputFormat name such as YUV420SP_U8, RGB888_U8, XRGB8888_U8, YUV400_U8");
    }
    KILN_ASSIGN_OR_RETURN(int64_t v, integer(name, f, 0, 20, "an InputFormat value"));
    out = static_cast<int>(v);
    return Status::ok();
  }

  const std::string& file_;
  int block_line_;
  std::map<std::string, RawField> fields_;
  std::vector<std::string> names_;
};

// ---------------------------------------------------------------------------------------------
// Top-level parser

class Parser {
 public:
  Parser(std::vector<Token> toks, const std::string& file) : t_(std::move(toks)), file_(file) {}

  Expected<Config> parse() {
    Config cfg;
    while (peek().kind != TokKind::kEnd) {
      if (peek().kind == TokKind::kPunct && (peek().text == ";" || peek().text == ",")) {
        ++pos_;
        continue;
      }
      const Token name = next();
      if (name.kind != TokKind::kIdent) return error(name.line, fmt::format("expected a field name, got '{}'", name.text));
      if (name.text == "aipp_op") {
        KILN_TRY(open_block(name));
        KILN_ASSIGN_OR_RETURN(Params p, parse_aipp_block(name.line, cfg));
        cfg.ops.push_back(std::move(p));
        lines_.push_back(name.line);
      } else if (name.text == "multi_shape_op") {
        KILN_TRY(open_block(name));
        KILN_TRY(parse_multi_shape_block(name.line));
      } else {
        return error(name.line, fmt::format("unknown field '{}' (expected aipp_op or multi_shape_op)", name.text));
      }
    }
    // §1.3 note: static and dynamic must not be mixed; §1.2: one aipp_op per model input.
    for (size_t i = 1; i < cfg.ops.size(); ++i) {
      if (cfg.ops[i].mode != cfg.ops[0].mode) {
        return error(lines_[i], fmt::format("aipp_mode {} mixed with aipp_mode {} of the block at line {}: static and "
                                            "dynamic AIPP must not be mixed in one file",
                                            cfg.ops[i].mode == Mode::kStatic ? "static" : "dynamic",
                                            cfg.ops[0].mode == Mode::kStatic ? "static" : "dynamic", lines_[0]));
      }
    }
    for (size_t i = 0; i < cfg.ops.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        const Params &a = cfg.ops[j], &b = cfg.ops[i];
        const bool same = !a.related_input_name.empty() || !b.related_input_name.empty()
                              ? a.related_input_name == b.related_input_name
                              : a.related_input_rank == b.related_input_rank;
        if (same) {
          return error(lines_[i], fmt::format("aipp_op for the same input as the block at line {} ({}): a model input "
                                              "may receive at most one aipp_op",
                                              lines_[j], b.related_input_name.empty() ? "related_input_rank " +
                                                  std::to_string(b.related_input_rank) : "'" + b.related_input_name + "'"));
        }
      }
    }
    cfg.warnings = std::move(warnings_);
    return cfg;
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  Token next() { return pos_ + 1 < t_.size() ? t_[pos_++] : t_[pos_]; }
  bool at_punct(const char* p) const { return peek().kind == TokKind::kPunct && peek().text == p; }
  Status error(int line, const std::string& what) const { return invalid_argument("{}:{}: {}", file_, line, what); }

  Status open_block(const Token& name) {
    if (at_punct(":")) ++pos_;
    if (!at_punct("{")) {
      return error(peek().line, fmt::format("expected '{{' after {}, got '{}'", name.text, peek().kind == TokKind::kEnd ? "end of file" : peek().text));
    }
    ++pos_;
    return Status::ok();
  }

  // Reads `name: value` pairs up to the closing brace into `out` (message fields are errors).
  Status read_scalars(const std::string& block, int block_line, std::map<std::string, RawField>& out,
                      const std::function<Status(const Token&, std::map<std::string, RawField>&, const RawField&)>& accept) {
    while (true) {
      if (peek().kind == TokKind::kEnd) return error(block_line, fmt::format("{} block opened here is not closed", block));
      if (at_punct("}")) {
        ++pos_;
        return Status::ok();
      }
      if (at_punct(";") || at_punct(",")) {
        ++pos_;
        continue;
      }
      const Token name = next();
      if (name.kind != TokKind::kIdent) return error(name.line, fmt::format("expected a field name in {}, got '{}'", block, name.text));
      if (at_punct("{") || (at_punct(":") && t_[pos_ + 1].kind == TokKind::kPunct && t_[pos_ + 1].text == "{")) {
        return error(name.line, fmt::format("unknown field '{}' in {} (no message field of that name)", name.text, block));
      }
      if (!at_punct(":")) return error(name.line, fmt::format("expected ':' after '{}'", name.text));
      ++pos_;
      const Token value = next();
      if (value.kind == TokKind::kEnd || value.kind == TokKind::kPunct) {
        return error(value.line, fmt::format("missing value for '{}'", name.text));
      }
      KILN_TRY(accept(name, out, RawField{value.text, value.kind, value.line}));
    }
  }

  Expected<Params> parse_aipp_block(int block_line, Config& cfg) {
    std::map<std::string, RawField> fields;
    auto accept = [&](const Token& name, std::map<std::string, RawField>& out, const RawField& v) -> Status {
      if (name.text == "rotation_angle") {
        // Listed in the ATC template but not a message field (spec §1.3 note): tolerate only 0.
        if (v.text != "0") {
          return error(name.line, fmt::format("rotation_angle = {} is not supported (only 0 is accepted; rotation is reserved)", v.text));
        }
        warnings_.push_back(fmt::format("{}:{}: rotation_angle is not a field of AippOpParams; 0 accepted and ignored", file_, name.line));
        return Status::ok();
      }
      const FieldInfo* info = find_field(name.text);
      if (!info) return error(name.line, fmt::format("unknown field '{}' in aipp_op", name.text));
      auto it = out.find(name.text);
      if (it != out.end()) {
        if (info->repeated) {
          return error(name.line, fmt::format("{} can not be configed repeatedly (first given at line {})", name.text, it->second.line));
        }
        return error(name.line, fmt::format("{} is given twice (first at line {}); it is not a repeated field", name.text, it->second.line));
      }
      out[name.text] = v;
      return Status::ok();
    };
    KILN_TRY(read_scalars("aipp_op", block_line, fields, accept));
    (void)cfg;
    return BlockReader(file_, block_line, std::move(fields)).read();
  }

  Status parse_multi_shape_block(int block_line) {
    std::map<std::string, RawField> fields;
    auto accept = [&](const Token& name, std::map<std::string, RawField>& out, const RawField& v) -> Status {
      if (name.text != "mode" && name.text != "related_input_rank" && name.text != "batch_list") {
        return error(name.line, fmt::format("unknown field '{}' in multi_shape_op", name.text));
      }
      out[name.text] = v;
      return Status::ok();
    };
    KILN_TRY(read_scalars("multi_shape_op", block_line, fields, accept));
    return unsupported("{}:{}: multi_shape_op (legacy dynamic batch) is not supported; use atc --dynamic_batch_size instead",
                       file_, block_line);
  }

  std::vector<Token> t_;
  const std::string& file_;
  size_t pos_ = 0;
  std::vector<int> lines_;  // line of each aipp_op block
  std::vector<std::string> warnings_;
};

}  // namespace

const char* input_format_name(InputFormat f) {
  switch (f) {
    case InputFormat::kUndefined: return "UNDEFINED";
    case InputFormat::kYuv420spU8: return "YUV420SP_U8";
    case InputFormat::kXrgb8888U8: return "XRGB8888_U8";
    case InputFormat::kRgb888U8: return "RGB888_U8";
    case InputFormat::kYuv400U8: return "YUV400_U8";
    case InputFormat::kArgb8888U8: return "ARGB8888_U8";
    case InputFormat::kYuyvU8: return "YUYV_U8";
    case InputFormat::kYuv422spU8: return "YUV422SP_U8";
    case InputFormat::kAyuv444U8: return "AYUV444_U8";
  }
  return "unknown";
}

Expected<Config> parse_config(const std::string& text, const std::string& file) {
  KILN_ASSIGN_OR_RETURN(std::vector<Token> toks, Lexer(text, file).tokens());
  KILN_ASSIGN_OR_RETURN(Config cfg, Parser(std::move(toks), file).parse());
  if (cfg.ops.empty()) return invalid_argument("{}: no aipp_op block", file);
  return cfg;
}

Expected<Config> read_config_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.status().with_context("reading the AIPP config");
  return parse_config(*text, path);
}

}  // namespace kiln::aipp
