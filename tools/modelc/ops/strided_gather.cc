#include "ops/strided_gather.h"

#include <algorithm>
#include <limits>

namespace mote::modelc {
namespace {

// Row-major strides of `shape`.
std::vector<int64_t> StridesOf(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

// True if every block of `c` consecutive entries steps by `s`.
bool BlocksStep(const std::vector<int64_t>& v, size_t c, int64_t s) {
  for (size_t b = 0; b < v.size(); b += c) {
    for (size_t i = 1; i < c; ++i) {
      if (v[b + i] - v[b + i - 1] != s) return false;
    }
  }
  return true;
}

}  // namespace

GatherDims FitGatherDims(const Node& n, const std::vector<int64_t>& source, size_t max_dims) {
  if (source.empty()) Unsupported(n, "an empty output is not supported");
  std::vector<int64_t> cur = source;
  std::vector<std::pair<int64_t, int64_t>> inner_first;  // (count, stride)
  while (cur.size() > 1) {
    const size_t len = cur.size();
    const int64_t step = cur[1] - cur[0];
    size_t run = 2;
    while (run < len && cur[run] - cur[run - 1] == step) ++run;
    size_t chosen = 0;
    for (size_t c = run; c >= 2 && chosen == 0; --c) {
      if (len % c == 0 && BlocksStep(cur, c, step)) chosen = c;
    }
    if (chosen == 0) break;
    inner_first.push_back({static_cast<int64_t>(chosen), step});
    std::vector<int64_t> next;
    for (size_t b = 0; b < len; b += chosen) next.push_back(cur[b]);
    cur = std::move(next);
  }
  GatherDims dims;
  if (cur.size() > 1) {  // no stride fits: the outer rest reads through a table
    dims.table_dim = 0;
    dims.counts.push_back(static_cast<int64_t>(cur.size()));
    dims.strides.push_back(0);
    dims.table = cur;
  } else {
    dims.offset = cur[0];
  }
  for (size_t k = inner_first.size(); k-- > 0;) {
    dims.counts.push_back(inner_first[k].first);
    dims.strides.push_back(inner_first[k].second);
  }
  if (dims.counts.empty()) {
    dims.counts.push_back(1);
    dims.strides.push_back(0);
  }
  if (dims.counts.size() > max_dims) {
    Unsupported(n, "the data movement needs " + std::to_string(dims.counts.size()) +
                       " strided dims; the runtime supports " + std::to_string(max_dims));
  }
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  for (int64_t v : dims.strides) {
    if (v > kMax || v < -kMax) Unsupported(n, "a stride does not fit in 32 bits");
  }
  if (dims.offset > kMax) Unsupported(n, "the input is too large");
  return dims;
}

Node MakeStridedGather(const std::string& name, int input, int output,
                       std::vector<int64_t> source) {
  Node m;
  m.name = name;
  m.op = "StridedGather";
  m.inputs = {input};
  m.outputs = {output};
  m.attrs["source"].ints = std::move(source);
  return m;
}

std::vector<int64_t> PermuteSource(const std::vector<int64_t>& source, const Shape& logical_in,
                                   const std::vector<int64_t>& in_perm, const Shape& logical_out,
                                   const std::vector<int64_t>& out_perm) {
  const std::vector<int64_t> in_strides = StridesOf(logical_in);
  // Physical stride of each logical input dim.
  std::vector<int64_t> in_physical(logical_in.size(), 0);
  if (in_perm.empty()) {
    in_physical = in_strides;
  } else {
    Shape phys(in_perm.size());
    for (size_t k = 0; k < in_perm.size(); ++k) phys[k] = logical_in[in_perm[k]];
    const std::vector<int64_t> ps = StridesOf(phys);
    for (size_t k = 0; k < in_perm.size(); ++k) in_physical[in_perm[k]] = ps[k];
  }
  auto to_physical = [&](int64_t flat) {
    int64_t p = 0;
    for (size_t d = 0; d < logical_in.size(); ++d) {
      p += (flat / in_strides[d]) * in_physical[d];
      flat %= in_strides[d];
    }
    return p;
  };
  std::vector<int64_t> out(source.size());
  if (out_perm.empty()) {
    for (size_t k = 0; k < source.size(); ++k) out[k] = to_physical(source[k]);
    return out;
  }
  // Walk the physical output in order; its logical position moves by the
  // logical strides of the dims it walks.
  const std::vector<int64_t> out_strides = StridesOf(logical_out);
  const size_t rank = out_perm.size();
  std::vector<int64_t> dims(rank), walk(rank), index(rank, 0);
  for (size_t k = 0; k < rank; ++k) {
    dims[k] = logical_out[out_perm[k]];
    walk[k] = out_strides[out_perm[k]];
  }
  int64_t logical = 0;
  for (size_t o = 0; o < out.size(); ++o) {
    out[o] = to_physical(source[static_cast<size_t>(logical)]);
    for (size_t d = rank; d-- > 0;) {
      logical += walk[d];
      if (++index[d] < dims[d]) break;
      logical -= walk[d] * index[d];
      index[d] = 0;
    }
  }
  return out;
}

}  // namespace mote::modelc
