// The Rnn op (simple RNN, GRU, LSTM): float32 and int8/int16 through the
// interpreter against an independent double-precision reference written
// from ONNX's equations, on random geometries (every cell, forward, reverse
// and bidirectional, batches, initial states, peepholes), and hostile
// files refused at load.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/reference/rnn.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::BuildMote;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;
using testing::TensorSpec;

struct Case {
  schema::RnnCell cell = schema::RnnCell::Gru;
  int steps = 5, batch = 1, input = 3, hidden = 4, directions = 1;
  bool reverse = false, lbr = false, h0 = false, c0 = false, peepholes = false;
  int gates() const {
    return cell == schema::RnnCell::Simple ? 1 : (cell == schema::RnnCell::Gru ? 3 : 4);
  }
};

// Real-valued operands, in the op's layout (mote.fbs RnnOptions).
struct Operands {
  std::vector<float> x, w, r, b, h0, c0, p;
};

Operands RandomOperands(const Case& c, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  auto fill = [&](size_t n, float scale) {
    std::vector<float> v(n);
    for (float& e : v) e = scale * u(rng);
    return v;
  };
  const size_t rows = static_cast<size_t>(c.directions * c.gates() * c.hidden);
  const size_t state = static_cast<size_t>(c.directions * c.batch * c.hidden);
  Operands o;
  o.x = fill(static_cast<size_t>(c.steps * c.batch * c.input), 2.0f);
  o.w = fill(rows * c.input, 0.8f);
  o.r = fill(rows * c.hidden, 0.6f);
  o.b = fill(2 * rows, 0.4f);
  if (c.h0) o.h0 = fill(state, 0.9f);
  if (c.c0) o.c0 = fill(state, 1.5f);
  if (c.peepholes) o.p = fill(static_cast<size_t>(c.directions * 3 * c.hidden), 0.5f);
  return o;
}

double Sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// ONNX's equations in double: Y [S, D, N, H] then Y_h [D, N, H].
std::vector<double> Reference(const Case& c, const Operands& o, std::vector<double>* y_h) {
  const int H = c.hidden, G = c.gates(), N = c.batch, D = c.directions;
  std::vector<double> y(static_cast<size_t>(c.steps * D * N * H));
  y_h->assign(static_cast<size_t>(D * N * H), 0.0);
  for (int d = 0; d < D; ++d) {
    const bool back = D == 2 ? d == 1 : c.reverse;
    auto gate = [&](int g, const float* x, const std::vector<double>& h, int j) {
      const int row = d * G * H + g * H + j;
      double a = o.b[d * 2 * G * H + g * H + j], rec = o.b[d * 2 * G * H + G * H + g * H + j];
      for (int k = 0; k < c.input; ++k) a += o.w[row * c.input + k] * double{x[k]};
      for (int k = 0; k < H; ++k) rec += o.r[row * H + k] * h[k];
      return std::pair<double, double>(a, rec);
    };
    for (int n = 0; n < N; ++n) {
      std::vector<double> h(H, 0.0), cell(H, 0.0);
      for (int j = 0; j < H; ++j) {
        if (!o.h0.empty()) h[j] = o.h0[(d * N + n) * H + j];
        if (!o.c0.empty()) cell[j] = o.c0[(d * N + n) * H + j];
      }
      for (int k = 0; k < c.steps; ++k) {
        const int t = back ? c.steps - 1 - k : k;
        const float* x = o.x.data() + (t * N + n) * c.input;
        std::vector<double> next(H);
        for (int j = 0; j < H; ++j) {
          if (c.cell == schema::RnnCell::Simple) {
            const auto [a, rec] = gate(0, x, h, j);
            next[j] = std::tanh(a + rec);
          } else if (c.cell == schema::RnnCell::Gru) {
            const auto [az, rz] = gate(0, x, h, j);
            const auto [ar, rr] = gate(1, x, h, j);
            const double z = Sig(az + rz), r = Sig(ar + rr);
            double pre;
            if (c.lbr) {
              const auto [an, rn] = gate(2, x, h, j);
              pre = an + r * rn;
            } else {
              std::vector<double> rh(H);
              for (int m = 0; m < H; ++m) {
                const auto [a2, r2] = gate(1, x, h, m);
                rh[m] = Sig(a2 + r2) * h[m];
              }
              pre = gate(2, x, rh, j).first + gate(2, x, rh, j).second;
            }
            next[j] = (1 - z) * std::tanh(pre) + z * h[j];
          } else {
            auto peep = [&](int q, double v) {
              return o.p.empty() ? 0.0 : o.p[d * 3 * H + q * H + j] * v;
            };
            const auto [ai, ri] = gate(0, x, h, j);
            const auto [ao, ro] = gate(1, x, h, j);
            const auto [af, rf] = gate(2, x, h, j);
            const auto [ac, rc] = gate(3, x, h, j);
            const double i = Sig(ai + ri + peep(0, cell[j])), f = Sig(af + rf + peep(2, cell[j]));
            cell[j] = f * cell[j] + i * std::tanh(ac + rc);
            next[j] = Sig(ao + ro + peep(1, cell[j])) * std::tanh(cell[j]);
          }
        }
        h = next;
        for (int j = 0; j < H; ++j) y[((t * D + d) * N + n) * H + j] = h[j];
      }
      for (int j = 0; j < H; ++j) (*y_h)[(d * N + n) * H + j] = h[j];
    }
  }
  return y;
}

