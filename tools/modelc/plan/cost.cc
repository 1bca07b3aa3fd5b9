#include "plan/cost.h"

#include <algorithm>

#include "frontend/audio_frontend.h"
#include "ml/svm.h"
#include "ml/tree_model.h"
#include "plan/memory_planner.h"

namespace mote::modelc {

OpCost CostOf(const Graph& g, const Node& n) {
  OpCost c;
  const Tensor& out = g.tensors[n.outputs[0]];
  const int64_t elements = NumElements(out.shape);
  for (int t : n.inputs) {
    if (t >= 0) c.bytes_moved += TensorBytes(g.tensors[t]);
  }
  c.bytes_moved += TensorBytes(out);
  if (n.op == "FullyConnected") {
    c.macs = elements * g.tensors[n.inputs[1]].shape[1];
    c.elementwise = elements;  // requantize and clamp
  } else if (n.op == "Conv2D") {
    const Shape& w = g.tensors[n.inputs[1]].shape;  // OHWI
    c.macs = elements * w[1] * w[2] * w[3];
    c.elementwise = elements;
  } else if (n.op == "DepthwiseConv2D") {
    const Shape& w = g.tensors[n.inputs[1]].shape;  // [1, kh, kw, C]
    c.macs = elements * w[1] * w[2];
    c.elementwise = elements;
  } else if (n.op == "TransposeConv2D") {
    // Products: the (input, tap) pairs that land inside the output, per axis,
    // times out_c * in_c / groups; plus one reach test per output and tap.
    const Shape& in = g.tensors[n.inputs[0]].shape;   // NHWC
    const Shape& w = g.tensors[n.inputs[1]].shape;    // [out_c, kh, kw, in_c / groups]
    auto landing = [&](int64_t size, int64_t taps, int64_t stride, int64_t dilation, int64_t pad,
                       int64_t out) {
      int64_t count = 0;
      for (int64_t i = 0; i < size; ++i)
        for (int64_t k = 0; k < taps; ++k) {
          const int64_t o = i * stride + k * dilation - pad;
          count += o >= 0 && o < out;
        }
      return count;
    };
    const int64_t ys = landing(in[1], w[1], n.attr_int("stride_h", 1), n.attr_int("dilation_h", 1),
                               n.attr_int("pad_top", 0), out.shape[1]);
    const int64_t xs = landing(in[2], w[2], n.attr_int("stride_w", 1), n.attr_int("dilation_w", 1),
                               n.attr_int("pad_left", 0), out.shape[2]);
    c.macs = in[0] * ys * xs * w[0] * w[3];
    c.elementwise = elements * (1 + w[1] * w[2]);
  } else if (n.op == "Spectrogram") {
    // Per frame: window n MACs; real FFT of n points as a complex FFT of
    // n / 2: (n / 4) log2(n / 2) butterflies of 4 MACs, O(n log n); the real
    // split 4 MACs per bin; power 2 per bin; the filterbank's nonzero
    // weights. Elementwise: a log (and output mapping) per band.
    const FrontendSpec spec = ParseFrontend(n.attrs.at("spec").s);
    const FrontendTables t = TablesFor(spec, spec.samples);
    const int64_t fft = spec.n_fft;
    int64_t stages = 0;
    while ((int64_t{2} << stages) < fft) ++stages;  // log2(n / 2)
    const int64_t bins = fft / 2 + 1;
    const int64_t per_frame = fft + (fft / 4) * stages * 4 + 4 * bins + 2 * bins +
                              static_cast<int64_t>(t.weight.size());
    c.macs = t.frames * per_frame;
    c.elementwise = t.frames * t.bands * ((spec.decibel() && spec.top_db > 0) ? 3 : 2);
  } else if (n.op == "Dct") {
    const Shape& in = g.tensors[n.inputs[0]].shape;
    c.macs = elements * in.back();
    c.elementwise = elements;
  } else if (n.op == "Resize") {
    c.elementwise = n.attr_int("mode", 0) == 1 ? 3 * elements : elements;  // lerps or copies
  } else if (n.op == "MaxPool2D" || n.op == "AveragePool2D") {
    c.elementwise = elements * n.attr_int("filter_h", 1) * n.attr_int("filter_w", 1);
  } else if (n.op == "Mean") {
    c.elementwise = NumElements(g.tensors[n.inputs[0]].shape);
  } else if (n.op == "TreeEnsemble") {
    // Worst case: one comparison per level of every tree.
    const TreeModel m = ParseTreeModel(n);
    const Shape& in = g.tensors[n.inputs[0]].shape;
    c.elementwise = NumElements(in) / std::max<int64_t>(1, in.back()) * static_cast<int64_t>(m.trees.size()) * MaxDepth(m);
  } else if (n.op == "Svm" || n.op == "SvmPairwise") {
    // Fixed at conversion: support vectors x features per sample (mote.fbs SvmOptions).
    SvmCost(g, n, &c.macs, &c.elementwise);
  } else if (n.op == "BatchMatMul") {  // K per output element
    const Shape& a = g.tensors[n.inputs[0]].shape;
    c.macs = elements * a.back();
    c.elementwise = elements;
  } else if (n.op == "Reduce") {
    c.elementwise = NumElements(g.tensors[n.inputs[0]].shape);
  } else if (n.op == "LayerNorm") {
    c.elementwise = 4 * elements;  // sums, centre, normalize, scale
  } else if (n.op == "Rnn") {
    // Every step of every direction: G H rows of W (I) and of R (H).
    const Shape& x = g.tensors[n.inputs[0]].shape;  // [S, N, I]
    const Shape& w = g.tensors[n.inputs[1]].shape;  // [D G H, I]
    const Shape& r = g.tensors[n.inputs[2]].shape;  // [D G H, H]
    c.macs = x[0] * x[1] * w[0] * (w[1] + r[1]);
    c.elementwise = x[0] * x[1] * w[0];  // one gate activation per row
  } else if (n.op == "Softmax") {
    c.elementwise = 3 * elements;  // max, exp + sum, normalize
  } else if (n.op == "TopK") {  // k selections of one element per line: k n comparisons
    const Shape& in = g.tensors[n.inputs[0]].shape;
    c.elementwise = elements * in[static_cast<size_t>(n.attr_int("axis", 0))];
  } else if (n.op == "Compare" || n.op == "Where" || n.op == "CumSum") {
    c.elementwise = elements;  // one comparison, selection or add (and requantize) per output
  } else if (n.op == "Pad" && n.has_attr("mode") && n.attrs.at("mode").s != "constant") {
    c.elementwise = 2 * elements;  // an index mapped and a copy per output
  } else if (n.op == "Gather" || n.op == "GatherElements") {
    // Run-time indices: one range check and wrap per index; the data moves
    // by rows (bytes_moved). GatherElements checks one index per output.
    const int64_t indices = NumElements(g.tensors[n.inputs[1]].shape);
    const int64_t outer = n.op == "Gather" ? elements / std::max<int64_t>(1, indices) : 1;
    c.elementwise = n.op == "Gather" ? outer * indices : elements;
    c.bytes_moved = TensorBytes(g.tensors[n.inputs[1]]) + 2 * TensorBytes(out);  // not the whole table
  } else if (n.op == "Fifo") {
    c.elementwise = 0;  // moves the window (bytes_moved: input + window)
  } else if (n.op == "Reshape") {
    c.bytes_moved = 0;  // planned in place
  } else {
    c.elementwise = elements;
  }
  return c;
}

}  // namespace mote::modelc
