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
  // The audio front-end modelc prepended: its kind and parameters (may be empty).
  std::string frontend_kind;
  std::vector<std::pair<std::string, std::string>> frontend;
};

struct EmittedOp {
  std::string name;
  std::string op;          // graph op
  std::string runtime_op;  // the runtime's op type it became (schema::OpCode name)
  std::string dtype;
  Shape output_shape;
  OpCost cost;
  int64_t scratch_bytes = 0;  // arena scratch planned for its kernels
};

struct Emitted {
  std::vector<uint8_t> bytes;     // the whole .mote file
  int64_t weight_bytes = 0;       // constant data (weights, biases, tables)
  int64_t total_macs = 0;
  std::vector<EmittedOp> ops;
};

// Computes and stores the integrity value of a finished .mote file.
void StoreFileCrc(std::vector<uint8_t>& file);

// Golden vectors for the runtime's SelfTest(): raw bytes of all inputs and of
// all outputs per sample, concatenated.
struct SelfTestData {
  uint32_t count = 0;
  std::vector<uint8_t> inputs, outputs;
};

Emitted WriteMote(const Graph& graph, const MemoryPlan& plan, const Calibration& calibration,
                  const ModelInfo& info, const SelfTestData* selftest = nullptr);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_MOTE_WRITER_H_
