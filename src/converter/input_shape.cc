#include "converter/input_shape.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace kiln::convert {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 12 && s.find_first_not_of("0123456789") == std::string::npos;
}

Expected<DimSpec> parse_dim(const std::string& token, const std::string& entry, const std::string& option) {
  DimSpec d;
  if (token == "-1") {
    d.value = -1;
    return d;
  }
  if (size_t tilde = token.find('~'); tilde != std::string::npos) {
    std::string lo = trim(token.substr(0, tilde)), hi = trim(token.substr(tilde + 1));
    // `~` alone or `a~-1` (no upper bound) are real-ATC forms for unbounded ranges.
    if (all_digits(lo) && (all_digits(hi) || hi == "-1")) {
      d.value = -1;
      d.min = std::stoll(lo);
      d.max = hi == "-1" ? INT64_MAX : std::stoll(hi);
      if (d.min <= d.max && d.max > 0) return d;
    }
    return invalid_argument(
        "E10001: Value [{}] for parameter [{}] is invalid. Reason: dim '{}' of entry '{}' is not a range a~b "
        "with 0 <= a <= b",
        token, option, token, entry);
  }
  if (all_digits(token) && std::stoll(token) > 0) {
    d.value = std::stoll(token);
    return d;
  }
  return invalid_argument(
      "E10001: Value [{}] for parameter [{}] is invalid. Reason: dim '{}' of entry '{}' must be a positive "
      "integer, -1 or a range a~b",
      token, option, token, entry);
}

Expected<std::vector<InputShapeEntry>> parse_entries(const std::string& text, const std::string& option,
                                                     bool brackets) {
  std::vector<InputShapeEntry> entries;
  std::set<std::string> seen;
  for (const std::string& entry : split_list(text, ';')) {
    size_t colon = entry.rfind(':');
    if (colon == std::string::npos) {
      return invalid_argument(
          "E10001: Value [{}] for parameter [{}] is invalid. Reason: entry '{}' must be name:dims (e.g. "
          "\"input:1,3,224,224\")",
          text, option, entry);
    }
    InputShapeEntry e;
    e.name = trim(entry.substr(0, colon));
    std::string dims = trim(entry.substr(colon + 1));
    if (e.name.empty()) {
      return invalid_argument("E10001: Value [{}] for parameter [{}] is invalid. Reason: entry '{}' has no input name",
                              text, option, entry);
    }
    if (!seen.insert(e.name).second) {
      return invalid_argument("E10001: Value [{}] for parameter [{}] is invalid. Reason: input '{}' is given twice",
                              text, option, e.name);
    }
    if (brackets) {
      if (dims.size() < 2 || dims.front() != '[' || dims.back() != ']') {
        return invalid_argument(
            "E10001: Value [{}] for parameter [{}] is invalid. Reason: the dims of '{}' must be in brackets, "
            "e.g. {}:[1~10,3,224,224]",
            text, option, e.name, e.name);
      }
      dims = trim(dims.substr(1, dims.size() - 2));
    }
    if (!dims.empty()) {
      // Keep empty pieces: "1,,3" is an error, not [1,3].
      size_t pos = 0;
      while (true) {
        size_t comma = dims.find(',', pos);
        std::string token = trim(dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        KILN_ASSIGN_OR_RETURN(DimSpec d, parse_dim(token, entry, option));
        e.dims.push_back(d);
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    }
    entries.push_back(std::move(e));
  }
  if (entries.empty()) {
    return invalid_argument("E10001: Value [{}] for parameter [{}] is invalid. Reason: no name:dims entry", text,
                            option);
  }
  return entries;
}

// Gear strings: the character check comes first, as in ATC (E10003).
Status check_gear_chars(const std::string& text, const std::string& option, const char* allowed,
                        const char* allowed_words) {
  if (text.empty()) return invalid_argument("E10004: Value for --{} is empty.", option);
  for (char c : text) {
    if (!std::strchr(allowed, c)) {
      return invalid_argument("E10003: Value [{}] for parameter [--{}] is invalid. Reason: It can only contain {}.",
                              text, option, allowed_words);
    }
  }
  return Status::ok();
}

Expected<GearList> parse_gears(const std::string& text, const std::string& option, size_t per_gear,
                               const std::string& per_gear_words) {
  GearList gears;
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact += c;
  }
  std::vector<std::string> pieces;
  for (size_t pos = 0; pos <= compact.size();) {
    size_t end = std::min(compact.find(';', pos), compact.size());
    pieces.push_back(compact.substr(pos, end - pos));
    pos = end + 1;
  }
  if (pieces.size() > 1 && pieces.back().empty()) pieces.pop_back();  // "416,416;832,832;"
  for (const std::string& gear_text : pieces) {
    std::vector<int64_t> gear;
    size_t pos = 0;
    while (true) {
      size_t comma = gear_text.find(',', pos);
      std::string token = gear_text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!all_digits(token) || std::stoll(token) <= 0) {
        return invalid_argument(
            "E10003: Value [{}] for parameter [--{}] is invalid. Reason: '{}' in gear '{}' is not a positive "
            "integer.",
            text, option, token, gear_text);
      }
      gear.push_back(std::stoll(token));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    if (gear.size() != per_gear) {
      return invalid_argument(
          "E10003: Value [{}] for parameter [--{}] is invalid. Reason: gear '{}' has {} value(s); each gear needs "
          "{}.",
          text, option, gear_text, gear.size(), per_gear_words);
    }
    if (std::find(gears.begin(), gears.end(), gear) != gears.end()) {
      return invalid_argument("E10003: Value [{}] for parameter [--{}] is invalid. Reason: gear '{}' is repeated.",
                              text, option, gear_text);
    }
    gears.push_back(std::move(gear));
  }
  if (gears.size() < kMinGears || gears.size() > kMaxGears) {
    return invalid_argument(
        "E10035: [--{}] has {} gear(s) ('{}'), but only {} to {} gears are allowed.", option, gears.size(), text,
        kMinGears, kMaxGears);
  }
  return gears;
}

}  // namespace

