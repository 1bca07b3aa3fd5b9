// Fuzz target: modelc's TFLite importer on arbitrary bytes, then the whole
// conversion pipeline (fuzz_compile.h) on whatever it imports.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "fuzz_compile.h"
#include "import/tflite_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mote::modelc::Graph graph;
  try {
    graph = mote::modelc::ImportTfliteBytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.tflite");
  } catch (const std::exception&) {
    return 0;  // refused with a message: expected
  }
  mote::fuzz::CompileAll(graph);
  return 0;
}
