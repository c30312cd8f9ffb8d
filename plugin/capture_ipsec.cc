// The strongSwan collector: asks charon over VICI for its version, the
// configured connections (list-conns) and the live IKE/CHILD SAs (list-sas).
// Read-only, and never asks for secrets: no get-shared, get-keys or the like.
#include <fmt/format.h>

#include <chrono>

#include "plugin/capture.h"
#include "plugin/ipsec_vici.h"
#include "plugin/source_status.h"
#include "vici/builder.h"
#include "vici/client.h"

namespace edgediag::plugin {
namespace {

// charon's errors in words for the VICI socket at `path`.
std::string ViciReason(const Error& e, const std::string& path) {
  switch (e.code) {
    case Error::Code::kUnavailable:
      if (e.what.rfind("no VICI socket", 0) == 0)
        return fmt::format("strongSwan not running: no VICI socket at {}", path);
      if (e.what.rfind("nothing listening", 0) == 0)  // a socket left by a stopped charon
        return fmt::format("strongSwan not running: nothing listening on {}", path);
      return fmt::format("strongSwan not reachable: {}", e.what);
    case Error::Code::kPermissionDenied:
      return fmt::format("run as root (sudo): permission denied on {}", path);
    case Error::Code::kTimeout:
      return fmt::format("charon did not answer in time: {}", e.what);
    default:
      return e.what;
  }
}

Result<void> CaptureFrom(vici::Client& client, Snapshot& snapshot, ViciWarnings& warnings) {
  auto version = client.Command("version");
  if (!version) return version.error();

  std::vector<IpsecConnection> conns;
  auto listed_conns = client.StreamedCommand(
      "list-conns", "list-conn", {}, [&](vici::Message&& event) -> Result<void> {
        for (auto& c : ConnectionsFromListConn(event, warnings)) conns.push_back(std::move(c));
        return {};
      });
  if (!listed_conns) return listed_conns.error();

  // noblock: do not wait for IKE SAs busy in an exchange; a diagnosis should
  // not stall behind a rekey (vici README, list-sas).
  auto body = vici::Builder().Add("noblock", "yes").Finish();
  if (!body) return body.error();
  std::vector<IkeSa> sas;
  auto listed_sas = client.StreamedCommand("list-sas", "list-sa", *body,
                                           [&](vici::Message&& event) -> Result<void> {
                                             for (auto& sa : IkeSasFromListSa(event, warnings))
                                               sas.push_back(std::move(sa));
                                             return {};
                                           });
  if (!listed_sas) return listed_sas.error();

  snapshot.ipsec_connections = std::move(conns);
  snapshot.ike_sas = std::move(sas);
  return {};
}

}  // namespace

void CaptureIpsec(Snapshot& snapshot, const CaptureOptions& options) {
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  const auto deadline = vici::Clock::now() + timeout;  // for the whole source
  auto client = vici::Client::Connect(options.vici_socket, timeout);
  if (!client) {
    const Error& e = client.error();
    snapshot.sources[kSourceVici] = StatusFromError(e, ViciReason(e, options.vici_socket));
    return;
  }
  client->SetDeadline(deadline);
  ViciWarnings warnings;
  if (auto r = CaptureFrom(*client, snapshot, warnings); !r) {
    const Error& e = r.error();
    snapshot.sources[kSourceVici] = StatusFromError(e, ViciReason(e, options.vici_socket));
    return;
  }
  SourceStatus ok{SourceState::kOk, ""};
  if (warnings.count > 0) {
    ok.reason =
        fmt::format("{} malformed field(s) in charon's replies were ignored", warnings.count);
  }
  snapshot.sources[kSourceVici] = ok;
}

}  // namespace edgediag::plugin
