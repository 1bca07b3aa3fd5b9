#include "emit/report.h"

#include <cstdio>

#include "common/json.h"

namespace mote::modelc {

std::string ReportJson(const ConvertOptions& options, const ConvertResult& r) {
  tools::Json j;
  j.BeginObject();
  j.Key("source").Str(options.model_path);
  j.Key("output").Str(options.output_path);
  j.Key("precision").Str(PrecisionName(options.precision));
  j.Key("file_bytes").Int(static_cast<int64_t>(r.emitted.bytes.size()));
  j.Key("weight_bytes").Int(r.emitted.weight_bytes);
  j.Key("arena_bytes").Int(r.arena_size);
  j.Key("arena_lower_bound_bytes").Int(r.arena_lower_bound);
  j.Key("total_macs").Int(r.emitted.total_macs);
  int64_t elementwise = 0;
  for (const auto& op : r.emitted.ops) elementwise += op.cost.elementwise;
  j.Key("total_elementwise_ops").Int(elementwise);
  j.Key("conversion_seconds").Num(r.seconds);
  j.Key("calibration").BeginObject();
  j.Key("samples").Int(static_cast<int64_t>(r.error.samples));
  j.Key("max_abs_error").Num(r.error.max_abs_error);
  j.Key("mean_abs_error").Num(r.error.mean_abs_error);
  j.Key("argmax_agreement").Num(r.error.argmax_agreement);
  j.EndObject();
  j.Key("operators").BeginArray();
  for (const auto& op : r.emitted.ops) {
    j.BeginObject();
    j.Key("name").Str(op.name);
    j.Key("op").Str(op.op);
    j.Key("type").Str(op.dtype);
    j.Key("output_shape").IntArray(op.output_shape);
    j.Key("macs").Int(op.cost.macs);
    j.Key("elementwise_ops").Int(op.cost.elementwise);
    j.Key("bytes_moved").Int(op.cost.bytes_moved);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str() + "\n";
}

std::string ReportText(const ConvertOptions& options, const ConvertResult& r) {
  char buf[512];
  std::string out;
  std::snprintf(buf, sizeof(buf), "%s -> %s (%s)\n", options.model_path.c_str(), options.output_path.c_str(),
                PrecisionName(options.precision));
  out += buf;
  std::snprintf(buf, sizeof(buf), "  %-4s %-16s %-8s %-14s %12s %10s\n", "#", "op", "type", "output", "MACs", "elemwise");
  out += buf;
  for (size_t i = 0; i < r.emitted.ops.size(); ++i) {
    const auto& op = r.emitted.ops[i];
    std::snprintf(buf, sizeof(buf), "  %-4zu %-16s %-8s %-14s %12lld %10lld  %s\n", i, op.op.c_str(), op.dtype.c_str(),
                  ShapeString(op.output_shape).c_str(), static_cast<long long>(op.cost.macs),
                  static_cast<long long>(op.cost.elementwise), op.name.c_str());
    out += buf;
  }
  std::snprintf(buf, sizeof(buf),
                "  MACs %lld | arena %lld bytes (lower bound %lld) | file %zu bytes (weights %lld) | %.3f s\n",
                static_cast<long long>(r.emitted.total_macs), static_cast<long long>(r.arena_size),
                static_cast<long long>(r.arena_lower_bound), r.emitted.bytes.size(),
                static_cast<long long>(r.emitted.weight_bytes), r.seconds);
  out += buf;
  if (r.error.samples > 0) {
    std::snprintf(buf, sizeof(buf),
                  "  vs float reference on %zu calibration samples: max |err| %.5g, mean |err| %.5g, "
                  "top-1 agreement %.2f%%\n",
                  r.error.samples, r.error.max_abs_error, r.error.mean_abs_error, 100.0 * r.error.argmax_agreement);
    out += buf;
  }
  return out;
}

}  // namespace mote::modelc
