#include "emit/report.h"

#include <algorithm>
#include <cstdio>

#include "common/json.h"
#include "ml/tree_model.h"

namespace mote::modelc {

namespace {

// Flash bytes of a TreeEnsemble's buffers (layout in mote.fbs): 12 per branch
// node, 2 per root, 4 per leaf offset (+4), 6 per leaf entry.
struct TreeSize {
  int64_t trees = 0, branches = 0, leaves = 0, entries = 0, depth = 0;
  int64_t bytes() const { return 12 * branches + 2 * trees + 4 * (leaves + 1) + 6 * entries; }
};

TreeSize SizeOf(const TreeModel& m) {
  TreeSize s;
  s.trees = static_cast<int64_t>(m.trees.size());
  s.depth = MaxDepth(m);
  for (const auto& [id, nodes] : m.trees)
    for (const auto& [nid, n] : nodes) {
      if (n.mode >= 0) ++s.branches;
      else {
        ++s.leaves;
        s.entries += static_cast<int64_t>(n.weights.size());
      }
    }
  return s;
}

// Trees of a full binary depth `d` (entries per leaf as in this model) that fit `budget` bytes.
int64_t LargestForest(const TreeSize& s, int64_t depth, int64_t budget) {
  const double per_leaf = s.leaves ? static_cast<double>(s.entries) / s.leaves : 1.0;
  const int64_t leaves = int64_t{1} << depth;
  const double per_tree = 12.0 * (leaves - 1) + 2 + 4.0 * leaves + 6.0 * per_leaf * leaves;
  return std::max<int64_t>(0, static_cast<int64_t>((budget - 4) / per_tree));
}

tools::Json TreesJson(const ConvertOptions& options, const Graph& g) {
  tools::Json trees = tools::Json::array();
  for (const Node& n : g.nodes) {
    if (n.op != "TreeEnsemble") continue;
    const TreeSize s = SizeOf(ParseTreeModel(n));
    tools::Json largest = tools::Json::array();
    std::vector<int64_t> budgets = {12288, 65536, 262144};
    if (options.max_flash) budgets = {*options.max_flash};
    for (int64_t budget : budgets)
      for (int64_t depth : {4, 6, 8, 10}) {
        largest.push_back({{"flash_budget_bytes", budget}, {"depth", depth}, {"trees", LargestForest(s, depth, budget)}});
      }
    trees.push_back({{"name", n.name},
                     {"trees", s.trees},
                     {"branch_nodes", s.branches},
                     {"leaves", s.leaves},
                     {"max_depth", s.depth},
                     {"bytes", s.bytes()},
                     {"bytes_per_node", static_cast<double>(s.bytes()) / static_cast<double>(s.branches + s.leaves)},
                     {"largest_forest", std::move(largest)}});
  }
  return trees;
}

// MACs of the audio front-end's ops (--frontend) per invoke.
int64_t FrontendMacs(const ConvertResult& r) {
  int64_t macs = 0;
  for (const EmittedOp& op : r.emitted.ops) {
    if (op.op == "Spectrogram" || op.op == "Dct") macs += op.cost.macs;
  }
  return macs;
}

}  // namespace

tools::Json StackJson(const std::vector<StackBound>& bounds) {
  tools::Json stack = tools::Json::array();
  for (const StackBound& b : bounds) {
    tools::Json ops = tools::Json::array();
    for (const OpStack& op : b.ops) ops.push_back({{"op", op.op}, {"bytes", op.bytes}, {"entry", op.entry}});
    stack.push_back({{"cpu", b.cpu},
                     {"build", StackTableBuild()},
                     {"worst_case_bytes", b.bytes},
                     {"deepest_op", b.deepest},
                     {"entry", b.entry},
                     {"fixed_bytes", b.fixed_bytes},
                     {"fixed_entry", b.fixed_entry},
                     {"ops", std::move(ops)}});
  }
  return stack;
}

std::string ReportJson(const ConvertOptions& options, const ConvertResult& r) {
  int64_t elementwise = 0;
  for (const auto& op : r.emitted.ops) elementwise += op.cost.elementwise;
  tools::Json operators = tools::Json::array();
  for (const auto& op : r.emitted.ops) {
    operators.push_back({{"name", op.name},
                         {"op", op.op},
                         {"runtime_op", op.runtime_op},
                         {"type", op.dtype},
                         {"output_shape", op.output_shape},
                         {"macs", op.cost.macs},
                         {"elementwise_ops", op.cost.elementwise},
                         {"bytes_moved", op.cost.bytes_moved},
                         {"scratch_bytes", op.scratch_bytes}});
  }
  tools::Json j;
  j["source"] = options.model_path;
  j["output"] = options.output_path;
  j["precision"] = PrecisionName(options.precision);
  j["file_bytes"] = static_cast<int64_t>(r.emitted.bytes.size());
  j["weight_bytes"] = r.emitted.weight_bytes;
  j["arena_bytes"] = r.arena_size;
  j["arena_lower_bound_bytes"] = r.arena_lower_bound;
  if (!r.streamed.empty()) {
    tools::Json streams = tools::Json::array();
    for (const StreamedInput& s : r.streamed) {
      streams.push_back({{"input", r.graph.tensors[s.tensor].name},
                         {"axis", s.axis},
                         {"hop", s.hop},
                         {"length", s.length},
                         {"invokes_per_window", s.invokes()},
                         {"lead", s.lead},
                         {"mode", s.mode == StreamMode::kFifo    ? "fifo"
                                  : s.mode == StreamMode::kState ? "state"
                                                                 : "frontend"}});
    }
    j["streamed_inputs"] = streams;
    j["state_bytes"] = r.state_size;
    j["macs_per_invoke"] = r.emitted.total_macs;
    if (!r.frontend_kind.empty()) j["frontend_macs_per_invoke"] = FrontendMacs(r);
  }
  j["planned_cores"] = options.cores;
  if (!r.frontend_kind.empty()) {
    tools::Json frontend = {{"kind", r.frontend_kind}};
    for (const auto& [k, v] : r.frontend) frontend[k] = v;
    j["frontend"] = std::move(frontend);
  }
  j["total_macs"] = r.emitted.total_macs;
  j["total_elementwise_ops"] = elementwise;
  j["conversion_seconds"] = r.seconds;
  j["calibration"] = {{"samples", static_cast<int64_t>(r.error.samples)},
                      {"max_abs_error", r.error.max_abs_error},
                      {"mean_abs_error", r.error.mean_abs_error},
                      {"argmax_agreement", r.error.argmax_agreement}};
  j["tree_ensembles"] = TreesJson(options, r.graph);
  j["stack"] = StackJson(r.stack);
  if (!r.graph.notes.empty()) j["notes"] = r.graph.notes;  // what the user must ensure
  j["operators"] = std::move(operators);
  return tools::JsonLine(j);
}

std::string StackText(const std::vector<StackBound>& bounds) {
  std::string line;
  for (const StackBound& b : bounds) {
    if (!line.empty()) line += ", ";
    line += b.cpu + " " + std::to_string(b.bytes) + " (" + (b.deepest.empty() ? "no kernel" : b.deepest) + ")";
  }
  return line;
}

std::string ReportText(const ConvertOptions& options, const ConvertResult& r) {
  char buf[512];
  std::string out;
  std::snprintf(buf, sizeof(buf), "%s -> %s (%s)\n", options.model_path.c_str(), options.output_path.c_str(),
                PrecisionName(options.precision));
  out += buf;
  std::snprintf(buf, sizeof(buf), "  %-4s %-16s %-8s %-14s %12s %10s %8s\n", "#", "op", "type", "output", "MACs",
                "elemwise", "scratch");
  out += buf;
  for (size_t i = 0; i < r.emitted.ops.size(); ++i) {
    const auto& op = r.emitted.ops[i];
    std::snprintf(buf, sizeof(buf), "  %-4zu %-16s %-8s %-14s %12lld %10lld %8lld  %s\n", i, op.op.c_str(),
                  op.dtype.c_str(), ShapeString(op.output_shape).c_str(), static_cast<long long>(op.cost.macs),
                  static_cast<long long>(op.cost.elementwise), static_cast<long long>(op.scratch_bytes),
                  op.name.c_str());
    out += buf;
  }
  if (!r.frontend_kind.empty()) {
    out += "  frontend " + r.frontend_kind;
    std::string sep = ": ";
    for (const auto& [k, v] : r.frontend) {
      out += sep + k + "=" + v;
      sep = ", ";
    }
    out += "\n";
  }
  std::string cores;
  for (const std::string& c : options.cores) cores += (cores.empty() ? "" : ",") + c;
  std::snprintf(buf, sizeof(buf), "  planned for %s (scratch: bytes of the arena each op's kernels use there)\n",
                cores.c_str());
  out += buf;
  std::snprintf(buf, sizeof(buf),
                "  MACs %lld | arena %lld bytes (lower bound %lld) | file %zu bytes (weights %lld) | %.3f s\n",
                static_cast<long long>(r.emitted.total_macs), static_cast<long long>(r.arena_size),
                static_cast<long long>(r.arena_lower_bound), r.emitted.bytes.size(),
                static_cast<long long>(r.emitted.weight_bytes), r.seconds);
  out += buf;
  if (!r.stack.empty()) out += "  stack (worst case below the caller, bytes): " + StackText(r.stack) + "\n";
  for (const StreamedInput& s : r.streamed) {
    std::snprintf(buf, sizeof(buf),
                  "  streamed: input '%s' %lld rows of axis %lld per invoke (%s), %lld invokes fill its %lld; "
                  "per invoke (hop) %lld MACs; state %lld bytes\n",
                  r.graph.tensors[s.tensor].name.c_str(), static_cast<long long>(s.hop),
                  static_cast<long long>(s.axis), s.mode == StreamMode::kFifo    ? "fifo"
                  : s.mode == StreamMode::kState ? "stateful recurrence"
                                                 : "front-end frame by frame",
                  static_cast<long long>(s.invokes()), static_cast<long long>(s.length),
                  static_cast<long long>(r.emitted.total_macs), static_cast<long long>(r.state_size));
    out += buf;
    if (s.mode == StreamMode::kFrontend) {
      std::snprintf(buf, sizeof(buf),
                    "  streamed: per hop the front-end computes its new frames (%lld MACs), the "
                    "classifier the rest; a clip is fed after %lld zero samples\n",
                    static_cast<long long>(FrontendMacs(r)), static_cast<long long>(s.lead));
      out += buf;
    }
  }
  for (const Node& n : r.graph.nodes) {
    if (n.op != "TreeEnsemble") continue;
    const TreeSize s = SizeOf(ParseTreeModel(n));
    const int64_t budget = options.max_flash.value_or(65536);
    std::snprintf(buf, sizeof(buf),
                  "  trees: %lld (depth <= %lld), %lld branch nodes, %lld leaves, %lld bytes (%.1f per node); "
                  "%lld bytes of flash fit %lld trees of depth 6 or %lld of depth 8\n",
                  static_cast<long long>(s.trees), static_cast<long long>(s.depth), static_cast<long long>(s.branches),
                  static_cast<long long>(s.leaves), static_cast<long long>(s.bytes()),
                  static_cast<double>(s.bytes()) / static_cast<double>(s.branches + s.leaves),
                  static_cast<long long>(budget), static_cast<long long>(LargestForest(s, 6, budget)),
                  static_cast<long long>(LargestForest(s, 8, budget)));
    out += buf;
  }
  for (const std::string& note : r.graph.notes) out += "  note: " + note + "\n";
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