// ---- model building ----

struct Quantized {
  ElementType type;
  float x_scale;
  int32_t x_zp;
  float y_scale;
  int cell_shift;
};

std::vector<uint8_t> FloatBytes(const std::vector<float>& v) { return Bytes(v); }

// TFLite's QuantizeMultiplier, shift clamped to [lo, hi].
std::pair<int32_t, int8_t> Multiplier(double real, int lo, int hi) {
  if (real <= 0) return {0, 0};
  int shift;
  const double q = std::frexp(real, &shift);
  int64_t m = std::llround(q * (1ll << 31));
  if (m == (1ll << 31)) {
    m /= 2;
    ++shift;
  }
  if (shift < lo) return {0, 0};
  if (shift > hi) shift = hi;
  return {static_cast<int32_t>(m), static_cast<int8_t>(shift)};
}

std::vector<uint8_t> GateTable(bool sigmoid) {
  std::vector<int16_t> t;
  for (int k = 0; k <= 512; ++k) {
    const double x = (-32768.0 + 128.0 * k) / 4096.0;
    const double y = sigmoid ? Sig(x) : std::tanh(x);
    t.push_back(static_cast<int16_t>(std::max(-32768.0, std::min(32767.0, std::round(y * 32768)))));
  }
  return Bytes(t);
}

template <typename T>
std::vector<uint8_t> QuantizeValues(const std::vector<float>& v, float scale, int32_t zp) {
  std::vector<T> q;
  const double lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (float e : v)
    q.push_back(static_cast<T>(std::max(lo, std::min(hi, std::round(double{e} / scale) + zp))));
  return Bytes(q);
}

using Quant = std::pair<std::vector<float>, std::vector<int32_t>>;  // scale, zero point

TensorSpec Spec(const char* name, ElementType type, std::vector<int32_t> shape, const Quant& q,
                int32_t buffer = -1) {
  TensorSpec t;
  t.name = name;
  t.type = type;
  t.shape = std::move(shape);
  t.scale = q.first;
  t.zero_point = q.second;
  t.buffer = buffer;
  return t;
}

struct Built {
  ModelSpec spec;
  Operands real;  // the operands the quantized model holds, dequantized
};

// Per-row int8 weights: the codes, their scales, and `real` rewritten to the
// dequantized values.
std::vector<int8_t> RowQuantize(std::vector<float>& real, size_t rows, std::vector<float>& scales) {
  const size_t cols = real.size() / rows;
  std::vector<int8_t> q(real.size());
  for (size_t r = 0; r < rows; ++r) {
    float m = 0;
    for (size_t k = 0; k < cols; ++k) m = std::max(m, std::fabs(real[r * cols + k]));
    const float s = m > 0 ? m / 127.0f : 1.0f;
    scales.push_back(s);
    for (size_t k = 0; k < cols; ++k) {
      q[r * cols + k] = static_cast<int8_t>(std::lround(real[r * cols + k] / s));
      real[r * cols + k] = q[r * cols + k] * s;
    }
  }
  return q;
}

