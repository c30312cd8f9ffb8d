#include "plugin/frr_json.h"

#include <nlohmann/json.hpp>

#include "plugin/ip.h"

namespace edgediag::plugin {
namespace {

using nlohmann::json;

template <typename T>
std::optional<T> Opt(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return std::nullopt;
  return it->get<T>();
}

std::uint64_t U64(const json& o, const char* key) { return Opt<std::uint64_t>(o, key).value_or(0); }

std::string Str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

BgpNeighbor ParseNeighbor(const std::string& address, const std::string& vrf, const json& n) {
  BgpNeighbor b;
  b.address = address;
  b.vrf = vrf;
  b.bgpState = Str(n, "bgpState");
  b.localAs = Opt<std::uint32_t>(n, "localAs");
  b.remoteAs = Opt<std::uint32_t>(n, "remoteAs");
  b.hostLocal = Str(n, "hostLocal");
  b.hostForeign = Str(n, "hostForeign");
  b.portLocal = Opt<std::uint16_t>(n, "portLocal");
  b.portForeign = Opt<std::uint16_t>(n, "portForeign");
  if (auto it = n.find("messageStats"); it != n.end() && it->is_object()) {
    const json& m = *it;
    b.opensSent = U64(m, "opensSent");
    b.opensRecv = U64(m, "opensRecv");
    b.notificationsSent = U64(m, "notificationsSent");
    b.notificationsRecv = U64(m, "notificationsRecv");
    b.updatesSent = U64(m, "updatesSent");
    b.updatesRecv = U64(m, "updatesRecv");
    b.keepalivesSent = U64(m, "keepalivesSent");
    b.keepalivesRecv = U64(m, "keepalivesRecv");
  }
  b.connectionsEstablished = U64(n, "connectionsEstablished");
  b.connectionsDropped = U64(n, "connectionsDropped");
  b.lastResetDueTo = Str(n, "lastResetDueTo");
  b.lastErrorCodeSubcode = Str(n, "lastErrorCodeSubcode");
  b.lastNotificationReason = Str(n, "lastNotificationReason");
  b.bgpTimerHoldTimeMsecs = Opt<std::uint64_t>(n, "bgpTimerHoldTimeMsecs");
  b.bgpTimerUpMsec = Opt<std::uint64_t>(n, "bgpTimerUpMsec");
  // FRR says "authenticationEnabled": 1 when a password is configured.
  b.passwordConfigured = Opt<int>(n, "authenticationEnabled").value_or(0) != 0;
  // eBGP peers carry externalBgpNbrMaxHopsAway (1 unless ebgp-multihop).
  if (auto hops = Opt<int>(n, "externalBgpNbrMaxHopsAway"); hops && *hops > 1)
    b.ebgpMultihop = *hops;
  b.updateSource = Str(n, "updateSource");
  if (b.updateSource.empty()) b.updateSource = Str(n, "updateSourceInterface");
  b.ttlSecurityHops = Opt<int>(n, "bgpTtlSecurityHops");
  b.interface = Str(n, "nbrInterface");
  b.lastResetTimerMsecs = Opt<std::uint64_t>(n, "lastResetTimerMsecs");
  b.lastShutdownDescription = Str(n, "lastShutdownDescription");
  b.bgpTimerKeepAliveIntervalMsecs = Opt<std::uint64_t>(n, "bgpTimerKeepAliveIntervalMsecs");
  b.bgpTimerConfiguredHoldTimeMsecs = Opt<std::uint64_t>(n, "bgpTimerConfiguredHoldTimeMsecs");
  b.bgpTimerConfiguredKeepAliveIntervalMsecs =
      Opt<std::uint64_t>(n, "bgpTimerConfiguredKeepAliveIntervalMsecs");
  if (auto it = n.find("peerBfdInfo"); it != n.end() && it->is_object()) {
    b.bfdDetectMultiplier = Opt<std::uint32_t>(*it, "detectMultiplier");
    b.bfdRxMinInterval = Opt<std::uint32_t>(*it, "rxMinInterval");
    b.bfdTxMinInterval = Opt<std::uint32_t>(*it, "txMinInterval");
    b.bfdStatus = Str(*it, "status");
  }
  if (auto it = n.find("gracefulRestartInfo"); it != n.end() && it->is_object())
    b.localGrMode = Str(*it, "localGrMode");
  if (auto it = n.find("addressFamilyInfo"); it != n.end() && it->is_object()) {
    for (const auto& [af, info] : it->items()) {
      if (!info.is_object()) continue;
      if (auto sent = Opt<std::uint64_t>(info, "sentPrefixCounter"))
        b.prefixesSent = b.prefixesSent.value_or(0) + *sent;
      if (auto acc = Opt<std::uint64_t>(info, "acceptedPrefixCounter"))
        b.prefixesReceived = b.prefixesReceived.value_or(0) + *acc;
    }
  }
  return b;
}

bool LooksLikeNeighbor(const std::string& key, const json& value) {
  return value.is_object() && (ParseAddress(key).has_value() || value.contains("bgpState"));
}

}  // namespace

Result<std::vector<BgpNeighbor>> ParseFrrNeighbors(std::string_view json_text) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return MakeError(Error::Code::kProtocol, "vtysh did not return JSON for 'show bgp neighbors json'");
  std::vector<BgpNeighbor> out;
  for (const auto& [key, value] : doc.items()) {
    if (value.is_object() && value.contains("vrfName")) {
      std::string vrf = value["vrfName"].is_string() ? value["vrfName"].get<std::string>() : key;
      for (const auto& [addr, n] : value.items())
        if (LooksLikeNeighbor(addr, n)) out.push_back(ParseNeighbor(addr, vrf, n));
    } else if (LooksLikeNeighbor(key, value)) {
      out.push_back(ParseNeighbor(key, "default", value));
    }
  }
  return out;
}

}  // namespace edgediag::plugin
