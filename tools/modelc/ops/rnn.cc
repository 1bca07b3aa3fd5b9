// Recurrent layers: ONNX RNN, GRU and LSTM (forward, reverse, bidirectional;
// layout 0 and 1; initial states; LSTM peepholes) and the runtime's Rnn op
// they become (mote.fbs RnnOptions). The float reference runs in double.
#include <algorithm>
#include <cmath>

#include "ir/reference_executor.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

enum class Cell { kSimple = 0, kGru = 1, kLstm = 2 };  // schema::RnnCell

// What the float reference needs, from an ONNX node or a lowered Rnn node.
struct Spec {
  Cell cell = Cell::kSimple;
  int64_t steps = 0, batch = 0, input = 0, hidden = 0, directions = 1;
  bool reverse = false;
  bool linear_before_reset = false;
  int64_t gates() const { return cell == Cell::kSimple ? 1 : (cell == Cell::kGru ? 3 : 4); }
};

Cell CellOf(const std::string& op) {
  return op == "RNN" ? Cell::kSimple : (op == "GRU" ? Cell::kGru : Cell::kLstm);
}

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// The tensors of one run, all float, in the runtime's layout: x [S, N, I],
// w [D G H, I], r [D G H, H], b [D, 2 G H], h0 / c0 [D, N, H] or empty,
// p [D, 3 H] or empty.
struct Operands {
  const float* x;
  const float* w;
  const float* r;
  const float* b;
  const float* h0;
  const float* c0;
  const float* p;
};

struct Result {
  Eigen::ArrayXf y;         // [S, D, N, H]
  Eigen::ArrayXf y_h, y_c;  // [D, N, H]
  Eigen::ArrayXf max_cell;  // [D, N, H]: the largest |cell| over the steps
};

// One step of direction d for batch entry n: h, c -> next h, c.
void Step(const Spec& s, const Operands& o, int64_t d, const float* x, std::vector<double>& h,
          std::vector<double>& c) {
  const int64_t hn = s.hidden, gh = s.gates() * hn;
  auto in = [&](int64_t g, int64_t j) {
    const int64_t row = d * gh + g * hn + j;
    double acc = o.b[d * 2 * gh + g * hn + j];
    for (int64_t k = 0; k < s.input; ++k) acc += static_cast<double>(o.w[row * s.input + k]) * x[k];
    return acc;
  };
  auto rec = [&](int64_t g, int64_t j, const std::vector<double>& v) {
    const int64_t row = d * gh + g * hn + j;
    double acc = o.b[d * 2 * gh + gh + g * hn + j];
    for (int64_t k = 0; k < hn; ++k) acc += static_cast<double>(o.r[row * hn + k]) * v[k];
    return acc;
  };
  auto peep = [&](int64_t k, int64_t j, double cell) {
    return o.p ? static_cast<double>(o.p[d * 3 * hn + k * hn + j]) * cell : 0.0;
  };
  std::vector<double> next(static_cast<size_t>(hn));
  if (s.cell == Cell::kSimple) {
    for (int64_t j = 0; j < hn; ++j) next[j] = std::tanh(in(0, j) + rec(0, j, h));
  } else if (s.cell == Cell::kGru) {
    std::vector<double> rh(static_cast<size_t>(hn));
    for (int64_t j = 0; j < hn; ++j) rh[j] = Sigmoid(in(1, j) + rec(1, j, h)) * h[j];
    for (int64_t j = 0; j < hn; ++j) {
      const double z = Sigmoid(in(0, j) + rec(0, j, h));
      const double r = Sigmoid(in(1, j) + rec(1, j, h));
      const double n =
          std::tanh(s.linear_before_reset ? in(2, j) + r * rec(2, j, h) : in(2, j) + rec(2, j, rh));
      next[j] = (1.0 - z) * n + z * h[j];
    }
  } else {
    for (int64_t j = 0; j < hn; ++j) {
      const double i = Sigmoid(in(0, j) + rec(0, j, h) + peep(0, j, c[j]));
      const double f = Sigmoid(in(2, j) + rec(2, j, h) + peep(2, j, c[j]));
      const double g = std::tanh(in(3, j) + rec(3, j, h));
      c[j] = f * c[j] + i * g;
      const double out = Sigmoid(in(1, j) + rec(1, j, h) + peep(1, j, c[j]));
      next[j] = out * std::tanh(c[j]);
    }
  }
  h = std::move(next);
}