Built Build(const Case& c, Operands o, const Quantized* qp) {
  const ElementType type = qp ? qp->type : ElementType::Float32;
  const int rows = c.directions * c.gates() * c.hidden;
  const int I = c.input, H = c.hidden;
  std::vector<float> none;
  std::vector<int32_t> nozp;
  auto act = [&](float s, int32_t zp) {
    return qp ? std::make_pair(std::vector<float>{s}, std::vector<int32_t>{zp})
              : std::make_pair(none, nozp);
  };
  const auto xq = act(qp ? qp->x_scale : 0, qp ? qp->x_zp : 0);
  const auto yq = act(qp ? qp->y_scale : 0, 0);
  const auto sq = act(1.0f / 128, 0);
  const auto cq = act(1.0f / 64, 3);
  const auto wq = act(1.0f / 32768, 0);
  std::vector<TensorSpec> t = {
      Spec("x", type, {c.steps, c.batch, I}, xq),
      Spec("w", qp ? ElementType::Int8 : type, {rows, I}, {}, 0),
      Spec("r", qp ? ElementType::Int8 : type, {rows, H}, {}, 1),
      Spec("b", qp ? ElementType::Int64 : type, {c.directions, 2 * c.gates() * H}, {}, 2),
      Spec("y", type, {c.steps, c.directions * c.batch, H}, yq),
      Spec("y_h", type, {c.directions, c.batch, H}, yq),
      Spec("work", qp ? ElementType::Int16 : type, {c.directions * c.batch, 3, H}, wq),
  };
  std::vector<int32_t> inputs = {0, 1, 2, 3};
  std::vector<std::vector<uint8_t>> buffers(3);
  std::vector<float> w_scale, r_scale;
  if (qp) {
    buffers[0] = Bytes(RowQuantize(o.w, rows, w_scale));
    buffers[1] = Bytes(RowQuantize(o.r, rows, r_scale));
    std::vector<int64_t> b;
    for (int d = 0; d < c.directions; ++d) {
      for (int side = 0; side < 2; ++side) {
        for (int k = 0; k < c.gates() * H; ++k) {
          const int row = d * c.gates() * H + k;
          const double s =
              side == 0 ? double{qp->x_scale} * w_scale[row] : std::ldexp(r_scale[row], -15);
          float& real = o.b[(d * 2 + side) * c.gates() * H + k];
          b.push_back(std::llround(real / s));
          real = static_cast<float>(b.back() * s);
        }
      }
    }
    buffers[2] = Bytes(b);
  } else {
    buffers = {FloatBytes(o.w), FloatBytes(o.r), FloatBytes(o.b)};
  }
  auto add_state = [&](const char* name, const Quant& q) {
    t.push_back(Spec(name, type, {c.directions, c.batch, H}, q));
    inputs.push_back(static_cast<int32_t>(t.size() - 1));
  };
  if (c.h0 || c.c0 || c.peepholes) add_state("h0", sq);
  if (c.c0 || c.peepholes) add_state("c0", cq);
  if (c.peepholes) {
    t.push_back(Spec("p", ElementType::Float32, {c.directions, 3 * H}, {}, 3));
    buffers.push_back(FloatBytes(o.p));
    inputs.push_back(static_cast<int32_t>(t.size() - 1));
  }
  ModelSpec spec = testing::OneOp(
      schema::OpCode::Rnn, schema::OpOptions::RnnOptions, t, inputs, {4, 5, 6},
      [c, qp, w_scale, r_scale, rows](flatbuffers::FlatBufferBuilder& fbb) {
        if (!qp) {
          return schema::CreateRnnOptions(fbb, c.cell, c.reverse, c.lbr).Union();
        }
        std::vector<int32_t> im, rm;
        std::vector<int8_t> is, rs;
        for (int k = 0; k < rows; ++k) {
          auto a = Multiplier(double{qp->x_scale} * w_scale[k] * 4096, -31, 7);
          auto b = Multiplier(double{r_scale[k]} / 8, -31, 7);
          im.push_back(a.first);
          is.push_back(a.second);
          rm.push_back(b.first);
          rs.push_back(b.second);
        }
        const auto out = Multiplier(1.0 / (32768.0 * qp->y_scale), -31, 30);
        const auto h0 = Multiplier((1.0 / 128) * 32768.0, -31, 30);
        const auto c0 = Multiplier((1.0 / 64) / std::ldexp(1.0, -qp->cell_shift), -31, 30);
        const int sig = 4;  // buffers 4 and 5: the gate tables
        return schema::CreateRnnOptions(fbb, c.cell, c.reverse, c.lbr, fbb.CreateVector(im),
                                        fbb.CreateVector(is), fbb.CreateVector(rm),
                                        fbb.CreateVector(rs), out.first, out.second, h0.first,
                                        h0.second, c0.first, c0.second,
                                        static_cast<int8_t>(qp->cell_shift), sig, sig + 1)
            .Union();
      });
  spec.buffers = buffers;
  spec.buffers.resize(4);  // buffer 3: peepholes or unused
  spec.buffers.push_back(GateTable(true));
  spec.buffers.push_back(GateTable(false));
  spec.outputs = {4, 5};
  if (qp) {  // the states the quantized model holds, dequantized
    for (float& v : o.h0) v = std::round(v * 128) / 128;
    for (float& v : o.c0) v = (std::round(v * 64 + 3) - 3) / 64;
    for (float& v : o.x) {
      const double lo = qp->type == ElementType::Int8 ? -128 : -32768;
      const double hi = qp->type == ElementType::Int8 ? 127 : 32767;
      v = static_cast<float>(
          (std::max(lo, std::min(hi, std::round(double{v} / qp->x_scale) + qp->x_zp)) - qp->x_zp) *
          qp->x_scale);
    }
  }
  return {spec, o};
}

