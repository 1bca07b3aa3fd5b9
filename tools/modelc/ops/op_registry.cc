#include "ops/op_registry.h"

#include <algorithm>
#include <map>

namespace mote::modelc {
namespace {

std::map<std::string, OpDef> BuildRegistry() {
  std::map<std::string, OpDef> registry;
  // Explicit calls, not static registrars: a static library would drop
  // registrar objects nothing else references.
  for (auto family : {UnaryOps, GlobalPoolOps, CompositeOps, DataMovementOps, MatMulOps,
                      LayerNormOps, SoftmaxOps, ReduceOps, RnnOps, ConstantOfShapeOps, ConvTransposeOps,
                      ResizeOps, QdqOps, LogicOps, CumSumOps, HardmaxOps, TopKOps, SpectrogramOps,
                      FifoOps, SignalOps, EinsumOps, ArgMaxOps}) {
    for (OpDef& def : family()) {
      const std::string name = def.name;
      if (!registry.emplace(name, std::move(def)).second) {
        throw ConvertError("op registry: '" + name + "' is registered twice");
      }
    }
  }
  return registry;
}

}  // namespace

const OpDef* FindOp(const std::string& name) {
  static const std::map<std::string, OpDef> registry = BuildRegistry();
  const auto it = registry.find(name);
  return it == registry.end() ? nullptr : &it->second;
}

void CheckAttributes(const OpDef& def, const Node& n) {
  for (const auto& [key, value] : n.attrs) {
    if (std::find(def.attributes.begin(), def.attributes.end(), key) == def.attributes.end()) {
      Unsupported(n, "attribute '" + key + "' is not supported");
    }
  }
}

}  // namespace mote::modelc
