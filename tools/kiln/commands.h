// One function per `kiln` subcommand; each registers its options on a CLI11 subcommand and
// returns the callback's exit code through `exit_code`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace kiln::tools {

void add_info_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);

// `kiln convert ARGS` / `atc ARGS` (convert.cc): ATC's own syntax, so it bypasses CLI11.
// Returns the exit status (0 success, 255 failure, as the real tool).
int run_atc(const std::string& program, const std::vector<std::string>& args);

}  // namespace kiln::tools
