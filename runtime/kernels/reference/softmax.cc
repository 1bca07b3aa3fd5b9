#include "kernels/reference/softmax.h"

#include "kernels/reference/math.h"

namespace mote::reference {
namespace {

// round(e * one / sum), saturated to one - 1 (the largest representable).
uint32_t Normalize(uint32_t e, uint32_t sum, uint32_t one) {
  const uint64_t q = (uint64_t{e} * one + sum / 2) / sum;
  return q >= one ? one - 1 : static_cast<uint32_t>(q);
}

int32_t InterpolateExp(const int32_t* table, uint32_t d) {
  const uint32_t base = d >> 7;
  const int32_t frac = static_cast<int32_t>(d & 127u);
  const int32_t a = table[base];
  const int32_t b = table[base + 1];
  return a + (((b - a) * frac + 64) >> 7);
}

}  // namespace

void SoftmaxFloat(size_t rows, size_t depth, float beta, const float* input, float* output) {
  for (size_t r = 0; r < rows; ++r) {
    const float* in = input + r * depth;
    float* out = output + r * depth;
    float max = in[0];
    for (size_t i = 1; i < depth; ++i) max = in[i] > max ? in[i] : max;
    float sum = 0.0f;
    for (size_t i = 0; i < depth; ++i) {
      out[i] = Exp((in[i] - max) * beta);
      sum += out[i];
    }
    for (size_t i = 0; i < depth; ++i) out[i] = out[i] / sum;
  }
}

void SoftmaxInt8(size_t rows, size_t depth, const int32_t* exp_table, const int8_t* input,
                 int8_t* output) {
  for (size_t r = 0; r < rows; ++r) {
    const int8_t* in = input + r * depth;
    int8_t* out = output + r * depth;
    int32_t max = in[0];
    for (size_t i = 1; i < depth; ++i) max = in[i] > max ? in[i] : max;
    uint32_t sum = 0;
    for (size_t i = 0; i < depth; ++i) sum += static_cast<uint32_t>(exp_table[max - in[i]]);
    // Every output reads its own input only, so this may run in place.
    for (size_t i = 0; i < depth; ++i) {
      const uint32_t e = static_cast<uint32_t>(exp_table[max - in[i]]);
      out[i] = static_cast<int8_t>(static_cast<int32_t>(Normalize(e, sum, 256)) - 128);
    }
  }
}

void SoftmaxInt16(size_t rows, size_t depth, const int32_t* exp_table, const int16_t* input,
                  int16_t* output) {
  for (size_t r = 0; r < rows; ++r) {
    const int16_t* in = input + r * depth;
    int16_t* out = output + r * depth;
    int32_t max = in[0];
    for (size_t i = 1; i < depth; ++i) max = in[i] > max ? in[i] : max;
    uint32_t sum = 0;
    for (size_t i = 0; i < depth; ++i) {
      sum += static_cast<uint32_t>(InterpolateExp(exp_table, static_cast<uint32_t>(max - in[i])));
    }
    for (size_t i = 0; i < depth; ++i) {
      const uint32_t e =
          static_cast<uint32_t>(InterpolateExp(exp_table, static_cast<uint32_t>(max - in[i])));
      out[i] = static_cast<int16_t>(Normalize(e, sum, 32768));
    }
  }
}

}  // namespace mote::reference
