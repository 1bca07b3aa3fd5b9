#include "emit/mote_writer.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "emit/op_options.h"
#include "emit/weight_layout.h"
#include "mote/model.h"
#include "plan/cores.h"

namespace mote::modelc {

void StoreFileCrc(std::vector<uint8_t>& file) {
  const size_t offset = CrcFieldOffset(file.data());
  const uint32_t crc = FileCrc32({file.data(), file.size()}, offset);
  std::memcpy(file.data() + offset, &crc, sizeof(crc));
}

namespace {

schema::ElementType SchemaType(const Tensor& t) {
  switch (t.dtype) {
    case DType::kFloat32: return schema::ElementType::Float32;
    case DType::kInt8: return schema::ElementType::Int8;
    case DType::kInt16: return schema::ElementType::Int16;
    case DType::kInt32: return schema::ElementType::Int32;
    case DType::kInt64: return schema::ElementType::Int64;
    case DType::kUInt8: return schema::ElementType::UInt8;
    case DType::kBool: break;
  }
  throw ConvertError("tensor '" + t.name + "' has a type the .mote format cannot hold");
}

flatbuffers::Offset<flatbuffers::Vector<uint8_t>> AlignedBytes(flatbuffers::FlatBufferBuilder& fbb,
                                                               const std::vector<uint8_t>& bytes) {
  fbb.ForceVectorAlignment(bytes.size(), 1, 16);
  return fbb.CreateVector(bytes);
}

class Writer {
 public:
  Writer(const Graph& g, const MemoryPlan& plan) : g_(g), plan_(plan) {}

  Emitted Run(const Calibration& cal, const ModelInfo& info, const SelfTestData* selftest) {
    const bool effective_bias = UsesEffectiveBias(plan_.cores);
    for (size_t s = 0; s < g_.nodes.size(); ++s) {
      const Node& n = g_.nodes[s];
      if (InterleavesWeights(g_, n)) interleaved_.insert(n.inputs[1]);
      std::vector<int32_t> ins, outs;
      for (int t : n.inputs) ins.push_back(t < 0 ? -1 : TensorIndex(t));
      for (int t : n.outputs) outs.push_back(TensorIndex(t));
      const BuiltOp op = BuildOp(fbb_, g_, n, [this](std::vector<uint8_t> b) { return AddBuffer(b); },
                                 effective_bias);
      const int64_t scratch = s < plan_.scratch_size.size() ? plan_.scratch_size[s] : 0;
      const int64_t scratch_at = scratch > 0 ? plan_.scratch_offset[s] : 0;
      const OpCost cost = CostOf(g_, n);
      emitted_.total_macs += cost.macs;
      emitted_.ops.push_back({n.name, n.op, schema::EnumNameOpCode(op.opcode), DTypeName(g_.tensors[n.outputs[0]].dtype),
                              g_.tensors[n.outputs[0]].shape, cost, scratch});
      operators_.push_back(schema::CreateOperator(
          fbb_, op.opcode, fbb_.CreateVector(ins), fbb_.CreateVector(outs), op.options_type,
          op.options, fbb_.CreateString(n.name), static_cast<uint64_t>(cost.macs),
          static_cast<uint64_t>(cost.elementwise), static_cast<uint32_t>(scratch_at),
          static_cast<uint32_t>(scratch)));
    }
    std::vector<int32_t> inputs, outputs;
    for (int t : g_.inputs) inputs.push_back(TensorIndex(t));
    for (int t : g_.outputs) outputs.push_back(TensorIndex(t));
    std::vector<flatbuffers::Offset<schema::InputRange>> ranges;
    for (size_t i = 0; i < cal.input_min.size() && cal.samples > 0; ++i) {
      std::vector<float> lo = cal.input_min[i], hi = cal.input_max[i];
      if (!info.frontend_kind.empty() && !lo.empty()) {  // raw audio: one range, not one per sample
        lo = {*std::min_element(lo.begin(), lo.end())};
        hi = {*std::max_element(hi.begin(), hi.end())};
      }
      ranges.push_back(schema::CreateInputRange(fbb_, fbb_.CreateVector(lo), fbb_.CreateVector(hi)));
    }
    std::vector<flatbuffers::Offset<flatbuffers::String>> labels;
    for (const auto& l : info.class_labels) labels.push_back(fbb_.CreateString(l));
    flatbuffers::Offset<schema::SelfTest> golden = 0;
    if (selftest != nullptr && selftest->count > 0) {
      golden = schema::CreateSelfTest(fbb_, selftest->count, fbb_.CreateVector(selftest->inputs),
                                      fbb_.CreateVector(selftest->outputs));
    }
    std::vector<flatbuffers::Offset<schema::FrontendParameter>> frontend;
    for (const auto& [name, value] : info.frontend) {
      frontend.push_back(schema::CreateFrontendParameter(fbb_, fbb_.CreateString(name),
                                                         fbb_.CreateString(value)));
    }
    const auto frontend_kind = info.frontend_kind.empty() ? 0 : fbb_.CreateString(info.frontend_kind);
    const auto frontend_params = frontend.empty() ? 0 : fbb_.CreateVector(frontend);
    const auto model = schema::CreateModel(
        fbb_, fbb_.CreateString(info.name), fbb_.CreateString(info.producer),
        fbb_.CreateString(info.source_hash), fbb_.CreateVector(tensors_), fbb_.CreateVector(operators_),
        fbb_.CreateVector(buffers_), fbb_.CreateVector(inputs), fbb_.CreateVector(outputs),
        fbb_.CreateVector(ranges), fbb_.CreateVector(labels), static_cast<uint32_t>(plan_.arena_size),
        static_cast<uint32_t>(plan_.lower_bound), static_cast<uint64_t>(emitted_.total_macs),
        kRuntimeVersion, golden, fbb_.CreateVectorOfStrings(plan_.cores), frontend_kind,
        frontend_params, static_cast<uint32_t>(plan_.state_size));
    fbb_.Finish(model);
    emitted_.bytes = WrapFile(fbb_.GetBufferSpan());
    return std::move(emitted_);
  }

