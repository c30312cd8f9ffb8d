// Renderers: the only code that prints. One Report, several outputs.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

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

/// Appends `s` with every control character escaped: C0 and DEL as \xNN,
/// the C1 controls U+0080..U+009F as \u00NN, bytes that are not UTF-8 as
/// \xNN. Names come from daemons, the kernel and snapshots, and may hold
/// terminal escapes; well-formed UTF-8 text is kept as it is.
void AppendPrintable(std::string& out, std::string_view s);
/// As AppendPrintable, into a new string.
std::string Printable(std::string_view s);

/// Text for people: a verdict line per subject, then ranked causes with
/// evidence and fix, then the sources that could not be read.
std::string RenderText(const plugin::Report& report, const TextOptions& options);

}  // namespace edgediag::opmode
