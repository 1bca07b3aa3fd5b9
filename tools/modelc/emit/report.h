// The conversion report: JSON (--report) and the summary modelc prints.
#ifndef MOTE_TOOLS_MODELC_EMIT_REPORT_H_
#define MOTE_TOOLS_MODELC_EMIT_REPORT_H_

#include <string>

#include "convert.h"

namespace mote::modelc {

std::string ReportJson(const ConvertOptions& options, const ConvertResult& result);
std::string ReportText(const ConvertOptions& options, const ConvertResult& result);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_REPORT_H_
