#include "inspect.h"

#include <cstdio>
#include <stdexcept>

#include "common/files.h"
#include "common/json.h"
#include "emit/report.h"
#include "kernels/paths.h"
#include "mote/diagnostics.h"
#include "mote/model.h"
#include "mote/schema/mote_generated.h"
#include "plan/stack_bound.h"
#include "src/kernel_paths.h"

namespace mote::modelc {
namespace {

std::string Shape(const flatbuffers::Vector<int32_t>* s) {
  std::string out = "[";
  for (uint32_t i = 0; s && i < s->size(); ++i) out += (i ? "," : "") + std::to_string(s->Get(i));
  return out + "]";
}

std::string Str(const flatbuffers::String* s) { return s ? s->str() : ""; }

void Collect(const mote::Diagnostic& d, void* context) {
  *static_cast<std::string*>(context) = std::string(d.message) +
      (d.op_index >= 0 ? ", operator " + std::to_string(d.op_index) : "") +
      (d.tensor_index >= 0 ? ", tensor " + std::to_string(d.tensor_index) : "") +
      ", value " + std::to_string(d.value) + ", limit " + std::to_string(d.limit);
}

std::string TensorLine(const schema::Model& m, int32_t index) {
  const schema::Tensor& t = *m.tensors()->Get(static_cast<uint32_t>(index));
  std::string line = Str(t.name()) + " " + schema::EnumNameElementType(t.type()) + Shape(t.shape());
  if (t.quant() && t.quant()->scale() && t.quant()->scale()->size() == 1) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), " scale %.6g zero_point %d", t.quant()->scale()->Get(0),
                  t.quant()->zero_point()->Get(0));
    line += buf;
  }
  return line;
}

// The names of the DSP kernel paths in `mask` (kernels/paths.h), in bit order.
std::vector<std::string> PathNames(uint32_t mask) {
  std::vector<std::string> names;
  for (uint32_t i = 0; i < kernel_paths::kPathCount; ++i) {
    if (mask & (1u << i)) names.push_back(kernel_paths::kPathNames[i]);
  }
  return names;
}

// Every path the model's operators take on the DSP cores.
uint32_t ModelPaths(const schema::Model& m) {
  uint32_t mask = 0;
  for (uint32_t i = 0; i < m.operators()->size(); ++i) {
    mask |= internal::DspKernelPaths(m, static_cast<int32_t>(i));
  }
  return mask;
}

}  // namespace

std::string Inspect(const std::string& path, bool json) { return InspectBytes(tools::ReadFile(path), path, json); }

