// ONNX opset 17 signal ops: DFT, STFT, MelWeightMatrix, HannWindow,
// HammingWindow, BlackmanWindow, and the Range and Cos their ONNX function
// bodies (the *_expanded node tests) use.
//
// The windows, MelWeightMatrix and Range take sizes, so their outputs' shapes
// depend on input values: they must be constants and fold (their eval is the
// reference). DFT and STFT on computed signals become existing runtime ops
// (DecomposeSignalOps, run before lowering): the DFT as a MatMul by a
// constant cos/sin matrix (real/imaginary interleaved in the last axis), the
// STFT's framing as a Gather (a StridedGather) with the window folded into
// that matrix. A matrix DFT costs n * bins * 2 multiplies per frame, O(n^2):
// fine for short frames and for matching ONNX exactly; the O(n log n) FFT is
// the runtime's Spectrogram (modelc --frontend).
#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ops/op_registry.h"
#include "passes/passes.h"

namespace mote::modelc {
namespace {

const Value& In(const Node& n, const OpInputs& ins, size_t k, const std::string& what) {
  if (k >= ins.size() || ins[k] == nullptr)
    Fail(n, what + " (input " + std::to_string(k) + ") is missing");
  return *ins[k];
}

bool Has(const OpInputs& ins, size_t k) { return k < ins.size() && ins[k] != nullptr; }

int64_t ScalarInt(const Node& n, const OpInputs& ins, size_t k, const std::string& what) {
  const Value& v = In(n, ins, k, what);
  if (v.size() != 1) Fail(n, what + " must hold one value, not " + std::to_string(v.size()));
  return v.AsInt(0);
}

double ScalarFloat(const Node& n, const OpInputs& ins, size_t k, const std::string& what) {
  const Value& v = In(n, ins, k, what);
  if (v.size() != 1) Fail(n, what + " must hold one value, not " + std::to_string(v.size()));
  return v.is_int ? static_cast<double>(v.i[0]) : static_cast<double>(v.f[0]);
}

// mote computes float32: any other requested output type is refused by name.
void CheckOutputType(const Node& n) {
  const int64_t type = n.attr_int("output_datatype", 1);
  if (type != 1) {
    Unsupported(n,
                "output_datatype " + std::to_string(type) + " is not supported (only 1, float32)");
  }
}

// A matrix DFT costs rows * n * bins * 2 multiplies: past this it is refused
// (no microcontroller model needs a billion per inference), which also
// bounds the reference's time and the matrix's size.
constexpr int64_t kMaxDftMacs = int64_t{1} << 30;

void CheckDftCost(const Node& n, int64_t rows, int64_t matrix_entries) {
  if (matrix_entries > kMaxInputElements || (rows > 0 && matrix_entries > kMaxDftMacs / rows)) {
    Unsupported(n, "a matrix DFT of " + std::to_string(matrix_entries) + " coefficients over " +
                       std::to_string(rows) +
                       " rows is too costly (at most 2^30 multiplies and 2^24 coefficients)");
  }
}

void CheckLength(const Node& n, int64_t v, const std::string& what) {
  if (v < 1 || v > kMaxInputElements) {
    Fail(n, what + " " + std::to_string(v) + " out of range (1 to " +
                std::to_string(kMaxInputElements) + ")");
  }
}

// ------------------------------------------------------------------ windows

struct Cosines {
  double a0, a1, a2;
};

template <int kKind>
std::vector<Value> EvalWindow(const Graph&, const Node& n, const OpInputs& ins) {
  // ONNX's coefficients: Hann, Hamming (25/46, 21/46), Blackman.
  static constexpr Cosines kCoefficients[] = {
      {0.5, 0.5, 0.0}, {25.0 / 46.0, 21.0 / 46.0, 0.0}, {0.42, 0.5, 0.08}};
  const Cosines c = kCoefficients[kKind];
  CheckOutputType(n);
  const int64_t size = ScalarInt(n, ins, 0, "size");
  CheckLength(n, size, "size");
  const bool periodic = n.attr_int("periodic", 1) != 0;
  const double span = static_cast<double>(periodic ? size : size - 1);
  Eigen::ArrayXf w(size);
  for (int64_t k = 0; k < size; ++k) {
    const double angle = span == 0 ? 0.0 : 2.0 * std::numbers::pi * static_cast<double>(k) / span;
    w[k] = static_cast<float>(c.a0 - c.a1 * std::cos(angle) + c.a2 * std::cos(2.0 * angle));
  }
  return {Value::Float({size}, std::move(w))};
}

// ---------------------------------------------------------- MelWeightMatrix

// As ONNX's opset 17 definition (its node test's reference): num_mel_bins + 2
// band edges spaced evenly in HTK mels, the mel step being the range over
// num_mel_bins + 2, each edge floored to a bin of (dft_length + 1) / sample_rate;
// triangular bands between neighbouring edges.
std::vector<Value> EvalMelWeightMatrix(const Graph&, const Node& n, const OpInputs& ins) {
  CheckOutputType(n);
  const int64_t mels = ScalarInt(n, ins, 0, "num_mel_bins");
  const int64_t dft_length = ScalarInt(n, ins, 1, "dft_length");
  const int64_t rate = ScalarInt(n, ins, 2, "sample_rate");
  const double lower = ScalarFloat(n, ins, 3, "lower_edge_hertz");
  const double upper = ScalarFloat(n, ins, 4, "upper_edge_hertz");
  CheckLength(n, mels, "num_mel_bins");
  CheckLength(n, dft_length, "dft_length");
  CheckLength(n, rate, "sample_rate");
  if (!(lower >= 0 && lower < upper && std::isfinite(upper))) {
    Fail(n, "lower_edge_hertz " + std::to_string(lower) + " and upper_edge_hertz " +
                std::to_string(upper) + " must satisfy 0 <= lower < upper");
  }
  const int64_t bins = dft_length / 2 + 1;
  if (bins * mels > kMaxInputElements) Fail(n, "the matrix is too large");
  auto mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
  const double low_mel = mel(lower), step = (mel(upper) - low_mel) / static_cast<double>(mels + 2);
  std::vector<int64_t> edge(static_cast<size_t>(mels + 2));
  for (int64_t k = 0; k < mels + 2; ++k) {
    const double hz =
        700.0 * (std::pow(10.0, (static_cast<double>(k) * step + low_mel) / 2595.0) - 1.0);
    edge[k] = static_cast<int64_t>(
        std::floor(static_cast<double>(dft_length + 1) * hz / static_cast<double>(rate)));
    if (edge[k] < 0 || edge[k] >= bins) {
      Fail(n, "band edge " + std::to_string(k) + " falls on bin " + std::to_string(edge[k]) +
                  ", outside the " + std::to_string(bins) +
                  " bins (upper_edge_hertz above sample_rate / 2?)");
    }
  }
  Eigen::ArrayXf w = Eigen::ArrayXf::Zero(bins * mels);
  for (int64_t m = 0; m < mels; ++m) {
    const int64_t lo = edge[m], center = edge[m + 1], hi = edge[m + 2];
    if (center == lo) {
      w[center * mels + m] = 1.0f;
    } else {
      for (int64_t j = lo; j <= center; ++j) {
        w[j * mels + m] =
            static_cast<float>(static_cast<double>(j - lo) / static_cast<double>(center - lo));
      }
    }
    for (int64_t j = center; j < hi; ++j) {
      w[j * mels + m] =
          static_cast<float>(static_cast<double>(hi - j) / static_cast<double>(hi - center));
    }
  }
  return {Value::Float({bins, mels}, std::move(w))};
}

// ------------------------------------------------------------- Range, Cos

std::vector<Value> EvalRange(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& start = In(n, ins, 0, "start");
  const Value& limit = In(n, ins, 1, "limit");
  const Value& delta = In(n, ins, 2, "delta");
  const bool ints = start.is_int && limit.is_int && delta.is_int;
  const double s = ScalarFloat(n, ins, 0, "start"), l = ScalarFloat(n, ins, 1, "limit"),
               d = ScalarFloat(n, ins, 2, "delta");
  if (d == 0 || !std::isfinite(s) || !std::isfinite(l) || !std::isfinite(d)) {
    Fail(n, "delta must be finite and not 0, start and limit finite");
  }
  const double count = std::max(std::ceil((l - s) / d), 0.0);
  if (count > static_cast<double>(kMaxInputElements)) Fail(n, "the range is too long");
  const int64_t len = static_cast<int64_t>(count);
  if (ints) {
    std::vector<int64_t> v(static_cast<size_t>(len));
    for (int64_t k = 0; k < len; ++k) v[k] = start.i[0] + k * delta.i[0];
    return {Value::Int({len}, std::move(v))};
  }
  // ONNX adds delta repeatedly in the output type (float32).
  Eigen::ArrayXf v(len);
  float x = static_cast<float>(s);
  for (int64_t k = 0; k < len; ++k, x += static_cast<float>(d)) v[k] = x;
  return {Value::Float({len}, std::move(v))};
}

std::vector<Value> EvalCos(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = In(n, ins, 0, "input");
  Eigen::ArrayXf y(x.size());
  for (int64_t k = 0; k < x.size(); ++k)
    y[k] = static_cast<float>(std::cos(static_cast<double>(x.AsFloat(k))));
  return {Value::Float(x.shape, std::move(y))};
}

// ---------------------------------------------------------------- DFT, STFT

// The DFT of `length` points as a [n * c, bins * 2] row-major matrix: row
// j * c + part (input sample j, real or imaginary), column k * 2 + part. The
// input is truncated or zero-padded to `length`; `window` (empty: none)
// scales each input sample; the inverse divides by `length`.
std::vector<double> DftMatrix(int64_t n, int64_t c, int64_t length, int64_t bins, bool inverse,
                              const std::vector<double>& window) {
  std::vector<double> m(static_cast<size_t>(n * c * bins * 2), 0.0);
  const double sign = inverse ? 1.0 : -1.0,
               scale = inverse ? 1.0 / static_cast<double>(length) : 1.0;
  for (int64_t j = 0; j < std::min(n, length); ++j) {
    const double w = (window.empty() ? 1.0 : window[j]) * scale;
    for (int64_t k = 0; k < bins; ++k) {
      // The angle from (j * k) mod length: exact for any size.
      const double angle = 2.0 * std::numbers::pi * static_cast<double>((j * k) % length) /
                           static_cast<double>(length);
      const double cs = w * std::cos(angle), sn = w * sign * std::sin(angle);
      // (xr + i xi) (cos + i sign sin)
      m[(j * c) * bins * 2 + k * 2] = cs;
      m[(j * c) * bins * 2 + k * 2 + 1] = sn;
      if (c == 2) {
        m[(j * c + 1) * bins * 2 + k * 2] = -sn;
        m[(j * c + 1) * bins * 2 + k * 2 + 1] = cs;
      }
    }
  }
  return m;
}

struct DftShape {
  int64_t axis = 1;    // the transformed axis
  int64_t n = 0;       // its length in the input
  int64_t c = 1;       // 1 (real) or 2 (complex) values per sample
  int64_t length = 0;  // dft_length
  int64_t bins = 0;    // output length along the axis
  bool inverse = false;
  Shape out;
};

DftShape DftShapeOf(const Graph& g, const Node& n, const Shape& x, const OpInputs& ins) {
  DftShape d;
  const int64_t rank = static_cast<int64_t>(x.size());
  if (rank < 2)
    Fail(n, "the input must have rank 2 or more (the last axis: real, or real and imaginary)");
  d.c = x.back();
  if (d.c != 1 && d.c != 2)
    Fail(n, "the last axis must be 1 (real) or 2 (complex), not " + std::to_string(d.c));
  int64_t axis = n.attr_int("axis", 1);
  if (g.opset >= 20) {  // the axis became input 2 (default -2)
    if (n.has_attr("axis")) Fail(n, "since opset 20 the axis is input 2, not an attribute");
    axis = Has(ins, 2) ? ScalarInt(n, ins, 2, "axis") : -2;
  }
  if (axis < -rank || axis >= rank - 1 || axis == -1) {
    Fail(n, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank) +
                " (the last axis holds the real and imaginary parts)");
  }
  d.axis = axis < 0 ? axis + rank : axis;
  d.n = x[d.axis];
  CheckLength(n, d.n, "the length of axis " + std::to_string(d.axis));
  d.length = Has(ins, 1) ? ScalarInt(n, ins, 1, "dft_length") : d.n;
  CheckLength(n, d.length, "dft_length");
  d.inverse = n.attr_int("inverse", 0) != 0;
  const bool onesided = n.attr_int("onesided", 0) != 0;
  if (d.inverse && onesided) Unsupported(n, "inverse=1 with onesided=1 is not supported");
  // ONNX: "if the input or window tensors are complex, then onesided output is not possible".
  if (onesided && d.c == 2)
    Fail(n, "onesided=1 needs a real input (its last axis 1), not a complex one");
  d.bins = onesided ? d.length / 2 + 1 : d.length;
  d.out = x;
  d.out[d.axis] = d.bins;
  d.out.back() = 2;
  CheckDftCost(n, NumElements(x) / (d.n * d.c), d.n * d.c * d.bins * 2);
  return d;
}

// y[o, k, i, :] = sum_j x[o, j, i, :] m[j, k]: the matrix applied along the axis.
Value ApplyAlongAxis(const Value& x, const DftShape& d, const std::vector<double>& m) {
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < d.axis; ++a) outer *= x.shape[a];
  for (size_t a = static_cast<size_t>(d.axis) + 1; a + 1 < x.shape.size(); ++a) inner *= x.shape[a];
  Eigen::ArrayXf y = Eigen::ArrayXf::Zero(NumElements(d.out));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      for (int64_t q = 0; q < d.bins * 2; ++q) {
        double sum = 0.0;
        for (int64_t j = 0; j < d.n; ++j) {
          for (int64_t p = 0; p < d.c; ++p) {
            sum += static_cast<double>(x.AsFloat(((o * d.n + j) * inner + i) * d.c + p)) *
                   m[(j * d.c + p) * d.bins * 2 + q];
          }
        }
        y[((o * d.bins + q / 2) * inner + i) * 2 + q % 2] = static_cast<float>(sum);
      }
    }
  }
  return Value::Float(d.out, std::move(y));
}

