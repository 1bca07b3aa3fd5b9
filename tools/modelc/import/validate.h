// Validation of imported nodes against the shapes of their inputs.
//
// An imported node carries indices, counts and ids (a tree's feature ids, a
// classifier's class ids, an SVM's support-vector counts, axes, permutations,
// gather indices) that later passes use to index arrays. Each is checked
// once, when shape inference (the first pass) reaches the node and its input
// shapes are known, before anything evaluates it; passes after that may rely
// on them. Checks that need no shapes stay in the importers.
#ifndef MOTE_TOOLS_MODELC_IMPORT_VALIDATE_H_
#define MOTE_TOOLS_MODELC_IMPORT_VALIDATE_H_

#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

// Checks `node` given its input values (shapes and constant data; nullptr for
// an absent optional input). Throws ConvertError naming the node, op,
// attribute (or input), position and value of anything out of range.
void ValidateNode(const Graph& graph, const Node& node, const std::vector<const Value*>& inputs);

// Checks the values `node` computed: a float tensor with no elements (a
// dimension of 0) is refused, since every later pass divides by widths.
void ValidateOutputs(const Graph& graph, const Node& node, const std::vector<Value>& outputs);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_IMPORT_VALIDATE_H_
