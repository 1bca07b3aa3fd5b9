// Ops that only move elements: Slice, Split, Gather and GatherElements with
// constant indices, Expand, Tile, DepthToSpace, SpaceToDepth. Each is one
// function from the input's shape and the op's constant operands to the
// source map of every output (ops/strided_gather.h): the float reference
// applies the map, the lowering hands it to a StridedGather node. Integer
// tensors (shape arithmetic) move the same way, so folding uses it too.
#include <algorithm>
#include <set>

#include "ops/op_registry.h"
#include "ops/strided_gather.h"

namespace mote::modelc {
namespace {

// One output: its shape and, per element, the flat input index it copies.
struct Moved {
  Shape shape;
  std::vector<int64_t> source;
};
using MapFn = std::vector<Moved> (*)(const Node& n, const Shape& in, const OpInputs& ins);

std::vector<int64_t> StridesOf(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

// The map of an output of `shape` whose element at `index` copies input
// element `at(index)`.
template <typename F>
Moved MapEach(const Shape& shape, F at) {
  Moved m{shape, {}};
  const int64_t total = NumElements(shape);
  if (total <= 0) return m;
  m.source.reserve(static_cast<size_t>(total));
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t o = 0; o < total; ++o) {
    m.source.push_back(at(index));
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return m;
}

int64_t Axis(const Node& n, int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    Fail(n, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
  }
  return axis < 0 ? axis + r : axis;
}

const Value* Optional(const OpInputs& ins, size_t k) { return k < ins.size() ? ins[k] : nullptr; }

std::vector<int64_t> Ints(const Node& n, const OpInputs& ins, size_t k, const std::string& what) {
  const Value* v = Optional(ins, k);
  if (v == nullptr) Fail(n, "input " + std::to_string(k) + " (" + what + ") is missing");
  if (!v->is_int) Fail(n, "input " + std::to_string(k) + " (" + what + ") must be integers");
  return v->i;
}

// Input flat index of `index` read through per-axis start + index * step.
int64_t Affine(const std::vector<int64_t>& index, const std::vector<int64_t>& start,
               const std::vector<int64_t>& step, const std::vector<int64_t>& strides) {
  int64_t p = 0;
  for (size_t d = 0; d < index.size(); ++d) p += (start[d] + index[d] * step[d]) * strides[d];
  return p;
}

// ------------------------------------------------------------------ Slice
std::vector<Moved> SliceMap(const Node& n, const Shape& in, const OpInputs& ins) {
  const size_t rank = in.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (n.has_attr("starts")) {  // opset 1: attributes
    starts = n.attr_ints("starts");
    ends = n.attr_ints("ends");
    axes = n.attr_ints("axes");
  } else {
    starts = Ints(n, ins, 1, "starts");
    ends = Ints(n, ins, 2, "ends");
    if (Optional(ins, 3)) axes = Ints(n, ins, 3, "axes");
    if (Optional(ins, 4)) steps = Ints(n, ins, 4, "steps");
  }
  if (axes.empty()) {
    for (size_t a = 0; a < starts.size(); ++a) axes.push_back(static_cast<int64_t>(a));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    Fail(n, "starts, ends, axes and steps differ in length");
  }
  std::vector<int64_t> start(rank, 0), step(rank, 1);
  Shape out = in;
  std::set<int64_t> seen;
  for (size_t j = 0; j < starts.size(); ++j) {
    const int64_t a = Axis(n, axes[j], rank);
    if (!seen.insert(a).second) Fail(n, "axis " + std::to_string(a) + " is sliced twice");
    const int64_t dim = in[a], st = steps[j];
    if (st == 0) Fail(n, "steps[" + std::to_string(j) + "] is 0");
    int64_t s = starts[j] < 0 ? starts[j] + dim : starts[j];
    int64_t e = ends[j] < 0 ? ends[j] + dim : ends[j];
    int64_t count = 0;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      count = e > s ? (e - s - 1) / st + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      const int64_t back = st == INT64_MIN ? INT64_MAX : -st;
      count = s > e ? (s - e - 1) / back + 1 : 0;
    }
    start[a] = s;
    step[a] = count > 1 ? st : 1;
    out[a] = count;
  }
  const std::vector<int64_t> strides = StridesOf(in);
  return {
      MapEach(out, [&](const std::vector<int64_t>& i) { return Affine(i, start, step, strides); })};
}

// ------------------------------------------------------------------ Split
std::vector<Moved> SplitMap(const Node& n, const Shape& in, const OpInputs& ins) {
  const int64_t axis = Axis(n, n.attr_int("axis", 0), in.size());
  const int64_t dim = in[axis];
  const int64_t outputs = static_cast<int64_t>(n.outputs.size());
  std::vector<int64_t> sizes;
  if (Optional(ins, 1)) {
    sizes = Ints(n, ins, 1, "split");
  } else if (n.has_attr("split")) {
    sizes = n.attr_ints("split");
  } else {
    const int64_t parts = n.attr_int("num_outputs", outputs);
    if (parts < 1 || parts != outputs) {
      Fail(n, "num_outputs " + std::to_string(parts) + " differs from the node's " +
                  std::to_string(outputs) + " outputs");
    }
    if (!n.has_attr("num_outputs") && dim % parts != 0) {
      Fail(n, "axis " + std::to_string(axis) + " of size " + std::to_string(dim) +
                  " does not split evenly into " + std::to_string(parts));
    }
    const int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t k = 0; k < parts; ++k)
      sizes.push_back(std::clamp<int64_t>(dim - k * chunk, 0, chunk));
  }
  if (static_cast<int64_t>(sizes.size()) != outputs) {
    Fail(n, "split has " + std::to_string(sizes.size()) + " sizes for " + std::to_string(outputs) +
                " outputs");
  }
  int64_t sum = 0;
  for (int64_t s : sizes) {
    if (s < 0) Fail(n, "a split size is negative");
    sum += s;
  }
  if (sum != dim)
    Fail(n, "split sizes add up to " + std::to_string(sum) + ", not " + std::to_string(dim));
  const std::vector<int64_t> strides = StridesOf(in), step(in.size(), 1);
  std::vector<Moved> out;
  std::vector<int64_t> start(in.size(), 0);
  for (int64_t s : sizes) {
    Shape shape = in;
    shape[axis] = s;
    out.push_back(MapEach(
        shape, [&](const std::vector<int64_t>& i) { return Affine(i, start, step, strides); }));
    start[axis] += s;
  }
  return out;
}

// ----------------------------------------------------------------- Gather
std::vector<Moved> GatherMap(const Node& n, const Shape& in, const OpInputs& ins) {
  const int64_t axis = Axis(n, n.attr_int("axis", 0), in.size());
  const Value* indices = Optional(ins, 1);
  if (indices == nullptr) Fail(n, "input 1 (indices) is missing");
  const int64_t dim = in[axis];
  std::vector<int64_t> idx;
  for (int64_t k = 0; k < indices->size(); ++k) {
    const int64_t v = indices->AsInt(k);
    if (v < -dim || v >= dim) {
      Fail(n, "index " + std::to_string(v) + " is out of range for axis " + std::to_string(axis) +
                  " of size " + std::to_string(dim));
    }
    idx.push_back(v < 0 ? v + dim : v);
  }
  Shape out(in.begin(), in.begin() + axis);
  out.insert(out.end(), indices->shape.begin(), indices->shape.end());
  out.insert(out.end(), in.begin() + axis + 1, in.end());
  const std::vector<int64_t> strides = StridesOf(in), istrides = StridesOf(indices->shape);
  const size_t r = indices->shape.size();
  return {MapEach(out, [&](const std::vector<int64_t>& i) {
    int64_t p = 0, j = 0;
    for (int64_t d = 0; d < axis; ++d) p += i[d] * strides[d];
    for (size_t d = 0; d < r; ++d) j += i[axis + d] * istrides[d];
    p += idx[static_cast<size_t>(j)] * strides[axis];
    for (size_t d = axis + 1; d < in.size(); ++d) p += i[d + r - 1] * strides[d];
    return p;
  })};
}

// --------------------------------------------------------- GatherElements
std::vector<Moved> GatherElementsMap(const Node& n, const Shape& in, const OpInputs& ins) {
  const int64_t axis = Axis(n, n.attr_int("axis", 0), in.size());
  const Value* indices = Optional(ins, 1);
  if (indices == nullptr) Fail(n, "input 1 (indices) is missing");
  if (indices->shape.size() != in.size()) Fail(n, "indices and data differ in rank");
  for (size_t d = 0; d < in.size(); ++d) {
    if (static_cast<int64_t>(d) != axis && indices->shape[d] > in[d]) {
      Fail(n, "indices " + ShapeString(indices->shape) + " exceed the data " + ShapeString(in));
    }
  }
  const int64_t dim = in[axis];
  const std::vector<int64_t> strides = StridesOf(in);
  int64_t k = 0;
  return {MapEach(indices->shape, [&](const std::vector<int64_t>& i) {
    const int64_t v = indices->AsInt(k++);
    if (v < -dim || v >= dim) {
      Fail(n, "index " + std::to_string(v) + " is out of range for axis " + std::to_string(axis) +
                  " of size " + std::to_string(dim));
    }
    int64_t p = 0;
    for (size_t d = 0; d < in.size(); ++d) {
      p += (static_cast<int64_t>(d) == axis ? (v < 0 ? v + dim : v) : i[d]) * strides[d];
    }
    return p;
  })};
}

// ----------------------------------------------------------- Expand, Tile
std::vector<Moved> ExpandMap(const Node& n, const Shape& in, const OpInputs& ins) {
  const std::vector<int64_t> target = Ints(n, ins, 1, "shape");
  const size_t rank = std::max(in.size(), target.size());
  Shape a(rank, 1), b(rank, 1), out(rank);
  std::copy(in.begin(), in.end(), a.end() - static_cast<long>(in.size()));
  std::copy(target.begin(), target.end(), b.end() - static_cast<long>(target.size()));
  for (size_t d = 0; d < rank; ++d) {
    if (a[d] != b[d] && a[d] != 1 && b[d] != 1) {
      Fail(n, "shape " + ShapeString(target) + " does not broadcast with the input " +
                  ShapeString(in));
    }
    out[d] = a[d] == 1 ? b[d] : a[d];
  }
  const std::vector<int64_t> strides = StridesOf(a);
  return {MapEach(out, [&](const std::vector<int64_t>& i) {
    int64_t p = 0;
    for (size_t d = 0; d < rank; ++d) p += (a[d] == 1 ? 0 : i[d]) * strides[d];
    return p;
  })};
}

std::vector<Moved> TileMap(const Node& n, const Shape& in, const OpInputs& ins) {
  const std::vector<int64_t> repeats = Ints(n, ins, 1, "repeats");
  if (repeats.size() != in.size()) {
    Fail(n, "repeats has " + std::to_string(repeats.size()) + " entries for rank " +
                std::to_string(in.size()));
  }
  Shape out(in.size());
  for (size_t d = 0; d < in.size(); ++d) {
    if (repeats[d] < 0) Fail(n, "repeats[" + std::to_string(d) + "] is negative");
    out[d] = in[d] * repeats[d];
  }
  const std::vector<int64_t> strides = StridesOf(in);
  return {MapEach(out, [&](const std::vector<int64_t>& i) {
    int64_t p = 0;
    for (size_t d = 0; d < in.size(); ++d) p += (i[d] % in[d]) * strides[d];
    return p;
  })};
}

// --------------------------------------------- DepthToSpace, SpaceToDepth
int64_t BlockSize(const Node& n, const Shape& in) {
  if (in.size() != 4) Fail(n, "the input " + ShapeString(in) + " is not 4-D");
  const int64_t b = n.attr_int("blocksize", 0);
  if (b < 1) Fail(n, "blocksize " + std::to_string(b) + " must be positive");
  return b;
}

std::vector<Moved> DepthToSpaceMap(const Node& n, const Shape& in, const OpInputs&) {
  const int64_t b = BlockSize(n, in);
  const std::string mode = n.has_attr("mode") ? n.attrs.at("mode").s : "DCR";
  if (mode != "DCR" && mode != "CRD") Fail(n, "mode '" + mode + "' is neither DCR nor CRD");
  if (in[1] % (b * b) != 0) Fail(n, "channels are not a multiple of blocksize^2");
  const int64_t c_out = in[1] / (b * b);
  const std::vector<int64_t> s = StridesOf(in);
  return {MapEach({in[0], c_out, in[2] * b, in[3] * b}, [&](const std::vector<int64_t>& i) {
    const int64_t y = i[2] / b, dy = i[2] % b, x = i[3] / b, dx = i[3] % b;
    const int64_t c = mode == "DCR" ? (dy * b + dx) * c_out + i[1] : (i[1] * b + dy) * b + dx;
    return i[0] * s[0] + c * s[1] + y * s[2] + x * s[3];
  })};
}

std::vector<Moved> SpaceToDepthMap(const Node& n, const Shape& in, const OpInputs&) {
  const int64_t b = BlockSize(n, in);
  if (in[2] % b != 0 || in[3] % b != 0) Fail(n, "height and width are not multiples of blocksize");
  const int64_t c_in = in[1];
  const std::vector<int64_t> s = StridesOf(in);
  return {MapEach({in[0], c_in * b * b, in[2] / b, in[3] / b}, [&](const std::vector<int64_t>& i) {
    const int64_t dy = i[1] / (b * c_in), dx = (i[1] / c_in) % b, c = i[1] % c_in;
    return i[0] * s[0] + c * s[1] + (i[2] * b + dy) * s[2] + (i[3] * b + dx) * s[3];
  })};
}

// ------------------------------------------------- evaluation and lowering
Value Apply(const Value& x, const Moved& m) {
  Value y;
  y.shape = m.shape;
  y.is_int = x.is_int;
  if (x.is_int) {
    y.i.reserve(m.source.size());
    for (int64_t s : m.source) y.i.push_back(x.i[s]);
  } else {
    y.f.resize(static_cast<Eigen::Index>(m.source.size()));
    for (size_t k = 0; k < m.source.size(); ++k)
      y.f[static_cast<Eigen::Index>(k)] = x.f[m.source[k]];
  }
  return y;
}

template <MapFn F>
std::vector<Value> EvalMoved(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr) Fail(n, "input 0 is missing");
  std::vector<Value> out;
  for (const Moved& m : F(n, ins[0]->shape, ins)) out.push_back(Apply(*ins[0], m));
  return out;
}

