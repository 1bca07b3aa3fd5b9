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

void TreesJson(tools::Json& j, const ConvertOptions& options, const Graph& g) {
  j.Key("tree_ensembles").BeginArray();
  for (const Node& n : g.nodes) {
    if (n.op != "TreeEnsemble") continue;
    const TreeSize s = SizeOf(ParseTreeModel(n));
    j.BeginObject();
    j.Key("name").Str(n.name);
    j.Key("trees").Int(s.trees);
    j.Key("branch_nodes").Int(s.branches);
    j.Key("leaves").Int(s.leaves);
    j.Key("max_depth").Int(s.depth);
    j.Key("bytes").Int(s.bytes());
    j.Key("bytes_per_node").Num(static_cast<double>(s.bytes()) / static_cast<double>(s.branches + s.leaves));
    j.Key("largest_forest").BeginArray();
    std::vector<int64_t> budgets = {12288, 65536, 262144};
    if (options.max_flash) budgets = {*options.max_flash};
    for (int64_t budget : budgets)
      for (int64_t depth : {4, 6, 8, 10}) {
        j.BeginObject();
        j.Key("flash_budget_bytes").Int(budget);
        j.Key("depth").Int(depth);
        j.Key("trees").Int(LargestForest(s, depth, budget));
        j.EndObject();
      }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
}

}  // namespace

// The runtime's worst-case stack per Cortex-M CPU (plan/stack_bound.h).
void StackJson(tools::Json& j, const std::vector<StackBound>& bounds) {
  j.Key("stack").BeginArray();
  for (const StackBound& b : bounds) {
    j.BeginObject();
    j.Key("cpu").Str(b.cpu);
    j.Key("build").Str(StackTableBuild());
    j.Key("worst_case_bytes").Int(b.bytes);
    j.Key("deepest_op").Str(b.deepest);
    j.Key("entry").Str(b.entry);
    j.Key("fixed_bytes").Int(b.fixed_bytes);
    j.Key("fixed_entry").Str(b.fixed_entry);
    j.Key("ops").BeginArray();
    for (const OpStack& op : b.ops) {
      j.BeginObject();
      j.Key("op").Str(op.op);
      j.Key("bytes").Int(op.bytes);
      j.Key("entry").Str(op.entry);
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
}

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
  j.Key("planned_cores").BeginArray();
  for (const std::string& core : options.cores) j.Str(core);
  j.EndArray();
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
  TreesJson(j, options, r.graph);
  StackJson(j, r.stack);
  j.Key("operators").BeginArray();
  for (const auto& op : r.emitted.ops) {
    j.BeginObject();
    j.Key("name").Str(op.name);
    j.Key("op").Str(op.op);
    j.Key("runtime_op").Str(op.runtime_op);
    j.Key("type").Str(op.dtype);
    j.Key("output_shape").IntArray(op.output_shape);
    j.Key("macs").Int(op.cost.macs);
    j.Key("elementwise_ops").Int(op.cost.elementwise);
    j.Key("bytes_moved").Int(op.cost.bytes_moved);
    j.Key("scratch_bytes").Int(op.scratch_bytes);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str() + "\n";
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
