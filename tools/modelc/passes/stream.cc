#include "passes/stream.h"

#include <algorithm>
#include <sstream>

#include "frontend/audio_frontend.h"
#include "plan/memory_planner.h"

namespace mote::modelc {
namespace {

[[noreturn]] void Refuse(const std::string& reason) {
  throw ConvertError("--stream: " + reason, ErrorKind::kUnsupported);
}

int64_t ParseInt(const std::string& key, const std::string& value) {
  try {
    size_t used = 0;
    const int64_t v = std::stoll(value, &used);
    if (used == value.size()) return v;
  } catch (const std::exception&) {
  }
  throw ConvertError("--stream: " + key + " must be an integer, not '" + value + "'");
}

Tensor& At(Graph& g, int t) { return g.tensors[static_cast<size_t>(t)]; }

// The real value of a constant initial state is zero everywhere.
bool AllZero(const Tensor& t) {
  if (!t.is_const()) return false;
  for (int64_t k = 0; k < t.constant->size(); ++k) {
    if (t.constant->AsFloat(k) != 0.0f) return false;
  }
  return true;
}

}  // namespace

StreamSpec ParseStreamSpec(const std::string& text) {
  StreamSpec spec;
  std::stringstream in(text);
  std::string item;
  bool have_hop = false;
  while (std::getline(in, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) throw ConvertError("--stream: '" + item + "' is not KEY=VALUE");
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "input") {
      spec.input = value;
    } else if (key == "axis") {
      spec.axis = ParseInt(key, value);
    } else if (key == "hop") {
      spec.hop = ParseInt(key, value);
      have_hop = true;
    } else if (key == "mode") {
      if (value == "auto")
        spec.mode = StreamMode::kAuto;
      else if (value == "fifo")
        spec.mode = StreamMode::kFifo;
      else if (value == "state")
        spec.mode = StreamMode::kState;
      else
        throw ConvertError("--stream: mode must be auto, fifo or state, not '" + value + "'");
    } else {
      throw ConvertError("--stream: unknown key '" + key + "' (input, axis, hop, mode)");
    }
  }
  if (!have_hop) throw ConvertError("--stream: hop=N is required");
  return spec;
}

int ConnectFifo(Graph& g, int source, int window, int64_t axis, const std::string& name) {
  const Tensor& src = At(g, source);
  const Tensor& win = At(g, window);
  if (g.Producer(window) >= 0 || g.IsGraphInput(window) || win.is_const()) {
    throw ConvertError("fifo window '" + win.name + "' must be a tensor nothing else writes");
  }
  if (src.dtype != win.dtype || src.shape.size() != win.shape.size() || axis < 0 ||
      axis >= static_cast<int64_t>(win.shape.size())) {
    throw ConvertError("fifo source '" + src.name + "' and window '" + win.name +
                       "' differ in type or rank, or the axis is outside them");
  }
  for (size_t k = 0; k < win.shape.size(); ++k) {
    const bool along = static_cast<int64_t>(k) == axis;
    if ((!along && src.shape[k] != win.shape[k]) ||
        (along && (src.shape[k] < 1 || src.shape[k] > win.shape[k]))) {
      throw ConvertError("fifo source '" + src.name + "' " + ShapeString(src.shape) +
                         " does not fit window '" + win.name + "' " + ShapeString(win.shape));
    }
  }
  if (src.quant.has_value() != win.quant.has_value() ||
      (src.quant &&
       (src.quant->scale != win.quant->scale || src.quant->zero_point != win.quant->zero_point))) {
    throw ConvertError("fifo source '" + src.name + "' and window '" + win.name +
                       "' must share quantization");
  }
  size_t at = g.nodes.size();
  for (int c : g.Consumers(window)) at = std::min(at, static_cast<size_t>(c));
  const int producer = g.Producer(source);
  if (producer >= static_cast<int>(at)) {
    throw ConvertError("fifo source '" + src.name + "' is computed after window '" + win.name +
                       "' is read");
  }
  Node n;
  n.name = name;
  n.op = "Fifo";
  n.inputs = {source};
  n.outputs = {window};
  n.attrs["axis"].i = axis;
  n.attrs["hop"].i = src.shape[static_cast<size_t>(axis)];
  n.attrs["length"].i = win.shape[static_cast<size_t>(axis)];
  g.nodes.insert(g.nodes.begin() + static_cast<std::ptrdiff_t>(at), std::move(n));
  At(g, window).persistent = true;
  return static_cast<int>(at);
}

