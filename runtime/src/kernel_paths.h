// Which DSP kernel paths (kernels/paths.h) the operators of a loaded model
// take, for host tools (`modelc inspect`): a firmware build may then compile
// in only those (MOTE_KERNEL_PATHS). Firmware never links this.
#ifndef MOTE_SRC_KERNEL_PATHS_H_
#define MOTE_SRC_KERNEL_PATHS_H_

#include <stdint.h>

#include "mote/schema/mote_generated.h"

namespace mote::internal {

// The paths operator `index` of a model that passed Model::Load takes on a
// core with the DSP extension (M4, M7, M33; the M55's DSP fallbacks).
uint32_t DspKernelPaths(const schema::Model& model, int32_t index);

}  // namespace mote::internal

#endif  // MOTE_SRC_KERNEL_PATHS_H_
