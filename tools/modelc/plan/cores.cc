#include "plan/cores.h"

#include <algorithm>
#include <stdexcept>

#include "emit/weight_layout.h"
#include "frontend/audio_frontend.h"
#include "kernels/reference/spectrogram.h"
#include "kernels/scratch.h"

namespace mote::modelc {
namespace {

using kernel_scratch::KernelSet;

KernelSet KernelSetOf(const std::string& core) {
  if (core == "cortex-m55") return KernelSet::kCortexMMve;
  if (core == "cortex-m4" || core == "cortex-m7" || core == "cortex-m33") {
    return KernelSet::kCortexMDsp;
  }
  return KernelSet::kReference;
}

reference::Window2D WindowOf(const Graph& g, const Node& n) {
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const Shape& out = g.tensors[n.outputs[0]].shape;
  auto i = [&](const char* key, int64_t fallback) {
    return static_cast<int32_t>(n.attr_int(key, fallback));
  };
  auto d = [](int64_t v) { return static_cast<int32_t>(v); };
  return {d(in[0]),           d(in[1]),         d(in[2]),         d(in[3]),
          d(out[1]),          d(out[2]),        d(out[3]),        i("filter_h", 1),
          i("filter_w", 1),   i("stride_h", 1), i("stride_w", 1), i("dilation_h", 1),
          i("dilation_w", 1), i("pad_top", 0),  i("pad_left", 0)};
}

// What the kernels of one kernel set need for node n.
size_t ScratchOn(KernelSet k, const Graph& g, const Node& n) {
  if (n.op == "Spectrogram") {  // the FFT's frame (and with top_db every log), any core
    const FrontendSpec spec = ParseFrontend(n.attrs.at("spec").s);
    const FrontendTables t = TablesFor(spec, spec.samples);
    const reference::SpectrogramShape shape = {
        static_cast<int32_t>(spec.samples), static_cast<int32_t>(spec.n_fft), 0,
        static_cast<int32_t>(t.frames), 0, static_cast<int32_t>(t.bands), false,
        reference::SpectrumKind::kPower, reference::LogKind::kNatural};
    return reference::SpectrogramScratchBytes(shape, spec.decibel() && spec.top_db > 0);
  }
  if (n.inputs.size() < 2 || n.inputs[0] < 0 || n.inputs[1] < 0 || n.outputs.empty()) return 0;
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& w = g.tensors[n.inputs[1]];
  if (in.dtype != DType::kInt8 && in.dtype != DType::kInt16) return 0;
  const bool int8 = in.dtype == DType::kInt8;
  if (n.op == "Conv2D") {
    if (in.shape.size() != 4 || g.tensors[n.outputs[0]].shape.size() != 4) return 0;
    const reference::Window2D window = WindowOf(g, n);
    const int32_t groups = static_cast<int32_t>(n.attr_int("groups", 1));
    return int8 ? kernel_scratch::Conv2DInt8Bytes(k, window, groups)
                : kernel_scratch::Conv2DInt16Bytes(k, window, groups);
  }
  if (n.op == "FullyConnected") {
    if (w.shape.size() != 2 || w.shape[1] < 1) return 0;
    const size_t depth = static_cast<size_t>(w.shape[1]);
    const reference::FullyConnectedShape shape = {
        static_cast<size_t>(NumElements(in.shape)) / depth, depth, static_cast<size_t>(w.shape[0]),
        InterleavesWeights(g, n)};
    return int8 ? kernel_scratch::FullyConnectedInt8Bytes(k, shape)
                : kernel_scratch::FullyConnectedInt16Bytes(k, shape);
  }
  return 0;
}

}  // namespace

const std::vector<std::string>& AllCores() {
  static const std::vector<std::string> cores = {"cortex-m0", "cortex-m3",  "cortex-m4",
                                                 "cortex-m7", "cortex-m33", "cortex-m55"};
  return cores;
}

std::vector<std::string> ParseCores(const std::string& list) {
  if (list == "all") return AllCores();
  std::vector<std::string> named;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string core = list.substr(start, comma - start);
    if (std::find(AllCores().begin(), AllCores().end(), core) == AllCores().end()) {
      std::string have;
      for (const std::string& c : AllCores()) have += (have.empty() ? "" : ", ") + c;
      throw std::invalid_argument("--cores: unknown core '" + core + "' (have " + have +
                                  ", or all)");
    }
    named.push_back(core);
    start = comma + 1;
  }
  std::vector<std::string> cores;
  for (const std::string& c : AllCores()) {
    if (std::find(named.begin(), named.end(), c) != named.end()) cores.push_back(c);
  }
  return cores;
}

bool UsesEffectiveBias(const std::vector<std::string>& cores) {
  for (const std::string& c : cores) {
    if (KernelSetOf(c) == KernelSet::kCortexMMve) return true;
  }
  return false;
}

int64_t ScratchBytes(const Graph& g, const Node& n, const std::vector<std::string>& cores) {
  size_t bytes = 0;
  for (const std::string& c : cores) bytes = std::max(bytes, ScratchOn(KernelSetOf(c), g, n));
  return static_cast<int64_t>(bytes);
}

}  // namespace mote::modelc
