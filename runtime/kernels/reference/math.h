// Portable float transcendental functions. The runtime never calls libm's
// expf/tanhf: their last bits differ between glibc and newlib, and mote
// promises the same output bytes on every target. These use only IEEE
// single-precision +, -, *, / (contraction disabled by the build), which
// every target rounds identically.
#ifndef MOTE_KERNELS_REFERENCE_MATH_H_
#define MOTE_KERNELS_REFERENCE_MATH_H_

namespace mote::reference {

// e^x with a relative error below 2e-7. NaN in, NaN out.
float Exp(float x);
float Sigmoid(float x);
float Tanh(float x);
// e^x - 1, accurate near 0.
float Expm1(float x);
// Natural logarithm: -inf at 0, NaN below 0; relative error below 3e-7.
float Log(float x);
// log(1 + x), accurate near 0.
float Log1p(float x);
// Square root within 1 ulp (Newton from a bit-level guess).
float Sqrt(float x);
// The error function; absolute error below 2e-7.
float Erf(float x);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_MATH_H_