StreamedInput StreamThroughFifo(Graph& g, int input, int64_t axis, int64_t hop) {
  Tensor fresh = At(g, input);
  fresh.shape[static_cast<size_t>(axis)] = hop;
  const std::string name = fresh.name;
  At(g, input).name = name + ".window";
  const int x = g.AddTensor(std::move(fresh));
  std::replace(g.inputs.begin(), g.inputs.end(), input, x);
  const int64_t length = At(g, input).shape[static_cast<size_t>(axis)];
  ConnectFifo(g, x, input, axis, name + ".fifo");
  return {x, axis, hop, length, StreamMode::kFifo};
}

StreamedInput StreamThroughState(Graph& g, int input, int64_t axis, int64_t hop) {
  // Follow the time axis through Transposes to the Rnn's X.
  std::vector<std::pair<int, int64_t>> chain = {{input, axis}};  // tensor, its time axis
  int rnn = -1;
  for (;;) {
    const auto [t, ax] = chain.back();
    const std::vector<int> consumers = g.Consumers(t);
    if (g.IsGraphOutput(t) || consumers.size() != 1) {
      Refuse("'" + At(g, t).name + "' is read by " + std::to_string(consumers.size()) +
             " ops (stateful stepping needs one path to a recurrent layer)");
    }
    const Node& n = g.nodes[static_cast<size_t>(consumers[0])];
    if (n.op == "Rnn" && n.inputs[0] == t) {
      if (ax != 0) Refuse("the time axis reaches " + n.name + " off its step axis");
      rnn = consumers[0];
      break;
    }
    if (n.op != "Transpose") {
      Refuse("the time axis reaches " + n.op + " " + n.name + " before a recurrent layer");
    }
    const std::vector<int64_t> perm = n.attr_ints("perm");
    const auto it = std::find(perm.begin(), perm.end(), ax);
    if (it == perm.end()) Refuse("transpose " + n.name + " has no permutation");
    chain.push_back({n.outputs[0], it - perm.begin()});
  }
  Node& n = g.nodes[static_cast<size_t>(rnn)];
  if (n.attr_int("reverse", 0) != 0 || At(g, n.outputs[1]).shape[0] != 1) {
    Refuse(n.name + " runs backwards or both ways: only a forward recurrence can step");
  }
  for (size_t k : {size_t{4}, size_t{5}}) {
    if (k < n.inputs.size() && n.inputs[k] >= 0 && !AllZero(At(g, n.inputs[k]))) {
      Refuse(n.name + " starts from a given non-zero state");
    }
  }
  const int y = n.outputs[0];
  if (g.IsGraphOutput(y) || !g.Consumers(y).empty()) {
    Refuse(n.name + "'s every-step output is used (stream it with mode=fifo)");
  }
  // Checked: now rewrite.
  for (const auto& [t, ax] : chain) At(g, t).shape[static_cast<size_t>(ax)] = hop;
  At(g, y).shape[0] = hop;
  for (size_t k : {size_t{4}, size_t{5}}) {
    if (k < n.inputs.size()) n.inputs[k] = -1;
  }
  while (!n.inputs.empty() && n.inputs.back() < 0) n.inputs.pop_back();
  n.attrs["stateful"].i = 1;
  At(g, n.outputs[2]).persistent = true;
  return {input, axis, hop, 0, StreamMode::kState};
}

