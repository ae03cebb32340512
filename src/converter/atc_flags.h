// The `atc` command-line syntax (../shared/spec/atc-cli.md §1): long options only, `--opt=v` or
// `--opt v`, a single dash accepted for names of two letters or more, dashes in names read as
// underscores, last value wins. Only the syntax lives here; what the values mean is
// convert_options.h.
//
//   KILN_ASSIGN_OR_RETURN(AtcFlags flags, parse_atc_flags({"--model=m.onnx", "-output", "m"}));
//   flags.get("output");  // "m"
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace kiln::convert {

struct AtcFlags {
  std::map<std::string, std::string> values;  // option name (underscores) -> last value given
  std::vector<std::string> order;             // names in the order first given (for messages)
  bool help = false;                          // --help / --h

  bool has(const std::string& name) const { return values.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

// Every option name `atc` accepts (the spec's §2 and §3), underscores.
const std::vector<std::string>& atc_option_names();

// Errors (kInvalidArgument) carry an ATC code: "E10001: unknown command line flag 'x'",
// "E10001: flag '--model' is missing its argument", "E10001: unexpected argument 'x' ...".
Expected<AtcFlags> parse_atc_flags(const std::vector<std::string>& args);

// The command line as stored in the model: `program` then each argument, quoted when it holds
// characters a shell would split on.
std::string join_command_line(const std::string& program, const std::vector<std::string>& args);

}  // namespace kiln::convert
