// mote-sim's command line: its options with their help, and where the outputs
// go when fewer --output paths than outputs are given.
#ifndef MOTE_TARGETS_LINUX_SIM_COMMAND_LINE_H_
#define MOTE_TARGETS_LINUX_SIM_COMMAND_LINE_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

namespace mote::sim {

struct Options {
  std::string model;
  std::vector<std::string> inputs, outputs;
  std::string target = "host";
  bool raw = false;
  bool profile = false;
};

// The parser, writing into `o`; its one command is "run".
std::unique_ptr<CLI::App> MakeCommandLine(Options* o);

// Where each of the model's outputs (named `names`, in order) is written: the
// `given` paths in order, then, for outputs past them, the first path with
// "_" and the output's name (FileNamePart) put before its ".npy" (y.npy ->
// y_probabilities.npy), made unique with "_<index>" if it is taken. Throws
// std::invalid_argument when more paths than outputs are given, or none.
std::vector<std::string> OutputPaths(const std::vector<std::string>& given,
                                     const std::vector<std::string>& names);

// `name` fit for a file name: letters, digits, '-', '_' and '.' kept, anything
// else '_' (and "" -> "output").
std::string FileNamePart(const std::string& name);

}  // namespace mote::sim

#endif  // MOTE_TARGETS_LINUX_SIM_COMMAND_LINE_H_
