// Kernel collector: rtnetlink (links, addresses, neighbours, routes), TCP
// sockets on the BGP port with their MD5 keys (as properties), /proc
// counters and rp_filter, and optical module diagnostics where offered.
#include <linux/netlink.h>
#include <sys/socket.h>

#include <chrono>
#include <unordered_map>

#include "netlink/ethtool.h"
#include "netlink/proc_counters.h"
#include "netlink/rtnetlink.h"
#include "netlink/sock_diag.h"
#include "netlink/socket.h"
#include "plugin/capture.h"
#include "plugin/source_status.h"

namespace edgediag::plugin {
namespace {

namespace nl = edgediag::netlink;

constexpr std::uint16_t kBgpPort = 179;

Interface FromLink(nl::Link&& l) {
  Interface i;
  i.name = std::move(l.ifname);
  i.ifindex = l.ifindex;
  i.kind = std::move(l.kind);
  // IFLA_LINK names an ifindex in another namespace when IFLA_LINK_NETNSID is
  // set (veth peers, a VLAN moved away from its parent): not ours to resolve.
  if (l.link && !l.link_netnsid && *l.link != 0) i.link = *l.link;
  i.vlan_id = l.vlan_id;
  i.vlan_protocol = l.vlan_protocol;
  i.if_id = l.xfrm_if_id;
  if (l.master && *l.master != 0) i.master = *l.master;
  i.mtu = l.mtu.value_or(0);
  i.admin_up = l.admin_up();
  i.carrier = l.carrier();
  i.operstate = l.operstate ? nl::OperstateName(*l.operstate) : "UNKNOWN";
  i.lladdr = std::move(l.address);
  if (l.stats64) {
    const auto& s = *l.stats64;
    i.rx_bytes = s.rx_bytes;
    i.tx_bytes = s.tx_bytes;
    i.rx_packets = s.rx_packets;
    i.tx_packets = s.tx_packets;
    i.rx_errors = s.rx_errors;
    i.tx_errors = s.tx_errors;
    i.rx_dropped = s.rx_dropped;
    i.tx_dropped = s.tx_dropped;
  }
  return i;
}

// "::ffff:192.0.2.1" -> "192.0.2.1": a dual-stack listener reports IPv4 peers
// so, and rules compare against plain IPv4 addresses.
std::string Unmap(const std::string& a) {
  constexpr std::string_view kPrefix = "::ffff:";
  if (a.size() > kPrefix.size() && a.compare(0, kPrefix.size(), kPrefix) == 0 &&
      a.find('.') != std::string::npos)
    return a.substr(kPrefix.size());
  return a;
}

Md5Key FromMd5Sig(const nl::TcpMd5Sig& m) {
  Md5Key k;
  k.address = Unmap(m.tcpm_addr);
  k.prefixlen = m.tcpm_prefixlen;
  if (k.address != m.tcpm_addr && k.prefixlen >= 96) k.prefixlen -= 96;
  k.key = m.key;
  return k;
}

// Interface names by ifindex. Points into the snapshot's interfaces, which
// must not change while it is in use.
class Names {
 public:
  explicit Names(const std::vector<Interface>& ifs) {
    by_index_.reserve(ifs.size());
    for (const auto& i : ifs) by_index_[i.ifindex] = &i.name;
  }
  const std::string& operator()(int ifindex) const {
    static const std::string kNone;
    auto it = by_index_.find(ifindex);
    return it == by_index_.end() ? kNone : *it->second;
  }