std::vector<std::vector<uint8_t>> Inputs(const Case& c, const Operands& o, const Quantized* qp) {
  std::vector<std::vector<uint8_t>> in;
  auto encode = [&](const std::vector<float>& v, float s, int32_t zp) {
    if (!qp) return FloatBytes(v);
    return qp->type == ElementType::Int8 ? QuantizeValues<int8_t>(v, s, zp)
                                         : QuantizeValues<int16_t>(v, s, zp);
  };
  in.push_back(encode(o.x, qp ? qp->x_scale : 0, qp ? qp->x_zp : 0));
  const size_t state = static_cast<size_t>(c.directions * c.batch * c.hidden);
  std::vector<float> zeros(state, 0.0f);
  if (c.h0 || c.c0 || c.peepholes) in.push_back(encode(o.h0.empty() ? zeros : o.h0, 1.0f / 128, 0));
  if (c.c0 || c.peepholes) in.push_back(encode(o.c0.empty() ? zeros : o.c0, 1.0f / 64, 3));
  return in;
}

std::vector<double> Decode(const std::vector<uint8_t>& bytes, const Quantized* qp) {
  std::vector<double> v;
  if (!qp) {
    for (size_t k = 0; k < bytes.size(); k += 4) {
      float f;
      std::memcpy(&f, &bytes[k], 4);
      v.push_back(f);
    }
  } else if (qp->type == ElementType::Int8) {
    for (uint8_t b : bytes) v.push_back(static_cast<int8_t>(b) * double{qp->y_scale});
  } else {
    for (size_t k = 0; k < bytes.size(); k += 2) {
      int16_t q;
      std::memcpy(&q, &bytes[k], 2);
      v.push_back(q * double{qp->y_scale});
    }
  }
  return v;
}

// Runs case `c` and returns the largest |got - want| over Y and Y_h.
double MaxError(const Case& c, std::mt19937& rng, const Quantized* qp) {
  Operands o = RandomOperands(c, rng);
  const Built built = Build(c, o, qp);
  const testing::RunResult run = RunMote(BuildMote(built.spec), Inputs(c, o, qp));
  EXPECT_EQ(run.status, Status::kOk);
  if (run.status != Status::kOk) return 1e9;
  std::vector<double> want_h;
  const std::vector<double> want = Reference(c, built.real, &want_h);
  const std::vector<double> got = Decode(run.outputs[0], qp), got_h = Decode(run.outputs[1], qp);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(got_h.size(), want_h.size());
  double err = 0;
  for (size_t k = 0; k < std::min(got.size(), want.size()); ++k)
    err = std::max(err, std::fabs(got[k] - want[k]));
  for (size_t k = 0; k < std::min(got_h.size(), want_h.size()); ++k) {
    err = std::max(err, std::fabs(got_h[k] - want_h[k]));
  }
  return err;
}

