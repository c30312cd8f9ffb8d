// The text renderer never sends a name's control characters to the terminal.
#include <gtest/gtest.h>

#include "op-mode/render.h"

namespace edgediag::opmode {
namespace {

using plugin::Finding;
using plugin::Report;
using plugin::Severity;
using plugin::Subject;
using plugin::SubjectKind;
using plugin::SubjectReport;

TEST(Printable, EscapesControlsAndKeepsUtf8) {
  EXPECT_EQ(Printable("eth1.101"), "eth1.101");
  EXPECT_EQ(Printable("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(Printable("line\nnext\r\x7f"), "line\\x0anext\\x0d\\x7f");
  EXPECT_EQ(Printable("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80");
  EXPECT_EQ(Printable("csi\xc2\x9b" "31m"), "csi\\u009b31m");  // U+009B, CSI on some terminals
  EXPECT_EQ(Printable("raw\x9b" "1m"), "raw\\x9b1m");           // not UTF-8
  EXPECT_EQ(Printable("cut\xe2\x80"), "cut\\xe2\\x80");          // a truncated sequence
}

TEST(RenderText, NamesFromOutsideReachTheTerminalEscaped) {
  Report r;
  r.command = "vpn";
  r.hostname = "edge\x1b]0;owned\x07";
  SubjectReport s{.subject = {SubjectKind::kIpsecConnection, "peer\x1b[2J", "", "", ""},
                  .verdict = Severity::kCritical};
  s.findings.push_back(Finding{.id = "ipsec.ike.down",
                               .severity = Severity::kCritical,
                               .message = "connection peer\x1b[2J has no IKE SA\nFAKE OK line",
                               .evidence = {{"name", "peer\x1b[2J", ""}},
                               .remedy = "reset \x1b[31m"});
  r.subjects.push_back(s);
  r.notes.push_back("note\r\x1b[K");
  for (bool detail : {false, true}) {
    std::string text = RenderText(r, {.color = false, .detail = detail});
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_EQ(text.find('\x07'), std::string::npos);
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_EQ(text.find("\nFAKE OK"), std::string::npos);
    EXPECT_NE(text.find("peer\\x1b[2J"), std::string::npos);
  }
}

}  // namespace
}  // namespace edgediag::opmode
