// modelc: converts trained models into .mote files and inspects them.
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "convert.h"
#include "emit/report.h"
#include "inspect.h"

namespace {

const char kUsage[] =
    "usage:\n"
    "  modelc convert MODEL.(onnx|tflite) -o OUT.mote [--calibration CALIB.npy ...]\n"
    "                 [--precision int8|int16|float32] [--header OUT.h] [--name NAME] [--report OUT.json]\n"
    "                 [--max-arena BYTES] [--max-flash BYTES] [--max-macs N]\n"
    "                 [--max-stack [CPU=]BYTES ...] [--selftest N] [--cores CPU,CPU,...|all]\n"
    "  modelc inspect OUT.mote [--json]\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "modelc: %s\n%s", problem.c_str(), kUsage);
  return 2;
}

int64_t ParseCount(const std::string& flag, const std::string& v) {
  size_t used = 0;
  long long n = -1;
  try {
    n = std::stoll(v, &used);
  } catch (const std::exception&) {
  }
  if (used != v.size() || n < 0) throw std::invalid_argument(flag + " needs a non-negative integer, got '" + v + "'");
  return n;
}

int Convert(int argc, char** argv) {
  mote::modelc::ConvertOptions o;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "-o" || a == "--output") o.output_path = value();
    else if (a == "--calibration") o.calibration_paths.push_back(value());
    else if (a == "--precision") o.precision = mote::modelc::ParsePrecision(value());
    else if (a == "--header") o.header_path = value();
    else if (a == "--name") o.name = value();
    else if (a == "--report") o.report_path = value();
    else if (a == "--max-arena") o.max_arena = ParseCount(a, value());
    else if (a == "--max-flash") o.max_flash = ParseCount(a, value());
    else if (a == "--max-macs") o.max_macs = ParseCount(a, value());
    else if (a == "--max-stack") {
      // BYTES (every Cortex-M CPU) or CPU=BYTES, e.g. cortex-m0=1024.
      const std::string v = value();
      const size_t eq = v.find('=');
      if (eq == std::string::npos) o.max_stack.emplace_back("", ParseCount(a, v));
      else o.max_stack.emplace_back(v.substr(0, eq), ParseCount(a, v.substr(eq + 1)));
    }
    else if (a == "--selftest") o.selftest = ParseCount(a, value());
    // The cores the file is planned for: their kernels' arena scratch.
    else if (a == "--cores") o.cores = mote::modelc::ParseCores(value());
    else if (!a.empty() && a[0] == '-') throw std::invalid_argument("unknown option " + a);
    else if (o.model_path.empty()) o.model_path = a;
    else throw std::invalid_argument("more than one model given ('" + a + "')");
  }
  if (o.model_path.empty()) return Usage("convert needs a model file");
  if (o.output_path.empty()) return Usage("convert needs -o OUT.mote");
  const mote::modelc::ConvertResult r = mote::modelc::Convert(o);
  std::fputs(mote::modelc::ReportText(o, r).c_str(), stdout);
  return 0;
}

int Inspect(int argc, char** argv) {
  std::string path;
  bool json = false;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) json = true;
    else if (path.empty()) path = argv[i];
    else return Usage("inspect takes one file");
  }
  if (path.empty()) return Usage("inspect needs a .mote file");
  std::fputs(mote::modelc::Inspect(path, json).c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  const std::string command = argv[1];
  try {
    if (command == "convert") return Convert(argc, argv);
    if (command == "inspect") return Inspect(argc, argv);
    if (command == "--help" || command == "-h" || command == "help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    return Usage("unknown command '" + command + "'");
  } catch (const std::invalid_argument& e) {
    return Usage(e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "modelc: error: out of memory (the model holds or computes tensors too large to convert)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "modelc: error: %s\n", e.what());
    return 1;
  }
}