 private:
  static std::vector<uint8_t> WrapFile(flatbuffers::span<uint8_t> payload) {
    flatbuffers::FlatBufferBuilder fbb;
    fbb.ForceDefaults(true);  // the crc32 field must exist to be patched
    const std::vector<uint8_t> bytes(payload.begin(), payload.end());
    const auto data = AlignedBytes(fbb, bytes);
    fbb.FinishSizePrefixed(schema::CreateFile(fbb, kSchemaVersionMajor, kSchemaVersionMinor, 0, data),
                           schema::FileIdentifier());
    std::vector<uint8_t> file(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
    StoreFileCrc(file);
    return file;
  }

  int32_t AddBuffer(const std::vector<uint8_t>& bytes) {
    emitted_.weight_bytes += static_cast<int64_t>(bytes.size());
    buffers_.push_back(schema::CreateBuffer(fbb_, AlignedBytes(fbb_, bytes)));
    return static_cast<int32_t>(buffers_.size()) - 1;
  }

  int32_t TensorIndex(int t) {
    auto it = index_.find(t);
    if (it != index_.end()) return it->second;
    const Tensor& tensor = g_.tensors[t];
    int32_t buffer = -1;
    if (tensor.is_const()) {
      if (tensor.encoded.empty()) throw ConvertError("constant '" + tensor.name + "' was not encoded");
      buffer = AddBuffer(interleaved_.count(t) != 0
                             ? InterleaveRows(tensor.encoded, static_cast<size_t>(tensor.shape[0]),
                                              static_cast<size_t>(tensor.shape[1]))
                             : tensor.encoded);
    }
    flatbuffers::Offset<schema::QuantParams> quant = 0;
    if (tensor.quant) {
      quant = schema::CreateQuantParams(fbb_, fbb_.CreateVector(tensor.quant->scale),
                                        fbb_.CreateVector(tensor.quant->zero_point), tensor.quant->axis);
    }
    std::vector<int32_t> shape(tensor.shape.begin(), tensor.shape.end());
    const uint32_t offset = tensor.is_const() ? 0 : static_cast<uint32_t>(plan_.offset[t]);
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>> names = 0;
    if (!tensor.class_names.empty()) names = fbb_.CreateVectorOfStrings(tensor.class_names);
    tensors_.push_back(schema::CreateTensor(fbb_, fbb_.CreateString(tensor.name), SchemaType(tensor),
                                            fbb_.CreateVector(shape), quant, buffer, offset, names,
                                            tensor.persistent));
    const int32_t index = static_cast<int32_t>(tensors_.size()) - 1;
    index_[t] = index;
    return index;
  }

  const Graph& g_;
  std::set<int> interleaved_;  // weights written with rows interleaved (emit/weight_layout.h)
  const MemoryPlan& plan_;
  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<flatbuffers::Offset<schema::Tensor>> tensors_;
  std::vector<flatbuffers::Offset<schema::Operator>> operators_;
  std::vector<flatbuffers::Offset<schema::Buffer>> buffers_;
  std::map<int, int32_t> index_;
  Emitted emitted_;
};

}  // namespace

Emitted WriteMote(const Graph& graph, const MemoryPlan& plan, const Calibration& calibration,
                  const ModelInfo& info, const SelfTestData* selftest) {
  return Writer(graph, plan).Run(calibration, info, selftest);
}

}  // namespace mote::modelc