std::vector<Case> RandomCases(std::mt19937& rng, bool peepholes) {
  std::vector<Case> cases;
  std::uniform_int_distribution<int> dim(1, 7);
  for (auto cell : {schema::RnnCell::Simple, schema::RnnCell::Gru, schema::RnnCell::Lstm}) {
    for (int variant = 0; variant < 8; ++variant) {
      Case c;
      c.cell = cell;
      c.steps = dim(rng);
      c.batch = 1 + variant % 3;
      c.input = dim(rng);
      c.hidden = dim(rng);
      c.directions = variant % 4 == 3 ? 2 : 1;
      c.reverse = c.directions == 1 && variant % 2 == 1;
      c.lbr = cell == schema::RnnCell::Gru && variant % 3 == 0;
      c.h0 = variant % 3 != 1;
      c.c0 = cell == schema::RnnCell::Lstm && variant % 2 == 0;
      c.peepholes = peepholes && cell == schema::RnnCell::Lstm && variant % 4 == 1;
      cases.push_back(c);
    }
  }
  return cases;
}

TEST(RnnOp, FloatMatchesReference) {
  std::mt19937 rng(11);
  for (const Case& c : RandomCases(rng, true)) {
    EXPECT_LT(MaxError(c, rng, nullptr), 1e-6)
        << "cell " << int(c.cell) << " S" << c.steps << " N" << c.batch << " I" << c.input << " H"
        << c.hidden << " D" << c.directions << " rev " << c.reverse << " lbr " << c.lbr;
  }
}

TEST(RnnOp, QuantizedTracksReference) {
  std::mt19937 rng(12);
  for (ElementType type : {ElementType::Int8, ElementType::Int16}) {
    const bool is8 = type == ElementType::Int8;
    const Quantized qp = {type, is8 ? 4.0f / 255 : 2.0f / 32767, is8 ? -1 : 0,
                          is8 ? 1.0f / 127 : 1.0f / 32767, 12};
    for (const Case& c : RandomCases(rng, false)) {
      // Within one output step for int8 (the int16 state keeps the error
      // below half a step); int16: the gate tables' interpolation.
      EXPECT_LT(MaxError(c, rng, &qp), is8 ? 1.0 / 127 : 1e-3)
          << (is8 ? "int8" : "int16") << " cell " << int(c.cell) << " S" << c.steps << " N"
          << c.batch << " I" << c.input << " H" << c.hidden << " D" << c.directions << " rev "
          << c.reverse << " lbr " << c.lbr;
    }
  }
}

