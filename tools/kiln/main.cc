// `kiln`: the command-line front door. Subcommands live one per file (info.cc, run.cc, bench.cc, ...).
// Invoked as `atc` (a link to this binary) or as `kiln convert`, it is the model converter with
// ATC's own option syntax (convert.cc).
#include <CLI/CLI.hpp>
#include <filesystem>

#include "commands.h"

int main(int argc, char** argv) {
  const std::string invoked_as = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "kiln";
  if (invoked_as == "atc") return kiln::tools::run_atc("atc", std::vector<std::string>(argv + 1, argv + argc));
  if (argc > 1 && std::string(argv[1]) == "convert") {
    return kiln::tools::run_atc("kiln convert", std::vector<std::string>(argv + 2, argv + argc));
  }
  CLI::App app{"Kiln: convert, run and benchmark ONNX models on the CPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "kiln 0.1.0");
  int exit_code = 0;
  kiln::tools::add_info_command(app, exit_code);
  kiln::tools::add_run_command(app, exit_code);
  kiln::tools::add_bench_command(app, exit_code);
  // Listed for --help only: main() hands `kiln convert ...` to run_atc() before CLI11 parses.
  app.add_subcommand("convert", "Convert an ONNX model to an offline model (.om); ATC syntax, also installed as `atc`");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
