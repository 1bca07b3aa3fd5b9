#include "src/model_check.h"

#include <stdint.h>

#include "mote/model.h"
#include "src/op_context.h"
#include "src/op_table.h"

namespace mote::internal {
namespace {

// No tensor may exceed 2 GiB; keeps all size arithmetic inside 32 bits.
constexpr uint64_t kMaxTensorBytes = uint64_t{1} << 31;

Status TensorFail(const char* message, uint32_t index, int64_t value = 0, int64_t limit = 0) {
  return Report(Status::kCorruptFile, message, -1, static_cast<int32_t>(index), value, limit);
}

Status CheckQuant(const schema::Tensor& t, uint32_t index) {
  const schema::QuantParams* q = t.quant();
  const ElementType type = TypeOf(t);
  const bool quantized_activation =
      !IsConstant(t) && (type == ElementType::kInt8 || type == ElementType::kInt16);
  if (q == nullptr) {
    return quantized_activation ? TensorFail("quantized tensor without parameters", index)
                                : Status::kOk;
  }
  if (q->scale() == nullptr || q->zero_point() == nullptr || q->scale()->size() == 0 ||
      q->scale()->size() != q->zero_point()->size()) {
    return TensorFail("quantization scale and zero point counts differ", index);
  }
  const auto shape = ShapeOf(t);
  const uint32_t count = q->scale()->size();
  if (q->axis() < 0) {
    if (count != 1) return TensorFail("per-tensor quantization needs one scale", index, count, 1);
  } else if (static_cast<size_t>(q->axis()) >= shape.size() ||
             static_cast<uint32_t>(shape[q->axis()]) != count || quantized_activation) {
    return TensorFail("per-axis quantization does not match the shape", index, count);
  }
  for (uint32_t i = 0; i < count; ++i) {
    const float s = q->scale()->Get(i);
    if (!(s > 0.0f && s < 3.0e38f)) return TensorFail("scale must be positive and finite", index);
    const int32_t zp = q->zero_point()->Get(i);
    if (zp < TypeMin(type) || zp > TypeMax(type)) {
      return TensorFail("zero point outside the element type", index, zp);
    }
  }
  return Status::kOk;
}

Status CheckTensor(const schema::Model& model, const schema::Tensor& t, uint32_t index) {
  const ElementType type = TypeOf(t);
  const size_t element_size = ElementSize(type);
  if (element_size == 0) return TensorFail("unknown element type", index, static_cast<int64_t>(t.type()));
  const auto shape = ShapeOf(t);
  if (shape.size() > static_cast<size_t>(kMaxRank)) {
    return TensorFail("tensor rank too large", index, static_cast<int64_t>(shape.size()), kMaxRank);
  }
  uint64_t bytes = element_size;
  for (int32_t d : shape) {
    if (d < 1) return TensorFail("tensor dimension must be positive", index, d);
    bytes *= static_cast<uint64_t>(d);
    if (bytes > kMaxTensorBytes) {
      return TensorFail("tensor too large", index, static_cast<int64_t>(bytes), kMaxTensorBytes);
    }
  }
  if (t.buffer() >= 0) {
    const std::span<const uint8_t> data = BufferBytes(model, t.buffer());
    if (data.size() != bytes) {
      return TensorFail("constant buffer size does not match the tensor", index,
                        static_cast<int64_t>(data.size()), static_cast<int64_t>(bytes));
    }
    if (reinterpret_cast<uintptr_t>(data.data()) % element_size != 0) {
      return TensorFail("constant buffer misaligned", index);
    }
  } else {
    if (t.buffer() != -1) return TensorFail("bad buffer index", index, t.buffer());
    if (t.arena_offset() % element_size != 0 ||
        uint64_t{t.arena_offset()} + bytes > uint64_t{model.arena_size()}) {
      return TensorFail("tensor lies outside the arena", index, t.arena_offset(),
                        model.arena_size());
    }
  }
  if (t.class_names() != nullptr && (type != ElementType::kInt64 || t.buffer() >= 0 || t.class_names()->size() == 0)) {
    return TensorFail("class names belong on a computed int64 label tensor", index);
  }
  return CheckQuant(t, index);
}

Status CheckTensorIndex(const schema::Model& model, int32_t index, bool allow_absent,
                        bool must_be_variable, int32_t op_index) {
  if (index == -1 && allow_absent) return Status::kOk;
  if (index < 0 || static_cast<uint32_t>(index) >= model.tensors()->size()) {
    return Report(Status::kCorruptFile, "tensor index out of range", op_index, -1, index,
                  model.tensors()->size());
  }
  if (must_be_variable && IsConstant(*model.tensors()->Get(static_cast<uint32_t>(index)))) {
    return Report(Status::kCorruptFile, "constant tensor used as a computed tensor", op_index,
                  index);
  }
  return Status::kOk;
}

Status CheckIndexList(const schema::Model& model, const flatbuffers::Vector<int32_t>* list,
                      bool allow_absent, bool must_be_variable, int32_t op_index) {
  if (list == nullptr) {
    return Report(Status::kCorruptFile, "missing tensor list", op_index);
  }
  for (int32_t index : *list) {
    MOTE_TRY(CheckTensorIndex(model, index, allow_absent, must_be_variable, op_index));
  }
  return Status::kOk;
}

Status CheckOperator(const schema::Model& model, const schema::Operator& op, int32_t index) {
  const uint16_t opcode = static_cast<uint16_t>(op.opcode());
  const OpKernel* kernel = FindKernel(opcode);
  if (kernel == nullptr) {
    return Report(Status::kUnsupportedOp,
                  opcode <= static_cast<uint16_t>(schema::OpCode::MAX)
                      ? "op not compiled into this runtime"
                      : "opcode unknown to this runtime",
                  index, -1, opcode);
  }
  MOTE_TRY(CheckIndexList(model, op.inputs(), true, false, index));
  MOTE_TRY(CheckIndexList(model, op.outputs(), false, true, index));
  // Scratch inside the arena, 16-byte aligned (64-bit sums: no wrap). The
  // planner keeps it apart from the tensors live during the op; an overlap
  // could give wrong outputs but never an access outside the arena.
  if (op.scratch_size() != 0 && (op.scratch_offset() % kBufferAlignment != 0 ||
                                 uint64_t{op.scratch_offset()} + uint64_t{op.scratch_size()} >
                                     uint64_t{model.arena_size()})) {
    return Report(Status::kCorruptFile, "operator scratch lies outside the arena", index, -1,
                  op.scratch_offset(), model.arena_size());
  }
  if (op.options_type() != kernel->options || op.options() == nullptr) {
    return Report(Status::kCorruptFile, "operator options do not match the opcode", index, -1,
                  static_cast<int64_t>(op.options_type()));
  }
  OpContext ctx;
  ctx.model = &model;
  ctx.op = &op;
  ctx.index = index;
  return kernel->check(ctx);
}

// The embedded self-test vectors hold exactly `count` samples of every input
// and output.
Status CheckSelfTest(const schema::Model& model) {
  const schema::SelfTest* st = model.selftest();
  if (st == nullptr || st->count() == 0) return Status::kOk;
  uint64_t in_bytes = 0, out_bytes = 0;
  for (int32_t t : *model.inputs()) {
    const schema::Tensor& tensor = *model.tensors()->Get(static_cast<uint32_t>(t));
    in_bytes += NumElements(tensor) * ElementSize(TypeOf(tensor));
  }
  for (int32_t t : *model.outputs()) {
    const schema::Tensor& tensor = *model.tensors()->Get(static_cast<uint32_t>(t));
    out_bytes += NumElements(tensor) * ElementSize(TypeOf(tensor));
  }
  const uint64_t n = st->count();
  if (st->inputs() == nullptr || st->outputs() == nullptr || st->inputs()->size() != n * in_bytes ||
      st->outputs()->size() != n * out_bytes) {
    return Report(Status::kCorruptFile, "self-test vectors do not match the inputs and outputs", -1, -1,
                  static_cast<int64_t>(n));
  }
  return Status::kOk;
}

// Persistent tensors: arena tensors inside [0, state_size), none a model
// input, in file order at increasing offsets without overlap (so one pass,
// no table on the stack, proves them disjoint); every other arena tensor and
// every scratch lies at or above state_size. So no planned reuse can touch
// the state between invokes.
uint64_t ArenaBytes(const schema::Tensor& t) {
  return uint64_t{NumElements(t)} * ElementSize(TypeOf(t));
}

Status CheckState(const schema::Model& model) {
  const uint32_t state = model.state_size();
  if (state > model.arena_size()) {
    return Report(Status::kCorruptFile, "state size exceeds the arena", -1, -1, state,
                  model.arena_size());
  }
  uint64_t state_end = 0;  // of the previous persistent tensor
  for (uint32_t i = 0; i < model.tensors()->size(); ++i) {
    const schema::Tensor& t = *model.tensors()->Get(i);
    if (IsConstant(t)) {
      if (t.persistent()) return TensorFail("a persistent tensor must live in the arena", i);
      continue;
    }
    const uint64_t begin = t.arena_offset(), end = begin + ArenaBytes(t);
    if (!t.persistent()) {
      if (begin < state) {
        return TensorFail("tensor lies in the state region", i, t.arena_offset(), state);
      }
      continue;
    }
    if (end > state) {
      return TensorFail("persistent tensor outside the state region", i, t.arena_offset(), state);
    }
    if (begin < state_end) {
      return TensorFail("persistent tensors overlap or are out of order", i,
                        static_cast<int64_t>(begin), static_cast<int64_t>(state_end));
    }
    state_end = end;
  }
  for (int32_t index : *model.inputs()) {
    if (model.tensors()->Get(static_cast<uint32_t>(index))->persistent()) {
      return Report(Status::kCorruptFile, "a model input cannot be persistent", -1, index);
    }
  }
  for (uint32_t i = 0; i < model.operators()->size(); ++i) {
    const schema::Operator& op = *model.operators()->Get(i);
    if (op.scratch_size() != 0 && op.scratch_offset() < state) {
      return Report(Status::kCorruptFile, "operator scratch lies in the state region",
                    static_cast<int32_t>(i), -1, op.scratch_offset(), state);
    }
  }
  return Status::kOk;
}

// Every model output is a model input or written by some operator, so no
// output can expose stale arena bytes.
Status CheckOutputsWritten(const schema::Model& model) {
  for (int32_t out : *model.outputs()) {
    bool written = false;
    for (int32_t in : *model.inputs()) written = written || in == out;
    for (uint32_t i = 0; i < model.operators()->size() && !written; ++i) {
      for (int32_t t : *model.operators()->Get(i)->outputs()) written = written || t == out;
    }
    if (!written) return Report(Status::kCorruptFile, "model output is never written", -1, out);
  }
  return Status::kOk;
}

}  // namespace

Status CheckModel(const schema::Model& model) {
  if (model.tensors() == nullptr || model.operators() == nullptr) {
    return Report(Status::kCorruptFile, "model without tensors or operators");
  }
  if (model.arena_size() > kMaxTensorBytes) {
    return Report(Status::kCorruptFile, "arena size too large", -1, -1, model.arena_size());
  }
  for (uint32_t i = 0; i < model.tensors()->size(); ++i) {
    MOTE_TRY(CheckTensor(model, *model.tensors()->Get(i), i));
  }
  MOTE_TRY(CheckIndexList(model, model.inputs(), false, true, -1));
  MOTE_TRY(CheckIndexList(model, model.outputs(), false, true, -1));
  if (model.inputs()->size() == 0 || model.outputs()->size() == 0) {
    return Report(Status::kCorruptFile, "model without inputs or outputs");
  }
  for (int32_t index : *model.inputs()) {
    const schema::Tensor& t = *model.tensors()->Get(static_cast<uint32_t>(index));
    const ElementType type = TypeOf(t);
    // int32 / int64: indices (token ids), which Gather checks before use.
    if (type != ElementType::kFloat32 && type != ElementType::kInt8 && type != ElementType::kInt16 &&
        type != ElementType::kInt32 && type != ElementType::kInt64) {
      return Report(Status::kCorruptFile, "model input must be float32, int8, int16, int32 or int64", -1,
                    index);
    }
  }
  if (model.input_ranges() != nullptr && model.input_ranges()->size() != 0 &&
      model.input_ranges()->size() != model.inputs()->size()) {
    return Report(Status::kCorruptFile, "one calibration range per input expected");
  }
  for (uint32_t i = 0; i < model.operators()->size(); ++i) {
    MOTE_TRY(CheckOperator(model, *model.operators()->Get(i), static_cast<int32_t>(i)));
  }
  MOTE_TRY(CheckState(model));
  MOTE_TRY(CheckSelfTest(model));
  return CheckOutputsWritten(model);
}

}  // namespace mote::internal