// Streaming (RnnOptions.stateful): the sequence fed in pieces of `hop` steps,
// each call starting from the state the previous one left in `work`, ends
// in exactly the state and Y_h of one call over the whole sequence (float32
// and int8: the state never leaves the op's own representation).
TEST(RnnOp, StatefulStepsEqualTheWholeSequence) {
  std::mt19937 rng(13);
  for (schema::RnnCell cell :
       {schema::RnnCell::Simple, schema::RnnCell::Gru, schema::RnnCell::Lstm}) {
    for (int hop : {1, 2, 3}) {
      Case c;
      c.cell = cell;
      c.steps = 6;
      c.batch = 2;
      c.lbr = hop == 2;
      const Operands o = RandomOperands(c, rng);
      reference::RnnShape s = {static_cast<reference::RnnCell>(cell),
                               static_cast<size_t>(c.steps), static_cast<size_t>(c.batch),
                               static_cast<size_t>(c.input), static_cast<size_t>(c.hidden), 1,
                               false, c.lbr};
      const size_t state = static_cast<size_t>(c.batch * c.hidden);
      std::vector<float> y(static_cast<size_t>(c.steps) * state), yh(state), work(3 * state);
      reference::RnnFloat(s, o.x.data(), o.w.data(), o.r.data(), o.b.data(), nullptr, nullptr,
                          nullptr, y.data(), yh.data(), work.data());
      reference::RnnShape step = s;
      step.steps = static_cast<size_t>(hop);
      step.stateful = true;
      std::vector<float> sy(static_cast<size_t>(hop) * state), syh(state), swork(3 * state, 0.0f);
      for (int k = 0; k < c.steps; k += hop) {
        reference::RnnFloat(step, o.x.data() + k * c.batch * c.input, o.w.data(), o.r.data(),
                            o.b.data(), nullptr, nullptr, nullptr, sy.data(), syh.data(),
                            swork.data());
      }
      EXPECT_EQ(syh, yh) << "float cell " << int(cell) << " hop " << hop;
      // int8 X and Y, int8 weights, a plain int64 bias, identity-ish tables.
      std::vector<int8_t> x8(o.x.size()), w8(o.w.size()), r8(o.r.size());
      for (size_t k = 0; k < x8.size(); ++k) x8[k] = static_cast<int8_t>(o.x[k] * 60);
      for (size_t k = 0; k < w8.size(); ++k) w8[k] = static_cast<int8_t>(o.w[k] * 120);
      for (size_t k = 0; k < r8.size(); ++k) r8[k] = static_cast<int8_t>(o.r[k] * 120);
      std::vector<int64_t> b64(o.b.size());
      for (size_t k = 0; k < b64.size(); ++k) b64[k] = static_cast<int64_t>(o.b[k] * 5000);
      const size_t rows = static_cast<size_t>(c.gates() * c.hidden);
      std::vector<int32_t> mult(rows, 1 << 30);
      std::vector<int8_t> shift(rows, -2);
      std::vector<int16_t> sig(513), tanh(513);
      for (int k = 0; k < 513; ++k) {
        const double v = (k - 256) / 32.0;
        sig[k] = static_cast<int16_t>(std::lround(32767 / (1 + std::exp(-v))));
        tanh[k] = static_cast<int16_t>(std::lround(32767 * std::tanh(v)));
      }
      const reference::RnnQuantParams q = {3, mult.data(), shift.data(), mult.data(), shift.data(),
                                           1 << 30, -7, -2, -128, 127, 0, 0, 0, 0, 0, 0, 11,
                                           sig.data(), tanh.data()};
      std::vector<int8_t> qy(static_cast<size_t>(c.steps) * state), qyh(state);
      std::vector<int16_t> qwork(3 * state);
      reference::RnnQuantized<int8_t>(s, q, x8.data(), w8.data(), r8.data(), b64.data(), nullptr,
                                      nullptr, qy.data(), qyh.data(), qwork.data());
      std::vector<int8_t> sqy(static_cast<size_t>(hop) * state), sqyh(state);
      std::vector<int16_t> sqwork(3 * state, 0);
      for (int k = 0; k < c.steps; k += hop) {
        reference::RnnQuantized<int8_t>(step, q, x8.data() + k * c.batch * c.input, w8.data(),
                                        r8.data(), b64.data(), nullptr, nullptr, sqy.data(),
                                        sqyh.data(), sqwork.data());
      }
      EXPECT_EQ(sqyh, qyh) << "int8 cell " << int(cell) << " hop " << hop;
      EXPECT_EQ(std::vector<int16_t>(sqwork.begin(), sqwork.begin() + c.hidden),
                std::vector<int16_t>(qwork.begin(), qwork.begin() + c.hidden));
    }
  }
}