std::vector<Value> EvalDft(const Graph& g, const Node& n, const OpInputs& ins) {
  const Value& x = In(n, ins, 0, "input");
  const DftShape d = DftShapeOf(g, n, x.shape, ins);
  return {ApplyAlongAxis(x, d, DftMatrix(d.n, d.c, d.length, d.bins, d.inverse, {}))};
}

struct StftShape {
  int64_t batch = 0, samples = 0, c = 1, step = 0, frame = 0, frames = 0, bins = 0;
  std::vector<double> window;
};

StftShape StftShapeOf(const Node& n, const Shape& signal, const OpInputs& ins) {
  StftShape s;
  if (signal.size() != 3 || (signal[2] != 1 && signal[2] != 2)) {
    Fail(n, "the signal must be [batch, length, 1 or 2], not " + ShapeString(signal));
  }
  s.batch = signal[0];
  s.samples = signal[1];
  s.c = signal[2];
  s.step = ScalarInt(n, ins, 1, "frame_step");
  CheckLength(n, s.step, "frame_step");
  if (Has(ins, 2)) {
    const Value& w = *ins[2];
    if (w.shape.size() != 1) Fail(n, "the window must be 1-D, not " + ShapeString(w.shape));
    for (int64_t k = 0; k < w.size(); ++k) s.window.push_back(w.AsFloat(k));
    s.frame = w.size();
  }
  if (Has(ins, 3)) {
    const int64_t length = ScalarInt(n, ins, 3, "frame_length");
    if (Has(ins, 2) && length != s.frame) {
      Fail(n, "frame_length " + std::to_string(length) + " differs from the window's length " +
                  std::to_string(s.frame));
    }
    s.frame = length;
  }
  if (!Has(ins, 2) && !Has(ins, 3)) Fail(n, "needs a window or a frame_length");
  CheckLength(n, s.frame, "frame_length");
  if (s.frame > s.samples) {
    Fail(n, "frame_length " + std::to_string(s.frame) + " is longer than the signal (" +
                std::to_string(s.samples) + " samples)");
  }
  s.frames = (s.samples - s.frame) / s.step + 1;
  const bool onesided = n.attr_int("onesided", 1) != 0;
  if (onesided && s.c == 2) {
    Fail(n, "onesided=1 (the default) needs a real signal (its last axis 1), not a complex one");
  }
  s.bins = onesided ? s.frame / 2 + 1 : s.frame;
  CheckDftCost(n, s.batch * s.frames, s.frame * s.c * s.bins * 2);
  return s;
}

