#include "plugin/snapshot_json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "plugin/json_support.h"

namespace edgediag {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(KeyCharacter, position, code_point)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(KeyProperties, length_bytes, length_chars,
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

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SourceStatus, state, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Interface, name, ifindex, kind, link, parent,
                                                vlan_id, vlan_protocol, mtu, admin_up, carrier,
                                                operstate, lladdr, rx_bytes, tx_bytes, rx_packets,
                                                tx_packets, rx_errors, tx_errors, rx_dropped,
                                                tx_dropped, rp_filter, rx_power_mw,
                                                rx_power_low_alarm_mw, if_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Address, ifname, ifindex, family, address,
                                                prefixlen)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Neighbour, ifname, ifindex, family, address,
                                                lladdr, state)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Route, family, dst, gateway, dev, ifindex, table,
                                                type, protocol, metric, mtu)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Md5Key, address, prefixlen, key)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TcpSocket, state, local, local_port, remote,
                                                remote_port, dev, snd_mss, rcv_mss, pmtu, md5_keys)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Counters, tcp_ext, ip_ext, xfrm_stat)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    BgpNeighbor, address, vrf, bgpState, localAs, remoteAs, hostLocal, hostForeign, portLocal,
    portForeign, interface, opensSent, opensRecv, notificationsSent, notificationsRecv,
    updatesSent, updatesRecv, keepalivesSent, keepalivesRecv, connectionsEstablished,
    connectionsDropped, lastResetDueTo, lastErrorCodeSubcode, lastNotificationReason,
    bgpTimerHoldTimeMsecs, bgpTimerUpMsec, passwordConfigured, ebgpMultihop, updateSource,
    ttlSecurityHops, prefixesSent, prefixesReceived)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ChildConfig, name, mode, local_ts, remote_ts,
                                                start_action)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IpsecConnection, name, local_addrs, remote_addrs,
                                                version, if_id_in, if_id_out, children)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ChildSa, name, uniqueid, reqid, state, mode,
                                                protocol, encap, spi_in, spi_out, bytes_in,
                                                bytes_out, packets_in, packets_out, use_in,
                                                use_out, install_time, rekey_time, life_time,
                                                if_id_in, if_id_out, local_ts, remote_ts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IkeSa, name, uniqueid, version, state, local_host,
                                                remote_host, local_port, remote_port, local_id,
                                                remote_id, initiator, nat_local, nat_remote,
                                                nat_fake, nat_any, established, child_sas)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(XfrmState, src, dst, proto, spi, reqid, mode,
                                                encap_sport, encap_dport, if_id, bytes, packets)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(XfrmPolicy, src, dst, dir, action, priority,
                                                tmpl_src, tmpl_dst, reqid, if_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NatRule, family, table, chain, hook, priority,
                                                handle, verdict, saddr, daddr, saddr_negated,
                                                daddr_negated, oifname, ipsec, text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WgPeer, public_key, endpoint, allowed_ips,
                                                last_handshake, rx_bytes, tx_bytes,
                                                persistent_keepalive, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WgInterface, name, ifindex, public_key,
                                                listen_port, fwmark, peers)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(VifBgpPeer, bgpPeerId, asn, authKey,
                                                addressFamily, amazonAddress, customerAddress,
                                                bgpPeerState, bgpStatus)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    Vif, virtualInterfaceId, virtualInterfaceName, ownerAccount, location, connectionId, region,
    virtualInterfaceType, virtualInterfaceState, vlan, asn, amazonSideAsn, authKey, amazonAddress,
    customerAddress, addressFamily, mtu, jumboFrameCapable, bgpPeers, routeFilterPrefixes,
    virtualGatewayId, directConnectGatewayId, awsDeviceV2, source)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Probe, target, dev, size, ok, detail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Snapshot, version, taken_at, taken_at_ms,
                                                hostname, key_salt, sources, interfaces,
                                                addresses, neighbours, routes, tcp_sockets,
                                                counters, bgp_neighbors, ipsec_connections,
                                                ike_sas, xfrm_states, xfrm_policies, nat_rules,
                                                wireguard, vifs, probes)

std::string SourceStateName(SourceState state) { return nlohmann::json(state).get<std::string>(); }

nlohmann::json SnapshotToJson(const Snapshot& snapshot) {
  nlohmann::json j = snapshot;
  j["schema"] = kSnapshotSchema;
  return j;
}

Result<Snapshot> SnapshotFromJson(const nlohmann::json& document) {
  if (!document.is_object() || document.value("schema", "") != kSnapshotSchema)
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
  std::string text = SnapshotToJson(snapshot).dump(1) + "\n";
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return MakeError(CodeFromErrno(errno), "cannot write " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return MakeError(CodeFromErrno(err), "cannot write " + tmp + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return MakeError(CodeFromErrno(err), "cannot write " + tmp + ": " + std::strerror(err));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return MakeError(CodeFromErrno(err), "cannot rename to " + path + ": " + std::strerror(err));
  }
  return {};
}

Result<Snapshot> LoadSnapshot(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return MakeError(CodeFromErrno(errno), "cannot read snapshot " + path + ": " + std::strerror(errno));
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return MakeError(Error::Code::kInvalidInput, path + ": not valid JSON");
  auto s = SnapshotFromJson(doc);
  if (!s) return MakeError(s.error().code, path + ": " + s.error().what);
  return s;
}

}  // namespace plugin
}  // namespace edgediag
