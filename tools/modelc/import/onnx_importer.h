// ONNX (and ONNX-ML) import through the protobuf classes of libonnx-dev.
#ifndef MOTE_TOOLS_MODELC_IMPORT_ONNX_IMPORTER_H_
#define MOTE_TOOLS_MODELC_IMPORT_ONNX_IMPORTER_H_

#include <string>

#include "ir/graph.h"

namespace mote::modelc {

// Reads an ONNX model into the IR: initializers and Constant nodes become
// constants, symbolic dimensions become 1, nodes come out in topological
// order. Throws ConvertError naming the node, op and reason for anything it
// cannot represent.
Graph ImportOnnx(const std::string& path);
Graph ImportOnnxBytes(const std::string& bytes, const std::string& what);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_IMPORT_ONNX_IMPORTER_H_