 private:
  std::unordered_map<int, const std::string*> by_index_;
};

// rp_filter of every interface from one RTM_GETNETCONF dump; nullopt when the
// kernel has no such dump (CaptureCounters then reads /proc/sys instead).
using RpFilters = std::optional<std::vector<nl::Netconf>>;

void CaptureRtnetlink(Snapshot& s, std::chrono::milliseconds timeout, bool neighbours,
                      RpFilters& rp_filters) {
  auto rtnl = nl::NetlinkSocket::Open(NETLINK_ROUTE, timeout);
  if (!rtnl) {
    s.sources[kSourceKernel] = StatusFromError(rtnl.error());
    return;
  }
  auto links = nl::ReadLinks(*rtnl);
  if (!links) {
    s.sources[kSourceKernel] = StatusFromError(links.error());
    return;
  }
  // What the decoders had to leave out, kept so that it shows.
  std::vector<std::string> warnings;
  auto keep = [&warnings](std::vector<std::string>& more) {
    for (auto& w : more) warnings.push_back(std::move(w));
  };
  keep(links->warnings);
  s.interfaces.reserve(links->items.size());
  for (auto& l : links->items) s.interfaces.push_back(FromLink(std::move(l)));
  links->items.clear();
  Names name(s.interfaces);
  for (auto& i : s.interfaces)
    if (i.link) i.parent = name(*i.link);
  if (auto netconf = nl::ReadNetconf(*rtnl, AF_INET)) {
    keep(netconf->warnings);
    rp_filters = std::move(netconf->items);
  }

  // Addresses, neighbours and routes: each dump has its own status, so that
  // a failed one leaves every check that does not need it running.
  auto note = [&](const char* dump, const Error& e) { s.sources[dump] = StatusFromError(e); };

  if (auto addrs = nl::ReadAddrs(*rtnl)) {
    keep(addrs->warnings);
    s.addresses.reserve(addrs->items.size());
    for (const auto& a : addrs->items)
      s.addresses.push_back(
          {name(a.ifindex), a.ifindex, a.family == AF_INET ? 4 : 6, a.address, a.prefixlen});
    s.sources[kSourceAddresses] = {SourceState::kOk, ""};
  } else {
    note(kSourceAddresses, addrs.error());
  }
  if (neighbours) {
    if (auto neighs = nl::ReadNeighs(*rtnl)) {
      keep(neighs->warnings);
      s.neighbours.reserve(neighs->items.size());
      for (const auto& n : neighs->items)
        s.neighbours.push_back({name(n.ifindex), n.ifindex, n.family == AF_INET ? 4 : 6, n.dst,
                                n.lladdr, nl::NudStateName(n.ndm_state)});
      s.sources[kSourceNeighbours] = {SourceState::kOk, ""};
    } else {
      note(kSourceNeighbours, neighs.error());
    }
  }
  if (auto routes = nl::ReadRoutes(*rtnl)) {
    keep(routes->warnings);
    s.routes.reserve(routes->items.size());
    for (const auto& r : routes->items) {
      Route out;
      out.family = r.family == AF_INET ? 4 : 6;
      out.dst = r.dst;
      out.gateway = r.gateway;
      out.ifindex = r.oif;
      // A multipath route has its next hops in RTA_MULTIPATH: the first one
      // stands for the route here.
      if (out.gateway.empty() && out.ifindex == 0 && !r.multipath.empty()) {
        out.gateway = r.multipath.front().gateway;
        out.ifindex = r.multipath.front().ifindex;
      }
      out.dev = name(out.ifindex);
      out.table = r.table;
      out.type = nl::RouteTypeName(r.rtm_type);
      out.protocol = nl::RouteProtocolName(r.rtm_protocol);
      out.metric = r.priority;
      out.mtu = r.mtu;
      s.routes.push_back(std::move(out));
    }
    s.sources[kSourceRoutes] = {SourceState::kOk, ""};
  } else {
    note(kSourceRoutes, routes.error());
  }
  s.sources[kSourceKernel] = {SourceState::kOk, ""};
  s.sources[kSourceKernel].warnings = std::move(warnings);
}

void CaptureSockets(Snapshot& s, std::chrono::milliseconds timeout, std::string_view salt) {
  const bool net_admin = nl::HaveNetAdmin();
  auto diag = nl::NetlinkSocket::Open(NETLINK_SOCK_DIAG, timeout);
  if (!diag) {
    s.sources[kSourceSockets] = StatusFromError(diag.error());
    s.sources[kSourceMd5] = StatusFromError(diag.error());
    return;
  }
  auto socks = nl::ReadTcpSockets(*diag, salt, {kBgpPort});
  if (!socks) {
    s.sources[kSourceSockets] = StatusFromError(socks.error());
    s.sources[kSourceMd5] = StatusFromError(socks.error());
    return;
  }
  Names name(s.interfaces);
  for (const auto& k : socks->items) {
    TcpSocket t;
    t.state = nl::TcpStateName(k.idiag_state);
    t.local = Unmap(k.src);
    t.local_port = k.sport;
    t.remote = Unmap(k.dst);
    t.remote_port = k.dport;
    if (k.idiag_if) t.dev = name(static_cast<int>(k.idiag_if));
    t.snd_mss = k.tcpi_snd_mss;
    t.rcv_mss = k.tcpi_rcv_mss;
    t.pmtu = k.tcpi_pmtu;
    for (const auto& m : k.md5sig) t.md5_keys.push_back(FromMd5Sig(m));
    s.tcp_sockets.push_back(std::move(t));
  }
  s.sources[kSourceSockets] = {SourceState::kOk, "", std::move(socks->warnings)};
  // Without CAP_NET_ADMIN the kernel leaves INET_DIAG_MD5SIG out silently
  // (net/ipv4/tcp_diag.c): "no keys" would be a lie, so say why.
  s.sources[kSourceMd5] =
      net_admin ? SourceStatus{SourceState::kOk, ""}
                : SourceStatus{SourceState::kPermissionDenied,
                               "reading TCP-MD5 keys needs CAP_NET_ADMIN (run as root)"};
}

void CaptureCounters(Snapshot& s, const RpFilters& rp_filters) {
  std::string failed;
  if (auto netstat = nl::ReadNetstat()) {
    if (auto it = netstat->find("TcpExt"); it != netstat->end()) s.counters.tcp_ext = it->second;
    if (auto it = netstat->find("IpExt"); it != netstat->end()) s.counters.ip_ext = it->second;
  } else {
    failed = netstat.error().what;
  }
  if (auto xfrm = nl::ReadXfrmStat()) {
    // The file exists only with CONFIG_XFRM_STATISTICS: its absence costs
    // the IPsec error counters, nothing else (world-readable when present).
    if (*xfrm) s.counters.xfrm_stat = std::move(**xfrm);
    s.sources[kSourceXfrmStat] =
        *xfrm ? SourceStatus{SourceState::kOk, ""}
              : SourceStatus{SourceState::kUnavailable,
                             "no /proc/net/xfrm_stat: kernel built without "
                             "CONFIG_XFRM_STATISTICS; IPsec error counters not read"};
  } else {
    failed += (failed.empty() ? "" : "; ") + xfrm.error().what;
    s.sources[kSourceXfrmStat] = StatusFromError(xfrm.error());
  }
  // rp_filter: the kernel applies max(all, IF). From the netconf dump when it
  // came with the "all" set, else from /proc/sys/net/ipv4/conf/*/rp_filter.
  std::optional<int> all;
  std::unordered_map<int, int> by_index;
  if (rp_filters) {
    by_index.reserve(rp_filters->size());
    for (const auto& n : *rp_filters) {
      if (n.family != AF_INET || !n.rp_filter) continue;
      if (n.ifindex == nl::Netconf::kAll) all = *n.rp_filter;
      else if (n.ifindex > 0) by_index[n.ifindex] = *n.rp_filter;
    }
  }
  if (all) {
    for (auto& i : s.interfaces)
      if (auto it = by_index.find(i.ifindex); it != by_index.end())
        i.rp_filter = nl::EffectiveRpFilter(*all, it->second);
  } else {
    auto all_file = nl::ReadRpFilter("all");
    for (auto& i : s.interfaces) {
      auto v = nl::ReadRpFilter(i.name);
      if (v && all_file) i.rp_filter = nl::EffectiveRpFilter(*all_file, *v);
      else if (v) i.rp_filter = *v;
    }
  }
  s.sources[kSourceCounters] = failed.empty() ? SourceStatus{SourceState::kOk, ""}
                                              : SourceStatus{SourceState::kUnavailable, failed};
}

void CaptureOptics(Snapshot& s, std::chrono::milliseconds timeout) {
  std::vector<nl::ModuleTarget> targets;
  for (const auto& i : s.interfaces)
    if (i.kind.empty() && !i.lladdr.empty() && i.name != "lo") targets.push_back({i.ifindex, i.name});
  if (targets.empty()) {
    s.sources[kSourceEthtool] = {SourceState::kOk, ""};
    return;
  }
  auto result = nl::ReadModuleDiagnostics(targets, timeout);
  if (!result) {
    s.sources[kSourceEthtool] = StatusFromError(result.error());
    return;
  }
  for (auto& i : s.interfaces) {
    auto it = result->find(i.ifindex);
    if (it == result->end()) continue;
    i.rx_power_mw = it->second.rx_power_mw;
    i.rx_power_low_alarm_mw = it->second.rx_power_low_alarm_mw;
  }
  s.sources[kSourceEthtool] = {SourceState::kOk, ""};
}

}  // namespace

void CaptureKernel(Snapshot& snapshot, const CaptureOptions& options) {
  const std::chrono::milliseconds timeout(options.timeout_ms);
  RpFilters rp_filters;
  CaptureRtnetlink(snapshot, timeout, options.neighbours, rp_filters);
  if (options.sockets) CaptureSockets(snapshot, timeout, options.key_salt);
  CaptureCounters(snapshot, rp_filters);
  // Its status matters where IPsec is examined; dx does not report on it.
  if (!options.xfrm) snapshot.sources.erase(kSourceXfrmStat);
  if (options.optics) CaptureOptics(snapshot, timeout);
}

}  // namespace edgediag::plugin
