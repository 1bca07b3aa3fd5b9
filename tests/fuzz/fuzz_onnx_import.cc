// Fuzz target: modelc's ONNX (and ONNX-ML) importer on arbitrary bytes, then
// the whole conversion pipeline (fuzz_compile.h) on whatever it imports.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "fuzz_compile.h"
#include "import/onnx_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mote::modelc::Graph graph;
  try {
    graph = mote::modelc::ImportOnnxBytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.onnx");
  } catch (const std::exception&) {
    return 0;  // refused with a message: expected
  }
  mote::fuzz::CompileAll(graph);
  return 0;
}
