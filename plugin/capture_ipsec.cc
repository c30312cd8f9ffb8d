// The strongSwan collector: asks charon over VICI for its version, the
// configured connections (list-conns) and the live IKE/CHILD SAs (list-sas).
// Read-only, and never asks for secrets: no get-shared, get-keys or the like.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "plugin/capture.h"
#include "plugin/ipsec_vici.h"
#include "plugin/source_status.h"
#include "vici/builder.h"
#include "vici/client.h"
#include "vici/parser.h"

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

  // noblock leaves out the IKE SAs busy in an exchange (a rekey, a
  // reauthentication): the lab's rekey soak saw a connection "without IKE
  // SA" that way. A configured connection with none listed is asked once
  // more, waiting for it (bounded by the source's deadline); a few only, so
  // a hub with many connections down does not pay for each.
  constexpr int kReasks = 16;
  std::set<std::string> listed;
  for (const auto& sa : sas) listed.insert(sa.name);
  int reasks = 0;
  for (const auto& c : conns) {
    if (listed.count(c.name) || ++reasks > kReasks) continue;
    auto one = vici::Builder().Add("ike", c.name).Finish();
    if (!one) break;
    auto again = client.StreamedCommand("list-sas", "list-sa", *one,
                                        [&](vici::Message&& event) -> Result<void> {
                                          for (auto& sa : IkeSasFromListSa(event, warnings))
                                            sas.push_back(std::move(sa));
                                          return {};
                                        });
    if (!again) return again.error();
  }

  snapshot.ipsec_connections = std::move(conns);
  snapshot.ike_sas = std::move(sas);
  return {};
}

// Trap policies (a CHILD SA on demand, waiting for traffic) and pass/drop
// shunts: list-sas cannot show them. A charon without list-policies (older
// than 5.3) leaves them unknown; that is a warning, not a failed source.
void CapturePolicies(vici::Client& client, Snapshot& snapshot, ViciWarnings& warnings,
                     std::vector<std::string>& notes) {
  auto body = vici::Builder().Add("trap", "yes").Add("pass", "yes").Add("drop", "yes").Finish();
  if (!body) return;
  std::vector<IpsecPolicy> policies;
  auto listed = client.StreamedCommand("list-policies", "list-policy", *body,
                                       [&](vici::Message&& event) -> Result<void> {
                                         for (auto& p : PoliciesFromListPolicy(event, warnings))
                                           policies.push_back(std::move(p));
                                         return {};
                                       });
  if (!listed) {
    notes.push_back("trap and shunt policies not read: " + listed.error().what);
    return;
  }
  snapshot.ipsec_policies = std::move(policies);
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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
  std::vector<std::string> notes;
  CapturePolicies(*client, snapshot, warnings, notes);
  SourceStatus ok{SourceState::kOk, "", std::move(notes)};
  if (warnings.count > 0) {
    ok.reason =
        fmt::format("{} malformed field(s) in charon's replies were ignored", warnings.count);
  }
  snapshot.sources[kSourceVici] = ok;
}

IpsecEventWatch WatchIpsecEvents(const CaptureOptions& options, std::chrono::milliseconds pause) {
  IpsecEventWatch out;
  const auto end = vici::Clock::now() + pause;
  auto sleep_rest = [&] { std::this_thread::sleep_until(end); };
  if (!options.vici) {
    sleep_rest();
    return out;
  }
  // The wait for an event may last the whole window: the deadline, not a
  // per-read timeout, ends it.
  auto client = vici::Client::Connect(options.vici_socket,
                                      std::max(pause, std::chrono::milliseconds(100)));
  if (!client) {
    const Error& e = client.error();
    out.status = StatusFromError(e, ViciReason(e, options.vici_socket));
    sleep_rest();
    return out;
  }
  client->SetDeadline(end);
  for (const char* name : kIpsecEvents) {
    if (auto r = client->Register(name); !r) {
      out.status = StatusFromError(r.error(), "registering for charon's " + std::string(name) +
                                                  " events: " + r.error().what);
      sleep_rest();
      return out;
    }
  }
  // Events only, until the window closes: the deadline ends the last wait.
  // A connection closed by charon (restart) ends the watch early: what was
  // seen stays, and the status says why it stopped.
  ViciWarnings warnings;
  out.status = {SourceState::kOk, ""};
  while (vici::Clock::now() < end) {
    auto packet = client->Receive();
    if (!packet) {
      if (vici::Clock::now() < end) {
        out.status.warnings.push_back("event watch stopped early: " + packet.error().what);
        sleep_rest();
      }
      break;
    }
    if (packet->type != vici::PacketType::kEvent) continue;
    auto message = vici::ParseMessage(packet->body);
    if (!message) {
      ++warnings.count;
      continue;
    }
    std::int64_t at = NowMs();
    for (auto& ev : EventsFromMessage(packet->name, *message, warnings)) {
      ev.at_ms = at;
      out.events.push_back(std::move(ev));
    }
  }
  if (warnings.count > 0)
    out.status.warnings.push_back(
        fmt::format("{} malformed field(s) in charon's events were ignored", warnings.count));
  return out;
}

}  // namespace edgediag::plugin
