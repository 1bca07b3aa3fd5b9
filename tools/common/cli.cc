#include "common/cli.h"

#include <cstdio>
#include <iostream>
#include <sstream>

namespace mote::tools {
namespace {

constexpr size_t kWidth = 100;      // columns of the help text
constexpr size_t kNameColumn = 30;  // where option descriptions start

// "modelc convert": the command the user ran, as far as it was parsed.
std::string CommandName(const CLI::App& app) {
  std::string name = app.get_name();
  const CLI::App* at = &app;
  while (true) {
    const std::vector<CLI::App*> subs = at->get_subcommands();
    if (subs.empty()) break;
    at = subs.front();
    name += " " + at->get_name();
  }
  return name;
}

bool IsNonNegativeInteger(const std::string& v) {
  if (v.empty() || v.size() > 18) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

const CLI::Validator kNonNegativeInteger(
    [](std::string& v) {
      return IsNonNegativeInteger(v) ? std::string()
                                     : "needs a non-negative integer, got '" + v + "'";
    },
    "", "non-negative integer");

std::string Wrap(const std::string& text, size_t width) {
  std::string out, line;
  std::istringstream paragraphs(text);
  std::string paragraph;
  bool first_paragraph = true;
  while (std::getline(paragraphs, paragraph)) {
    if (!first_paragraph) out += '\n';
    first_paragraph = false;
    // Indentation of the paragraph's first line is kept on its continuations.
    const size_t indent = paragraph.find_first_not_of(' ') == std::string::npos
                              ? 0
                              : paragraph.find_first_not_of(' ');
    std::istringstream words(paragraph);
    std::string word;
    line = std::string(indent, ' ');
    bool empty = true;
    while (words >> word) {
      if (!empty && line.size() + 1 + word.size() > width) {
        out += line + '\n';
        line = std::string(indent, ' ');
        empty = true;
      }
      line += (empty ? "" : " ") + word;
      empty = false;
    }
    out += empty ? "" : line;
  }
  return out;
}

HelpFormatter::HelpFormatter() {
  column_width(kNameColumn);
  label("SUBCOMMAND", "COMMAND");
  label("SUBCOMMANDS", "COMMANDS");
  label("Subcommands", "Commands");
  label("Positionals", "Arguments");
  label("REQUIRED", "(required)");
}

std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
  std::stringstream out;
  CLI::detail::format_help(out, make_option_name(opt, is_positional) + make_option_opts(opt),
                           Wrap(make_option_desc(opt), kWidth - kNameColumn), kNameColumn);
  return out.str();
}

std::string HelpFormatter::make_description(const CLI::App* app) const {
  const std::string d = app->get_description();
  return d.empty() ? d : Wrap(d, kWidth) + "\n";
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  const std::string f = app->get_footer();
  return f.empty() ? f : Wrap(f, kWidth) + "\n";
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  std::stringstream out;
  CLI::detail::format_help(out, sub->get_display_name(true),
                           Wrap(sub->get_description(), kWidth - kNameColumn), kNameColumn);
  return out.str();
}

void SetUpApp(CLI::App& app, const std::string& tool) {
  // A repeated single-value option: the last one counts (as it always did).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // Collected rather than thrown, so an unknown option is named even when a
  // required one is missing too (ParseCommandLine).
  app.allow_extras();
  app.formatter(std::make_shared<HelpFormatter>());
  app.set_help_flag("-h,--help", "Print this help and exit.");
  app.set_version_flag("--version", ToolVersion(tool),
                       "Print the version (\"" + ToolVersion(tool) + "\") and exit.");
}

namespace {

// Arguments no option or positional took: the likely cause of any other error.
std::string Unexpected(const CLI::App& app) {
  const std::vector<std::string> extra = app.remaining(true);
  if (extra.empty()) return "";
  const std::string& a = extra.front();
  if (a.size() > 1 && a[0] == '-') return "unknown option " + a;
  if (app.get_subcommands().empty() && !app.get_subcommands({}).empty()) {
    std::string commands;
    for (const CLI::App* sub : app.get_subcommands({}))
      commands += (commands.empty() ? "" : ", ") + sub->get_name();
    return "unknown command '" + a + "' (have " + commands + ")";
  }
  return "unexpected argument '" + a + "'";
}

// CLI11's message, reworded where it speaks of its own types and terms.
std::string Reason(const CLI::App& app, const CLI::ParseError& e) {
  std::string what = e.what();
  for (char& c : what) {
    if (c == '\n') c = ' ';
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr &&
      what.find(" missing") != std::string::npos) {
    return what.substr(0, what.find(':')) + " needs a value";
  }
  if (what.find("subcommand is required") != std::string::npos) {
    std::string commands;
    for (const CLI::App* sub : app.get_subcommands({}))
      commands += (commands.empty() ? "" : " or ") + sub->get_name();
    return "a command is required: " + commands;
  }
  return what;
}

int UsageError(const CLI::App& app, const std::string& reason) {
  const std::string command = CommandName(app);
  std::fprintf(stderr, "%s: %s (see '%s --help')\n", command.c_str(), reason.c_str(),
               command.c_str());
  return 2;
}

}  // namespace

int ParseCommandLine(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    const std::string unexpected = Unexpected(app);
    return UsageError(app, unexpected.empty() ? Reason(app, e) : unexpected);
  }
  const std::string unexpected = Unexpected(app);
  return unexpected.empty() ? -1 : UsageError(app, unexpected);
}

}  // namespace mote::tools
