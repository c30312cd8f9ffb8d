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

// FRR bgpd/bgp_vty.c bgp_show_peer_afi(): the policy names are present only
// when configured; "inboundEbgpRequiresPolicy"/"outboundEbgpRequiresPolicy"
// hold a sentence when ebgp-requires-policy discards updates for want of a
// policy (the "(Policy)" of `show bgp summary`), and are absent otherwise.
BgpAddressFamily ParseAddressFamily(const std::string& afi, const json& info) {
  BgpAddressFamily a;
  a.afi = afi;
  a.acceptedPrefixCounter = Opt<std::uint64_t>(info, "acceptedPrefixCounter");
  a.sentPrefixCounter = Opt<std::uint64_t>(info, "sentPrefixCounter");
  a.prefixAllowedMax = Opt<std::uint64_t>(info, "prefixAllowedMax");
  a.routeMapForIncomingAdvertisements = Str(info, "routeMapForIncomingAdvertisements");
  a.routeMapForOutgoingAdvertisements = Str(info, "routeMapForOutgoingAdvertisements");
  a.incomingUpdatePrefixFilterList = Str(info, "incomingUpdatePrefixFilterList");
  a.outgoingUpdatePrefixFilterList = Str(info, "outgoingUpdatePrefixFilterList");
  a.incomingUpdateAsPathFilterList = Str(info, "incomingUpdateAsPathFilterList");
  a.outgoingUpdateAsPathFilterList = Str(info, "outgoingUpdateAsPathFilterList");
  a.incomingUpdateNetworkFilterList = Str(info, "incomingUpdateNetworkFilterList");
  a.outgoingUpdateNetworkFilterList = Str(info, "outgoingUpdateNetworkFilterList");
  a.inboundEbgpRequiresPolicy = info.contains("inboundEbgpRequiresPolicy");
  a.outboundEbgpRequiresPolicy = info.contains("outboundEbgpRequiresPolicy");
  return a;
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
      b.addressFamilyInfo.push_back(ParseAddressFamily(af, info));
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

Result<std::vector<BgpRoute>> ParseFrrBestRoutes(std::string_view json_text, std::size_t cap) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return MakeError(Error::Code::kProtocol, "vtysh did not return JSON for a neighbour's routes");
  std::vector<BgpRoute> out;
  auto routes = doc.find("routes");
  if (routes == doc.end() || !routes->is_object()) return out;  // none learnt
  for (const auto& [prefix, paths] : routes->items()) {
    if (!paths.is_array()) continue;
    for (const auto& path : paths) {
      if (!path.is_object()) continue;
      // FRR 8.x: "bestpath": true; FRR 9+: "bestpath": {"overall": true, ...}.
      auto best = path.find("bestpath");
      bool is_best = best != path.end() &&
                     ((best->is_boolean() && best->get<bool>()) ||
                      (best->is_object() && best->value("overall", false)));
      if (!is_best) continue;
      BgpRoute r{.prefix = prefix};
      if (auto nh = path.find("nexthops"); nh != path.end() && nh->is_array() && !nh->empty() &&
                                           (*nh)[0].is_object())
        r.nexthop = Str((*nh)[0], "ip");
      out.push_back(std::move(r));
      break;
    }
    if (out.size() >= cap) break;
  }
  return out;
}

Result<std::vector<std::string>> ParseFrrAdvertisedRoutes(std::string_view json_text,
                                                          std::size_t cap,
                                                          std::optional<std::uint32_t> peer_as) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return MakeError(Error::Code::kProtocol,
                     "vtysh did not return JSON for a neighbour's advertised routes");
  std::vector<std::string> out;
  auto adv = doc.find("advertisedRoutes");
  if (adv == doc.end() || !adv->is_object()) return out;  // nothing advertised
  std::string as = peer_as ? std::to_string(*peer_as) : std::string();
  for (const auto& [prefix, route] : adv->items()) {
    // FRR 8.4 sends a peer's routes back to it ("path": "64512" toward AS
    // 64512): the peer drops them for the loop, so they are not ours.
    if (peer_as && route.is_object()) {
      std::string path = Str(route, "path");
      bool loop = false;
      for (std::size_t at = 0; (at = path.find(as, at)) != std::string::npos; at += as.size()) {
        bool start = at == 0 || path[at - 1] == ' ' || path[at - 1] == '{' || path[at - 1] == ',';
        std::size_t end = at + as.size();
        bool stop = end == path.size() || path[end] == ' ' || path[end] == '}' || path[end] == ',';
        if (start && stop) loop = true;
      }
      if (loop) continue;
    }
    out.push_back(prefix);
    if (out.size() >= cap) break;
  }
  return out;
}

std::vector<std::string_view> SplitJsonDocuments(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (depth == 0) {
      if (c == '{') {
        start = i;
        depth = 1;
      }
      continue;  // outside a document: error text, new lines
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      ++depth;
    else if ((c == '}' || c == ']') && --depth == 0)
      out.push_back(text.substr(start, i + 1 - start));
  }
  return out;
}

}  // namespace edgediag::plugin
