// The command lines of modelc and mote-sim, checked against their parsers:
// every option of every command is described in that command's --help, says
// its default (or that it is required or repeatable), and the values its help
// lists are the values the parser accepts.
#include "common/cli.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include "command_line.h"  // modelc's
#include "common/version.h"
#include "sim_backend.h"
#include "sim_command_line.h"

namespace mote {
namespace {

// A fresh parser per parse (the parsers write into their options).
struct Tool {
  std::string name;
  std::function<std::unique_ptr<CLI::App>()> make;
};

modelc::CommandLine g_modelc;
sim::Options g_sim;

std::vector<Tool> Tools() {
  return {{"modelc",
           [] {
             g_modelc = {};
             return modelc::MakeCommandLine(&g_modelc);
           }},
          {"mote-sim", [] {
             g_sim = {};
             return sim::MakeCommandLine(&g_sim);
           }}};
}

// A valid command line for each command: the options under test are appended.
const std::map<std::string, std::vector<std::string>> kBase = {
    {"modelc convert", {"convert", "m.onnx", "-o", "m.mote"}},
    {"modelc inspect", {"inspect", "m.mote"}},
    {"modelc compare", {"compare", "m.onnx", "m.mote", "--input", "x.npy"}},
    {"mote-sim run", {"run", "m.mote", "--input", "x.npy", "--output", "y.npy"}},
};

struct Parsed {
  int code;
  std::string out, err;
};

Parsed Parse(const Tool& tool, const std::vector<std::string>& args) {
  const std::unique_ptr<CLI::App> app = tool.make();
  std::vector<const char*> argv = {tool.name.c_str()};
  for (const std::string& a : args) argv.push_back(a.c_str());
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const int code = tools::ParseCommandLine(*app, static_cast<int>(argv.size()), argv.data());
  Parsed p{code, "", ""};
  p.out = testing::internal::GetCapturedStdout();
  p.err = testing::internal::GetCapturedStderr();
  return p;
}

std::string Squeeze(const std::string& s) {
  std::istringstream in(s);
  std::string word, out;
  while (in >> word) out += (out.empty() ? "" : " ") + word;
  return out;
}

// Every (sub)command of `app`, with its path ("modelc convert").
void Commands(const CLI::App* app, const std::string& path,
              std::vector<std::pair<std::string, const CLI::App*>>* out) {
  out->emplace_back(path, app);
  for (const CLI::App* sub : app->get_subcommands({}))
    Commands(sub, path + " " + sub->get_name(), out);
}

TEST(CommandLine, EveryOptionIsDescribedInItsCommandsHelp) {
  for (const Tool& tool : Tools()) {
    const std::unique_ptr<CLI::App> app = tool.make();
    std::vector<std::pair<std::string, const CLI::App*>> commands;
    Commands(app.get(), tool.name, &commands);
    for (const auto& [path, command] : commands) {
      SCOPED_TRACE(path);
      EXPECT_FALSE(command->get_description().empty());
      const Parsed help = Parse(tool, [&] {
        std::vector<std::string> args;
        std::istringstream words(path);
        std::string w;
        words >> w;  // the tool
        while (words >> w) args.push_back(w);
        args.push_back("--help");
        return args;
      }());
      ASSERT_EQ(help.code, 0) << help.err;
      EXPECT_TRUE(help.err.empty()) << help.err;
      const std::string text = Squeeze(help.out);
      EXPECT_NE(help.out.find("Usage: " + path), std::string::npos) << help.out;
      std::istringstream lines(help.out);
      for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
      for (const CLI::App* sub : command->get_subcommands({})) {
        EXPECT_NE(text.find(Squeeze(sub->get_description())), std::string::npos) << sub->get_name();
      }
      for (const CLI::Option* opt : command->get_options()) {
        const std::string name = opt->get_name(false, true);
        SCOPED_TRACE(name);
        const std::string desc = opt->get_description();
        EXPECT_FALSE(desc.empty()) << "an option without help";
        EXPECT_NE(text.find(Squeeze(desc)), std::string::npos) << "not in the help text";
        EXPECT_NE(help.out.find("  " + name), std::string::npos)
            << "its name is not in the help text";
        if (opt->get_expected_max() == 0) continue;  // a flag
        const std::string shown = opt->get_option_text();
        EXPECT_FALSE(shown.empty()) << "say what the value is (option_text)";
        if (opt->get_required()) {
          EXPECT_NE(shown.find("(required)"), std::string::npos);
        } else if (opt->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll) {
          EXPECT_NE(desc.find("repeat"), std::string::npos) << "say it repeats";
        } else {
          EXPECT_NE(desc.find("Default: "), std::string::npos) << "say the default";
        }
      }
    }
  }
}

TEST(CommandLine, ListedValuesAreTheAcceptedOnes) {
  const std::regex alternatives("^[a-z0-9-]+(\\|[a-z0-9-]+)+$");
  int lists = 0;
  for (const Tool& tool : Tools()) {
    const std::unique_ptr<CLI::App> app = tool.make();
    for (const CLI::App* command : app->get_subcommands({})) {
      const std::string path = tool.name + " " + command->get_name();
      ASSERT_TRUE(kBase.count(path)) << "give " << path << " a base command line in kBase";
      const std::vector<std::string>& base = kBase.at(path);
      EXPECT_EQ(Parse(tool, base).code, -1) << Parse(tool, base).err;
      for (const CLI::Option* opt : command->get_options()) {
        const std::string shown = opt->get_option_text();
        if (opt->get_positional() || !std::regex_match(shown, alternatives)) continue;
        ++lists;
        std::istringstream values(shown);
        for (std::string v; std::getline(values, v, '|');) {
          std::vector<std::string> args = base;
          args.insert(args.end(), {opt->get_name(), v});
          const Parsed p = Parse(tool, args);
          EXPECT_EQ(p.code, -1) << opt->get_name() << " " << v << ": " << p.err;
        }
        std::vector<std::string> args = base;
        args.insert(args.end(), {opt->get_name(), "bogus"});
        EXPECT_EQ(Parse(tool, args).code, 2) << opt->get_name() << " bogus";
      }
    }
  }
  EXPECT_GE(lists, 1);  // --precision (and --cores' names); --target below
}

// --target's values are the simulator's table (too many for one help line).
TEST(CommandLine, EveryTargetIsAccepted) {
  const Tool sim = Tools().back();
  ASSERT_EQ(sim.name, "mote-sim");
  std::vector<std::string> names = mote::sim::TargetNames();
  names.push_back("host");
  EXPECT_NE(std::find(names.begin(), names.end(), "linux-aarch64"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "linux-armhf"), names.end());
  for (const std::string& t : names) {
    std::vector<std::string> args = kBase.at("mote-sim run");
    args.insert(args.end(), {"--target", t});
    EXPECT_EQ(Parse(sim, args).code, -1) << t;
  }
  std::vector<std::string> args = kBase.at("mote-sim run");
  args.insert(args.end(), {"--target", "bogus"});
  EXPECT_EQ(Parse(sim, args).code, 2);
}

TEST(CommandLine, VersionIsTheProjects) {
  for (const Tool& tool : Tools()) {
    const Parsed p = Parse(tool, {"--version"});
    EXPECT_EQ(p.code, 0);
    EXPECT_EQ(p.out, tools::ToolVersion(tool.name) + "\n");
    EXPECT_TRUE(std::regex_match(p.out, std::regex(tool.name + " [0-9]+\\.[0-9]+\\.[0-9]+\n")))
        << p.out;
  }
}

// Usage errors: exit 2, one line on stderr naming the tool, the culprit and
// the command's --help.
TEST(CommandLine, UsageErrorsAreOneLineAndExitTwo) {
  const std::vector<std::tuple<int, std::vector<std::string>, std::string, std::string>> cases = {
      {0, {}, "a command is required", "modelc --help"},
      {0, {"frob"}, "unknown command 'frob'", "modelc --help"},
      {0, {"convert", "m.onnx", "--bogus"}, "unknown option --bogus", "modelc convert --help"},
      {0, {"convert", "m.onnx", "-o"}, "--output needs a value", "modelc convert --help"},
      {0, {"convert", "m.onnx"}, "--output is required", "modelc convert --help"},
      {0,
       {"convert", "a.onnx", "b.onnx", "-o", "x"},
       "unexpected argument 'b.onnx'",
       "modelc convert --help"},
      {0, {"convert", "m.onnx", "-o", "x", "--precision", "int4"}, "int4", "modelc convert --help"},
      {0,
       {"convert", "m.onnx", "-o", "x", "--max-arena", "-5"},
       "--max-arena",
       "modelc convert --help"},
      {0,
       {"convert", "m.onnx", "-o", "x", "--max-flash", "1e3"},
       "--max-flash",
       "modelc convert --help"},
      {0,
       {"convert", "m.onnx", "-o", "x", "--max-stack", "cortex-m0="},
       "--max-stack",
       "modelc convert --help"},
      {0,
       {"convert", "m.onnx", "-o", "x", "--cores", "cortex-m9"},
       "cortex-m9",
       "modelc convert --help"},
      {0, {"inspect"}, "FILE is required", "modelc inspect --help"},
      {0, {"inspect", "a.mote", "b.mote"}, "unexpected argument 'b.mote'", "modelc inspect --help"},
      {1, {"run", "m.mote", "--input", "x.npy"}, "--output is required", "mote-sim run --help"},
      {1,
       {"run", "m.mote", "--output", "y.npy", "--input"},
       "--input needs a value",
       "mote-sim run --help"},
      {1,
       {"run", "m.mote", "--input", "x", "--output", "y", "--target", "cortex-m99"},
       "cortex-m99",
       "mote-sim run --help"},
      {1, {"run", "--input", "x", "--output", "y"}, "MODEL is required", "mote-sim run --help"},
      {1, {"go"}, "unknown command 'go'", "mote-sim --help"},
  };
  const std::vector<Tool> tools = Tools();
  for (const auto& [tool, args, reason, help] : cases) {
    const Parsed p = Parse(tools[tool], args);
    SCOPED_TRACE(reason);
    EXPECT_EQ(p.code, 2);
    EXPECT_TRUE(p.out.empty());
    EXPECT_EQ(p.err.find(tools[tool].name), 0u) << p.err;
    EXPECT_NE(p.err.find(reason), std::string::npos) << p.err;
    EXPECT_NE(p.err.find("'" + help + "'"), std::string::npos) << p.err;
    EXPECT_EQ(p.err.find('\n'), p.err.size() - 1) << p.err;
  }
}

TEST(CommandLine, ConvertOptionsMeanWhatTheyDid) {
  const Tool modelc = Tools()[0];
  const Parsed p = Parse(modelc, {"convert",
                                  "--calibration",
                                  "a.npy",
                                  "m.onnx",
                                  "--calibration",
                                  "b.npy",
                                  "-o",
                                  "first.mote",
                                  "--output=x.mote",
                                  "--precision",
                                  "int16",
                                  "--header",
                                  "x.h",
                                  "--report",
                                  "x.json",
                                  "--max-arena",
                                  "1000",
                                  "--max-flash",
                                  "0",
                                  "--max-macs",
                                  "123456789012",
                                  "--max-stack",
                                  "900",
                                  "--max-stack",
                                  "cortex-m0=512",
                                  "--selftest",
                                  "4",
                                  "--cores",
                                  "cortex-m4,cortex-m0"});
  ASSERT_EQ(p.code, -1) << p.err;
  const modelc::ConvertOptions& o = g_modelc.convert;
  EXPECT_EQ(o.model_path, "m.onnx");
  EXPECT_EQ(o.output_path, "x.mote");  // the last one counts
  EXPECT_EQ(o.calibration_paths, (std::vector<std::string>{"a.npy", "b.npy"}));
  EXPECT_EQ(o.precision, modelc::Precision::kInt16);
  EXPECT_EQ(o.header_path, "x.h");
  EXPECT_EQ(o.report_path, "x.json");
  EXPECT_EQ(o.max_arena.value_or(-1), 1000);
  EXPECT_EQ(o.max_flash.value_or(-1), 0);
  EXPECT_EQ(o.max_macs.value_or(-1), 123456789012);
  EXPECT_EQ(o.max_stack,
            (std::vector<std::pair<std::string, int64_t>>{{"", 900}, {"cortex-m0", 512}}));
  EXPECT_EQ(o.selftest, 4);
  EXPECT_EQ(o.cores,
            (std::vector<std::string>{"cortex-m0", "cortex-m4"}));  // ParseCores: AllCores() order

  const Parsed defaults = Parse(modelc, {"convert", "m.onnx", "-o", "m.mote"});
  ASSERT_EQ(defaults.code, -1);
  const modelc::ConvertOptions d;
  EXPECT_EQ(g_modelc.convert.precision, d.precision);
  EXPECT_EQ(g_modelc.convert.cores, d.cores);
  EXPECT_FALSE(g_modelc.convert.max_arena.has_value());
  EXPECT_EQ(g_modelc.convert.selftest, 0);

  ASSERT_EQ(Parse(modelc, {"inspect", "--json", "m.mote"}).code, -1);
  EXPECT_EQ(g_modelc.inspect_path, "m.mote");
  EXPECT_TRUE(g_modelc.inspect_json);
}

TEST(CommandLine, SimOptions) {
  const Tool sim = Tools()[1];
  const Parsed p =
      Parse(sim, {"run", "--input", "a.npy", "m.mote", "--input", "b.npy", "--output", "y.npy",
                  "--output", "z.npy", "--target", "cortex-m4", "--raw", "--profile"});
  ASSERT_EQ(p.code, -1) << p.err;
  EXPECT_EQ(g_sim.model, "m.mote");
  EXPECT_EQ(g_sim.inputs, (std::vector<std::string>{"a.npy", "b.npy"}));
  EXPECT_EQ(g_sim.outputs, (std::vector<std::string>{"y.npy", "z.npy"}));
  EXPECT_EQ(g_sim.target, "cortex-m4");
  EXPECT_TRUE(g_sim.raw);
  EXPECT_TRUE(g_sim.profile);
  ASSERT_EQ(Parse(sim, kBase.at("mote-sim run")).code, -1);
  EXPECT_EQ(g_sim.target, "host");
  EXPECT_FALSE(g_sim.raw || g_sim.profile);
}

TEST(OutputPaths, FewerPathsThanOutputsNameTheRestAfterTheFirst) {
  using V = std::vector<std::string>;
  EXPECT_EQ(sim::OutputPaths({"y.npy"}, {"out"}), V({"y.npy"}));
  EXPECT_EQ(sim::OutputPaths({"d/y.npy"}, {"label", "probabilities"}),
            V({"d/y.npy", "d/y_probabilities.npy"}));
  EXPECT_EQ(sim::OutputPaths({"a.npy", "b.npy"}, {"l", "p", "output/2:0"}),
            V({"a.npy", "b.npy", "a_output_2_0.npy"}));
  EXPECT_EQ(sim::OutputPaths({"y"}, {"a", "b"}), V({"y", "y_b"}));  // no .npy: appended as is
  // Names that sanitize alike, or onto a given path, get the output's index.
  EXPECT_EQ(sim::OutputPaths({"y.npy"}, {"x", "p:0", "p/0"}),
            V({"y.npy", "y_p_0.npy", "y_p_0_2.npy"}));
  EXPECT_EQ(sim::OutputPaths({"y.npy", "y_b.npy"}, {"a", "b", "b"}),
            V({"y.npy", "y_b.npy", "y_b_2.npy"}));
  EXPECT_THROW(sim::OutputPaths({"a.npy", "b.npy"}, {"only"}), std::invalid_argument);
  EXPECT_THROW(sim::OutputPaths({}, {"a"}), std::invalid_argument);
}

TEST(OutputPaths, FileNamePart) {
  EXPECT_EQ(sim::FileNamePart("probabilities"), "probabilities");
  EXPECT_EQ(sim::FileNamePart("output_label.1-x"), "output_label.1-x");
  EXPECT_EQ(sim::FileNamePart("a/b\\c d:0*?\"<>|"), "a_b_c_d_0______");
  EXPECT_EQ(sim::FileNamePart("\xc3\xa9t\xc3\xa9"), "__t__");  // bytes of non-ASCII letters
  EXPECT_EQ(sim::FileNamePart(""), "output");
  EXPECT_EQ(sim::FileNamePart(".."), "output");
}

TEST(Wrap, LinesFitAndWordsStay) {
  const std::string text =
      "one two three four five six seven eight nine ten eleven twelve\n  indented words here too";
  const std::string w = tools::Wrap(text, 20);
  std::istringstream lines(w);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 20u) << line;
  EXPECT_EQ(Squeeze(w), Squeeze(text));
  EXPECT_NE(w.find("\n  here"), std::string::npos) << w;  // continuation keeps the indentation
}

}  // namespace
}  // namespace mote