Result Run(const Spec& s, const Operands& o) {
  const int64_t hn = s.hidden, n = s.batch, dn = s.directions;
  Result res;
  res.y = Eigen::ArrayXf::Zero(s.steps * dn * n * hn);
  res.y_h = res.y_c = res.max_cell = Eigen::ArrayXf::Zero(dn * n * hn);
  for (int64_t d = 0; d < dn; ++d) {
    const bool backwards = dn == 2 ? d == 1 : s.reverse;
    for (int64_t b = 0; b < n; ++b) {
      const int64_t state = (d * n + b) * hn;
      std::vector<double> h(static_cast<size_t>(hn)), c(static_cast<size_t>(hn));
      for (int64_t j = 0; j < hn; ++j) {
        h[j] = o.h0 ? o.h0[state + j] : 0.0;
        c[j] = o.c0 ? o.c0[state + j] : 0.0;
        res.max_cell[state + j] = static_cast<float>(std::fabs(c[j]));
      }
      for (int64_t k = 0; k < s.steps; ++k) {
        const int64_t t = backwards ? s.steps - 1 - k : k;
        Step(s, o, d, o.x + (t * n + b) * s.input, h, c);
        for (int64_t j = 0; j < hn; ++j) {
          res.y[((t * dn + d) * n + b) * hn + j] = static_cast<float>(h[j]);
          res.max_cell[state + j] =
              std::max(res.max_cell[state + j], static_cast<float>(std::fabs(c[j])));
        }
      }
      for (int64_t j = 0; j < hn; ++j) {
        res.y_h[state + j] = static_cast<float>(h[j]);
        res.y_c[state + j] = static_cast<float>(c[j]);
      }
    }
  }
  return res;
}

// ---- ONNX RNN / GRU / LSTM ----

const Value* Optional(const OpInputs& ins, size_t k) { return k < ins.size() ? ins[k] : nullptr; }

// The defaults ONNX gives each cell; any other activation list is refused.
std::vector<std::string> DefaultActivations(Cell cell) {
  if (cell == Cell::kSimple) return {"Tanh"};
  if (cell == Cell::kGru) return {"Sigmoid", "Tanh"};
  return {"Sigmoid", "Tanh", "Tanh"};
}

// Attributes checked and the shapes read off X, W and R.
Spec SpecOf(const Node& n, const Shape& x, const Shape& w, const Shape& r) {
  Spec s;
  s.cell = CellOf(n.op);
  const std::string direction = n.has_attr("direction") ? n.attrs.at("direction").s : "forward";
  if (direction == "bidirectional")
    s.directions = 2;
  else if (direction == "reverse")
    s.reverse = true;
  else if (direction != "forward")
    Fail(n, "unknown direction '" + direction + "'");
  if (n.has_attr("activations")) {
    std::vector<std::string> want;
    for (int64_t d = 0; d < s.directions; ++d) {
      for (const std::string& a : DefaultActivations(s.cell)) want.push_back(a);
    }
    if (n.attrs.at("activations").strings != want) {
      Unsupported(n, "attribute 'activations' other than the defaults is not supported");
    }
  }
  if (n.attr_int("input_forget", 0) != 0) Unsupported(n, "input_forget=1 is not supported");
  const int64_t layout = n.attr_int("layout", 0);
  if (layout != 0 && layout != 1) Fail(n, "layout must be 0 or 1");
  s.linear_before_reset = n.attr_int("linear_before_reset", 0) != 0;
  if (x.size() != 3 || w.size() != 3 || r.size() != 3) Fail(n, "X, W and R must have rank 3");
  s.steps = layout ? x[1] : x[0];
  s.batch = layout ? x[0] : x[1];
  s.input = x[2];
  s.hidden = r[2];
  if (n.has_attr("hidden_size") && n.attr_int("hidden_size", 0) != s.hidden) {
    Fail(n, "hidden_size disagrees with R " + ShapeString(r));
  }
  if (w != Shape{s.directions, s.gates() * s.hidden, s.input} ||
      r != Shape{s.directions, s.gates() * s.hidden, s.hidden}) {
    Fail(n,
         "W " + ShapeString(w) + " or R " + ShapeString(r) + " does not fit X " + ShapeString(x));
  }
  if (s.steps < 1 || s.batch < 1 || s.hidden < 1) Fail(n, "empty sequence, batch or state");
  return s;
}