std::string InspectBytes(const std::string& bytes, const std::string& path, bool json) {
  const tools::AlignedBuffer buffer(bytes);
  std::string message;
  mote::SetDiagnosticHandler(Collect, &message);
  const Result<mote::Model> loaded = mote::Model::Load({buffer.data(), buffer.size()});
  mote::SetDiagnosticHandler(nullptr, nullptr);
  if (!loaded.ok()) {
    throw std::runtime_error(path + ": " + mote::StatusName(loaded.status()) + ": " + message);
  }
  const schema::Model& m = loaded.value().schema();
  const schema::File& f = *schema::GetSizePrefixedFile(buffer.data());
  int64_t weight_bytes = 0;
  for (uint32_t b = 0; m.buffers() && b < m.buffers()->size(); ++b) {
    weight_bytes += m.buffers()->Get(b)->data() ? m.buffers()->Get(b)->data()->size() : 0;
  }
  std::vector<std::string> op_types;
  for (const schema::Operator* op : *m.operators()) {
    const schema::Tensor* out = m.tensors()->Get(op->outputs()->Get(0));
    const char* dtype = out->type() == schema::ElementType::Int8    ? "int8"
                        : out->type() == schema::ElementType::Int16 ? "int16"
                        : out->type() == schema::ElementType::Float32 ? "float32"
                                                                      : "other";
    op_types.push_back(StackKey(schema::EnumNameOpCode(op->opcode()), dtype));
  }
  const std::vector<StackBound> stack = StackBounds(op_types);
  if (json) {
    tools::Json j;
    j["name"] = Str(m.name());
    j["producer"] = Str(m.producer());
    j["source_sha256"] = Str(m.source_hash());
    j["schema_version"] = std::to_string(f.version_major()) + "." + std::to_string(f.version_minor());
    j["file_bytes"] = static_cast<int64_t>(buffer.size());
    j["weight_bytes"] = weight_bytes;
    j["arena_bytes"] = m.arena_size();
    j["arena_lower_bound_bytes"] = m.arena_lower_bound();
    j["total_macs"] = static_cast<int64_t>(m.total_macs());
    j["state_bytes"] = m.state_size();
    tools::Json state = tools::Json::array();
    for (const schema::Tensor* t : *m.tensors()) {
      if (!t->persistent()) continue;
      state.push_back({{"name", Str(t->name())},
                       {"type", schema::EnumNameElementType(t->type())},
                       {"shape", std::vector<int32_t>(t->shape()->begin(), t->shape()->end())},
                       {"arena_offset", t->arena_offset()}});
    }
    j["state_tensors"] = std::move(state);
    j["planned_cores"] = tools::Json::array();
    if (m.planned_cores() != nullptr) {
      for (const flatbuffers::String* c : *m.planned_cores()) j["planned_cores"].push_back(c->str());
    }
    if (m.frontend_kind() != nullptr) {  // modelc convert --frontend
      tools::Json frontend = {{"kind", m.frontend_kind()->str()}};
      if (m.frontend() != nullptr) {
        for (const schema::FrontendParameter* p : *m.frontend()) frontend[Str(p->name())] = Str(p->value());
      }
      j["frontend"] = std::move(frontend);
    }
    for (const char* which : {"inputs", "outputs"}) {
      const auto* list = std::string(which) == "inputs" ? m.inputs() : m.outputs();
      tools::Json tensors = tools::Json::array();
      for (int32_t idx : *list) {
        const schema::Tensor& t = *m.tensors()->Get(static_cast<uint32_t>(idx));
        tools::Json tensor = {{"name", Str(t.name())}, {"type", schema::EnumNameElementType(t.type())}};
        tensor["shape"] = t.shape() ? std::vector<int32_t>(t.shape()->begin(), t.shape()->end())
                                    : std::vector<int32_t>();
        if (t.quant() && t.quant()->scale() && t.quant()->scale()->size() > 0 && t.quant()->zero_point() &&
            t.quant()->zero_point()->size() > 0) {
          tensor["scale"] = t.quant()->scale()->Get(0);
          tensor["zero_point"] = t.quant()->zero_point()->Get(0);
        }
        tensors.push_back(std::move(tensor));
      }
      j[which] = std::move(tensors);
    }
    tools::Json operators = tools::Json::array();
    for (const schema::Operator* op : *m.operators()) {
      tools::Json o = {{"op", schema::EnumNameOpCode(op->opcode())}, {"name", Str(op->name())}};
      if (const auto* unary = op->options_as_UnaryOptions()) {
        o["function"] = schema::EnumNameUnaryFunction(unary->function());
      }
      if (const auto* rnn = op->options_as_RnnOptions()) o["cell"] = schema::EnumNameRnnCell(rnn->cell());
      if (const auto* cmp = op->options_as_CompareOptions()) {
        o["function"] = schema::EnumNameCompareFunction(cmp->function());
      }
      if (const auto* pad = op->options_as_PadOptions()) o["mode"] = schema::EnumNamePadMode(pad->mode());
      if (const auto* gather = op->options_as_GatherOptions()) {
        o["axis"] = gather->axis();
        o["elements"] = gather->elements();
      }
      o["macs"] = static_cast<int64_t>(op->macs());
      o["scratch_bytes"] = op->scratch_size();
      // The activation type its kernel runs on (what MOTE_TYPES selects).
      if (op->inputs() != nullptr && op->inputs()->size() > 0 && op->inputs()->Get(0) >= 0) {
        o["input_type"] = schema::EnumNameElementType(m.tensors()->Get(op->inputs()->Get(0))->type());
      }
      const uint32_t paths = internal::DspKernelPaths(m, static_cast<int32_t>(operators.size()));
      if (paths != 0) o["dsp_paths"] = PathNames(paths);
      operators.push_back(std::move(o));
    }
    j["operators"] = std::move(operators);
    // What MOTE_KERNEL_PATHS a firmware for this model needs.
    j["kernel_paths"] = PathNames(ModelPaths(m));
    j["stack"] = StackJson(stack);
    return tools::JsonLine(j);
  }
  char buf[256];
  std::string out;
  out += "model      " + Str(m.name()) + "\nproducer   " + Str(m.producer()) + "\nsource     sha256:" +
         Str(m.source_hash()) + "\n";
  std::snprintf(buf, sizeof(buf),
                "format     .mote %u.%u, %zu bytes (%lld of constants)\narena      %u bytes (lower bound %u)\n"
                "compute    %llu MACs per inference\n",
                f.version_major(), f.version_minor(), buffer.size(), static_cast<long long>(weight_bytes),
                m.arena_size(), m.arena_lower_bound(), static_cast<unsigned long long>(m.total_macs()));
  out += buf;
  out += "stack      worst case, bytes: " + StackText(stack) + "\n";
  if (m.state_size() > 0) {
    std::snprintf(buf, sizeof(buf),
                  "state      %u bytes kept between invokes (streaming: outputs depend on earlier "
                  "invokes; Interpreter::ResetState clears them)\n",
                  m.state_size());
    out += buf;
    for (uint32_t t = 0; t < m.tensors()->size(); ++t) {
      if (!m.tensors()->Get(t)->persistent()) continue;
      std::snprintf(buf, sizeof(buf), "  state    @%u ", m.tensors()->Get(t)->arena_offset());
      out += buf + TensorLine(m, static_cast<int32_t>(t)) + "\n";
    }
  }
  std::string cores;
  if (m.planned_cores() != nullptr) {
    for (const flatbuffers::String* c : *m.planned_cores()) cores += (cores.empty() ? "" : ",") + c->str();
  }
  out += "planned    for " + (cores.empty() ? std::string("(not recorded)") : cores) + "\n";
  std::string paths;
  for (const std::string& p : PathNames(ModelPaths(m))) paths += (paths.empty() ? "" : ";") + p;
  if (!paths.empty()) out += "dsp paths  " + paths + " (MOTE_KERNEL_PATHS of a firmware for it)\n";
  if (m.frontend_kind() != nullptr) {
    out += "frontend   " + m.frontend_kind()->str();
    if (m.frontend() != nullptr) {
      std::string sep = ": ";
      for (const schema::FrontendParameter* p : *m.frontend()) {
        out += sep + Str(p->name()) + "=" + Str(p->value());
        sep = ", ";
      }
    }
    out += "\n";
  }
  for (int32_t idx : *m.inputs()) out += "input      " + TensorLine(m, idx) + "\n";
  for (int32_t idx : *m.outputs()) {
    out += "output     " + TensorLine(m, idx) + "\n";
    if (const auto* names = m.tensors()->Get(static_cast<uint32_t>(idx))->class_names()) {
      out += "  classes ";
      for (uint32_t k = 0; k < names->size(); ++k) out += " " + std::to_string(k) + "=" + names->Get(k)->str();
      out += "\n";
    }
  }
  out += "operators\n";
  for (uint32_t i = 0; i < m.operators()->size(); ++i) {
    const schema::Operator* op = m.operators()->Get(i);
    std::string name = schema::EnumNameOpCode(op->opcode());
    if (const auto* unary = op->options_as_UnaryOptions()) {
      name += std::string("(") + schema::EnumNameUnaryFunction(unary->function()) + ")";
    }
    if (const auto* rnn = op->options_as_RnnOptions()) {
      name += std::string("(") + schema::EnumNameRnnCell(rnn->cell()) +
              (rnn->stateful() ? ",stateful" : "") + ")";
    }
    if (const auto* cmp = op->options_as_CompareOptions()) {
      name += std::string("(") + schema::EnumNameCompareFunction(cmp->function()) + ")";
    }
    if (const auto* gather = op->options_as_GatherOptions()) {
      name += std::string(gather->elements() ? "(elements," : "(") + "axis=" +
              std::to_string(gather->axis()) + ")";
    }
    std::snprintf(buf, sizeof(buf), "  %3u %-22s %10llu MACs %6u B scratch  ", i, name.c_str(),
                  static_cast<unsigned long long>(op->macs()), op->scratch_size());
    out += buf + Str(op->name()) + " -> " + TensorLine(m, op->outputs()->Get(0)) + "\n";
  }
  return out;
}

}  // namespace mote::modelc
