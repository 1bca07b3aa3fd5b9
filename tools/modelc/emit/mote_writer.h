// Writes the .mote file (DESIGN.md §2) for a planned, quantized graph.
#ifndef MOTE_TOOLS_MODELC_EMIT_MOTE_WRITER_H_
#define MOTE_TOOLS_MODELC_EMIT_MOTE_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "plan/cost.h"
#include "plan/memory_planner.h"
#include "quantize/quantizer.h"

namespace mote::modelc {

struct ModelInfo {
  std::string name;
  std::string producer;
  std::string source_hash;
  std::vector<std::string> class_labels;
};

struct EmittedOp {
  std::string name;
  std::string op;
  std::string dtype;
  Shape output_shape;
  OpCost cost;
};

struct Emitted {
  std::vector<uint8_t> bytes;     // the whole .mote file
  int64_t weight_bytes = 0;       // constant data (weights, biases, tables)
  int64_t total_macs = 0;
  std::vector<EmittedOp> ops;
};

// Computes and stores the integrity value of a finished .mote file.
void StoreFileCrc(std::vector<uint8_t>& file);

Emitted WriteMote(const Graph& graph, const MemoryPlan& plan, const Calibration& calibration,
                  const ModelInfo& info);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_MOTE_WRITER_H_
