#include "plan/stack_bound.h"

#include <algorithm>
#include <stdexcept>

namespace mote::modelc {
namespace {

struct Row {
  const char* cpu;
  const char* op;
  int64_t bytes;
  const char* entry;
};

constexpr Row kRows[] = {
#define MOTE_KERNEL_STACK(cpu, op, bytes, entry) {cpu, op, bytes, entry},
#define MOTE_KERNEL_STACK_BUILD(text)
#include "plan/kernel_stack_table.inc"
#undef MOTE_KERNEL_STACK
#undef MOTE_KERNEL_STACK_BUILD
};

constexpr const char* kBuild =
#define MOTE_KERNEL_STACK(cpu, op, bytes, entry)
#define MOTE_KERNEL_STACK_BUILD(text) text
#include "plan/kernel_stack_table.inc"
#undef MOTE_KERNEL_STACK
#undef MOTE_KERNEL_STACK_BUILD
    ;

const Row* Find(const std::string& cpu, const std::string& op) {
  for (const Row& r : kRows) {
    if (cpu == r.cpu && op == r.op) return &r;
  }
  return nullptr;
}

}  // namespace

const std::vector<std::string>& StackCpus() {
  static const std::vector<std::string> cpus = [] {
    std::vector<std::string> out;
    for (const Row& r : kRows) {
      if (std::find(out.begin(), out.end(), r.cpu) == out.end()) out.push_back(r.cpu);
    }
    return out;
  }();
  return cpus;
}

const char* StackTableBuild() { return kBuild; }

int64_t KernelStackBytes(const std::string& cpu, const std::string& op) {
  const Row* r = Find(cpu, op);
  return r != nullptr ? r->bytes : -1;
}

std::vector<StackBound> StackBounds(const std::vector<std::string>& op_types) {
  std::vector<std::string> ops;
  for (const std::string& op : op_types) {
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
  }
  std::vector<StackBound> out;
  for (const std::string& cpu : StackCpus()) {
    const Row* fixed = Find(cpu, "");
    if (fixed == nullptr) throw std::logic_error("kernel_stack_table.inc has no fixed row for " + cpu);
    StackBound b;
    b.cpu = cpu;
    b.fixed_bytes = b.bytes = fixed->bytes;
    b.fixed_entry = b.entry = fixed->entry;
    for (const std::string& op : ops) {
      const Row* r = Find(cpu, op);
      // "Op:type" falls back to the op's row (the deepest of its types).
      if (r == nullptr && op.find(':') != std::string::npos) r = Find(cpu, op.substr(0, op.find(':')));
      if (r == nullptr) {
        throw std::logic_error("kernel_stack_table.inc has no stack figure for op " + op + " on " + cpu +
                               " (regenerate it: see the stack_table_current test)");
      }
      const bool seen = std::any_of(b.ops.begin(), b.ops.end(),
                                    [r](const OpStack& o) { return o.op == r->op; });
      if (seen) continue;
      b.ops.push_back({r->op, r->bytes, r->entry});
      if (r->bytes > b.bytes) {
        b.bytes = r->bytes;
        b.deepest = r->op;
        b.entry = r->entry;
      }
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace mote::modelc