bool Batchwise(const Node& n) { return n.attr_int("layout", 0) == 1; }

// [A, B, C] -> [B, A, C] (layout 1 <-> layout 0 of X, states).
Value Swap01(const Node& n, const Value& v) { return Transpose(n, v, {1, 0, 2}); }

std::vector<Value> EvalRecurrent(const Graph&, const Node& n, const OpInputs& ins) {
  for (size_t k = 0; k < 3; ++k) {
    if (Optional(ins, k) == nullptr || ins[k]->is_int) Fail(n, "X, W and R must be float tensors");
  }
  const Spec s = SpecOf(n, ins[0]->shape, ins[1]->shape, ins[2]->shape);
  const int64_t gh = s.gates() * s.hidden, dn = s.directions;
  const bool batchwise = Batchwise(n);
  const Value x = batchwise ? Swap01(n, *ins[0]) : *ins[0];
  Eigen::ArrayXf b = Eigen::ArrayXf::Zero(dn * 2 * gh);
  if (const Value* bias = Optional(ins, 3)) {
    if (bias->shape != Shape{dn, 2 * gh}) Fail(n, "B must be " + ShapeString({dn, 2 * gh}));
    b = bias->f;
  }
  if (const Value* lens = Optional(ins, 4)) {
    if (lens->size() != s.batch) Fail(n, "sequence_lens must hold one length per batch entry");
    for (int64_t k = 0; k < lens->size(); ++k) {
      if (lens->AsInt(k) != s.steps)
        Unsupported(n, "sequence_lens shorter than the sequence are not supported");
    }
  }
  auto state = [&](size_t k, const char* what) -> std::optional<Value> {
    const Value* v = Optional(ins, k);
    if (v == nullptr) return std::nullopt;
    const Shape want = batchwise ? Shape{s.batch, dn, s.hidden} : Shape{dn, s.batch, s.hidden};
    if (v->is_int || v->shape != want)
      Fail(n, std::string(what) + " must be float " + ShapeString(want));
    return batchwise ? Swap01(n, *v) : *v;
  };
  const std::optional<Value> h0 = state(5, "initial_h"), c0 = state(6, "initial_c");
  const Value* p = Optional(ins, 7);
  if (p != nullptr && (s.cell != Cell::kLstm || p->is_int || p->shape != Shape{dn, 3 * s.hidden})) {
    Fail(n, "P must be float " + ShapeString({dn, 3 * s.hidden}));
  }
  const Operands o = {x.f.data(),
                      ins[1]->f.data(),
                      ins[2]->f.data(),
                      b.data(),
                      h0 ? h0->f.data() : nullptr,
                      c0 ? c0->f.data() : nullptr,
                      p ? p->f.data() : nullptr};
  const Result res = Run(s, o);
  Value y = Value::Float({s.steps, dn, s.batch, s.hidden}, res.y);
  Value y_h = Value::Float({dn, s.batch, s.hidden}, res.y_h);
  Value y_c = Value::Float({dn, s.batch, s.hidden}, res.y_c);
  if (batchwise) {
    y = Transpose(n, y, {2, 0, 1, 3});
    y_h = Swap01(n, y_h);
    y_c = Swap01(n, y_c);
  }
  std::vector<Value> outs = {y, y_h, y_c};
  outs.resize(std::min<size_t>(n.outputs.size(), s.cell == Cell::kLstm ? 3 : 2));
  return outs;
}

int NewTensor(Graph& g, const std::string& name, Shape shape) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  return g.AddTensor(std::move(t));
}

Node MakeNode(const std::string& name, const std::string& op, std::vector<int> inputs,
              std::vector<int> outputs) {
  Node m;
  m.name = name;
  m.op = op;
  m.inputs = std::move(inputs);
  m.outputs = std::move(outputs);
  return m;
}

Node Permute(const std::string& name, int from, int to, std::vector<int64_t> perm) {
  Node m = MakeNode(name, "Transpose", {from}, {to});
  m.attrs["perm"].ints = std::move(perm);
  return m;
}

