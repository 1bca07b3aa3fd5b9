// Per-op parameters the runtime's kernels need (multipliers, shifts, clamp
// bounds, lookup tables), computed once on the host.
#ifndef MOTE_TOOLS_MODELC_EMIT_OP_OPTIONS_H_
#define MOTE_TOOLS_MODELC_EMIT_OP_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "ir/graph.h"
#include "mote/schema/mote_generated.h"

namespace mote::modelc {

struct BuiltOp {
  schema::OpCode opcode;
  schema::OpOptions options_type;
  flatbuffers::Offset<void> options;
};

// Adds a constant buffer to the file and returns its index.
using AddBuffer = std::function<int32_t(std::vector<uint8_t>)>;

// `effective_bias`: write Conv2DOptions / FullyConnectedOptions.effective_bias
// for int8 FullyConnected and ungrouped Conv2D (plan/cores.h says when).
BuiltOp BuildOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& graph, const Node& node,
                const AddBuffer& add_buffer, bool effective_bias = false);

// The audio front-end's ops (emit/frontend_options.cc); nullopt for others.
std::optional<BuiltOp> BuildFrontendOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& graph,
                                       const Node& node);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_OP_OPTIONS_H_
