// What the host tools' command lines (CLI11) share: help laid out to 100
// columns, the version, and one way to end on a usage error.
#ifndef MOTE_TOOLS_COMMON_CLI_H_
#define MOTE_TOOLS_COMMON_CLI_H_

#include <CLI/CLI.hpp>
#include <string>

#include "common/version.h"

namespace mote::tools {

// Help in two columns, every description wrapped to fit 100 columns.
class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter();
  std::string make_option(const CLI::Option* opt, bool is_positional) const override;
  std::string make_description(const CLI::App* app) const override;
  std::string make_footer(const CLI::App* app) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
};

// Words of `text` in lines of at most `width` columns ('\n' kept as breaks).
std::string Wrap(const std::string& text, size_t width);

// A tool's top-level app: the help formatter, --help and --version.
void SetUpApp(CLI::App& app, const std::string& tool);

// Parses argv. Returns -1 when the command should run, else the exit code:
// 0 after printing --help or --version to stdout, 2 after printing a usage
// error (one line, naming the command's --help) to stderr.
int ParseCommandLine(CLI::App& app, int argc, const char* const* argv);

// Validators for value options (their messages name the option and value).
extern const CLI::Validator kNonNegativeInteger;

}  // namespace mote::tools

#endif  // MOTE_TOOLS_COMMON_CLI_H_