StreamedInput StreamThroughFrontend(Graph& g, int input, int64_t axis, int64_t hop) {
  const std::vector<int> readers = g.Consumers(input);
  if (readers.size() != 1 || g.nodes[static_cast<size_t>(readers[0])].op != "Spectrogram") {
    Refuse("'" + At(g, input).name + "' is not read by the front-end's Spectrogram alone");
  }
  const int spectrogram = readers[0];
  FrontendSpec spec = ParseFrontend(g.nodes[static_cast<size_t>(spectrogram)].attrs.at("spec").s);
  const int64_t samples = At(g, input).shape.back();
  if (axis != static_cast<int64_t>(At(g, input).shape.size()) - 1) {
    Refuse("raw audio streams along its samples axis " +
           std::to_string(At(g, input).shape.size() - 1) + ", not " + std::to_string(axis));
  }
  if (spec.center) {
    Refuse(
        "--frontend center=true pads each clip's two ends by reflection, which a stream has not "
        "got; train and convert with center=false to stream raw audio");
  }
  if (spec.decibel() && spec.top_db > 0) {
    Refuse(
        "--frontend top_db clamps every feature at the whole clip's loudest minus top_db, which "
        "no single hop knows; use top_db=none to stream raw audio");
  }
  if (hop % spec.hop_length != 0) {
    Refuse("hop " + std::to_string(hop) + " of raw audio must be a multiple of the front-end's " +
           "hop_length " + std::to_string(spec.hop_length) + " (one or more whole frames)");
  }
  if (spec.hop_length > spec.n_fft) {
    Refuse("hop_length " + std::to_string(spec.hop_length) + " above n_fft skips samples");
  }
  const int64_t per_hop = hop / spec.hop_length;  // frames per invoke
  const int64_t frames = spec.frames(samples);
  if (per_hop > frames) {
    Refuse("hop " + std::to_string(hop) + " holds more than the classifier's " +
           std::to_string(frames) + " frames");
  }
  // The front-end's last tensor: the Spectrogram's, or the Dct's after it (mfcc).
  int last = spectrogram;
  int mels = -1;
  {
    const int out = g.nodes[static_cast<size_t>(spectrogram)].outputs[0];
    const std::vector<int> next = g.Consumers(out);
    if (next.size() == 1 && g.nodes[static_cast<size_t>(next[0])].op == "Dct") {
      last = next[0];
      mels = out;
    }
  }
  const int features = g.nodes[static_cast<size_t>(last)].outputs[0];
  const Shape& fshape = At(g, features).shape;
  const size_t time_axis = spec.mel_time() ? fshape.size() - 1 : fshape.size() - 2;
  if (fshape.size() < 2 || fshape[time_axis] != frames) {
    Refuse("the front-end's output '" + At(g, features).name + "' " + ShapeString(fshape) +
           " does not hold " + std::to_string(frames) + " frames where expected");
  }
  // Checked: now rewrite. The front-end computes `per_hop` frames per invoke.
  spec.samples = spec.n_fft + (per_hop - 1) * spec.hop_length;
  for (int n : {spectrogram, last})
    g.nodes[static_cast<size_t>(n)].attrs["spec"].s = spec.Canonical();
  if (mels >= 0) At(g, mels).shape[1] = per_hop;  // [1, frames, n_mels] between the two
  Tensor frame = At(g, features);
  frame.name = At(g, features).name + ".frames";
  frame.shape[time_axis] = per_hop;
  const int fresh_frames = g.AddTensor(std::move(frame));
  g.nodes[static_cast<size_t>(last)].outputs[0] = fresh_frames;
  ConnectFifo(g, fresh_frames, features, static_cast<int64_t>(time_axis), "frontend.frames.fifo");
  // The audio: a window of the samples those frames need.
  At(g, input).shape.back() = spec.samples;
  StreamedInput result = StreamThroughFifo(g, input, axis, hop);
  result.mode = StreamMode::kFrontend;
  // A clip's samples after its last frame (samples= beyond the frames) are
  // never read: the stream's clip ends with that frame.
  result.length = spec.n_fft + (frames - 1) * spec.hop_length;
  result.lead = (hop - result.length % hop) % hop;
  return result;
}

StreamedInput StreamInput(Graph& g, const StreamSpec& spec) {
  int input = -1;
  for (int t : g.inputs) {
    if (At(g, t).name == spec.input || (spec.input.empty() && g.inputs.size() == 1)) input = t;
  }
  if (input < 0) {
    std::string names;
    for (int t : g.inputs) names += (names.empty() ? "" : ", ") + At(g, t).name;
    throw ConvertError("--stream: no graph input '" + spec.input + "' (inputs: " + names + ")");
  }
  const Shape& shape = At(g, input).shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t axis = spec.axis < 0 ? spec.axis + rank : spec.axis;
  if (axis < 0 || axis >= rank) {
    throw ConvertError("--stream: axis " + std::to_string(spec.axis) + " is outside input '" +
                       At(g, input).name + "' " + ShapeString(shape));
  }
  const int64_t length = shape[static_cast<size_t>(axis)];
  const std::vector<int> readers = g.Consumers(input);
  if (spec.mode != StreamMode::kFifo && readers.size() == 1 &&
      g.nodes[static_cast<size_t>(readers[0])].op == "Spectrogram") {
    if (spec.hop < 1) throw ConvertError("--stream: hop must be positive");
    return StreamThroughFrontend(g, input, axis, spec.hop);
  }
  if (spec.hop < 1 || spec.hop > length || length % spec.hop != 0) {
    throw ConvertError("--stream: hop " + std::to_string(spec.hop) + " must divide the length " +
                       std::to_string(length) + " of axis " + std::to_string(axis) + " of '" +
                       At(g, input).name + "'");
  }
  StreamedInput result;
  if (spec.mode == StreamMode::kFifo) {
    result = StreamThroughFifo(g, input, axis, spec.hop);
  } else {
    try {
      result = StreamThroughState(g, input, axis, spec.hop);
    } catch (const ConvertError&) {
      if (spec.mode == StreamMode::kState) throw;
      result = StreamThroughFifo(g, input, axis, spec.hop);
    }
  }
  result.length = length;
  return result;
}

int64_t StateBytes(const Graph& g) {
  int64_t bytes = 0;
  for (const Tensor& t : g.tensors) {
    if (t.persistent) bytes += TensorBytes(t);
  }
  return bytes;
}

}  // namespace mote::modelc
