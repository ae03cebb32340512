// `kiln`: the command-line front door. Subcommands live one per file (info.cc, run.cc, bench.cc, ...).
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Kiln: convert, run and benchmark ONNX models on the CPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "kiln 0.1.0");
  int exit_code = 0;
  kiln::tools::add_info_command(app, exit_code);
  kiln::tools::add_run_command(app, exit_code);
  kiln::tools::add_bench_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
