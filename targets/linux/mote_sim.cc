// mote-sim: runs a .mote model on .npy inputs, on the host or inside QEMU on
// an emulated Cortex-M (DESIGN.md §6).
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim_command_line.h"
#include "common/cli.h"
#include "common/files.h"
#include "common/npy.h"
#include "common/progress.h"
#include "mote/diagnostics.h"
#include "mote/drift.h"
#include "mote/model.h"
#include "mote/quantize.h"
#include "sim_backend.h"

namespace {

using mote::sim::Options;

std::string g_diagnostic;

void Collect(const mote::Diagnostic& d, void*) {
  g_diagnostic = d.message;
  if (d.op_index >= 0) g_diagnostic += " (operator " + std::to_string(d.op_index) + ")";
  if (d.tensor_index >= 0) g_diagnostic += " (tensor " + std::to_string(d.tensor_index) + ")";
  if (d.value != 0 || d.limit != 0) {
    g_diagnostic += ": " + std::to_string(d.value) + " vs " + std::to_string(d.limit);
  }
}

const char* NpyDtypeOf(mote::ElementType t) {
  switch (t) {
    case mote::ElementType::kFloat32: return "f4";
    case mote::ElementType::kInt8: return "i1";
    case mote::ElementType::kInt16: return "i2";
    case mote::ElementType::kInt32: return "i4";
    case mote::ElementType::kInt64: return "i8";
    case mote::ElementType::kUInt8: return "u1";
  }
  return "?";
}

// Raw bytes (model element type) of every sample of one input file.
std::vector<uint8_t> PrepareInput(const std::string& path, const mote::TensorView& info, int64_t* samples,
                                  bool* single_form) {
  const mote::tools::NpyArray a = mote::tools::ReadNpy(path);
  const std::vector<int64_t> shape(info.shape.begin(), info.shape.end());
  *samples = mote::tools::CountSamples(a, shape, path);
  *single_form = a.shape == shape;
  const size_t per = info.num_elements();
  const size_t bytes = per * mote::ElementSize(info.type);
  std::vector<uint8_t> out(bytes * static_cast<size_t>(*samples));
  if (a.dtype == NpyDtypeOf(info.type)) {  // the model's own element type: fed as is
    std::memcpy(out.data(), a.data.data(), out.size());
    return out;
  }
  // An index input (int32) from int64 ids (numpy's default integers,
  // torch's token ids): each value checked to fit, here on the host.
  if (info.type == mote::ElementType::kInt32 && a.dtype[0] == 'i') {
    for (size_t k = 0; k < per * static_cast<size_t>(*samples); ++k) {
      const int64_t v = a.AsInt(k);
      if (v < INT32_MIN || v > INT32_MAX) {
        throw std::runtime_error(path + ": element " + std::to_string(k) + " (" + std::to_string(v) +
                                 ") does not fit input '" + info.name + "' (int32)");
      }
      const int32_t i = static_cast<int32_t>(v);
      std::memcpy(out.data() + k * sizeof(i), &i, sizeof(i));
    }
    return out;
  }
  if (info.type == mote::ElementType::kInt32 || info.type == mote::ElementType::kInt64) {
    throw std::runtime_error(path + ": element type '" + a.dtype + "' does not fit input '" + info.name + "' (" +
                             mote::ElementTypeName(info.type) + " indices); give integers");
  }
  if (a.dtype != "f4" && a.dtype != "f8") {
    throw std::runtime_error(path + ": element type '" + a.dtype + "' does not fit input '" + info.name + "' (" +
                             mote::ElementTypeName(info.type) + "); give float32 values or " +
                             mote::ElementTypeName(info.type));
  }
  const std::vector<float> values = a.ToFloat();
  for (int64_t s = 0; s < *samples; ++s) {
    mote::TensorView view = info;
    view.data = {out.data() + s * bytes, bytes};
    if (mote::QuantizeInto({values.data() + s * per, per}, view) != mote::Status::kOk) {
      throw std::runtime_error(path + ": cannot convert to " + mote::ElementTypeName(info.type));
    }
  }
  return out;
}

void WriteOutput(const std::string& path, const mote::Model& model, size_t index, const std::vector<uint8_t>& bytes,
                 int64_t samples, bool single_form, bool raw) {
  const mote::TensorView info = model.output(index);
  mote::tools::NpyArray a;
  std::vector<int64_t> item(info.shape.begin(), info.shape.end());
  if (single_form) {
    a.shape = item;
  } else {
    if (!item.empty() && item[0] == 1) item.erase(item.begin());
    a.shape = {samples};
    a.shape.insert(a.shape.end(), item.begin(), item.end());
  }
  const size_t per = info.num_elements();
  const bool keep = raw || info.type == mote::ElementType::kInt32 || info.type == mote::ElementType::kInt64;
  const bool named = info.type == mote::ElementType::kInt64 && model.class_name(index, 0) != nullptr;
  if (named && !raw) {  // string class labels: the names, as numpy unicode
    std::vector<std::string> names(bytes.size() / 8);
    for (size_t k = 0; k < names.size(); ++k) {
      int64_t label;
      std::memcpy(&label, bytes.data() + 8 * k, 8);
      const char* name = model.class_name(index, label);
      if (name == nullptr) throw std::runtime_error(path + ": label " + std::to_string(label) + " has no class name");
      names[k] = name;
    }
    mote::tools::WriteNpy(path, mote::tools::MakeStringArray(a.shape, names));
    return;
  }
  if (keep) {
    a.dtype = NpyDtypeOf(info.type);
    a.data = bytes;
  } else {
    std::vector<float> values(per * static_cast<size_t>(samples));
    const size_t sample_bytes = per * mote::ElementSize(info.type);
    for (int64_t s = 0; s < samples; ++s) {
      mote::TensorView view = info;
      view.data = {const_cast<uint8_t*>(bytes.data()) + s * sample_bytes, sample_bytes};
      (void)mote::DequantizeFrom(view, {values.data() + s * per, per});
    }
    a = mote::tools::MakeFloatArray(a.shape, values);
  }
  mote::tools::WriteNpy(path, a);
}

// Runs and writes the outputs; returns what to print on stdout.
std::string Run(const Options& o) {
  mote::sim::RunRequest req;
  req.model_path = o.model;
  const std::string file = mote::tools::ReadFile(o.model);
  req.model_bytes.assign(file.begin(), file.end());
  req.profile = o.profile;
  const mote::tools::AlignedBuffer buffer(file);
  mote::SetDiagnosticHandler(Collect, nullptr);
  const mote::Result<mote::Model> model = mote::Model::Load({buffer.data(), buffer.size()});
  if (!model.ok()) {
    throw std::runtime_error(o.model + ": " + mote::StatusName(model.status()) + ": " + g_diagnostic);
  }
  const mote::Model& m = model.value();
  if (o.inputs.size() != m.num_inputs()) {
    throw std::runtime_error("the model has " + std::to_string(m.num_inputs()) + " input(s), " +
                             std::to_string(o.inputs.size()) + " --input given");
  }
  std::vector<std::string> names;
  for (size_t k = 0; k < m.num_outputs(); ++k) names.emplace_back(m.output(k).name);
  std::vector<std::string> output_paths;
  try {
    output_paths = mote::sim::OutputPaths(o.outputs, names);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }
  bool single_form = true;
  for (size_t i = 0; i < m.num_inputs(); ++i) {
    int64_t n = 0;
    bool single = false;
    req.inputs.push_back(PrepareInput(o.inputs[i], m.input(i), &n, &single));
    if (i > 0 && n != req.samples) {
      throw std::runtime_error(o.inputs[i] + ": holds " + std::to_string(n) + " samples, " + o.inputs[0] +
                               " holds " + std::to_string(req.samples));
    }
    req.samples = n;
    single_form = single_form && single;
  }
  std::string drift;
  for (size_t i = 0; o.profile && i < m.num_inputs(); ++i) {
    const mote::tools::NpyArray a = mote::tools::ReadNpy(o.inputs[i]);
    if (a.dtype != "f4" && a.dtype != "f8") continue;
    const std::vector<float> values = a.ToFloat();
    mote::DriftCounts counts;
    if (mote::CountDrift(m, i, values, &counts) != mote::Status::kOk) {
      drift += "input " + std::to_string(i) + ": no calibration ranges in the model (converted without --calibration)\n";
      continue;
    }
    drift += "input " + std::to_string(i) + " drift: " + std::to_string(counts.values) + " values, " +
             std::to_string(counts.below) + " below and " + std::to_string(counts.above) +
             " above the calibration range, " + std::to_string(counts.not_finite) + " not finite\n";
  }
  for (size_t k = 0; k < m.num_outputs(); ++k) {
    req.output_bytes.push_back(m.output(k).num_elements() * mote::ElementSize(m.output(k).type));
  }
  g_diagnostic.clear();
  mote::sim::RunResult result;
  try {
    result = o.target == "host" ? mote::sim::RunOnHost(req) : mote::sim::RunOnQemu(req, o.target);
  } catch (const std::runtime_error& e) {  // bad input data (a Gather index) names the op and value
    if (g_diagnostic.empty()) throw;
    throw std::runtime_error(std::string(e.what()) + ": " + g_diagnostic);
  }
  for (size_t k = 0; k < m.num_outputs(); ++k) {
    WriteOutput(output_paths[k], m, k, result.outputs[k], req.samples, single_form, o.raw);
  }
  std::string text;
  for (size_t k = o.outputs.size(); k < m.num_outputs(); ++k) {  // paths the user did not name
    text += "output " + std::to_string(k) + " '" + names[k] + "' -> " + output_paths[k] + "\n";
  }
  if (o.profile) text += result.profile + drift;
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  const std::unique_ptr<CLI::App> app = mote::sim::MakeCommandLine(&o);
  const int parsed = mote::tools::ParseCommandLine(*app, argc, argv);
  if (parsed >= 0) return parsed;
  try {
    std::string text;
    {
      const mote::tools::ProgressDisplay progress("mote-sim");  // cleared before anything is printed
      text = Run(o);
    }
    std::fputs(text.c_str(), stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mote-sim: error: %s\n", e.what());
    return 1;
  }
}
