// Renderers: the only code that prints. One Report, several outputs.
#pragma once

#include <iosfwd>
#include <string>

#include "plugin/report.h"
#include "plugin/snapshot.h"

namespace edgediag::opmode {

/// The schema tag of the JSON report.
inline constexpr char kReportSchema[] = "edgediag.report/1";

/// The versioned JSON document of DESIGN.md ("schema": "edgediag.report/1"),
/// pretty-printed, with a final newline.
std::string RenderJson(const plugin::Report& report);
/// The same, written to `out` as it is made.
void RenderJson(const plugin::Report& report, std::ostream& out);

struct TextOptions {
  bool color = false;   ///< ANSI colours (only on a terminal)
  bool detail = false;  ///< append the raw evidence table
};

/// Text for people: a verdict line per subject, then ranked causes with
/// evidence and fix, then the sources that could not be read.
std::string RenderText(const plugin::Report& report, const TextOptions& options);

}  // namespace edgediag::opmode