std::vector<double> StftMatrix(const StftShape& s) {
  return DftMatrix(s.frame, s.c, s.frame, s.bins, false, s.window);
}

std::vector<Value> EvalStft(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = In(n, ins, 0, "signal");
  const StftShape s = StftShapeOf(n, x.shape, ins);
  const std::vector<double> m = StftMatrix(s);
  Eigen::ArrayXf y = Eigen::ArrayXf::Zero(s.batch * s.frames * s.bins * 2);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t f = 0; f < s.frames; ++f) {
      for (int64_t q = 0; q < s.bins * 2; ++q) {
        double sum = 0.0;
        for (int64_t j = 0; j < s.frame * s.c; ++j) {
          sum += static_cast<double>(x.AsFloat((b * s.samples + f * s.step) * s.c + j)) *
                 m[j * s.bins * 2 + q];
        }
        y[(b * s.frames + f) * s.bins * 2 + q] = static_cast<float>(sum);
      }
    }
  }
  return {Value::Float({s.batch, s.frames, s.bins, 2}, std::move(y))};
}

// ---------------------------------------------------------- decomposition

int NewTensor(Graph& g, const std::string& name, const Shape& shape) {
  Tensor t;
  t.name = name;
  t.shape = shape;
  return g.AddTensor(std::move(t));
}

