// One function per `kiln` subcommand; each registers its options on a CLI11 subcommand and
// returns the callback's exit code through `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace kiln::tools {

void add_info_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace kiln::tools
