// Parsers for the shape-related `atc` option values (../shared/spec/atc-cli.md §2, §4):
// `--input_shape`, the deprecated `--input_shape_range`, and the gear lists of
// `--dynamic_batch_size`, `--dynamic_image_size` and `--dynamic_dims`. Pure string -> value
// functions; the checks against the model are in convert.cc. Errors carry an ATC code.
//
//   KILN_ASSIGN_OR_RETURN(auto shapes, parse_input_shape("x:1, 3, 768, 1280; im_info: 1, 4"));
//   KILN_ASSIGN_OR_RETURN(auto gears, parse_dynamic_batch_size("1,2,4,8"));   // {{1},{2},{4},{8}}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace kiln::convert {

// One dimension of an `--input_shape` entry.
struct DimSpec {
  int64_t value = 0;  // > 0 fixed; -1 dynamic (a gear fills it, or unknown without gears)
  int64_t min = 0;    // a~b range (value is -1 then); 0/0 when no range
  int64_t max = 0;
  bool is_range() const { return max > 0; }
  bool is_dynamic() const { return value < 0; }
  bool operator==(const DimSpec&) const = default;
};

struct InputShapeEntry {
  std::string name;
  std::vector<DimSpec> dims;  // empty: a scalar (`name:`)
  bool has_dynamic() const;
  bool has_range() const;
};

// "name:d,d,...;name2:..." — entries split at ';', each at its LAST ':' (TensorFlow names hold
// ':'), whitespace around tokens ignored; a dim is a positive integer, -1, or a~b (0 <= a <= b,
// b > 0). A name given twice is an error.
Expected<std::vector<InputShapeEntry>> parse_input_shape(const std::string& text);

// The deprecated "name:[1~10,3,224,224];name2:[...]" form: the same entries, brackets required.
Expected<std::vector<InputShapeEntry>> parse_input_shape_range(const std::string& text);

using GearList = std::vector<std::vector<int64_t>>;
constexpr size_t kMinGears = 2;
constexpr size_t kMaxGears = 100;

// "1,2,4,8": only digits and ','; 2..100 positive, distinct values; one value per gear.
Expected<GearList> parse_dynamic_batch_size(const std::string& text);
// "h,w;h,w;...": only digits, ',' and ';'; 2..100 gears of exactly two positive values.
Expected<GearList> parse_dynamic_image_size(const std::string& text);
// "d,d,d;d,d,d;...": only digits, ',' and ';'; 2..100 gears, each with `values_per_gear`
// positive values (the number of -1 dims in --input_shape).
Expected<GearList> parse_dynamic_dims(const std::string& text, size_t values_per_gear);

// "a;b;c" -> {"a","b","c"}, whitespace around names trimmed, empty pieces dropped.
std::vector<std::string> split_list(const std::string& text, char sep = ';');
std::string trim(const std::string& s);

}  // namespace kiln::convert
