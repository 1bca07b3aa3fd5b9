// CumSum (ONNX): running sums along one axis, exclusive and/or reversed, as
// the runtime's CumSum (kernels/reference/cumsum.h). The ONNX node's axis
// input (a constant) becomes the attribute `axis` when lowered.
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

const Value& In(const Node& n, const OpInputs& ins, size_t k) {
  if (k >= ins.size() || ins[k] == nullptr) Fail(n, "input " + std::to_string(k) + " is missing");
  return *ins[k];
}

int64_t AxisOf(const Node& n, const OpInputs& ins, size_t rank) {
  int64_t axis = n.attr_int("axis", 0);
  if (ins.size() > 1 && ins[1] != nullptr) {
    if (ins[1]->size() != 1) Fail(n, "axis must hold one value");
    axis = ins[1]->AsInt(0);
  }
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) Fail(n, "axis " + std::to_string(axis) + " out of range");
  return axis < 0 ? axis + r : axis;
}

std::vector<Value> EvalCumSum(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = In(n, ins, 0);
  if (x.shape.empty()) Fail(n, "input must have at least one dimension");
  const size_t axis = static_cast<size_t>(AxisOf(n, ins, x.shape.size()));
  const bool exclusive = n.attr_int("exclusive", 0) != 0;
  const bool reverse = n.attr_int("reverse", 0) != 0;
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    if (d < axis) outer *= x.shape[d];
    if (d > axis) inner *= x.shape[d];
  }
  const int64_t length = x.shape[axis];
  Value r = x;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      double fsum = 0.0;  // float sums in double: the reference, not the kernel's order of rounding
      int64_t isum = 0;
      for (int64_t k = 0; k < length; ++k) {
        const int64_t pos = reverse ? length - 1 - k : k;
        const int64_t at = (o * length + pos) * inner + i;
        const double fv = x.AsFloat(at);
        const int64_t iv = x.is_int ? x.i[at] : 0;
        if (!exclusive) {
          fsum += fv;
          isum += iv;
        }
        if (x.is_int)
          r.i[at] = isum;
        else
          r.f[at] = static_cast<float>(fsum);
        if (exclusive) {
          fsum += fv;
          isum += iv;
        }
      }
    }
  }
  return {r};
}

void LowerCumSum(Graph& g, Node& n) {
  const int in = n.inputs.at(0);
  if (g.tensors[in].dtype != DType::kFloat32) {
    Unsupported(n, "CumSum of a computed " + std::string(DTypeName(g.tensors[in].dtype)) +
                       " tensor is not supported (computed tensors are float32)");
  }
  if (n.inputs.size() < 2 || n.inputs[1] < 0 || !g.tensors[n.inputs[1]].is_const()) {
    Unsupported(n, "a computed axis is not supported (it must be a constant)");
  }
  const Value& axis = *g.tensors[n.inputs[1]].constant;
  const OpInputs ins = {nullptr, &axis};
  n.attrs["axis"].i = AxisOf(n, ins, g.tensors[in].shape.size());
  n.inputs.resize(1);
}

}  // namespace

std::vector<OpDef> CumSumOps() {
  // ONNX CumSum and the mote op share the name; lowering moves the axis into an attribute.
  return {{"CumSum", {"exclusive", "reverse", "axis"}, EvalCumSum, LowerCumSum}};
}

}  // namespace mote::modelc
