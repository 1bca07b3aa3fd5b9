// modelc's command line: the commands, every option with its help, and what
// each command runs (main.cc only calls RunModelc).
#ifndef MOTE_TOOLS_MODELC_COMMAND_LINE_H_
#define MOTE_TOOLS_MODELC_COMMAND_LINE_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "convert.h"

namespace mote::modelc {

// What the parser fills in.
struct CommandLine {
  ConvertOptions convert;
  std::string inspect_path;
  bool inspect_json = false;
  // compare
  std::string compare_model, compare_mote;
  std::vector<std::string> compare_inputs;
  size_t compare_samples = 64;
  bool compare_json = false;
};

// The parser, writing into `cl`; its commands are "convert", "inspect" and "compare".
std::unique_ptr<CLI::App> MakeCommandLine(CommandLine* cl);

// modelc's main: parses and runs; returns the exit status (0 done, 1 the
// conversion or the file failed, 2 a usage error).
int RunModelc(int argc, const char* const* argv);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_COMMAND_LINE_H_
