// The modelc pipeline after import, as the fuzz targets of the importers run
// it: Compile (passes, calibration, quantization, memory plan, emission and
// the runtime self-check) in float32 and in int8, with a tiny synthetic
// calibration set. ConvertError and other std::exceptions are modelc's way of
// refusing a model and are expected; a crash, a sanitizer report or a hang is
// a bug.
#ifndef MOTE_TESTS_FUZZ_FUZZ_COMPILE_H_
#define MOTE_TESTS_FUZZ_FUZZ_COMPILE_H_

#include <algorithm>
#include <cstdint>
#include <exception>
#include <vector>

#include "convert.h"
#include "ir/graph.h"

namespace mote::fuzz {

// Bounds on the graphs the fuzzer compiles. Past them a single conversion
// takes seconds in an instrumented build (the reference executor runs every
// op several times), which only slows fuzzing down: larger models, such as
// the MLPerf Tiny seeds, exercise the importer alone.
inline constexpr int64_t kMaxSampleElements = int64_t{1} << 12;    // per graph input
inline constexpr int64_t kMaxConstantElements = int64_t{1} << 15;  // all weights together

// 2^22 let the MLPerf KWS model (2.7 M MACs) compile: 8 s per execution
// under the sanitizers, and a mutation of it passed libFuzzer's 10 s timeout.
inline constexpr int64_t kMaxWork = int64_t{1} << 19;              // estimated operations per run
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 16;    // declared shapes
inline constexpr int64_t kMaxWindowAttr = 64;                      // strides, pads, dilations, one filter side

inline int64_t ConstantElements(const modelc::Tensor& t) {
  if (!t.is_const()) return 0;
  return t.constant->is_int ? static_cast<int64_t>(t.constant->i.size()) : static_cast<int64_t>(t.constant->f.size());
}

// The operations of one run of the graph, roughly: per node, output elements
// (as declared; ONNX leaves most unknown until shape inference, counted as 1)
// times weights per output channel, or times the window area for a pool. Window attributes
// are bounded first, which also bounds the ONNX shapes inference computes
// from inputs of at most kMaxSampleElements.
inline bool SmallEnough(const modelc::Graph& graph) {
  int64_t constants = 0;
  for (const modelc::Tensor& t : graph.tensors) {
    constants += ConstantElements(t);
    int64_t n = 1;
    for (int64_t d : t.shape) {
      if (d > kMaxTensorElements || n * std::max<int64_t>(d, 1) > kMaxTensorElements) return false;
      n *= std::max<int64_t>(d, 1);
    }
  }
  if (constants > kMaxConstantElements) return false;
  int64_t work = 0;
  for (const modelc::Node& n : graph.nodes) {
    int64_t window = 1;
    for (const auto& [name, attr] : n.attrs) {
      const bool sizes_window = name == "kernel_shape" || name == "filter_h" || name == "filter_w";
      if (sizes_window || name == "strides" || name == "dilations" || name == "pads" ||
          name.rfind("stride_", 0) == 0 || name.rfind("dilation_", 0) == 0 || name.rfind("pad_", 0) == 0) {
        std::vector<int64_t> values = attr.ints;
        values.push_back(attr.i);
        for (int64_t v : values) {
          if (v < -kMaxWindowAttr || v > kMaxWindowAttr) return false;
          if (sizes_window) window *= std::max<int64_t>(v, 1);
        }
      }
    }
    int64_t out = 1, channels = 1;
    if (!n.outputs.empty() && n.outputs[0] >= 0 && static_cast<size_t>(n.outputs[0]) < graph.tensors.size()) {
      const modelc::Shape& shape = graph.tensors[static_cast<size_t>(n.outputs[0])].shape;
      for (int64_t d : shape) out *= std::max<int64_t>(d, 1);
      if (!shape.empty()) channels = std::max<int64_t>(shape.back(), 1);
    }
    int64_t weights = 0;
    for (int k : n.inputs) {
      if (k >= 0 && static_cast<size_t>(k) < graph.tensors.size()) weights += ConstantElements(graph.tensors[static_cast<size_t>(k)]);
    }
    // A filter's weights already hold its window; a pool has only the window.
    work += out * (weights > 0 ? std::max<int64_t>(weights / channels, 1) : window);
    if (work > kMaxWork) return false;
  }
  return true;
}

// Two deterministic samples covering negative and positive values, or none
// if an input is too large (or its shape is not a plain positive one).
inline std::vector<std::vector<modelc::Value>> SyntheticSamples(const modelc::Graph& graph) {
  std::vector<std::vector<modelc::Value>> samples(2);
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    if (graph.inputs[i] < 0 || static_cast<size_t>(graph.inputs[i]) >= graph.tensors.size()) return {};
    const modelc::Shape& shape = graph.tensors[static_cast<size_t>(graph.inputs[i])].shape;
    int64_t n = 1;
    for (int64_t d : shape) {
      if (d < 1 || d > kMaxSampleElements || n * d > kMaxSampleElements) return {};
      n *= d;
    }
    for (size_t s = 0; s < samples.size(); ++s) {
      Eigen::ArrayXf x(n);
      for (int64_t k = 0; k < n; ++k) {
        x[k] = static_cast<float>((k * 7 + static_cast<int64_t>(s) * 5) % 11 - 5) * 0.25f;
      }
      samples[s].push_back(modelc::Value::Float(shape, std::move(x)));
    }
  }
  return samples;
}

inline void CompileAll(const modelc::Graph& graph) {
  if (!SmallEnough(graph)) return;
  const std::vector<std::vector<modelc::Value>> samples = SyntheticSamples(graph);
  if (samples.empty()) return;
  modelc::ModelInfo info;
  info.name = "fuzz";
  info.producer = "fuzz";
  for (modelc::Precision p : {modelc::Precision::kFloat32, modelc::Precision::kInt8}) {
    try {
      // int8 also embeds self-test vectors (Interpreter::SelfTest) in the file.
      (void)modelc::Compile(graph, p, samples, info, p == modelc::Precision::kInt8 ? 1 : 0);
    } catch (const std::exception&) {
      // modelc refused the model: an expected outcome.
    }
  }
}

}  // namespace mote::fuzz

#endif  // MOTE_TESTS_FUZZ_FUZZ_COMPILE_H_
