// TFLite's int8 softmax, host side: the parameters TFLite derives from beta
// and the input scale, and the exp table the device uses instead of
// evaluating gemmlowp's fixed-point exp (SoftmaxOptions.exp_format = 1).
//
// TFLite (reference kernels, TFLite Micro, CMSIS-NN; default double
// rounding, TFLITE_SINGLE_ROUNDING off) represents x - max(row) after
// multiplying by beta * input_scale as a Q5.26 value, and evaluates
// gemmlowp's exp_on_negative_values on it, giving a Q0.31 result. For int8
// input the difference takes only 256 values, so modelc evaluates that
// integer function once per difference with the same arithmetic.
#ifndef MOTE_TOOLS_MODELC_QUANTIZE_TFLITE_SOFTMAX_H_
#define MOTE_TOOLS_MODELC_QUANTIZE_TFLITE_SOFTMAX_H_

#include <array>
#include <cstdint>
#include <optional>

namespace mote::modelc {

// kScaledDiffIntegerBits of TFLite's softmax: differences are Q5.26.
inline constexpr int kTfliteSoftmaxDiffIntegerBits = 5;

struct TfliteSoftmaxParams {
  int32_t input_multiplier = 0;  // Q31 in [2^30, 2^31)
  int input_left_shift = 0;      // in [0, 31]
  int32_t diff_min = 0;          // differences below it give exp = 0 (output = zero point)
};

// As TFLite's PreprocessSoftmaxScaling(beta, input_scale, 5, ...) and
// diff_min = -CalculateInputRadius(5, input_left_shift, 31), in double.
// nullopt where TFLite refuses the model at prepare time: beta * input_scale
// * 2^26 not above 1 (or not finite).
std::optional<TfliteSoftmaxParams> ComputeTfliteSoftmaxParams(double beta, double input_scale);

// x - max(row) rescaled to Q5.26: TFLite's
// MultiplyByQuantizedMultiplierGreaterThanOne. `diff` must be in
// [p.diff_min, 0] (where TFLite evaluates it; the product then fits).
int32_t TfliteRescaledDiff(int32_t diff, const TfliteSoftmaxParams& p);

// gemmlowp's exp_on_negative_values for a Q5.26 argument `a` <= 0, as the
// raw Q0.31 result (exp(0) saturates to 2^31 - 1).
int32_t GemmlowpExpOnNegativeValues(int32_t a);

// The 256 entries of SoftmaxOptions.exp_table for exp_format 1: entry k is
// GemmlowpExpOnNegativeValues(TfliteRescaledDiff(-k)) for -k >= diff_min,
// else 0.
std::array<int32_t, 256> TfliteSoftmaxExpTable(const TfliteSoftmaxParams& p);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_QUANTIZE_TFLITE_SOFTMAX_H_
