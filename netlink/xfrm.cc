#include "netlink/xfrm.h"

#include <arpa/inet.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>

#include "netlink/attr.h"

namespace edgediag::netlink {
namespace {

std::string Addr(int family, const xfrm_address_t& a) {
  return FormatAddress(family, &a, family == AF_INET ? 4 : 16);
}

std::string Cidr(int family, const xfrm_address_t& a, int prefixlen) {
  std::string s = Addr(family, a);
  return s.empty() ? s : s + "/" + std::to_string(prefixlen);
}

XfrmSelector Selector(const xfrm_selector& s, int fallback_family) {
  XfrmSelector out;
  // A selector with family 0 matches the state's family (xfrm_state.c).
  out.family = s.family ? s.family : fallback_family;
  out.saddr = Cidr(out.family, s.saddr, s.prefixlen_s);
  out.daddr = Cidr(out.family, s.daddr, s.prefixlen_d);
  out.proto = s.proto;
  out.sport = ntohs(s.sport);
  out.dport = ntohs(s.dport);
  out.ifindex = s.ifindex;
  return out;
}

// Only these attributes are looked at; XFRMA_ALG_AEAD/AUTH/CRYPT/COMP and
// XFRMA_ALG_AUTH_TRUNC carry keys and are skipped like unknown ones.
constexpr int kXfrmMax = XFRMA_MAX;

bool IsKeyAttr(int type) {
  return type == XFRMA_ALG_AUTH || type == XFRMA_ALG_CRYPT || type == XFRMA_ALG_COMP ||
         type == XFRMA_ALG_AEAD || type == XFRMA_ALG_AUTH_TRUNC;
}

template <typename Hdr>
bool Parse(const nlmsghdr& nlh, Hdr& hdr, AttrTable<kXfrmMax>& t) {
  if (nlh.nlmsg_len < NLMSG_HDRLEN + sizeof(Hdr)) return false;
  std::memcpy(&hdr, mnl_nlmsg_get_payload(&nlh), sizeof(Hdr));
  if (!ParseMessageAttrs(&nlh, sizeof(Hdr), t)) return false;
  for (int type = 0; type <= kXfrmMax; ++type)
    if (IsKeyAttr(type)) t.attr[static_cast<std::size_t>(type)] = nullptr;
  return true;
}

std::optional<XfrmSa> DecodeSa(const nlmsghdr& nlh, Warnings& w) {
  xfrm_usersa_info info;
  AttrTable<kXfrmMax> t;
  if (!Parse(nlh, info, t)) {
    w.Add("message too short for its header, skipped");
    return std::nullopt;
  }
  if (info.family != AF_INET && info.family != AF_INET6) {
    w.Add("state of address family " + std::to_string(info.family) + ", skipped");
    return std::nullopt;
  }
  if (t.trailing_garbage) w.Add("bytes after the last attribute");
  XfrmSa sa;
  sa.family = info.family;
  sa.saddr = Addr(info.family, info.saddr);
  sa.daddr = Addr(info.family, info.id.daddr);
  sa.proto = info.id.proto;
  sa.spi = ntohl(info.id.spi);
  sa.reqid = info.reqid;
  sa.mode = info.mode;
  sa.sel = Selector(info.sel, info.family);
  sa.curlft_bytes = info.curlft.bytes;
  sa.curlft_packets = info.curlft.packets;
  sa.curlft_add_time = info.curlft.add_time;
  sa.curlft_use_time = info.curlft.use_time;
  if (const nlattr* a = t[XFRMA_ENCAP]) {
    xfrm_encap_tmpl encap;
    if (AttrPayloadLen(a) >= offsetof(xfrm_encap_tmpl, encap_oa)) {
      CopyStruct(a, encap);
      sa.encap_type = encap.encap_type;
      sa.encap_sport = ntohs(encap.encap_sport);
      sa.encap_dport = ntohs(encap.encap_dport);
    } else {
      w.Add("XFRMA_ENCAP is " + std::to_string(AttrPayloadLen(a)) + " bytes, too short");
    }
  }
  sa.if_id = Scalar<std::uint32_t>(t[XFRMA_IF_ID], w);
  if (auto m = Scalar<xfrm_mark>(t[XFRMA_MARK], w)) {
    sa.mark = m->v;
    sa.mark_mask = m->m;
  }
  return sa;
}

std::optional<XfrmPolicyInfo> DecodePolicy(const nlmsghdr& nlh, Warnings& w) {
  xfrm_userpolicy_info info;
  AttrTable<kXfrmMax> t;
  if (!Parse(nlh, info, t)) {
    w.Add("message too short for its header, skipped");
    return std::nullopt;
  }
  if (t.trailing_garbage) w.Add("bytes after the last attribute");
  XfrmPolicyInfo p;
  p.sel = Selector(info.sel, 0);
  p.dir = info.dir;
  p.action = info.action;
  p.priority = info.priority;
  p.index = info.index;
  p.curlft_bytes = info.curlft.bytes;
  p.curlft_packets = info.curlft.packets;
  if (const nlattr* a = t[XFRMA_TMPL]) {
    Bytes b = Payload(a);
    if (b.size() % sizeof(xfrm_user_tmpl) != 0)
      w.Add("XFRMA_TMPL is " + std::to_string(b.size()) +
            " bytes, not a whole number of templates");
    for (std::size_t off = 0; b.size() - off >= sizeof(xfrm_user_tmpl); off += sizeof(xfrm_user_tmpl)) {
      xfrm_user_tmpl ut;
      std::memcpy(&ut, b.data() + off, sizeof(ut));
      XfrmTmpl tm;
      tm.family = ut.family;
      tm.saddr = Addr(ut.family, ut.saddr);
      tm.daddr = Addr(ut.family, ut.id.daddr);
      tm.proto = ut.id.proto;
      tm.spi = ntohl(ut.id.spi);
      tm.reqid = ut.reqid;
      tm.mode = ut.mode;
      tm.optional = ut.optional;
      p.tmpl.push_back(std::move(tm));
    }
  }
  p.if_id = Scalar<std::uint32_t>(t[XFRMA_IF_ID], w);
  return p;
}

template <typename T, typename Fn>
Result<Decoded<T>> DecodeAll(Bytes messages, std::uint16_t type, const char* name, Fn one) {
  Decoded<T> out;
  Warnings w;
  w.where = name;
  auto r = ForEachMessage(messages, [&](const nlmsghdr& nlh) {
    if (nlh.nlmsg_type != type) return;
    if (auto item = one(nlh, w)) out.items.push_back(std::move(*item));
  });
  if (!r) return r.error();
  out.warnings = w.Take();
  return out;
}

Result<MessageBuffer> DumpXfrm(NetlinkSocket& xfrm, std::uint16_t type, const std::string& what) {
  // As iproute2 (ip/xfrm_state.c): a bare header; the kernel reads optional
  // filter attributes right after it.
  std::array<std::byte, MNL_ALIGN(sizeof(nlmsghdr))> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = type;
  return xfrm.Dump(buf, what);
}

}  // namespace

Result<Decoded<XfrmSa>> DecodeXfrmStates(Bytes messages) {
  return DecodeAll<XfrmSa>(messages, XFRM_MSG_NEWSA, "XFRM_MSG_NEWSA", DecodeSa);
}

Result<Decoded<XfrmPolicyInfo>> DecodeXfrmPolicies(Bytes messages) {
  return DecodeAll<XfrmPolicyInfo>(messages, XFRM_MSG_NEWPOLICY, "XFRM_MSG_NEWPOLICY",
                                   DecodePolicy);
}

std::string XfrmProtoName(std::uint8_t proto) {
  switch (proto) {
    case IPPROTO_ESP: return "esp";
    case IPPROTO_AH: return "ah";
    case IPPROTO_COMP: return "comp";
    default: return std::to_string(proto);
  }
}

std::string XfrmModeName(std::uint8_t mode) {
  static constexpr std::array<const char*, 5> kNames = {"transport", "tunnel", "ro", "in_trigger",
                                                        "beet"};
  return mode < kNames.size() ? kNames[mode] : std::to_string(mode);
}

std::string XfrmDirName(std::uint8_t dir) {
  static constexpr std::array<const char*, 3> kNames = {"in", "out", "fwd"};
  if (dir < kNames.size()) return kNames[dir];
  if (dir < 2 * kNames.size()) return std::string(kNames[dir - kNames.size()]) + "(socket)";
  return std::to_string(dir);
}

std::string XfrmActionName(std::uint8_t action) {
  if (action == XFRM_POLICY_ALLOW) return "allow";
  if (action == XFRM_POLICY_BLOCK) return "block";
  return std::to_string(action);
}

Result<Decoded<XfrmSa>> ReadXfrmStates(NetlinkSocket& xfrm) {
  auto bytes = DumpXfrm(xfrm, XFRM_MSG_GETSA, "XFRM state dump");
  if (!bytes) return bytes.error();
  return DecodeXfrmStates(bytes->bytes());
}

Result<Decoded<XfrmPolicyInfo>> ReadXfrmPolicies(NetlinkSocket& xfrm) {
  auto bytes = DumpXfrm(xfrm, XFRM_MSG_GETPOLICY, "XFRM policy dump");
  if (!bytes) return bytes.error();
  return DecodeXfrmPolicies(bytes->bytes());
}

}  // namespace edgediag::netlink
