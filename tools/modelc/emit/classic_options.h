// Options and buffers of the classic-ML runtime ops (TreeEnsemble,
// ClassifierHead, Normalize, Svm, SvmPairwise).
#ifndef MOTE_TOOLS_MODELC_EMIT_CLASSIC_OPTIONS_H_
#define MOTE_TOOLS_MODELC_EMIT_CLASSIC_OPTIONS_H_

#include <optional>

#include "emit/op_options.h"

namespace mote::modelc {

// nullopt if `node` is not a classic op.
std::optional<BuiltOp> BuildClassicOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& graph, const Node& node,
                                      const AddBuffer& add_buffer);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_CLASSIC_OPTIONS_H_
