// Recurrent layers (the Rnn op): a simple RNN, GRU or LSTM cell run over a
// sequence, forward, reverse or both ways, with ONNX's semantics. The layout
// of every operand is in mote.fbs (RnnOptions).
#ifndef MOTE_KERNELS_REFERENCE_RNN_H_
#define MOTE_KERNELS_REFERENCE_RNN_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

// Same values as schema::RnnCell.
enum class RnnCell : uint8_t { kSimple, kGru, kLstm };

struct RnnShape {
  RnnCell cell;
  size_t steps, batch, input, hidden, directions;
  bool reverse;              // one direction, run backwards
  bool linear_before_reset;  // GRU
  // Streaming: h (and the LSTM cell) start from `work` as the previous call
  // left them instead of h0 / c0, and the final ones stay there.
  bool stateful = false;
  size_t gates() const { return cell == RnnCell::kSimple ? 1 : (cell == RnnCell::kGru ? 3 : 4); }
};

// float32. `b` [D, 2 G H]; h0, c0, peepholes may be null (zero state, no
// peepholes). `work` holds D * N * 3 * H floats.
void RnnFloat(const RnnShape& s, const float* x, const float* w, const float* r, const float* b,
              const float* h0, const float* c0, const float* peepholes, float* y, float* y_h,
              float* work);

struct RnnQuantParams {
  int32_t input_offset;  // minus the zero point of X
  const int32_t* input_multiplier;
  const int8_t* input_shift;
  const int32_t* recurrent_multiplier;
  const int8_t* recurrent_shift;
  int32_t output_multiplier, output_shift, output_zero_point, output_min, output_max;
  int32_t h0_multiplier, h0_shift, h0_zero_point;
  int32_t c0_multiplier, c0_shift, c0_zero_point;
  int cell_shift;                // the cell's scale is 2^-cell_shift
  const int16_t* sigmoid_table;  // 513 entries: Q3.12 -> Q0.15
  const int16_t* tanh_table;
};

// int8 or int16 X, Y, Y_h (and initial states); int8 weights; int64 biases;
// int16 state: `work` holds D * N * 3 * H values.
template <typename T>
void RnnQuantized(const RnnShape& s, const RnnQuantParams& q, const T* x, const int8_t* w,
                  const int8_t* r, const int64_t* b, const T* h0, const T* c0, T* y, T* y_h,
                  int16_t* work);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_RNN_H_