Node MakeNode(const std::string& name, const std::string& op, std::vector<int> inputs, int output) {
  Node m;
  m.name = name;
  m.op = op;
  m.inputs = std::move(inputs);
  m.outputs = {output};
  return m;
}

// A tensor's value if it is a constant, else nullptr.
const Value* ConstOf(const Graph& g, const Node& n, size_t k) {
  if (k >= n.inputs.size() || n.inputs[k] < 0) return nullptr;
  const Tensor& t = g.tensors[n.inputs[k]];
  return t.is_const() ? &*t.constant : nullptr;
}

int MatrixConstant(Graph& g, const std::string& name, int64_t rows, int64_t cols,
                   const std::vector<double>& m) {
  Eigen::ArrayXf v(rows * cols);
  for (int64_t k = 0; k < rows * cols; ++k) v[k] = static_cast<float>(m[k]);
  return g.AddConstant(name, Value::Float({rows, cols}, std::move(v)));
}

// The DFT along its axis: [Transpose the axis next to last] -> Reshape to
// rows -> MatMul by the constant matrix -> Reshape -> [Transpose back].
std::vector<Node> DecomposeDft(Graph& g, const Node& n) {
  const int x = n.inputs.at(0), y = n.outputs.at(0);
  const Shape xs = g.tensors[x].shape;
  const OpInputs ins = {nullptr, ConstOf(g, n, 1), ConstOf(g, n, 2)};
  const DftShape d = DftShapeOf(g, n, xs, ins);
  const int64_t rank = static_cast<int64_t>(xs.size());
  std::vector<Node> nodes;
  std::vector<int64_t> perm(static_cast<size_t>(rank));
  for (int64_t k = 0; k < rank; ++k) perm[k] = k;
  std::swap(perm[d.axis], perm[rank - 2]);
  const bool moved = d.axis != rank - 2;
  Shape moved_in = xs, moved_out = d.out;
  std::swap(moved_in[d.axis], moved_in[rank - 2]);
  std::swap(moved_out[d.axis], moved_out[rank - 2]);
  int cur = x;
  if (moved) {
    const int t = NewTensor(g, n.name + ".moved", moved_in);
    Node tr = MakeNode(n.name + ".to_axis", "Transpose", {cur}, t);
    tr.attrs["perm"].ints = perm;
    nodes.push_back(tr);
    cur = t;
  }
  const int64_t rows = NumElements(xs) / (d.n * d.c);
  const int flat = NewTensor(g, n.name + ".rows", {rows, d.n * d.c});
  nodes.push_back(MakeNode(n.name + ".to_rows", "Reshape", {cur}, flat));
  const int w = MatrixConstant(g, n.name + ".dft_matrix", d.n * d.c, d.bins * 2,
                               DftMatrix(d.n, d.c, d.length, d.bins, d.inverse, {}));
  const int product = NewTensor(g, n.name + ".product", {rows, d.bins * 2});
  nodes.push_back(MakeNode(n.name, "MatMul", {flat, w}, product));
  const int shaped = moved ? NewTensor(g, n.name + ".moved_out", moved_out) : y;
  nodes.push_back(MakeNode(n.name + ".from_rows", "Reshape", {product}, shaped));
  if (moved) {
    Node tr = MakeNode(n.name + ".from_axis", "Transpose", {shaped}, y);
    tr.attrs["perm"].ints = perm;
    nodes.push_back(tr);
  }
  return nodes;
}

