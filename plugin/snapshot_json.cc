#include "plugin/snapshot_json.h"

#include <cerrno>
#include <concepts>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "base/atomic_file.h"
#include "base/json_writer.h"
#include "base/read_file.h"
#include "plugin/json_support.h"

namespace edgediag {
namespace {

// SaveSnapshot writes the text straight from the structs (base/json_writer.h).
// The field lists are the ones the nlohmann (de)serializers use
// (EDGEDIAG_JSON_TYPE below), so the two cannot drift apart; the document
// parses back to the same value as SnapshotToJson gives. Differences in the
// text only: compact, keys in declaration order rather than sorted, and bytes
// that are not UTF-8 become U+FFFD (nlohmann's dump would throw).
//
// A type of this file's own, so that argument-dependent lookup finds the
// WriteJson overloads below.
struct JsonOut : JsonWriter {};

void WriteJson(JsonOut& out, const std::string& v) { out.String(v); }
template <std::integral T>
void WriteJson(JsonOut& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>)
    out.Bool(v);
  else
    out.Number(v);
}
template <std::floating_point T>
void WriteJson(JsonOut& out, const T& v) {
  out.Number(static_cast<double>(v));
}
template <typename T>
void WriteJson(JsonOut& out, const std::optional<T>& v) {
  if (v)
    WriteJson(out, *v);
  else
    out.Null();
}
template <typename T>
void WriteJson(JsonOut& out, const std::vector<T>& v) {
  out.Open('[');
  for (const auto& e : v) WriteJson(out, e);
  out.Close(']');
}
template <typename T>
void WriteJson(JsonOut& out, const std::map<std::string, T>& m) {
  out.Open('{');
  for (const auto& [k, v] : m) {
    out.MapKey(k);
    WriteJson(out, v);
  }
  out.Close('}');
}
// Anything else (enums with NLOHMANN_JSON_SERIALIZE_ENUM, a type added
// without EDGEDIAG_JSON_TYPE) goes through nlohmann: slower, never wrong.
template <typename T>
void WriteJson(JsonOut& out, const T& v) {
  out.Raw(nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

// One field list for nlohmann's to_json/from_json and for JsonOut.
#define EDGEDIAG_JSON_WRITE_FIELD(field) \
  out.Key(#field);                       \
  WriteJson(out, value.field);
#define EDGEDIAG_JSON_TYPE(Type, ...)                                                   \
  NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Type, __VA_ARGS__)                    \
  [[maybe_unused]] static void WriteJson(JsonOut& out, const Type& value) {             \
    out.Open('{');                                                                      \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(EDGEDIAG_JSON_WRITE_FIELD, __VA_ARGS__))   \
    out.Close('}');                                                                     \
  }

EDGEDIAG_JSON_TYPE(KeyCharacter, position, code_point)
EDGEDIAG_JSON_TYPE(KeyProperties, length_bytes, length_chars,
                                                valid_utf8, leading_whitespace,
                                                trailing_whitespace, unusual, fp_raw, fp_trimmed,
                                                fp_folded, fp_normalised)

namespace plugin {

NLOHMANN_JSON_SERIALIZE_ENUM(SourceState, {
                                              {SourceState::kNotCollected, "not-collected"},
                                              {SourceState::kOk, "ok"},
                                              {SourceState::kUnavailable, "unavailable"},
                                              {SourceState::kPermissionDenied, "permission-denied"},
                                          })

// By hand: "warnings" only when there are some, so that a snapshot without
// any reads and writes as before the field existed.
void to_json(nlohmann::json& j, const SourceStatus& v) {
  j = nlohmann::json{{"state", v.state}, {"reason", v.reason}};
  if (!v.warnings.empty()) j["warnings"] = v.warnings;
}
void from_json(const nlohmann::json& j, SourceStatus& v) {
  SourceStatus d;
  v.state = j.value("state", d.state);
  v.reason = j.value("reason", d.reason);
  v.warnings = j.value("warnings", d.warnings);
}
[[maybe_unused]] static void WriteJson(JsonOut& out, const SourceStatus& value) {
  out.Open('{');
  out.Key("state");
  WriteJson(out, value.state);
  out.Key("reason");
  WriteJson(out, value.reason);
  if (!value.warnings.empty()) {
    out.Key("warnings");
    WriteJson(out, value.warnings);
  }
  out.Close('}');
}
EDGEDIAG_JSON_TYPE(Interface, name, ifindex, kind, link, parent,
                                                vlan_id, vlan_protocol, mtu, admin_up, carrier,
                                                operstate, lladdr, rx_bytes, tx_bytes, rx_packets,
                                                tx_packets, rx_errors, tx_errors, rx_dropped,
                                                tx_dropped, rp_filter, rx_power_mw,
                                                rx_power_low_alarm_mw, if_id, master)
EDGEDIAG_JSON_TYPE(Address, ifname, ifindex, family, address,
                                                prefixlen)
EDGEDIAG_JSON_TYPE(Neighbour, ifname, ifindex, family, address,
                                                lladdr, state)
EDGEDIAG_JSON_TYPE(Route, family, dst, gateway, dev, ifindex, table,
                                                type, protocol, metric, mtu)
EDGEDIAG_JSON_TYPE(Md5Key, address, prefixlen, key)
EDGEDIAG_JSON_TYPE(TcpSocket, state, local, local_port, remote,
                                                remote_port, dev, snd_mss, rcv_mss, pmtu, md5_keys)
EDGEDIAG_JSON_TYPE(Counters, tcp_ext, ip_ext, xfrm_stat)
EDGEDIAG_JSON_TYPE(BgpRoute, prefix, nexthop)
EDGEDIAG_JSON_TYPE(
    BgpAddressFamily, afi, acceptedPrefixCounter, sentPrefixCounter, prefixAllowedMax,
    routeMapForIncomingAdvertisements, routeMapForOutgoingAdvertisements,
    incomingUpdatePrefixFilterList, outgoingUpdatePrefixFilterList,
    incomingUpdateAsPathFilterList, outgoingUpdateAsPathFilterList,
    incomingUpdateNetworkFilterList, outgoingUpdateNetworkFilterList, inboundEbgpRequiresPolicy,
    outboundEbgpRequiresPolicy, advertisedRoutes, bestRoutes)
EDGEDIAG_JSON_TYPE(
    BgpNeighbor, address, vrf, bgpState, localAs, remoteAs, hostLocal, hostForeign, portLocal,
    portForeign, interface, opensSent, opensRecv, notificationsSent, notificationsRecv,
    updatesSent, updatesRecv, keepalivesSent, keepalivesRecv, connectionsEstablished,
    connectionsDropped, lastResetDueTo, lastErrorCodeSubcode, lastNotificationReason,
    bgpTimerHoldTimeMsecs, bgpTimerUpMsec, passwordConfigured, ebgpMultihop, updateSource,
    ttlSecurityHops, prefixesSent, prefixesReceived, addressFamilyInfo, lastResetTimerMsecs,
    lastShutdownDescription, bgpTimerKeepAliveIntervalMsecs, bgpTimerConfiguredHoldTimeMsecs,
    bgpTimerConfiguredKeepAliveIntervalMsecs, bfdDetectMultiplier, bfdRxMinInterval,
    bfdTxMinInterval, bfdStatus, localGrMode)
EDGEDIAG_JSON_TYPE(ChildConfig, name, mode, local_ts, remote_ts,
                                                start_action)
EDGEDIAG_JSON_TYPE(IpsecConnection, name, local_addrs, remote_addrs,
                                                version, if_id_in, if_id_out, children)
EDGEDIAG_JSON_TYPE(ChildSa, name, uniqueid, reqid, state, mode,
                                                protocol, encap, spi_in, spi_out, bytes_in,
                                                bytes_out, packets_in, packets_out, use_in,
                                                use_out, install_time, rekey_time, life_time,
                                                if_id_in, if_id_out, local_ts, remote_ts)
EDGEDIAG_JSON_TYPE(IkeSa, name, uniqueid, version, state, local_host,
                                                remote_host, local_port, remote_port, local_id,
                                                remote_id, initiator, nat_local, nat_remote,
                                                nat_fake, nat_any, established, child_sas)
EDGEDIAG_JSON_TYPE(IpsecPolicy, name, ike, child, mode, local_ts, remote_ts)
EDGEDIAG_JSON_TYPE(IpsecEvent, at_ms, event, ike, ike_uniqueid, up, child, reqid, remote_host)
EDGEDIAG_JSON_TYPE(XfrmState, src, dst, proto, spi, reqid, mode,
                                                encap_sport, encap_dport, if_id, bytes, packets)
EDGEDIAG_JSON_TYPE(XfrmPolicy, src, dst, dir, action, priority,
                                                tmpl_src, tmpl_dst, reqid, if_id)
EDGEDIAG_JSON_TYPE(NatRule, family, table, chain, hook, priority,
                                                handle, verdict, saddr, daddr, saddr_negated,
                                                daddr_negated, oifname, ipsec, text)
EDGEDIAG_JSON_TYPE(WgPeer, public_key, endpoint, allowed_ips,
                                                last_handshake, rx_bytes, tx_bytes,
                                                persistent_keepalive, name, endpoint_configured,
                                                expect_up)
EDGEDIAG_JSON_TYPE(WgInterface, name, ifindex, public_key,
                                                listen_port, fwmark, peers, config, userspace)
EDGEDIAG_JSON_TYPE(VifBgpPeer, bgpPeerId, asn, authKey,
                                                addressFamily, amazonAddress, customerAddress,
                                                bgpPeerState, bgpStatus)
EDGEDIAG_JSON_TYPE(
    Vif, virtualInterfaceId, virtualInterfaceName, ownerAccount, location, connectionId, region,
    virtualInterfaceType, virtualInterfaceState, vlan, asn, amazonSideAsn, authKey, amazonAddress,
    customerAddress, addressFamily, mtu, jumboFrameCapable, bgpPeers, routeFilterPrefixes,
    virtualGatewayId, directConnectGatewayId, awsDeviceV2, source, source_mode, prefix_limit,
    prefix_limit_source)
EDGEDIAG_JSON_TYPE(Probe, target, dev, size, ok, detail, tunnel, child, source, origin, sent,
                   received, df, mtu, dropped)
EDGEDIAG_JSON_TYPE(Snapshot, version, taken_at, taken_at_ms,
                                                hostname, sources, interfaces,
                                                addresses, neighbours, routes, tcp_sockets,
                                                counters, bgp_neighbors, ipsec_connections,
                                                ike_sas, xfrm_states, xfrm_policies, nat_rules,
                                                wireguard, vifs, probes, ipsec_policies,
                                                ipsec_events)

nlohmann::json SnapshotToJson(const Snapshot& snapshot) {
  nlohmann::json j = snapshot;
  j["schema"] = kSnapshotSchema;
  return j;
}

Result<Snapshot> SnapshotFromJson(const nlohmann::json& document) {
  auto schema = document.is_object() ? document.find("schema") : document.end();
  if (!document.is_object() || schema == document.end() || !schema->is_string() ||
      schema->get<std::string>() != kSnapshotSchema)
    return MakeError(Error::Code::kInvalidInput,
                     std::string("not an edgediag snapshot (\"schema\" is not \"") +
                         kSnapshotSchema + "\")");
  try {
    return document.get<Snapshot>();
  } catch (const nlohmann::json::exception& e) {
    return MakeError(Error::Code::kInvalidInput, std::string("snapshot: ") + e.what());
  }
}

Result<void> SaveSnapshot(const Snapshot& snapshot, const std::string& path) {
  JsonOut out;
  // Roughly what a snapshot takes: fewer reallocations of a large text.
  out.Reserve(4096 + 400 * snapshot.interfaces.size() + 200 * snapshot.routes.size() +
                   [&] {
                     std::size_t n = 0;
                     for (const auto& w : snapshot.wireguard) n += 200 * w.peers.size();
                     return n;
                   }());
  WriteJson(out, snapshot);
  // The schema marker, as SnapshotToJson adds it: into the top-level object.
  std::string text = out.Take();
  text.pop_back();
  text += ",\"schema\":\"";
  text += kSnapshotSchema;
  text += "\"}\n";
  return WriteFileAtomically(path, text, 0600);
}

namespace {

struct ChangedNumber {
  std::string path;   ///< a JSON Pointer
  std::string value;  ///< as the file has it
};

bool Negative(const nlohmann::json& j) {
  if (j.is_number_unsigned()) return false;
  if (j.is_number_integer()) return j.get<std::int64_t>() < 0;
  return j.is_number_float() && j.get<double>() < 0;
}

// The first number of `in` that does not come back as it went in: nlohmann
// converts a number to a field's type with a plain cast (70000 into a
// 16-bit port is 4464, -1 a huge counter, 1500.5 an MTU of 1500). Its own
// == casts too (-1 equals 2^64-1), so the signs are compared as well. Keys
// the snapshot does not have are not looked at.
std::optional<ChangedNumber> FirstNumberChanged(const nlohmann::json& in,
                                                const nlohmann::json& out,
                                                const std::string& path) {
  if (in.is_number()) {
    if (!out.is_number() || in != out || Negative(in) != Negative(out))
      return ChangedNumber{path.empty() ? "/" : path, in.dump()};
    return std::nullopt;
  }
  if (in.is_object() && out.is_object()) {
    for (const auto& [k, v] : in.items()) {
      auto it = out.find(k);
      if (it == out.end()) continue;
      std::string token;  // RFC 6901: "~" is "~0", "/" is "~1"
      for (char c : k) token += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      if (auto p = FirstNumberChanged(v, *it, path + "/" + token)) return p;
    }
  } else if (in.is_array() && out.is_array() && in.size() == out.size()) {
    for (std::size_t i = 0; i < in.size(); ++i)
      if (auto p = FirstNumberChanged(in[i], out[i], path + "/" + std::to_string(i))) return p;
  }
  return std::nullopt;
}

}  // namespace

Result<Snapshot> LoadSnapshot(const std::string& path) {
  // The whole file at once: nlohmann parses a buffer much faster than a
  // stream. 1 GiB: 100,000 peers make ~50 MB.
  auto text = ReadFile(path, std::size_t{1} << 30);
  if (!text) return text.error();
  return ParseSnapshot(*text, path);
}

Result<Snapshot> ParseSnapshot(std::string_view text, const std::string& source) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return MakeError(Error::Code::kInvalidInput, source + ": not valid JSON");
  auto s = SnapshotFromJson(doc);
  if (!s) return MakeError(s.error().code, source + ": " + s.error().what);
  // A snapshot comes from anywhere (a bug report, a hand edit): a number
  // that does not fit its field is refused, not silently wrapped.
  if (auto changed = FirstNumberChanged(doc, SnapshotToJson(*s), ""))
    return MakeError(Error::Code::kInvalidInput, source + ": " + changed->path + ": " +
                                                     changed->value +
                                                     " is out of range for that field");
  return s;
}

}  // namespace plugin
}  // namespace edgediag