bool Used(const Graph& g, int t) {
  return t >= 0 && (g.IsGraphOutput(t) || !g.Consumers(t).empty());
}

// The constant at input k, or refused: weights are part of the model.
const Value& ConstantInput(const Graph& g, const Node& n, size_t k, const char* what) {
  if (k >= n.inputs.size() || n.inputs[k] < 0 || !g.tensors[n.inputs[k]].is_const()) {
    Unsupported(n, std::string(what) + " must be a constant (initializer) to be supported");
  }
  const Value& v = *g.tensors[n.inputs[k]].constant;
  if (v.is_int) Fail(n, std::string(what) + " must be float");
  return v;
}

// X (layout 0) -> Rnn -> Y (reshaped, or transposed for layout 1) and Y_h.
std::vector<Node> ExpandRecurrent(Graph& g, const Node& n) {
  // Copies: NewTensor and AddConstant below grow g.tensors, which would leave
  // references into it dangling (found by scripts/fuzz.sh on fuzz_tflite_import).
  const Value w = ConstantInput(g, n, 1, "W");
  const Value r = ConstantInput(g, n, 2, "R");
  const Shape x_shape = g.tensors[n.inputs.at(0)].shape;
  const Spec s = SpecOf(n, x_shape, w.shape, r.shape);
  const int64_t gh = s.gates() * s.hidden, dn = s.directions;
  const bool batchwise = Batchwise(n);
  auto input = [&](size_t k) { return k < n.inputs.size() ? n.inputs[k] : -1; };
  if (input(4) >= 0) {
    const Tensor& lens = g.tensors[input(4)];
    if (!lens.is_const()) Unsupported(n, "sequence_lens must be a constant to be supported");
    for (int64_t k = 0; k < lens.constant->size(); ++k) {
      if (lens.constant->AsInt(k) != s.steps)
        Unsupported(n, "sequence_lens shorter than the sequence are not supported");
    }
  }
  if (s.cell == Cell::kLstm && n.outputs.size() > 2 && Used(g, n.outputs[2])) {
    Unsupported(n, "the LSTM's cell output Y_c is not supported");
  }
  std::vector<Node> out;
  int x = n.inputs[0];
  if (batchwise) {
    const int seq = NewTensor(g, n.name + ".x_seq", {s.steps, s.batch, s.input});
    out.push_back(Permute(n.name + ".x_seq", x, seq, {1, 0, 2}));
    x = seq;
  }
  Value w2 = w, r2 = r;
  w2.shape = {dn * gh, s.input};
  r2.shape = {dn * gh, s.hidden};
  Value b = Value::Float({dn, 2 * gh}, Eigen::ArrayXf::Zero(dn * 2 * gh));
  if (input(3) >= 0) b.f = ConstantInput(g, n, 3, "B").f;
  std::vector<int> ins = {x, g.AddConstant(n.name + ".W", w2), g.AddConstant(n.name + ".R", r2),
                          g.AddConstant(n.name + ".B", b)};
  for (size_t k : {size_t{5}, size_t{6}}) {  // initial_h, initial_c
    int t = input(k);
    if (t >= 0 && batchwise) {
      const int swapped = NewTensor(g, g.tensors[t].name + ".dnh", {dn, s.batch, s.hidden});
      out.push_back(Permute(g.tensors[t].name + ".dnh", t, swapped, {1, 0, 2}));
      t = swapped;
    }
    ins.push_back(t);
  }
  if (input(7) >= 0) {
    const Value peepholes = ConstantInput(g, n, 7, "P");
    ins.push_back(g.AddConstant(n.name + ".P", peepholes));
  } else {
    ins.push_back(-1);
  }
  while (ins.back() < 0) ins.pop_back();
  const int y_onnx = n.outputs.size() > 0 ? n.outputs[0] : -1;
  const int yh_onnx = n.outputs.size() > 1 ? n.outputs[1] : -1;
  const int y = NewTensor(g, n.name + ".y", {s.steps, dn * s.batch, s.hidden});
  const int y_h =
      batchwise || yh_onnx < 0 ? NewTensor(g, n.name + ".y_h", {dn, s.batch, s.hidden}) : yh_onnx;
  const int work = NewTensor(g, n.name + ".state", {dn * s.batch, 3, s.hidden});
  Node rnn = MakeNode(n.name, "Rnn", ins, {y, y_h, work});
  rnn.attrs["cell"].i = static_cast<int64_t>(s.cell);
  rnn.attrs["reverse"].i = s.reverse;
  rnn.attrs["linear_before_reset"].i = s.linear_before_reset;
  out.push_back(rnn);
  if (Used(g, y_onnx)) {
    if (batchwise) {
      const int y4 = NewTensor(g, n.name + ".y4", {s.steps, dn, s.batch, s.hidden});
      Node reshape = MakeNode(n.name + ".y4", "Reshape", {y}, {y4});
      reshape.attrs["shape"].ints = g.tensors[y4].shape;
      out.push_back(reshape);
      out.push_back(Permute(n.name + ".y_batchwise", y4, y_onnx, {2, 0, 1, 3}));
    } else {
      Node reshape = MakeNode(n.name + ".y_out", "Reshape", {y}, {y_onnx});
      reshape.attrs["shape"].ints = g.tensors[y_onnx].shape;
      out.push_back(reshape);
    }
  }
  if (batchwise && Used(g, yh_onnx))
    out.push_back(Permute(n.name + ".y_h_batchwise", y_h, yh_onnx, {1, 0, 2}));
  return out;
}

