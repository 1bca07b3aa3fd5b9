// The Cortex-M cores a .mote file is planned for (modelc convert --cores)
// and what that decides: each op's arena scratch is the largest any of
// their kernel variants needs (runtime/kernels/scratch.h), and the
// effective biases the Helium kernels read are written only when the
// cortex-m55 is among them. A file still runs on every core (kernels given
// less scratch take a scratch-free path with the same results).
#ifndef MOTE_TOOLS_MODELC_PLAN_CORES_H_
#define MOTE_TOOLS_MODELC_PLAN_CORES_H_

#include <string>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

// cortex-m0, cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55: the default.
const std::vector<std::string>& AllCores();

// "cortex-m0,cortex-m4" (or "all") -> the cores in AllCores() order, each
// once; throws std::invalid_argument naming an unknown core.
std::vector<std::string> ParseCores(const std::string& list);

// Whether any of `cores` runs the Helium (MVE) kernels, which read
// Conv2DOptions / FullyConnectedOptions.effective_bias.
bool UsesEffectiveBias(const std::vector<std::string>& cores);

// The arena scratch node `n` needs on any of `cores` (0 for most ops).
int64_t ScratchBytes(const Graph& g, const Node& n, const std::vector<std::string>& cores);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_PLAN_CORES_H_
