// `modelc convert --report model.html`: one self-contained page (inline CSS
// and SVG, no script, nothing fetched) a user opens in any browser.
#ifndef MOTE_TOOLS_MODELC_EMIT_HTML_REPORT_H_
#define MOTE_TOOLS_MODELC_EMIT_HTML_REPORT_H_

#include <string>

#include "compare.h"
#include "convert.h"

namespace mote::modelc {

// Sections (each a <section id=...>): summary, budgets, operators, memory
// (which tensor holds which arena bytes at each step, against the lower
// bound), quantization (per-layer SQNR; `comparison` may be null when no
// calibration data was given) and stack (worst case per Cortex-M CPU).
// `profile`: mote-sim --profile's text for this model ("" if none).
std::string ReportHtml(const ConvertOptions& options, const ConvertResult& result,
                       const Comparison* comparison, const std::string& profile = "");

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_HTML_REPORT_H_
