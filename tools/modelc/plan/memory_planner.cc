#include "plan/memory_planner.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace mote::modelc {
namespace {

int64_t AlignUp(int64_t v) { return (v + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }

struct Buffer {
  int64_t bytes = 0;
  int first = 0;   // step that writes it (-1: before the first op)
  int last = 0;    // last step that reads it
  bool holds_graph_input = false;
};

class Planner {
 public:
  explicit Planner(const Graph& g) : g_(g), group_(g.tensors.size()) {
    std::iota(group_.begin(), group_.end(), 0);
  }

  MemoryPlan Run() {
    const std::set<std::string> in_place = {"Relu", "Relu6", "Clip", "Sigmoid", "Tanh", "Softmax",
                                          "HardSwish", "LeakyRelu"};
    for (const Node& n : g_.nodes) {
      if (n.op == "Reshape") Union(n.inputs[0], n.outputs[0]);
    }
    for (size_t s = 0; s < g_.nodes.size(); ++s) {
      const Node& n = g_.nodes[s];
      if (!in_place.count(n.op)) continue;
      const std::vector<Buffer> buffers = Buffers();
      const Buffer& in = buffers[Find(n.inputs[0])];
      if (in.last == static_cast<int>(s) && !in.holds_graph_input &&
          in.bytes == TensorBytes(g_.tensors[n.outputs[0]])) {
        Union(n.inputs[0], n.outputs[0]);
      }
    }
    return Place(Buffers());
  }

 private:
  int Find(int t) { return group_[t] == t ? t : (group_[t] = Find(group_[t])); }
  void Union(int a, int b) { group_[Find(b)] = Find(a); }

  bool Computed(int t) const { return !g_.tensors[t].is_const(); }

  // Lifetimes per group root (entries with bytes == 0 are unused).
  std::vector<Buffer> Buffers() {
    std::vector<Buffer> b(g_.tensors.size());
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
    return b;
  }

  MemoryPlan Place(const std::vector<Buffer>& buffers) {
    std::vector<int> order;
    for (size_t r = 0; r < buffers.size(); ++r) {
      if (buffers[r].bytes > 0 && Find(static_cast<int>(r)) == static_cast<int>(r)) order.push_back(static_cast<int>(r));
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return buffers[a].bytes != buffers[b].bytes ? buffers[a].bytes > buffers[b].bytes
                                                  : buffers[a].first < buffers[b].first;
    });
    std::vector<int64_t> offset(buffers.size(), -1);
    std::vector<int> placed;
    MemoryPlan plan;
    for (int r : order) {
      std::vector<std::pair<int64_t, int64_t>> busy;  // [start, end) of overlapping buffers
      for (int p : placed) {
        if (buffers[p].first <= buffers[r].last && buffers[r].first <= buffers[p].last) {
          busy.push_back({offset[p], offset[p] + AlignUp(buffers[p].bytes)});
        }
      }
      std::sort(busy.begin(), busy.end());
      int64_t at = 0;
      for (const auto& [start, end] : busy) {
        if (at + buffers[r].bytes <= start) break;
        at = std::max(at, end);
      }
      offset[r] = at;
      placed.push_back(r);
      plan.arena_size = std::max(plan.arena_size, AlignUp(at + buffers[r].bytes));
    }
    plan.offset.assign(g_.tensors.size(), -1);
    for (size_t t = 0; t < g_.tensors.size(); ++t) {
      if (Computed(static_cast<int>(t))) plan.offset[t] = offset[Find(static_cast<int>(t))];
    }
    for (int s = -1; s <= static_cast<int>(g_.nodes.size()); ++s) {
      int64_t live = 0;
      for (int r : order) {
        if (buffers[r].first <= s && s <= buffers[r].last) live += buffers[r].bytes;
      }
      plan.lower_bound = std::max(plan.lower_bound, live);
    }
    return plan;
  }

  const Graph& g_;
  std::vector<int> group_;
};

}  // namespace

int64_t TensorBytes(const Tensor& t) {
  return NumElements(t.shape) * static_cast<int64_t>(DTypeSize(t.dtype));
}

MemoryPlan PlanMemory(const Graph& graph) { return Planner(graph).Run(); }

}  // namespace mote::modelc