Status LoadStatus(const ModelSpec& s) {
  const testing::Aligned a(BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(RnnOp, HostileFilesAreRefused) {
  std::mt19937 rng(13);
  Case c;
  c.cell = schema::RnnCell::Lstm;
  const Quantized qp = {ElementType::Int8, 4.0f / 255, 0, 1.0f / 127, 12};
  const Operands o = RandomOperands(c, rng);
  EXPECT_EQ(LoadStatus(Build(c, o, &qp).spec), Status::kOk);
  EXPECT_EQ(LoadStatus(Build(c, o, nullptr).spec), Status::kOk);
  auto refused = [&](const char* what, auto change, bool quantized = true) {
    Built b = Build(c, o, quantized ? &qp : nullptr);
    change(b.spec);
    EXPECT_EQ(LoadStatus(b.spec), Status::kCorruptFile) << what;
  };
  refused("W rows", [](ModelSpec& s) { s.tensors[1].shape = {15, 3}; });
  refused("R columns", [](ModelSpec& s) { s.tensors[2].shape = {16, 3}; });
  refused("bias count", [](ModelSpec& s) { s.buffers[2].resize(s.buffers[2].size() - 8); });
  refused("bias type", [](ModelSpec& s) { s.tensors[3].type = ElementType::Int32; });
  refused("Y size", [](ModelSpec& s) { s.tensors[4].shape = {4, 1, 4}; });
  refused("Y_h directions", [](ModelSpec& s) { s.tensors[5].shape = {3, 1, 4}; });
  refused("state size", [](ModelSpec& s) { s.tensors[6].shape = {1, 2, 4}; });
  refused("state type", [](ModelSpec& s) { s.tensors[6].type = ElementType::Int8; });
  refused("Y_h quantization", [](ModelSpec& s) { s.tensors[5].scale = {0.5f}; });
  refused("gate table size", [](ModelSpec& s) { s.buffers[4].resize(1024); });
  refused("float weights in an int8 op",
          [](ModelSpec& s) { s.tensors[1].type = ElementType::Float32; });
  auto with_options = [&](schema::RnnCell cell, int cell_shift, int8_t row_shift) {
    return [=](ModelSpec& s) {
      s.options_builder = [=](flatbuffers::FlatBufferBuilder& fbb) {
        std::vector<int32_t> m(16, 1 << 30);
        std::vector<int8_t> sh(16, row_shift);
        return schema::CreateRnnOptions(fbb, cell, false, false, fbb.CreateVector(m),
                                        fbb.CreateVector(sh), fbb.CreateVector(m),
                                        fbb.CreateVector(sh), 1 << 30, 0, 0, 0, 0, 0,
                                        static_cast<int8_t>(cell_shift), 4, 5)
            .Union();
      };
    };
  };
  {
    Built b = Build(c, o, &qp);
    with_options(schema::RnnCell::Lstm, 12, -3)(b.spec);
    EXPECT_EQ(LoadStatus(b.spec), Status::kOk) << "the hand-made options are valid";
  }
  refused("unknown cell", with_options(static_cast<schema::RnnCell>(9), 12, -3));
  refused("cell of another gate count", with_options(schema::RnnCell::Gru, 12, -3));
  refused("cell shift", with_options(schema::RnnCell::Lstm, 16, -3));
  refused("row shift beyond the 64-bit requantization", with_options(schema::RnnCell::Lstm, 12, 8));
  refused(
      "reverse with two directions",
      [](ModelSpec& s) {
        s.options_builder = [](flatbuffers::FlatBufferBuilder& fbb) {
          return schema::CreateRnnOptions(fbb, schema::RnnCell::Lstm, true).Union();
        };
        s.tensors[5].shape = {2, 1, 4};
      },
      false);
  // Streaming: the state must be a persistent tensor of the state region.
  refused(
      "stateful without a persistent state",
      [](ModelSpec& s) {
        s.options_builder = [](flatbuffers::FlatBufferBuilder& fbb) {
          schema::RnnOptionsBuilder o(fbb);
          o.add_cell(schema::RnnCell::Lstm);
          o.add_stateful(true);
          return o.Finish().Union();
        };
      },
      false);
  refused("options missing", [](ModelSpec& s) {
    s.options_builder = [](flatbuffers::FlatBufferBuilder&) {
      return flatbuffers::Offset<void>(0);
    };
  });
  Case p = c;
  p.peepholes = true;
  {
    Built b = Build(p, RandomOperands(p, rng), nullptr);
    EXPECT_EQ(LoadStatus(b.spec), Status::kOk) << "float peepholes";
    b = Build(p, RandomOperands(p, rng), &qp);
    EXPECT_EQ(LoadStatus(b.spec), Status::kCorruptFile) << "quantized peepholes";
  }
  Case g = c;
  g.cell = schema::RnnCell::Gru;
  g.c0 = true;
  EXPECT_EQ(LoadStatus(Build(g, RandomOperands(g, rng), nullptr).spec), Status::kCorruptFile)
      << "initial_c of a GRU";
}

}  // namespace
}  // namespace mote
