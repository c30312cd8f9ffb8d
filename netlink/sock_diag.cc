#include "netlink/sock_diag.h"

#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstddef>

#include "netlink/attr.h"

namespace edgediag::netlink {
namespace {

constexpr std::size_t kMd5SigSize = sizeof(tcp_diag_md5sig);  // 100 bytes
static_assert(kMd5SigSize == 100);

void DecodeTcpInfo(const nlattr* a, InetDiagSock& s) {
  // The kernel's tcp_info grows over time; an older one is shorter. Copy what
  // came, zero the rest (iproute2 misc/ss.c does the same), and only report
  // fields that were inside what came.
  tcp_info info;
  std::size_t got = CopyStruct(a, info);
  auto covered = [got](std::size_t off, std::size_t size) { return got >= off + size; };
  if (covered(offsetof(tcp_info, tcpi_snd_mss), 4)) s.tcpi_snd_mss = info.tcpi_snd_mss;
  if (covered(offsetof(tcp_info, tcpi_rcv_mss), 4)) s.tcpi_rcv_mss = info.tcpi_rcv_mss;
  if (covered(offsetof(tcp_info, tcpi_pmtu), 4)) s.tcpi_pmtu = info.tcpi_pmtu;
}

void DecodeMd5Sig(const nlattr* a, std::string_view salt, InetDiagSock& s, Warnings& w) {
  Bytes p = Payload(a);
  s.md5sig_present = true;
  if (p.size() % kMd5SigSize != 0)
    w.Add("INET_DIAG_MD5SIG is " + std::to_string(p.size()) + " bytes, not a whole number of keys");
  for (std::size_t off = 0; p.size() - off >= kMd5SigSize; off += kMd5SigSize) {
    Bytes entry = p.subspan(off, kMd5SigSize);
    // Read the header fields one by one: the key itself is never copied out.
    std::uint8_t family, prefixlen;
    std::uint16_t keylen;
    std::memcpy(&family, entry.data() + offsetof(tcp_diag_md5sig, tcpm_family), 1);
    std::memcpy(&prefixlen, entry.data() + offsetof(tcp_diag_md5sig, tcpm_prefixlen), 1);
    std::memcpy(&keylen, entry.data() + offsetof(tcp_diag_md5sig, tcpm_keylen), 2);
    if (keylen > TCP_MD5SIG_MAXKEYLEN) {
      w.Add("INET_DIAG_MD5SIG key length " + std::to_string(keylen) + " too long, key skipped");
      continue;
    }
    TcpMd5Sig sig;
    sig.tcpm_family = family;
    sig.tcpm_prefixlen = prefixlen;
    const std::byte* addr = entry.data() + offsetof(tcp_diag_md5sig, tcpm_addr);
    sig.tcpm_addr = FormatAddress(family, addr, family == AF_INET ? 4 : 16);
    if (sig.tcpm_addr.empty())
      w.Add("INET_DIAG_MD5SIG key of address family " + std::to_string(family) +
            ", address left out");
    sig.key = DescribeKey(entry.subspan(offsetof(tcp_diag_md5sig, tcpm_key), keylen), salt);
    s.md5sig.push_back(std::move(sig));
  }
}

std::optional<InetDiagSock> DecodeOne(const nlmsghdr& nlh, std::string_view salt,
                                      InetDiagFilter filter, Warnings& w) {
  inet_diag_msg m;
  if (nlh.nlmsg_len < NLMSG_HDRLEN + sizeof(m)) {
    w.Add("message too short for its header, skipped");
    return std::nullopt;
  }
  std::memcpy(&m, mnl_nlmsg_get_payload(&nlh), sizeof(m));
  InetDiagSock s;
  s.sport = ntohs(m.id.idiag_sport);
  s.dport = ntohs(m.id.idiag_dport);
  // Filter before looking at any attribute: keys of other sockets are not
  // even described.
  if (filter.port && s.sport != filter.port && s.dport != filter.port) return std::nullopt;
  if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6) {
    w.Add("socket of address family " + std::to_string(m.idiag_family) + ", skipped");
    return std::nullopt;
  }
  AttrTable<INET_DIAG_MAX> t;
  ParseMessageAttrs(&nlh, sizeof(m), t);
  if (t.trailing_garbage) w.Add("bytes after the last attribute");
  s.idiag_family = m.idiag_family;
  s.idiag_state = m.idiag_state;
  const std::size_t alen = m.idiag_family == AF_INET ? 4 : 16;
  s.src = FormatAddress(m.idiag_family, m.id.idiag_src, alen);
  s.dst = FormatAddress(m.idiag_family, m.id.idiag_dst, alen);
  s.idiag_if = m.id.idiag_if;
  s.idiag_uid = m.idiag_uid;
  s.idiag_inode = m.idiag_inode;
  if (t[INET_DIAG_INFO]) DecodeTcpInfo(t[INET_DIAG_INFO], s);
  if (t[INET_DIAG_MD5SIG]) DecodeMd5Sig(t[INET_DIAG_MD5SIG], salt, s, w);
  return s;
}

}  // namespace

Result<Decoded<InetDiagSock>> DecodeInetDiag(Bytes messages, std::string_view salt,
                                             InetDiagFilter filter) {
  Decoded<InetDiagSock> out;
  Warnings w;
  w.where = "SOCK_DIAG_BY_FAMILY";
  auto r = ForEachMessage(messages, [&](const nlmsghdr& nlh) {
    if (nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY) return;
    if (auto s = DecodeOne(nlh, salt, filter, w)) out.items.push_back(std::move(*s));
  });
  if (!r) return r.error();
  out.warnings = w.Take();
  return out;
}

std::string TcpStateName(std::uint8_t state) {
  static constexpr std::array<const char*, 13> kNames = {
      "UNKNOWN",   "ESTABLISHED", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",   "TIME-WAIT",
      "CLOSE",     "CLOSE-WAIT",  "LAST-ACK", "LISTEN",   "CLOSING",    "NEW-SYN-RECV"};
  return state < kNames.size() ? kNames[state] : std::to_string(state);
}

Result<Decoded<InetDiagSock>> ReadTcpSockets(NetlinkSocket& diag, std::string_view salt,
                                             InetDiagFilter filter) {
  Decoded<InetDiagSock> all;
  for (std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
    std::array<std::byte, MNL_ALIGN(sizeof(nlmsghdr)) + MNL_ALIGN(sizeof(inet_diag_req_v2))> buf{};
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    inet_diag_req_v2 req{};
    req.sdiag_family = family;
    req.sdiag_protocol = IPPROTO_TCP;
    req.idiag_states = ~0u;
    // INET_DIAG_INFO brings tcp_info and, with CAP_NET_ADMIN, INET_DIAG_MD5SIG
    // (net/ipv4/tcp_diag.c tcp_diag_get_aux).
    req.idiag_ext = 1u << (INET_DIAG_INFO - 1);
    std::memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(req)), &req, sizeof(req));
    auto bytes = diag.Dump(buf, family == AF_INET ? "TCP socket dump (IPv4)" : "TCP socket dump (IPv6)");
    if (!bytes) return bytes.error();
    auto decoded = DecodeInetDiag(bytes->bytes(), salt, filter);
    if (!decoded) return decoded.error();
    for (auto& s : decoded->items) all.items.push_back(std::move(s));
    for (auto& text : decoded->warnings) all.warnings.push_back(std::move(text));
  }
  return all;
}

bool HaveNetAdmin() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return geteuid() == 0;
  return data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

}  // namespace edgediag::netlink
