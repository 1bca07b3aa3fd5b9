// mote's semantic rules for a model whose FlatBuffers structure verified.
#ifndef MOTE_SRC_MODEL_CHECK_H_
#define MOTE_SRC_MODEL_CHECK_H_

#include "mote/schema/mote_generated.h"
#include "mote/status.h"

namespace mote::internal {

// Every tensor, operator and graph input/output is in range and consistent,
// and each operator's own kernel accepts it.
Status CheckModel(const schema::Model& model);

}  // namespace mote::internal

#endif  // MOTE_SRC_MODEL_CHECK_H_
