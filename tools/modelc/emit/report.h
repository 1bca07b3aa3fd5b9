// The conversion report: JSON (--report) and the summary modelc prints.
#ifndef MOTE_TOOLS_MODELC_EMIT_REPORT_H_
#define MOTE_TOOLS_MODELC_EMIT_REPORT_H_

#include <string>
#include <vector>

#include "common/json.h"
#include "convert.h"

namespace mote::modelc {

std::string ReportJson(const ConvertOptions& options, const ConvertResult& result);
std::string ReportText(const ConvertOptions& options, const ConvertResult& result);

// The runtime's worst-case stack per Cortex-M CPU (plan/stack_bound.h): the
// "stack" array of the report, and one line "cortex-m0 508 (FullyConnected), ...".
tools::Json StackJson(const std::vector<StackBound>& bounds);
std::string StackText(const std::vector<StackBound>& bounds);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_REPORT_H_