// Gather / GatherElements whose indices are computed: the runtime's Gather
// op (the node keeps its ONNX name; emit writes opcode Gather, `elements`
// for GatherElements), the axis normalized. The data may be a constant (an
// embedding table) or computed; the indices int32 or int64.
std::vector<Node> RunTimeGather(Graph& g, const Node& n) {
  if (n.inputs.size() != 2 || n.outputs.size() != 1) Fail(n, "needs two inputs and one output");
  const Tensor& data = g.tensors[n.inputs[0]];
  const Tensor& indices = g.tensors[n.inputs[1]];
  if (!IsIndexType(indices.dtype)) {
    Unsupported(n, "computed indices '" + indices.name + "' are " + DTypeName(indices.dtype) +
                       " (indices must be integers)");
  }
  if (data.is_const() && data.constant->is_int) {
    Unsupported(n, "gathering from an integer constant '" + data.name +
                       "' by computed indices is not supported (only float tables)");
  }
  if (data.shape.empty()) Fail(n, "data must have at least one dimension");
  if (NumElements(g.tensors[n.outputs[0]].shape) == 0) Unsupported(n, "an empty output is not supported");
  Node m = n;
  m.attrs["axis"].i = Axis(n, n.attr_int("axis", 0), data.shape.size());
  return {m};
}

