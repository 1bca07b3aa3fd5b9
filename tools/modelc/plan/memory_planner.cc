#include "plan/memory_planner.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "kernels/reference/in_place.h"

namespace mote::modelc {
namespace {

int64_t AlignUp(int64_t v) { return (v + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }

struct Buffer {
  int64_t bytes = 0;
  int first = 0;   // step that writes it (-1: before the first op)
  int last = 0;    // last step that reads it
  bool holds_graph_input = false;
};

bool LiveTogether(const Buffer& a, const Buffer& b) { return a.first <= b.last && b.first <= a.last; }

// A conv whose input buffer dies with it: its output may start `margin`
// bytes (or more) below the input and overlap it.
struct Overlap {
  int in = 0;
  int out = 0;
  int step = 0;
  int64_t margin = 0;  // exact; placement rounds it up to the alignment
};

// Buffers whose offsets are fixed relative to each other (a conv output and
// its input) and so are placed as one piece.
struct Cluster {
  std::vector<int> members;
  std::map<int, int64_t> rel;  // member -> offset from the cluster's start (>= 0)
};

reference::Window2D WindowOf(const Graph& g, const Node& n) {
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const Shape& out = g.tensors[n.outputs[0]].shape;
  auto i = [&](const char* key, int64_t fallback) { return static_cast<int32_t>(n.attr_int(key, fallback)); };
  auto d = [](int64_t v) { return static_cast<int32_t>(v); };
  return {d(in[0]), d(in[1]), d(in[2]), d(in[3]), d(out[1]), d(out[2]), d(out[3]),
          i("filter_h", 1), i("filter_w", 1), i("stride_h", 1), i("stride_w", 1),
          i("dilation_h", 1), i("dilation_w", 1), i("pad_top", 0), i("pad_left", 0)};
}

class Planner {
 public:
  // Buffers [0, tensors) are tensor groups; tensors + s is node s's scratch.
  Planner(const Graph& g, const std::vector<std::string>& cores)
      : g_(g), group_(g.tensors.size() + g.nodes.size()), scratch_(g.nodes.size(), 0) {
    std::iota(group_.begin(), group_.end(), 0);
    for (size_t s = 0; s < g.nodes.size(); ++s) scratch_[s] = ScratchBytes(g, g.nodes[s], cores);
  }

  MemoryPlan Run() {
    for (const Node& n : g_.nodes) {
      if (n.op == "Reshape" && Computed(n.inputs[0]) && Computed(n.outputs[0])) {
        Union(n.inputs[0], n.outputs[0]);
      }
    }
    WriteInPlace();
    const std::vector<Buffer> buffers = Buffers();
    const std::vector<Overlap> overlaps = Overlaps(buffers);
    // Each overlap is kept if the arena does not grow with it: greedy, so
    // the plan is never worse than one without overlaps.
    std::vector<Overlap> kept;
    MemoryPlan best = Place(buffers, Clusters(buffers, kept));
    for (const Overlap& o : overlaps) {
      std::vector<Overlap> trial = kept;
      trial.push_back(o);
      const std::vector<Cluster> clusters = Clusters(buffers, trial);
      if (clusters.empty()) continue;  // conflicts with an overlap already kept
      MemoryPlan plan = Place(buffers, clusters);
      if (plan.arena_size <= best.arena_size) {
        best = std::move(plan);
        kept = std::move(trial);
      }
    }
    best.lower_bound = LowerBound(buffers, overlaps);
    best.scratch_size = scratch_;
    return best;
  }

 private:
  int Find(int t) { return group_[t] == t ? t : (group_[t] = Find(group_[t])); }
  void Union(int a, int b) { group_[Find(b)] = Find(a); }

  // Persistent tensors are planned apart (PlanMemory), so they are not
  // computed tensors here: never shared, aliased or written in place.
  bool Computed(int t) const {
    return static_cast<size_t>(t) < g_.tensors.size() && !g_.tensors[t].is_const() &&
           !g_.tensors[t].persistent;
  }

  // Elementwise ops whose input dies with them write over it: unary ones,
  // and Add/Mul over an input of the output's shape (element k is read
  // before it is written, by every kernel).
  void WriteInPlace() {
    const std::set<std::string> unary = {"Relu", "Relu6", "Clip", "Sigmoid", "Tanh", "Softmax",
                                         "HardSwish", "LeakyRelu"};
    const std::set<std::string> binary = {"Add", "Mul"};
    for (size_t s = 0; s < g_.nodes.size(); ++s) {
      const Node& n = g_.nodes[s];
      const size_t inputs = unary.count(n.op) ? 1 : binary.count(n.op) ? 2 : 0;
      for (size_t k = 0; k < inputs && k < n.inputs.size(); ++k) {
        const int t = n.inputs[k];
        if (t < 0 || !Computed(t)) continue;
        const std::vector<Buffer> buffers = Buffers();
        const Buffer& in = buffers[Find(t)];
        const Tensor& out = g_.tensors[n.outputs[0]];
        if (in.last == static_cast<int>(s) && !in.holds_graph_input && in.bytes == TensorBytes(out) &&
            g_.tensors[t].dtype == out.dtype && NumElements(g_.tensors[t].shape) == NumElements(out.shape)) {
          Union(t, n.outputs[0]);
          break;
        }
      }
    }
  }

  // Lifetimes per group root (entries with bytes == 0 are unused), then
  // each node's scratch, live during that node alone.
  std::vector<Buffer> Buffers() {
    std::vector<Buffer> b(g_.tensors.size() + g_.nodes.size());
    std::vector<bool> seen(g_.tensors.size(), false);
    auto touch = [&](int t, int step, bool write) {
      if (t < 0 || !Computed(t)) return;
      Buffer& buf = b[Find(t)];
      if (!seen[Find(t)]) {
        buf.first = step;
        buf.last = step;
        seen[Find(t)] = true;
      }
      buf.bytes = std::max(buf.bytes, TensorBytes(g_.tensors[t]));
      if (write) buf.first = std::min(buf.first, step);
      buf.last = std::max(buf.last, step);
    };
    for (int t : g_.inputs) {
      touch(t, -1, true);
      b[Find(t)].holds_graph_input = true;
    }
    for (size_t s = 0; s < g_.nodes.size(); ++s) {
      for (int t : g_.nodes[s].outputs) touch(t, static_cast<int>(s), true);
      for (int t : g_.nodes[s].inputs) touch(t, static_cast<int>(s), false);
    }
    for (int t : g_.outputs) touch(t, static_cast<int>(g_.nodes.size()), false);
    for (size_t s = 0; s < g_.nodes.size(); ++s) {
      b[g_.tensors.size() + s] = {scratch_[s], static_cast<int>(s), static_cast<int>(s), false};
    }
    return b;
  }

  std::vector<Overlap> Overlaps(const std::vector<Buffer>& buffers) {
    std::vector<Overlap> result;
    for (size_t s = 0; s < g_.nodes.size(); ++s) {
      const Node& n = g_.nodes[s];
      if (n.op != "Conv2D" || n.inputs.empty() || n.inputs[0] < 0 || !Computed(n.inputs[0])) continue;
      const int in = Find(n.inputs[0]);
      const int out = Find(n.outputs[0]);
      if (in == out || buffers[in].last != static_cast<int>(s) || buffers[in].holds_graph_input ||
          buffers[in].bytes == 0 || buffers[out].bytes == 0) {
        continue;
      }
      const Tensor& x = g_.tensors[n.inputs[0]];
      const Tensor& y = g_.tensors[n.outputs[0]];
      if (x.shape.size() != 4 || y.shape.size() != 4) continue;
      const int64_t margin = reference::ConvInPlaceMargin(WindowOf(g_, n), DTypeSize(x.dtype), DTypeSize(y.dtype));
      if (margin >= 0) result.push_back({in, out, static_cast<int>(s), margin});
    }
    return result;
  }

  // Buffers grouped by the overlaps; empty if two buffers of a cluster would
  // share bytes while both are live (other than an overlap's own pair).
  std::vector<Cluster> Clusters(const std::vector<Buffer>& buffers, const std::vector<Overlap>& overlaps) {
    std::map<int, int> cluster_of;  // buffer -> index in `clusters`
    std::vector<Cluster> clusters;
    for (size_t r = 0; r < buffers.size(); ++r) {
      if (buffers[r].bytes == 0 || Find(static_cast<int>(r)) != static_cast<int>(r)) continue;
      cluster_of[static_cast<int>(r)] = static_cast<int>(clusters.size());
      clusters.push_back({{static_cast<int>(r)}, {{static_cast<int>(r), 0}}});
    }
    std::set<std::pair<int, int>> allowed;
    for (const Overlap& o : overlaps) {
      const int ci = cluster_of.at(o.in);
      const int co = cluster_of.at(o.out);
      if (ci == co) return {};
      // Shift the output's cluster so that out = in - margin.
      const int64_t shift = clusters[ci].rel[o.in] - AlignUp(o.margin) - clusters[co].rel[o.out];
      for (int m : clusters[co].members) {
        clusters[ci].members.push_back(m);
        clusters[ci].rel[m] = clusters[co].rel[m] + shift;
        cluster_of[m] = ci;
      }
      clusters[co] = {};
      allowed.insert({o.in, o.out});
      int64_t low = 0;
      for (const auto& [m, rel] : clusters[ci].rel) low = std::min(low, rel);
      for (auto& [m, rel] : clusters[ci].rel) rel -= low;
      const Cluster& c = clusters[ci];
      for (size_t a = 0; a < c.members.size(); ++a) {
        for (size_t b = a + 1; b < c.members.size(); ++b) {
          const int x = c.members[a], y = c.members[b];
          if (!LiveTogether(buffers[x], buffers[y]) || allowed.count({x, y}) || allowed.count({y, x})) continue;
          const int64_t xs = c.rel.at(x), ys = c.rel.at(y);
          if (xs < ys + AlignUp(buffers[y].bytes) && ys < xs + AlignUp(buffers[x].bytes)) return {};
        }
      }
    }
    std::erase_if(clusters, [](const Cluster& c) { return c.members.empty(); });
    return clusters;
  }

  // First fit, largest clusters first: each at the lowest offset where none
  // of its members shares bytes with a placed buffer live at the same time.
  MemoryPlan Place(const std::vector<Buffer>& buffers, std::vector<Cluster> clusters) {
    auto span = [&](const Cluster& c) {
      int64_t end = 0;
      for (int m : c.members) end = std::max(end, c.rel.at(m) + buffers[m].bytes);
      return end;
    };
    auto first = [&](const Cluster& c) {
      int f = buffers[c.members[0]].first;
      for (int m : c.members) f = std::min(f, buffers[m].first);
      return f;
    };
    std::stable_sort(clusters.begin(), clusters.end(), [&](const Cluster& a, const Cluster& b) {
      return span(a) != span(b) ? span(a) > span(b) : first(a) < first(b);
    });
    std::vector<int64_t> offset(buffers.size(), -1);
    std::vector<int> placed;
    MemoryPlan plan;
    for (const Cluster& c : clusters) {
      std::vector<std::pair<int64_t, int64_t>> forbidden;  // open intervals of cluster starts
      for (int m : c.members) {
        const int64_t rel = c.rel.at(m);
        for (int p : placed) {
          if (!LiveTogether(buffers[p], buffers[m])) continue;
          forbidden.push_back({offset[p] - rel - buffers[m].bytes, offset[p] + AlignUp(buffers[p].bytes) - rel});
        }
      }
      std::sort(forbidden.begin(), forbidden.end());
      int64_t at = 0;
      for (const auto& [start, end] : forbidden) {
        if (at <= start) break;
        at = std::max(at, end);
      }
      for (int m : c.members) {
        offset[m] = at + c.rel.at(m);
        placed.push_back(m);
        plan.arena_size = std::max(plan.arena_size, AlignUp(offset[m] + buffers[m].bytes));
      }
    }
    plan.scratch_offset.assign(g_.nodes.size(), 0);
    for (size_t s = 0; s < g_.nodes.size(); ++s) {
      if (scratch_[s] > 0) plan.scratch_offset[s] = offset[g_.tensors.size() + s];
    }
    plan.offset.assign(g_.tensors.size(), -1);
    for (size_t t = 0; t < g_.tensors.size(); ++t) {
      if (Computed(static_cast<int>(t))) plan.offset[t] = offset[Find(static_cast<int>(t))];
    }
    return plan;
  }

  // Most bytes live at any step, less what the best overlap at that step
  // could share: no plan under these rules can do better.
  int64_t LowerBound(const std::vector<Buffer>& buffers, const std::vector<Overlap>& overlaps) {
    int64_t bound = 0;
    for (int s = -1; s <= static_cast<int>(g_.nodes.size()); ++s) {
      int64_t live = 0;
      for (size_t r = 0; r < buffers.size(); ++r) {
        if (buffers[r].bytes > 0 && Find(static_cast<int>(r)) == static_cast<int>(r) && buffers[r].first <= s &&
            s <= buffers[r].last) {
          live += buffers[r].bytes;
        }
      }
      int64_t shared = 0;
      for (const Overlap& o : overlaps) {
        if (o.step != s) continue;
        const int64_t in = buffers[o.in].bytes, out = buffers[o.out].bytes;
        const int64_t both = std::max(in, out - o.margin) + o.margin;  // out starts margin below in
        shared = std::max(shared, in + out - both);
      }
      bound = std::max(bound, live - shared);
    }
    return bound;
  }

  const Graph& g_;
  std::vector<int> group_;
  std::vector<int64_t> scratch_;  // per node
};

}  // namespace

int64_t TensorBytes(const Tensor& t) {
  return NumElements(t.shape) * static_cast<int64_t>(DTypeSize(t.dtype));
}

// The persistent tensors first, one after the other from offset 0 (the
// state region), in the order the writer numbers tensors (first use, node by
// node, inputs before outputs): the loader wants them at increasing offsets
// in file order. Everything else is planned as usual above them.
MemoryPlan PlanMemory(const Graph& graph, const std::vector<std::string>& cores) {
  MemoryPlan plan = Planner(graph, cores).Run();
  plan.cores = cores;
  int64_t state = 0;
  std::vector<int64_t> state_offset(graph.tensors.size(), -1);
  auto place = [&](int t) {
    if (t < 0 || state_offset[t] >= 0) return;
    const Tensor& tensor = graph.tensors[t];
    if (!tensor.persistent || tensor.is_const()) return;
    state_offset[t] = state;
    state += AlignUp(TensorBytes(tensor));
  };
  for (const Node& n : graph.nodes) {
    for (int t : n.inputs) place(t);
    for (int t : n.outputs) place(t);
  }
  for (int t : graph.inputs) place(t);
  for (int t : graph.outputs) place(t);
  if (state == 0) return plan;
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    if (state_offset[t] >= 0) {
      plan.offset[t] = state_offset[t];
    } else if (plan.offset[t] >= 0) {
      plan.offset[t] += state;
    }
  }
  for (size_t s = 0; s < plan.scratch_offset.size(); ++s) {
    if (plan.scratch_size[s] > 0) plan.scratch_offset[s] += state;
  }
  plan.state_size = state;
  plan.arena_size += state;
  plan.lower_bound += state;
  return plan;
}

}  // namespace mote::modelc