// The STFT: Reshape to [batch, samples * c] -> Gather the frames
// [batch, frames, frame * c] -> MatMul by the windowed DFT matrix -> Reshape.
std::vector<Node> DecomposeStft(Graph& g, const Node& n) {
  const int x = n.inputs.at(0), y = n.outputs.at(0);
  const OpInputs ins = {nullptr, ConstOf(g, n, 1), ConstOf(g, n, 2), ConstOf(g, n, 3)};
  const StftShape s = StftShapeOf(n, g.tensors[x].shape, ins);
  std::vector<Node> nodes;
  const int flat = NewTensor(g, n.name + ".flat", {s.batch, s.samples * s.c});
  nodes.push_back(MakeNode(n.name + ".flatten", "Reshape", {x}, flat));
  std::vector<int64_t> index;
  for (int64_t f = 0; f < s.frames; ++f) {
    for (int64_t j = 0; j < s.frame * s.c; ++j) index.push_back(f * s.step * s.c + j);
  }
  const int indices =
      g.AddConstant(n.name + ".frame_indices", Value::Int({s.frames, s.frame * s.c}, index));
  const int framed = NewTensor(g, n.name + ".frames", {s.batch, s.frames, s.frame * s.c});
  Node gather = MakeNode(n.name + ".framing", "Gather", {flat, indices}, framed);
  gather.attrs["axis"].i = 1;
  nodes.push_back(gather);
  const int w = MatrixConstant(g, n.name + ".dft_matrix", s.frame * s.c, s.bins * 2, StftMatrix(s));
  const int product = NewTensor(g, n.name + ".product", {s.batch, s.frames, s.bins * 2});
  nodes.push_back(MakeNode(n.name, "MatMul", {framed, w}, product));
  nodes.push_back(MakeNode(n.name + ".to_bins", "Reshape", {product}, y));
  return nodes;
}