bool InputShapeEntry::has_dynamic() const {
  return std::any_of(dims.begin(), dims.end(), [](const DimSpec& d) { return d.is_dynamic(); });
}
bool InputShapeEntry::has_range() const {
  return std::any_of(dims.begin(), dims.end(), [](const DimSpec& d) { return d.is_range(); });
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

std::vector<std::string> split_list(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(sep, pos);
    if (end == std::string::npos) end = text.size();
    std::string piece = trim(text.substr(pos, end - pos));
    if (!piece.empty()) out.push_back(std::move(piece));
    pos = end + 1;
  }
  return out;
}

Expected<std::vector<InputShapeEntry>> parse_input_shape(const std::string& text) {
  if (trim(text).empty()) return invalid_argument("E10004: Value for --input_shape is empty.");
  return parse_entries(text, "--input_shape", false);
}

Expected<std::vector<InputShapeEntry>> parse_input_shape_range(const std::string& text) {
  if (trim(text).empty()) return invalid_argument("E10004: Value for --input_shape_range is empty.");
  return parse_entries(text, "--input_shape_range", true);
}

Expected<GearList> parse_dynamic_batch_size(const std::string& text) {
  KILN_TRY(check_gear_chars(text, "dynamic_batch_size", "0123456789,", "digits and ','"));
  std::string as_gears = text;
  std::replace(as_gears.begin(), as_gears.end(), ',', ';');
  return parse_gears(as_gears, "dynamic_batch_size", 1, "one batch size");
}

Expected<GearList> parse_dynamic_image_size(const std::string& text) {
  KILN_TRY(check_gear_chars(text, "dynamic_image_size", "0123456789,; ", "digits, ',' and ';'"));
  return parse_gears(text, "dynamic_image_size", 2, "two values, height and width (\"h,w;h,w\")");
}

Expected<GearList> parse_dynamic_dims(const std::string& text, size_t values_per_gear) {
  KILN_TRY(check_gear_chars(text, "dynamic_dims", "0123456789,; ", "digits, ',' and ';'"));
  return parse_gears(text, "dynamic_dims", values_per_gear,
                     fmt::format("{} value(s), one per -1 in --input_shape", values_per_gear));
}

}  // namespace kiln::convert