// ---- the runtime's Rnn ----

// Outputs Y [S, D N, H], Y_h [D, N, H] and the state [D N, 3, H], whose
// values here are what calibration needs: the final h twice, then the
// largest |cell| each unit reached (the LSTM cell's range).
std::vector<Value> EvalRnn(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.size() < 4) Fail(n, "needs X, W, R and B");
  for (size_t k = 0; k < 4; ++k) {
    if (ins[k] == nullptr || ins[k]->is_int) Fail(n, "X, W, R and B must be float tensors");
  }
  Spec s;
  s.cell = static_cast<Cell>(n.attr_int("cell", 0));
  s.reverse = n.attr_int("reverse", 0) != 0;
  s.linear_before_reset = n.attr_int("linear_before_reset", 0) != 0;
  const Shape& x = ins[0]->shape;
  s.steps = x.at(0);
  s.batch = x.at(1);
  s.input = x.at(2);
  s.hidden = ins[2]->shape.at(1);
  s.directions = ins[3]->shape.at(0);
  const Value* h0 = Optional(ins, 4);
  const Value* c0 = Optional(ins, 5);
  const Value* p = Optional(ins, 6);
  const Operands o = {ins[0]->f.data(),
                      ins[1]->f.data(),
                      ins[2]->f.data(),
                      ins[3]->f.data(),
                      h0 ? h0->f.data() : nullptr,
                      c0 ? c0->f.data() : nullptr,
                      p ? p->f.data() : nullptr};
  const Result res = Run(s, o);
  const int64_t dn = s.directions, hn = s.hidden;
  Eigen::ArrayXf work(dn * s.batch * 3 * hn);
  for (int64_t k = 0; k < dn * s.batch; ++k) {
    work.segment(k * 3 * hn, hn) = res.y_h.segment(k * hn, hn);
    work.segment(k * 3 * hn + hn, hn) = res.y_h.segment(k * hn, hn);
    work.segment(k * 3 * hn + 2 * hn, hn) = res.max_cell.segment(k * hn, hn);
  }
  return {Value::Float({s.steps, dn * s.batch, hn}, res.y),
          Value::Float({dn, s.batch, hn}, res.y_h), Value::Float({dn * s.batch, 3, hn}, work)};
}

}  // namespace

std::vector<OpDef> RnnOps() {
  // activation_alpha, activation_beta and clip are refused by name (not listed).
  const std::vector<std::string> common = {"activations", "direction", "hidden_size", "layout"};
  std::vector<OpDef> ops;
  for (const char* name : {"RNN", "GRU", "LSTM"}) {
    OpDef def{name, common, EvalRecurrent, nullptr, nullptr};
    if (def.name == "GRU") def.attributes.push_back("linear_before_reset");
    if (def.name == "LSTM") def.attributes.push_back("input_forget");
    def.expand = ExpandRecurrent;
    ops.push_back(def);
  }
  ops.push_back({"Rnn", {"cell", "reverse", "linear_before_reset", "stateful"}, EvalRnn, nullptr, nullptr});
  return ops;
}

}  // namespace mote::modelc
