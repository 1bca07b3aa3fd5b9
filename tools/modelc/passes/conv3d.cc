// 3-D convolutions (Conv3d over [N, C, D, H, W]) as one 2-D convolution: the
// depth taps of every output slice are gathered next to each other, so that
// slice od and tap z become batch n * OD + od and input channel c * kd + z of
// a Conv over [N * OD, C * kd, H, W] whose weights are the 3-D ones reshaped
// [O, C / g * kd, kh, kw] (the same bytes):
//   [Pad depth] -> Gather depth (od * sd + z * dd) -> Reshape [N, C, OD, kd * H, W]
//   -> Transpose [N, OD, C, kd * H, W] -> Reshape [N * OD, C * kd, H, W] -> Conv
//   -> Reshape [N, OD, O, OH, OW] -> Transpose [N, O, OD, OH, OW].
// Every tensor stays rank 5 or less; the gather copies the input kd / sd
// times (none when kd == sd == 1). Groups keep their channels contiguous.
#include <algorithm>
#include <string>

#include "passes/passes.h"

namespace mote::modelc {
namespace {

std::vector<int64_t> IntsOr(const Node& n, const std::string& name, std::vector<int64_t> dflt) {
  std::vector<int64_t> v = n.attr_ints(name);
  return v.empty() ? dflt : v;
}

// pads for auto_pad SAME_UPPER / SAME_LOWER / VALID, as ONNX defines them.
void ResolveAutoPad(const Node& n, const Shape& in, const std::vector<int64_t>& k,
                    Conv3DGeometry* geo) {
  const std::string mode = n.has_attr("auto_pad") ? n.attrs.at("auto_pad").s : "NOTSET";
  if (mode == "NOTSET") return;
  if (mode == "VALID") {
    geo->pads.assign(6, 0);
    return;
  }
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER") Fail(n, "unknown auto_pad '" + mode + "'");
  for (size_t a = 0; a < 3; ++a) {
    const int64_t size = in[a + 2], s = geo->stride[a];
    const int64_t out = (size + s - 1) / s;
    const int64_t total =
        std::max<int64_t>((out - 1) * s + (k[a] - 1) * geo->dilation[a] + 1 - size, 0);
    const int64_t small = total / 2;
    geo->pads[a] = mode == "SAME_UPPER" ? small : total - small;
    geo->pads[a + 3] = total - geo->pads[a];
  }
}

}  // namespace

Conv3DGeometry Conv3DGeometryOf(const Node& n, const Shape& in, const Shape& ws) {
  if (in.size() != 5) Fail(n, "3-D weights need a 5-D input");
  Conv3DGeometry geo;
  geo.n = in[0], geo.c = in[1], geo.d = in[2], geo.h = in[3], geo.w = in[4];
  geo.o = ws[0], geo.kd = ws[2], geo.kh = ws[3], geo.kw = ws[4];
  geo.group = n.attr_int("group", 1);
  geo.stride = IntsOr(n, "strides", {1, 1, 1});
  geo.dilation = IntsOr(n, "dilations", {1, 1, 1});
  geo.pads = IntsOr(n, "pads", {0, 0, 0, 0, 0, 0});
  const std::vector<int64_t> k = IntsOr(n, "kernel_shape", {geo.kd, geo.kh, geo.kw});
  if (geo.stride.size() != 3 || geo.dilation.size() != 3 || geo.pads.size() != 6 || k.size() != 3 ||
      k[0] != geo.kd || k[1] != geo.kh || k[2] != geo.kw) {
    Fail(n, "strides, dilations, pads or kernel_shape do not match the 3-D weights");
  }
  ResolveAutoPad(n, in, k, &geo);
  for (int64_t v : geo.stride)
    if (v < 1) Fail(n, "strides must be positive");
  for (int64_t v : geo.dilation)
    if (v < 1) Fail(n, "dilations must be positive");
  for (int64_t v : geo.pads)
    if (v < 0) Fail(n, "negative pads are not supported");
  if (geo.group < 1 || geo.c % geo.group != 0 || geo.o % geo.group != 0 ||
      ws[1] * geo.group != geo.c) {
    Fail(n, "group does not divide the channels");
  }
  const int64_t padded = geo.d + geo.pads[0] + geo.pads[3];
  const int64_t span = geo.dilation[0] * (geo.kd - 1) + 1;
  if (padded < span) Fail(n, "the kernel is deeper than the padded input");
  geo.out_d = (padded - span) / geo.stride[0] + 1;
  for (int a = 1; a < 3; ++a) {
    const int64_t size = in[a + 2] + geo.pads[a] + geo.pads[a + 3];
    const int64_t reach = geo.dilation[a] * ((a == 1 ? geo.kh : geo.kw) - 1) + 1;
    if (size < reach) Fail(n, "the kernel is larger than the padded input");
    (a == 1 ? geo.out_h : geo.out_w) = (size - reach) / geo.stride[a] + 1;
  }
  return geo;
}

namespace {

std::vector<Node> LowerConv3D(Graph& g, const Node& n) {
  const Conv3DGeometry geo =
      Conv3DGeometryOf(n, g.tensors[n.inputs[0]].shape, g.tensors[n.inputs[1]].shape);
  const int y = n.outputs.at(0);
  const Shape out = g.tensors[y].shape;  // [N, O, OD, OH, OW]
  if (out.size() != 5 || out[2] != geo.out_d) Fail(n, "output shape does not match the geometry");
  const int64_t oh = out[3], ow = out[4], kd = geo.kd, od = geo.out_d;
  std::vector<Node> nodes;
  int cur = n.inputs[0];
  int64_t depth = geo.d;
  if (geo.pads[0] + geo.pads[3] > 0) {
    depth += geo.pads[0] + geo.pads[3];
    const int padded = g.AddTensor(n.name + ".depth_padded", {geo.n, geo.c, depth, geo.h, geo.w});
    const int pads =
        g.AddConstant(n.name + ".depth_pads",
                      Value::Int({10}, {0, 0, geo.pads[0], 0, 0, 0, 0, geo.pads[3], 0, 0}));
    nodes.push_back(Node::Of(n.name + ".pad_depth", "Pad", {cur, pads}, padded));
    cur = padded;
  }
  std::vector<int64_t> taps;  // depth index of tap z of output slice od, at od * kd + z
  for (int64_t s = 0; s < od; ++s)
    for (int64_t z = 0; z < kd; ++z) taps.push_back(s * geo.stride[0] + z * geo.dilation[0]);
  bool identity = static_cast<int64_t>(taps.size()) == depth;
  for (size_t k = 0; identity && k < taps.size(); ++k)
    identity = taps[k] == static_cast<int64_t>(k);
  if (!identity) {
    const int gathered = g.AddTensor(n.name + ".depth_taps", {geo.n, geo.c, od * kd, geo.h, geo.w});
    const int64_t count = static_cast<int64_t>(taps.size());
    const int index = g.AddConstant(n.name + ".tap_index", Value::Int({count}, taps));
    Node gather = Node::Of(n.name + ".gather_taps", "Gather", {cur, index}, gathered);
    gather.attrs["axis"].i = 2;
    nodes.push_back(gather);
    cur = gathered;
  }
  const int split = g.AddTensor(n.name + ".taps_in_rows", {geo.n, geo.c, od, kd * geo.h, geo.w});
  nodes.push_back(Node::Of(n.name + ".split_slices", "Reshape", {cur}, split));
  const int moved = g.AddTensor(n.name + ".slices_first", {geo.n, od, geo.c, kd * geo.h, geo.w});
  Node to_batch = Node::Of(n.name + ".slices_to_batch", "Transpose", {split}, moved);
  to_batch.attrs["perm"].ints = {0, 2, 1, 3, 4};
  nodes.push_back(to_batch);
  const int batched = g.AddTensor(n.name + ".as_2d", {geo.n * od, geo.c * kd, geo.h, geo.w});
  nodes.push_back(Node::Of(n.name + ".to_2d", "Reshape", {moved}, batched));
  Value w = *g.tensors[n.inputs[1]].constant;
  w.shape = {geo.o, geo.c / geo.group * kd, geo.kh, geo.kw};
  std::vector<int> conv_inputs = {batched, g.AddConstant(n.name + ".weights_2d", std::move(w))};
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) conv_inputs.push_back(n.inputs[2]);
  const int conv_out = g.AddTensor(n.name + ".out_2d", {geo.n * od, geo.o, oh, ow});
  Node conv = Node::Of(n.name, "Conv", conv_inputs, conv_out);
  conv.attrs["kernel_shape"].ints = {geo.kh, geo.kw};
  conv.attrs["strides"].ints = {geo.stride[1], geo.stride[2]};
  conv.attrs["dilations"].ints = {geo.dilation[1], geo.dilation[2]};
  conv.attrs["pads"].ints = {geo.pads[1], geo.pads[2], geo.pads[4], geo.pads[5]};
  conv.attrs["group"].i = geo.group;
  nodes.push_back(conv);
  const int unbatched = g.AddTensor(n.name + ".slices_out", {geo.n, od, geo.o, oh, ow});
  nodes.push_back(Node::Of(n.name + ".from_2d", "Reshape", {conv_out}, unbatched));
  Node back = Node::Of(n.name + ".slices_to_depth", "Transpose", {unbatched}, y);
  back.attrs["perm"].ints = {0, 2, 1, 3, 4};
  nodes.push_back(back);
  return nodes;
}

bool IsConv3D(const Graph& g, const Node& n) {
  return n.op == "Conv" && n.inputs.size() > 1 && n.inputs[0] >= 0 && n.inputs[1] >= 0 &&
         !g.tensors[n.inputs[0]].is_const() && g.tensors[n.inputs[1]].shape.size() == 5;
}

}  // namespace

void LowerConv3DOps(Graph& g) {
  std::vector<Node> nodes;
  for (Node& n : g.nodes) {
    if (!IsConv3D(g, n)) {
      nodes.push_back(std::move(n));
      continue;
    }
    if (!g.tensors[n.inputs[1]].is_const()) Unsupported(n, "the weights must be a constant");
    for (Node& m : LowerConv3D(g, n)) nodes.push_back(std::move(m));
  }
  g.nodes = std::move(nodes);
}

}  // namespace mote::modelc