// The op on a computed tensor: one StridedGather per output; every operand
// but the data must be a constant.
template <MapFn F>
std::vector<Node> ExpandMoved(Graph& g, const Node& n) {
  const int data = n.inputs.at(0);
  if ((F == GatherMap || F == GatherElementsMap) && n.inputs.size() > 1 && n.inputs[1] >= 0 &&
      !g.tensors[n.inputs[1]].is_const()) {
    return RunTimeGather(g, n);
  }
  Value shape_only;
  shape_only.shape = g.tensors[data].shape;
  OpInputs ins = {&shape_only};
  for (size_t k = 1; k < n.inputs.size(); ++k) {
    const int t = n.inputs[k];
    if (t >= 0 && !g.tensors[t].is_const()) {
      Unsupported(n, "input " + std::to_string(k) + " ('" + g.tensors[t].name +
                         "') must be a constant (initializer) to be supported");
    }
    ins.push_back(t >= 0 ? &*g.tensors[t].constant : nullptr);
  }
  const std::vector<Moved> moved = F(n, shape_only.shape, ins);
  std::vector<Node> nodes;
  for (size_t k = 0; k < moved.size() && k < n.outputs.size(); ++k) {
    if (moved[k].source.empty()) Unsupported(n, "an empty output is not supported");
    nodes.push_back(MakeStridedGather(moved.size() == 1 ? n.name : n.name + ":" + std::to_string(k),
                                      data, n.outputs[k], moved[k].source));
  }
  return nodes;
}