// Inputs (by position) that set shapes or sizes: they must not depend on the
// graph's inputs. Keyed by op.
const std::map<std::string, std::vector<std::pair<size_t, std::string>>>& StaticInputs() {
  static const std::map<std::string, std::vector<std::pair<size_t, std::string>>> kInputs = {
      {"HannWindow", {{0, "size"}}},
      {"HammingWindow", {{0, "size"}}},
      {"BlackmanWindow", {{0, "size"}}},
      {"MelWeightMatrix",
       {{0, "num_mel_bins"},
        {1, "dft_length"},
        {2, "sample_rate"},
        {3, "lower_edge_hertz"},
        {4, "upper_edge_hertz"}}},
      {"Range", {{0, "start"}, {1, "limit"}, {2, "delta"}}},
      {"DFT", {{1, "dft_length"}, {2, "axis"}}},
      {"STFT", {{1, "frame_step"}, {2, "window"}, {3, "frame_length"}}},
  };
  return kInputs;
}

}  // namespace

void CheckSignalParameters(const Graph& g) {
  std::set<int> computed(g.inputs.begin(), g.inputs.end());
  for (const Node& n : g.nodes) {
    const auto it = StaticInputs().find(n.op);
    if (it != StaticInputs().end()) {
      for (const auto& [k, what] : it->second) {
        if (k < n.inputs.size() && computed.count(n.inputs[k])) {
          Unsupported(n, what + " (input " + std::to_string(k) + ", '" +
                             g.tensors[n.inputs[k]].name +
                             "') must be a constant: it sets the output's shape or the transform");
        }
      }
    }
    bool any = false;
    // A Shape's result is static (FoldConstants folds it): Range(0, Shape(x)[1], 1) folds.
    for (int t : n.inputs) any = any || (n.op != "Shape" && t >= 0 && computed.count(t));
    if (any) computed.insert(n.outputs.begin(), n.outputs.end());
  }
}

void DecomposeSignalOps(Graph& g) {
  std::vector<Node> nodes;
  for (Node& n : g.nodes) {
    if (n.op == "DFT" || n.op == "STFT") {
      CheckAttributes(*FindOp(n.op), n);
      for (Node& m : n.op == "DFT" ? DecomposeDft(g, n) : DecomposeStft(g, n))
        nodes.push_back(std::move(m));
      continue;
    }
    nodes.push_back(std::move(n));
  }
  g.nodes = std::move(nodes);
}

std::vector<OpDef> SignalOps() {
  return {{"DFT", {"axis", "inverse", "onesided"}, EvalDft},
          {"STFT", {"onesided"}, EvalStft},
          {"MelWeightMatrix", {"output_datatype"}, EvalMelWeightMatrix},
          {"HannWindow", {"periodic", "output_datatype"}, EvalWindow<0>},
          {"HammingWindow", {"periodic", "output_datatype"}, EvalWindow<1>},
          {"BlackmanWindow", {"periodic", "output_datatype"}, EvalWindow<2>},
          {"Range", {}, EvalRange},
          {"Cos", {}, EvalCos}};
}

}  // namespace mote::modelc
