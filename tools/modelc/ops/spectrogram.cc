// The audio front-end's mote ops (frontend/audio_frontend.h): Spectrogram
// and Dct, whose float reference is torchaudio's definition in double.
#include "frontend/audio_frontend.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

const Value& AudioInput(const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr || ins[0]->is_int) Fail(n, "input 0 must be float audio");
  return *ins[0];
}

std::vector<Value> EvalSpectrogram(const Graph& g, const Node& n, const OpInputs& ins) {
  const FrontendSpec spec = ParseFrontend(n.attrs.at("spec").s);
  const Value& x = AudioInput(n, ins);
  if (x.size() != spec.samples)
    Fail(n, "audio input holds " + std::to_string(x.size()) + " samples");
  const FrontendTables t = TablesFor(spec, spec.samples);
  const std::vector<double> y = ReferenceSpectrogram(spec, t, x.f.data());
  Eigen::ArrayXf out(static_cast<Eigen::Index>(y.size()));
  for (size_t k = 0; k < y.size(); ++k)
    out[static_cast<Eigen::Index>(k)] = static_cast<float>(y[k]);
  return {Value::Float(g.tensors[n.outputs[0]].shape, std::move(out))};
}

std::vector<Value> EvalDct(const Graph& g, const Node& n, const OpInputs& ins) {
  const FrontendSpec spec = ParseFrontend(n.attrs.at("spec").s);
  const Value& x = AudioInput(n, ins);
  const int64_t frames = x.size() / spec.n_mels;
  const FrontendTables t = TablesFor(spec, spec.samples);
  const std::vector<double> logs(x.f.data(), x.f.data() + x.f.size());
  const std::vector<double> y = ReferenceDct(spec, t, logs, frames);
  Eigen::ArrayXf out(static_cast<Eigen::Index>(y.size()));
  for (size_t k = 0; k < y.size(); ++k)
    out[static_cast<Eigen::Index>(k)] = static_cast<float>(y[k]);
  return {Value::Float(g.tensors[n.outputs[0]].shape, std::move(out))};
}

}  // namespace

std::vector<OpDef> SpectrogramOps() {
  return {{"Spectrogram", {"spec"}, EvalSpectrogram}, {"Dct", {"spec"}, EvalDct}};
}

}  // namespace mote::modelc
