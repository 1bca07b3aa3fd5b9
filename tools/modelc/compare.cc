#include "compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/files.h"
#include "common/progress.h"
#include "convert.h"
#include "ir/reference_executor.h"
#include "ml/tree_model.h"
#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/quantize.h"
#include "mote/schema/mote_generated.h"
#include "passes/passes.h"

namespace mote::modelc {
namespace {

// Sums over every sample for one compared tensor.
struct Accumulator {
  int float_tensor = -1;  // the float graph's tensor of the same name; -1: none
  double signal = 0.0, noise = 0.0, max_abs = 0.0, sum_abs = 0.0;
  int64_t count = 0;

  void Add(const float* got, const Value& want) {
    for (int64_t k = 0; k < want.size(); ++k) {
      const double ref = want.AsFloat(k);
      const double e = static_cast<double>(got[k]) - ref;
      signal += ref * ref;
      noise += e * e;
      max_abs = std::max(max_abs, std::fabs(e));
      sum_abs += std::fabs(e);
    }
    count += want.size();
  }
  double Sqnr() const {
    if (noise == 0.0) return std::numeric_limits<double>::infinity();
    return signal == 0.0 ? -std::numeric_limits<double>::infinity()
                         : 10.0 * std::log10(signal / noise);
  }
};

bool Comparable(ElementType t) {
  return t == ElementType::kInt8 || t == ElementType::kInt16 || t == ElementType::kFloat32;
}

std::vector<float> Dequantized(const TensorView& v) {
  std::vector<float> out(v.num_elements());
  (void)DequantizeFrom(v, out);
  return out;
}

// Runtime side: dequantized operator outputs captured from the op hook.
struct Capture {
  const Interpreter* interp = nullptr;
  const std::vector<Value>* reference = nullptr;
  std::vector<std::vector<Accumulator>>* ops = nullptr;  // [op][output]

