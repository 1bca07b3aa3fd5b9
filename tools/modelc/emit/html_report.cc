#include "emit/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "common/files.h"
#include "mote/model.h"
#include "mote/schema/mote_generated.h"

namespace mote::modelc {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::string Num(int64_t v) {  // 1234567 -> 1,234,567
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::string ShapeText(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

// A tensor's place in the arena and its lifetime in operator steps.
struct Block {
  std::string name;
  int64_t offset = 0, bytes = 0;
  int first = 0, last = 0;  // steps (operator indices) it is live in
  bool scratch = false;
};

size_t ElementBytes(schema::ElementType t) {
  switch (t) {
    case schema::ElementType::Int8:
    case schema::ElementType::UInt8:
      return 1;
    case schema::ElementType::Int16:
      return 2;
    case schema::ElementType::Int64:
      return 8;
    default:
      return 4;
  }
}

// From the written file itself, so the picture is what the device gets.
std::vector<Block> ArenaBlocks(const std::vector<uint8_t>& file, int* steps) {
  const tools::AlignedBuffer buffer(std::string(file.begin(), file.end()));
  const Result<mote::Model> loaded = mote::Model::Load({buffer.data(), buffer.size()});
  if (!loaded.ok()) return {};  // convert checked it already
  const schema::Model& m = loaded.value().schema();
  const auto& tensors = *m.tensors();
  const int n_ops = static_cast<int>(m.operators()->size());
  *steps = std::max(n_ops, 1);
  std::vector<int> first(tensors.size(), -2), last(tensors.size(), -2);
  for (int32_t t : *m.inputs()) first[t] = last[t] = 0;
  for (int op = 0; op < n_ops; ++op) {
    const schema::Operator& o = *m.operators()->Get(op);
    for (int32_t t : *o.inputs()) {
      if (t >= 0 && first[t] != -2) last[t] = std::max(last[t], op);
    }
    for (int32_t t : *o.outputs()) {
      if (first[t] == -2) first[t] = op;
      last[t] = std::max(last[t], op);
    }
  }
  for (int32_t t : *m.outputs()) last[t] = n_ops - 1;
  std::vector<Block> blocks;
  for (uint32_t t = 0; t < tensors.size(); ++t) {
    const schema::Tensor& x = *tensors.Get(t);
    if (x.buffer() >= 0 || first[t] == -2) continue;
    int64_t n = 1;
    for (int32_t d : *x.shape()) n *= d;
    blocks.push_back({x.name() ? x.name()->str() : "", x.arena_offset(),
                      n * static_cast<int64_t>(ElementBytes(x.type())), first[t], last[t], false});
  }
  for (int op = 0; op < n_ops; ++op) {
    const schema::Operator& o = *m.operators()->Get(op);
    if (o.scratch_size() == 0) continue;
    blocks.push_back({"scratch of operator " + std::to_string(op), o.scratch_offset(),
                      o.scratch_size(), op, op, true});
  }
  return blocks;
}

void Summary(std::string& h, const ConvertOptions& o, const ConvertResult& r) {
  h += "<section id=\"summary\"><h2>Summary</h2><table class=\"kv\">";
  auto row = [&](const std::string& k, const std::string& v) {
    h += "<tr><th>" + k + "</th><td>" + v + "</td></tr>";
  };
  row("model", Esc(r.name));
  row("source", Esc(o.model_path));
  row("precision", PrecisionName(o.precision));
  if (!r.frontend_kind.empty()) {
    std::string params;
    for (const auto& [k, v] : r.frontend) params += (params.empty() ? "" : ", ") + k + "=" + v;
    row("audio front-end", Esc(r.frontend_kind) + ": " + Esc(params));
  }
  row("file (flash)", Num(static_cast<int64_t>(r.emitted.bytes.size())) +
                          " bytes, of which weights " + Num(r.emitted.weight_bytes));
  row("arena (RAM)", Num(r.arena_size) + " bytes; lower bound " + Num(r.arena_lower_bound) +
                         " (the most bytes live at any step)");
  row("compute", Num(r.emitted.total_macs) + " MACs in " + std::to_string(r.emitted.ops.size()) +
                     " operators");
  if (r.error.samples) {
    row("against the float model", "max error " + Fmt("%.4g", r.error.max_abs_error) + ", mean " +
                                       Fmt("%.4g", r.error.mean_abs_error) + ", top-1 agreement " +
                                       Fmt("%.1f%%", 100.0 * r.error.argmax_agreement) + " on " +
                                       std::to_string(r.error.samples) + " calibration samples");
  }
  row("conversion", Fmt("%.2f s", r.seconds));
  h += "</table></section>\n";
}

void Budgets(std::string& h, const ConvertOptions& o, const ConvertResult& r) {
  h += "<section id=\"budgets\"><h2>Budgets</h2>";
  struct Line {
    std::string what;
    int64_t actual;
    std::optional<int64_t> budget;
  };
  std::vector<Line> lines = {
      {"arena (bytes)", r.arena_size, o.max_arena},
      {"flash (bytes)", static_cast<int64_t>(r.emitted.bytes.size()), o.max_flash},
      {"compute (MACs)", r.emitted.total_macs, o.max_macs}};
  for (const auto& [cpu, bytes] : o.max_stack) {
    for (const StackBound& b : r.stack) {
      if (cpu.empty() || cpu == b.cpu)
        lines.push_back({"stack on " + b.cpu + " (bytes)", b.bytes, bytes});
    }
  }
  h += "<table><tr><th>what</th><th>model</th><th>budget</th><th>use</th></tr>";
  for (const Line& l : lines) {
    h += "<tr><td>" + l.what + "</td><td class=\"n\">" + Num(l.actual) + "</td>";
    if (!l.budget) {
      h += "<td>none set</td><td></td></tr>";
      continue;
    }
    const double use = *l.budget > 0 ? 100.0 * l.actual / *l.budget : 100.0;
    h += "<td class=\"n\">" + Num(*l.budget) +
         "</td><td><svg width=\"160\" height=\"12\"><rect width=\"160\" "
         "height=\"12\" fill=\"#eee\"/><rect width=\"" +
         Fmt("%.1f", std::min(use, 100.0) * 1.6) + "\" height=\"12\" fill=\"" +
         (use > 100.0 ? "#c33" : "#3a7") + "\"/></svg> " + Fmt("%.0f%%", use) + "</td></tr>";
  }
  h += "</table></section>\n";
}

// mote-sim --profile's per-operator table ("op kind MACs instructions
// MACs/instr name") and its summary line ("target T: ..."): instructions per
// operator, empty when the text holds no table for exactly `ops` operators.
std::vector<int64_t> ProfiledInstructions(const std::string& profile, size_t ops,
                                          std::string* target) {
  std::vector<int64_t> insns;
  std::istringstream in(profile);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    size_t index = 0;
    std::string kind;
    int64_t macs = 0, count = 0;
    if (line.rfind("target ", 0) == 0 && target->empty())
      *target = line.substr(7, line.find(':') - 7);
    if (!(fields >> index >> kind >> macs >> count) || index != insns.size()) continue;
    insns.push_back(count);
  }
  if (insns.size() != ops) insns.clear();
  return insns;
}

void Operators(std::string& h, const ConvertResult& r, const Comparison* c,
               const std::string& profile) {
  std::string target;
  const std::vector<int64_t> insns = ProfiledInstructions(profile, r.emitted.ops.size(), &target);
  std::map<int, const TensorComparison*> by_op;
  if (c) {
    for (const TensorComparison& t : c->tensors) {
      if (t.op_index >= 0 && !by_op.count(t.op_index)) by_op[t.op_index] = &t;
    }
  }
  h += "<section id=\"operators\"><h2>Operators</h2><table><tr><th>#</th><th>node</th><th>op</th>"
       "<th>runtime op</th><th>type</th><th>output</th><th>MACs</th><th>other ops</th><th>bytes "
       "moved</th>"
       "<th>scratch</th><th>SQNR dB</th>" +
       (insns.empty() ? std::string()
                      : "<th>instructions (" + Esc(target) + ")</th><th>MACs/instr</th>") +
       "</tr>";
  for (size_t i = 0; i < r.emitted.ops.size(); ++i) {
    const EmittedOp& op = r.emitted.ops[i];
    const auto it = by_op.find(static_cast<int>(i));
    std::string q = "";
    if (it != by_op.end())
      q = std::isinf(it->second->sqnr_db) ? "exact" : Fmt("%.1f", it->second->sqnr_db);
    h += "<tr><td>" + std::to_string(i) + "</td><td class=\"name\">" + Esc(op.name) + "</td><td>" +
         Esc(op.op) + "</td><td>" + Esc(op.runtime_op) + "</td><td>" + op.dtype + "</td><td>" +
         ShapeText(op.output_shape) + "</td><td class=\"n\">" + Num(op.cost.macs) +
         "</td><td class=\"n\">" + Num(op.cost.elementwise) + "</td><td class=\"n\">" +
         Num(op.cost.bytes_moved) + "</td><td class=\"n\">" + Num(op.scratch_bytes) +
         "</td><td class=\"n\">" + q + "</td>";
    if (!insns.empty()) {
      h += "<td class=\"n\">" + Num(insns[i]) + "</td><td class=\"n\">" +
           (insns[i] ? Fmt("%.3f", static_cast<double>(op.cost.macs) / insns[i]) : "") + "</td>";
    }
    h += "</tr>";
  }
  if (!profile.empty() && insns.empty()) {
    h += "</table><p>The --report-profile text holds no per-operator table for these " +
         std::to_string(r.emitted.ops.size()) +
         " operators (a profile of another file?).</p><table>";
  }
  h += "</table><p>Instructions per operator on a Cortex-M: <code>mote-sim run MODEL.mote --input "
       "X.npy "
       "--output Y.npy --target cortex-m4 --profile</code>.</p></section>\n";
}

void Memory(std::string& h, const ConvertResult& r) {
  int steps = 1;
  const std::vector<Block> blocks = ArenaBlocks(r.emitted.bytes, &steps);
  const double width = 860.0, height = 280.0;
  const double arena = std::max<int64_t>(r.arena_size, 1);
  const double step_w = width / steps;
  h += "<section id=\"memory\"><h2>Memory timeline</h2><p>Each box is a tensor (or an operator's "
       "kernel "
       "scratch, grey) in the arena: across, the operator steps it is live in; down, the bytes it "
       "occupies. "
       "The arena is " +
       Num(r.arena_size) + " bytes; the lower bound (most bytes live at any step) is " +
       Num(r.arena_lower_bound) + ".</p>";
  h += "<svg class=\"timeline\" width=\"" + Fmt("%.0f", width + 60) + "\" height=\"" +
       Fmt("%.0f", height + 150) + "\" xmlns=\"http://www.w3.org/2000/svg\">";
  h += "<rect x=\"50\" y=\"0\" width=\"" + Fmt("%.1f", width) + "\" height=\"" +
       Fmt("%.1f", height) + "\" fill=\"#fafafa\" stroke=\"#999\"/>";
  for (size_t b = 0; b < blocks.size(); ++b) {
    const Block& k = blocks[b];
    const double y = height * k.offset / arena, hgt = std::max(1.0, height * k.bytes / arena);
    const std::string fill =
        k.scratch ? "#bbb" : "hsl(" + std::to_string((b * 47) % 360) + ",55%,60%)";
    h += "<rect x=\"" + Fmt("%.1f", 50 + k.first * step_w) + "\" y=\"" + Fmt("%.1f", y) +
         "\" width=\"" + Fmt("%.1f", (k.last - k.first + 1) * step_w) + "\" height=\"" +
         Fmt("%.1f", hgt) + "\" fill=\"" + fill +
         "\" stroke=\"#333\" stroke-width=\"0.3\"><title>" + Esc(k.name) + ": " + Num(k.bytes) +
         " bytes at " + Num(k.offset) + ", operators " + std::to_string(k.first) + "-" +
         std::to_string(k.last) + "</title></rect>";
  }
  h += "<text x=\"45\" y=\"10\" text-anchor=\"end\" font-size=\"10\">0</text><text x=\"45\" y=\"" +
       Fmt("%.0f", height) + "\" text-anchor=\"end\" font-size=\"10\">" + Num(r.arena_size) +
       "</text>";
  // Live bytes per step against the lower bound.
  const double top = height + 20, chart = 100;
  std::string points;
  for (int s = 0; s < steps; ++s) {
    int64_t live = 0;
    for (const Block& k : blocks) live += (k.first <= s && s <= k.last) ? k.bytes : 0;
    const double y = top + chart - chart * std::min(1.0, live / arena);
    points += Fmt("%.1f", 50 + s * step_w) + "," + Fmt("%.1f", y) + " " +
              Fmt("%.1f", 50 + (s + 1) * step_w) + "," + Fmt("%.1f", y) + " ";
  }
  const double lb = top + chart - chart * std::min(1.0, r.arena_lower_bound / arena);
  h += "<rect x=\"50\" y=\"" + Fmt("%.0f", top) + "\" width=\"" + Fmt("%.1f", width) +
       "\" height=\"" + Fmt("%.0f", chart) +
       "\" fill=\"none\" stroke=\"#999\"/><polyline fill=\"none\" stroke=\"#36c\" "
       "stroke-width=\"1.5\" points=\"" +
       points +
       "\"><title>bytes live per step</title></polyline>"
       "<line x1=\"50\" x2=\"" +
       Fmt("%.1f", 50 + width) + "\" y1=\"" + Fmt("%.1f", lb) + "\" y2=\"" + Fmt("%.1f", lb) +
       "\" stroke=\"#c33\" stroke-dasharray=\"4 3\"><title>lower bound " +
       Num(r.arena_lower_bound) + " bytes</title></line><text x=\"45\" y=\"" +
       Fmt("%.0f", top + 10) +
       "\" text-anchor=\"end\" font-size=\"10\">live</text></svg></section>\n";
}

void Quantization(std::string& h, const Comparison* c) {
  h += "<section id=\"quantization\"><h2>Quantization error per layer</h2>";
  if (c == nullptr || c->tensors.empty()) {
    h += "<p>No calibration data given: nothing to compare against.</p></section>\n";
    return;
  }
  h += "<p>SQNR of each tensor against the float model on " + std::to_string(c->samples) +
       " calibration sample(s) (higher is better; 60 dB and exact at the top).";
  if (c->worst >= 0) {
    const TensorComparison& w = c->tensors[c->worst];
    h += " Worst layer: operator " + std::to_string(w.op_index) + " (" + Esc(w.op) + ", <code>" +
         Esc(w.tensor) + "</code>), " + Fmt("%.1f", w.drop_db) +
         " dB below its input; <code>modelc compare</code> shows the "
         "table, and <code>--precision int16</code> is the first thing to try there.";
  }
  h += "</p>";
  const double bar = std::max(4.0, std::min(40.0, 860.0 / c->tensors.size())), height = 160.0;
  h += "<svg width=\"" + Fmt("%.0f", 60 + bar * c->tensors.size()) + "\" height=\"" +
       Fmt("%.0f", height + 20) + "\" xmlns=\"http://www.w3.org/2000/svg\">";
  for (size_t i = 0; i < c->tensors.size(); ++i) {
    const TensorComparison& t = c->tensors[i];
    const double db = std::isinf(t.sqnr_db) ? 60.0 : std::clamp(t.sqnr_db, 0.0, 60.0);
    const double hgt = height * db / 60.0;
    h += "<rect x=\"" + Fmt("%.1f", 50 + i * bar) + "\" y=\"" + Fmt("%.1f", height - hgt) +
         "\" width=\"" + Fmt("%.1f", bar - 1) + "\" height=\"" + Fmt("%.1f", hgt) + "\" fill=\"" +
         (static_cast<int>(i) == c->worst ? "#c33" : "#3a7") + "\"><title>" + Esc(t.op) + " " +
         Esc(t.tensor) + ": " +
         (std::isinf(t.sqnr_db) ? std::string("exact") : Fmt("%.1f dB", t.sqnr_db)) +
         "</title></rect>";
  }
  h += "<text x=\"45\" y=\"10\" text-anchor=\"end\" font-size=\"10\">60 dB</text><text x=\"45\" "
       "y=\"" +
       Fmt("%.0f", height) + "\" text-anchor=\"end\" font-size=\"10\">0</text></svg></section>\n";
}

void Stack(std::string& h, const ConvertResult& r) {
  h += "<section id=\"stack\"><h2>Stack per core</h2><table><tr><th>CPU</th><th>worst case "
       "(bytes)</th>"
       "<th>set by</th><th>in</th></tr>";
  for (const StackBound& b : r.stack) {
    h += "<tr><td>" + b.cpu + "</td><td class=\"n\">" + Num(b.bytes) + "</td><td>" +
         Esc(b.deepest.empty() ? "the runtime itself" : b.deepest) + "</td><td>" + Esc(b.entry) +
         "</td></tr>";
  }
  h += "</table></section>\n";
}

}  // namespace

std::string ReportHtml(const ConvertOptions& options, const ConvertResult& result,
                       const Comparison* comparison, const std::string& profile) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mote report: " +
      Esc(result.name) +
      "</title><style>body{font:14px "
      "system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;"
      "margin:8px 0}td,th{border:1px solid #ccc;padding:2px "
      "6px;text-align:left}td.n{text-align:right;"
      "font-variant-numeric:tabular-nums}td.name{max-width:320px;overflow-wrap:anywhere}table.kv "
      "th{background:"
      "#f4f4f4}section{margin-bottom:28px}</style></head><body>\n<h1>mote report: " +
      Esc(result.name) + "</h1>\n";
  Summary(h, options, result);
  Budgets(h, options, result);
  Operators(h, result, comparison, profile);
  Memory(h, result);
  Quantization(h, comparison);
  Stack(h, result);
  return h + "</body></html>\n";
}

}  // namespace mote::modelc