// The mote op: output element k is input element source[k].
std::vector<Value> EvalStridedGather(const Graph& g, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr) Fail(n, "input 0 is missing");
  const std::vector<int64_t> source = n.attr_ints("source");
  for (int64_t s : source) {
    if (s < 0 || s >= ins[0]->size()) Fail(n, "source index out of range");
  }
  return {Apply(*ins[0], Moved{g.tensors[n.outputs.at(0)].shape, source})};
}

template <MapFn F>
OpDef Def(const std::string& name, std::vector<std::string> attributes) {
  OpDef d{name, std::move(attributes), EvalMoved<F>, nullptr, nullptr};
  d.expand = ExpandMoved<F>;
  return d;
}

}  // namespace

std::vector<OpDef> DataMovementOps() {
  return {Def<SliceMap>("Slice", {"starts", "ends", "axes"}),
          Def<SplitMap>("Split", {"axis", "split", "num_outputs"}),
          Def<GatherMap>("Gather", {"axis"}),
          Def<GatherElementsMap>("GatherElements", {"axis"}),
          Def<ExpandMap>("Expand", {}),
          Def<TileMap>("Tile", {}),
          Def<DepthToSpaceMap>("DepthToSpace", {"blocksize", "mode"}),
          Def<SpaceToDepthMap>("SpaceToDepth", {"blocksize"}),
          {"StridedGather", {"source"}, EvalStridedGather, nullptr, nullptr}};
}

}  // namespace mote::modelc
