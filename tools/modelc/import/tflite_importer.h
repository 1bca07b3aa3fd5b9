// TensorFlow Lite (.tflite) import: int8/int16 quantized and float32 models.
#ifndef MOTE_TOOLS_MODELC_IMPORT_TFLITE_IMPORTER_H_
#define MOTE_TOOLS_MODELC_IMPORT_TFLITE_IMPORTER_H_

#include <string>

#include "ir/graph.h"

namespace mote::modelc {

// Reads the first subgraph into the IR. TFLite is already NHWC and its ops map
// one to one onto the runtime's, so the graph comes out lowered (Graph::nhwc).
// Quantized tensors keep their parameters and bytes exactly (constants also
// carry their dequantized values for the float reference); a model with any
// quantized tensor is marked Graph::prequantized.
Graph ImportTflite(const std::string& path);
Graph ImportTfliteBytes(const std::string& bytes, const std::string& what);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_IMPORT_TFLITE_IMPORTER_H_
