// mote-link-check: the runtime linked the way a product links it, with no
// stdio and no semihosting library (newlib-nano + libnosys, --gc-sections).
//
// It exercises Model::Load, Interpreter::Create and Interpreter::Invoke on a
// model buffer symbol, so everything those reach is linked in. A test runs
// arm-none-eabi-nm on the ELF and fails if malloc, free, operator new
// (_Znwj/_Znaj), __cxa_throw or __cxa_begin_catch appear.
//
// Run under QEMU it exits with the numeric Status of the first failing step
// (the placeholder model below is empty, so Load fails with a status; that
// is expected and is not what this firmware is for).
#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/status.h"

// A real application keeps its model `static const` in flash (modelc
// --header). `used` plus external linkage keep the symbol in the ELF; the
// volatile size stops the compiler from folding the checks below away.
extern "C" {
alignas(mote::kBufferAlignment) __attribute__((used)) const uint8_t mote_link_check_model[64] = {};
__attribute__((used)) volatile uint32_t mote_link_check_model_size = 0;
}

namespace {

alignas(mote::kBufferAlignment) uint8_t g_arena[4096];

void IgnoreDiagnostic(const mote::Diagnostic& /*diagnostic*/, void* /*context*/) {}

}  // namespace

int main(int /*argc*/, char** /*argv*/) {
  mote::SetDiagnosticHandler(IgnoreDiagnostic, nullptr);
  const std::span<const uint8_t> file(mote_link_check_model, mote_link_check_model_size);
  const mote::Result<mote::Model> model = mote::Model::Load(file);
  if (!model.ok()) return static_cast<int>(model.status());
  mote::Result<mote::Interpreter> interpreter =
      mote::Interpreter::Create(model.value(), std::span<uint8_t>(g_arena));
  if (!interpreter.ok()) return static_cast<int>(interpreter.status());
  return static_cast<int>(interpreter.value().Invoke());
}
