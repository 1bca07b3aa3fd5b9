#include "src/op_context.h"

namespace mote::internal {

std::span<const uint8_t> BufferBytes(const schema::Model& model, int32_t index) {
  if (model.buffers() == nullptr || index < 0 ||
      static_cast<uint32_t>(index) >= model.buffers()->size()) {
    return {};
  }
  const auto* data = model.buffers()->Get(static_cast<uint32_t>(index))->data();
  if (data == nullptr) return {};
  return {data->data(), data->size()};
}

Status ExpectCounts(const OpContext& ctx, size_t min_inputs, size_t max_inputs, size_t outputs) {
  if (ctx.num_inputs() < min_inputs || ctx.num_inputs() > max_inputs) {
    return ctx.Fail("wrong number of inputs", static_cast<int64_t>(ctx.num_inputs()),
                    static_cast<int64_t>(max_inputs));
  }
  if (ctx.num_outputs() != outputs) {
    return ctx.Fail("wrong number of outputs", static_cast<int64_t>(ctx.num_outputs()),
                    static_cast<int64_t>(outputs));
  }
  for (size_t i = 0; i < min_inputs; ++i) {
    if (!ctx.has_input(i)) return ctx.Fail("required input missing", static_cast<int64_t>(i));
  }
  return Status::kOk;
}

Status ExpectSameType(const OpContext& ctx, const schema::Tensor& a, const schema::Tensor& b) {
  if (a.type() != b.type()) {
    return ctx.Fail("tensor types differ", static_cast<int64_t>(a.type()),
                    static_cast<int64_t>(b.type()));
  }
  return Status::kOk;
}

Status ExpectSameShape(const OpContext& ctx, const schema::Tensor& a, const schema::Tensor& b) {
  const auto sa = ShapeOf(a);
  const auto sb = ShapeOf(b);
  if (sa.size() != sb.size()) {
    return ctx.Fail("tensor ranks differ", static_cast<int64_t>(sa.size()),
                    static_cast<int64_t>(sb.size()));
  }
  for (size_t i = 0; i < sa.size(); ++i) {
    if (sa[i] != sb[i]) return ctx.Fail("tensor shapes differ", sa[i], sb[i]);
  }
  return Status::kOk;
}

Status ExpectActivationType(const OpContext& ctx, const schema::Tensor& t) {
  const ElementType type = TypeOf(t);
  if (type != ElementType::kFloat32 && type != ElementType::kInt8 && type != ElementType::kInt16) {
    return ctx.Fail("op does not support this element type", static_cast<int64_t>(type));
  }
  return Status::kOk;
}

Status ExpectKernelType(const OpContext& ctx, const schema::Tensor& t) {
  MOTE_TRY(ExpectActivationType(ctx, t));
  const ElementType type = TypeOf(t);
  const bool compiled = type == ElementType::kInt8    ? kInt8Kernels
                        : type == ElementType::kInt16 ? kInt16Kernels
                                                      : kFloat32Kernels;
  if (!compiled) {
    return Report(Status::kUnsupportedOp, "kernels for this element type are not compiled in (MOTE_TYPES)",
                  ctx.index, -1, static_cast<int64_t>(type), 0);
  }
  return Status::kOk;
}

Status ExpectSameQuant(const OpContext& ctx, const schema::Tensor& a, const schema::Tensor& b) {
  if (ScaleOf(a) != ScaleOf(b) || ZeroPointOf(a) != ZeroPointOf(b)) {
    return ctx.Fail("input and output quantization must be equal");
  }
  return Status::kOk;
}

int32_t TypeMin(ElementType type) {
  switch (type) {
    case ElementType::kInt8: return INT8_MIN;
    case ElementType::kInt16: return INT16_MIN;
    case ElementType::kUInt8: return 0;
    default: return INT32_MIN;
  }
}

int32_t TypeMax(ElementType type) {
  switch (type) {
    case ElementType::kInt8: return INT8_MAX;
    case ElementType::kInt16: return INT16_MAX;
    case ElementType::kUInt8: return UINT8_MAX;
    default: return INT32_MAX;
  }
}

Status CheckActivationRange(const OpContext& ctx, const schema::ActivationRange* range,
                            const schema::Tensor& t) {
  if (range == nullptr) return ctx.Fail("activation range missing");
  if (TypeOf(t) == ElementType::kFloat32) {
    if (!(range->fmin() <= range->fmax())) return ctx.Fail("empty float activation range");
    return Status::kOk;
  }
  const ElementType type = TypeOf(t);
  if (range->min() < TypeMin(type) || range->max() > TypeMax(type) || range->min() > range->max()) {
    return ctx.Fail("activation range outside the output type", range->min(), range->max());
  }
  return Status::kOk;
}

bool ValidMultiplier(int32_t multiplier, int shift, int min_shift, int max_shift) {
  return multiplier >= 0 && shift >= min_shift && shift <= max_shift;
}

}  // namespace mote::internal