  static void Hook(void* context, size_t op, bool begin) {
    if (begin) return;
    auto* self = static_cast<Capture*>(context);
    for (size_t k = 0; k < self->interp->num_op_outputs(op); ++k) {
      Accumulator& acc = (*self->ops)[op][k];
      const TensorView v = self->interp->op_output(op, k);
      if (acc.float_tensor < 0 || !Comparable(v.type)) continue;
      const Value& want = (*self->reference)[acc.float_tensor];
      if (static_cast<size_t>(want.size()) != v.num_elements()) continue;
      acc.Add(Dequantized(v).data(), want);
    }
  }
};

std::string TypeName(ElementType t) { return ElementTypeName(t); }

std::vector<int64_t> ShapeOf(const TensorView& v) { return {v.shape.begin(), v.shape.end()}; }

}  // namespace

Comparison Compare(const std::string& source, const std::string& source_name,
                   const std::string& mote, const std::vector<tools::NpyArray>& inputs,
                   size_t max_samples) {
  const tools::AlignedBuffer buffer(mote);
  const Result<Model> model = Model::Load({buffer.data(), buffer.size()});
  if (!model.ok()) {
    throw std::runtime_error("the .mote file does not verify: " +
                             std::string(StatusName(model.status())));
  }
  std::vector<uint8_t> arena(model.value().arena_size() + 16);
  uint8_t* aligned = arena.data() + (16 - reinterpret_cast<uintptr_t>(arena.data()) % 16) % 16;
  Result<Interpreter> created =
      Interpreter::Create(model.value(), {aligned, model.value().arena_size()});
  if (model.value().state_size() > 0) {
    // Its inputs are hops and its outputs depend on earlier invokes: compare
    // the same model converted without --stream instead.
    throw ConvertError("compare: the .mote file is a streaming model (modelc convert --stream); compare its "
                       "conversion without --stream",
                       ErrorKind::kUnsupported);
  }
  if (!created.ok()) throw std::runtime_error("cannot create an interpreter for the .mote file");
  Interpreter interp = created.value();

  // The float reference: the source through the same passes as `convert`,
  // up to quantization, so tensor names and layouts match the file's.
  tools::ProgressPhase("importing");
  Graph graph = ImportModel(source, source_name);
  std::vector<std::string> names;
  for (size_t i = 0; i < inputs.size(); ++i) names.push_back("input " + std::to_string(i));
  std::vector<std::vector<Value>> samples = SamplesFrom(graph, inputs, names);
  if (samples.empty()) throw ConvertError("compare needs at least one input sample");
  if (samples.size() > max_samples) samples.resize(max_samples);
  Optimize(graph);
  if (graph.inputs.size() != interp.num_inputs()) {
    throw ConvertError("the .mote file has " + std::to_string(interp.num_inputs()) +
                       " inputs, the source model " + std::to_string(graph.inputs.size()) +
                       ": not converted from it?");
  }
  std::map<std::string, int> by_name;
  for (size_t t = 0; t < graph.tensors.size(); ++t)
    by_name.emplace(graph.tensors[t].name, static_cast<int>(t));

  const schema::Model& m = model.value().schema();
  const size_t num_ops = m.operators()->size();
  std::vector<std::vector<Accumulator>> ops(num_ops);
  for (size_t op = 0; op < num_ops; ++op) {
    ops[op].resize(interp.num_op_outputs(op));
    for (size_t k = 0; k < ops[op].size(); ++k) {
      const auto it = by_name.find(interp.op_output(op, k).name);
      if (it != by_name.end()) ops[op][k].float_tensor = it->second;
    }
  }
  std::vector<Accumulator> in_acc(interp.num_inputs());
  for (size_t i = 0; i < in_acc.size(); ++i) in_acc[i].float_tensor = graph.inputs[i];

  std::vector<Value> reference;
  Capture capture{&interp, &reference, &ops};
  interp.set_op_hook(Capture::Hook, &capture);
  const TreeCacheScope trees;  // one graph, many samples
  tools::ProgressPhase("comparing", samples.size());
  for (const std::vector<Value>& sample : samples) {
    reference = Execute(graph, sample, nullptr, false);
    for (size_t i = 0; i < sample.size(); ++i) {
      const std::vector<float> x(sample[i].f.data(), sample[i].f.data() + sample[i].f.size());
      const TensorView in = interp.input(i);
      if (in.type == ElementType::kInt32) {  // indices (token ids) as they are
        for (int64_t k = 0; k < sample[i].size(); ++k) {
          in.as<int32_t>()[static_cast<size_t>(k)] = static_cast<int32_t>(sample[i].AsInt(k));
        }
        continue;
      }
      (void)QuantizeInto(x, in);
      if (Comparable(in.type)) in_acc[i].Add(Dequantized(in).data(), sample[i]);
    }
    (void)interp.Invoke();
    tools::ProgressStep();
  }
  interp.set_op_hook(nullptr, nullptr);

  // Rows in execution order; a tensor's drop is measured from the lowest
  // SQNR among the compared tensors it reads.
  Comparison c;
  c.samples = samples.size();
  std::map<int32_t, double> sqnr_of;  // .mote tensor index -> SQNR
  for (size_t i = 0; i < in_acc.size(); ++i) {
    const TensorView v = interp.input(i);
    TensorComparison row{-1,
                         "input",
                         v.name,
                         TypeName(v.type),
                         ShapeOf(v),
                         in_acc[i].Sqnr(),
                         in_acc[i].max_abs,
                         in_acc[i].count ? in_acc[i].sum_abs / in_acc[i].count : 0.0,
                         0.0};
    sqnr_of[m.inputs()->Get(static_cast<uint32_t>(i))] = row.sqnr_db;
    c.tensors.push_back(row);
  }
  for (size_t op = 0; op < num_ops; ++op) {
    const schema::Operator& o = *m.operators()->Get(static_cast<uint32_t>(op));
    double from = std::numeric_limits<double>::infinity();
    bool any_input = false;
    for (int32_t t : *o.inputs()) {
      const auto it = sqnr_of.find(t);
      if (it != sqnr_of.end()) {
        from = std::min(from, it->second);
        any_input = true;
      }
    }
    for (size_t k = 0; k < ops[op].size(); ++k) {
      const Accumulator& acc = ops[op][k];
      if (acc.count == 0) {
        ++c.unmatched;
        continue;
      }
      const TensorView v = interp.op_output(op, k);
      TensorComparison row{static_cast<int>(op),
                           schema::EnumNameOpCode(o.opcode()),
                           v.name,
                           TypeName(v.type),
                           ShapeOf(v),
                           acc.Sqnr(),
                           acc.max_abs,
                           acc.sum_abs / acc.count,
                           0.0};
      if (!any_input && !c.tensors.empty()) from = c.tensors.back().sqnr_db;
      row.drop_db = std::isfinite(from) && std::isfinite(row.sqnr_db)
                        ? from - row.sqnr_db
                        : (std::isinf(from) && std::isfinite(row.sqnr_db)
                               ? std::numeric_limits<double>::infinity()
                               : 0.0);
      sqnr_of[o.outputs()->Get(static_cast<uint32_t>(k))] = row.sqnr_db;
      c.tensors.push_back(row);
    }
  }
  for (size_t r = 0; r < c.tensors.size(); ++r) {
    const double drop = c.tensors[r].drop_db;
    if (c.tensors[r].op_index < 0) continue;
    if (c.worst < 0 || drop > c.tensors[c.worst].drop_db) c.worst = static_cast<int>(r);
    if (c.first_jump < 0 && drop > kJumpDb) c.first_jump = static_cast<int>(r);
  }
  return c;
}

namespace {

std::string Db(double v) {
  if (std::isinf(v)) return v > 0 ? "exact" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string ShapeText(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

std::string Describe(const TensorComparison& t) {
  return (t.op_index >= 0 ? "op " + std::to_string(t.op_index) + " " : "") + t.op + " '" +
         t.tensor + "'";
}

}  // namespace

std::string ComparisonText(const Comparison& c) {
  std::string out = "per tensor, float reference vs the .mote file, over " +
                    std::to_string(c.samples) + " sample(s):\n";
  char line[512];
  std::snprintf(line, sizeof(line), "%4s  %-18s %-28s %-7s %-16s %8s %8s %11s %11s\n", "op",
                "runtime op", "tensor", "type", "shape", "SQNR dB", "drop dB", "max error",
                "mean error");
  out += line;
  for (const TensorComparison& t : c.tensors) {
    const std::string op = t.op_index >= 0 ? std::to_string(t.op_index) : "-";
    std::string name =
        t.tensor.size() > 28 ? "..." + t.tensor.substr(t.tensor.size() - 25) : t.tensor;
    std::snprintf(line, sizeof(line), "%4s  %-18s %-28s %-7s %-16s %8s %8s %11.4g %11.4g\n",
                  op.c_str(), t.op.c_str(), name.c_str(), t.type.c_str(),
                  ShapeText(t.shape).c_str(), Db(t.sqnr_db).c_str(),
                  t.op_index >= 0 ? Db(t.drop_db).c_str() : "", t.max_abs_error, t.mean_abs_error);
    out += line;
  }
  if (c.unmatched) {
    out += std::to_string(c.unmatched) +
           " operator output(s) have no float counterpart (fused or requantized) "
           "and are not shown\n";
  }
  if (c.worst >= 0) {
    const TensorComparison& w = c.tensors[c.worst];
    out += "worst layer: " + Describe(w) + ", SQNR " + Db(w.sqnr_db) + " dB, " + Db(w.drop_db) +
           " dB below its input\n";
  }
  if (c.first_jump >= 0) {
    out += "first jump (more than " + Db(kJumpDb) + " dB): " + Describe(c.tensors[c.first_jump]) +
           "\n";
  }
  if (!c.tensors.empty()) {
    out += "output: SQNR " + Db(c.tensors.back().sqnr_db) +
           " dB (if a layer loses too much, try --precision int16)\n";
  }
  return out;
}

std::string ComparisonJson(const Comparison& c) {
  auto num = [](double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
  };
  nlohmann::json j;
  j["samples"] = c.samples;
  j["unmatched"] = c.unmatched;
  j["tensors"] = nlohmann::json::array();
  for (const TensorComparison& t : c.tensors) {
    j["tensors"].push_back({{"op_index", t.op_index},
                            {"op", t.op},
                            {"tensor", t.tensor},
                            {"type", t.type},
                            {"shape", t.shape},
                            {"sqnr_db", num(t.sqnr_db)},
                            {"drop_db", num(t.drop_db)},
                            {"exact", std::isinf(t.sqnr_db) && t.sqnr_db > 0},
                            {"max_abs_error", t.max_abs_error},
                            {"mean_abs_error", t.mean_abs_error}});
  }
  j["worst"] = c.worst;
  j["first_jump"] = c.first_jump;
  return j.dump(1);
}

}  // namespace mote::modelc
