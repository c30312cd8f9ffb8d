#include "netlink/wireguard.h"

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <nettle/base64.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "netlink/attr.h"

namespace edgediag::netlink {
namespace {

constexpr std::size_t kKeyLen = WG_KEY_LEN;  // 32

bool AllZero(Bytes b) {
  return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{0}; });
}

// "ADDR:PORT" / "[ADDR]:PORT" formatted in place: one string, no temporaries.
bool Endpoint(const nlattr* a, std::string& out, Warnings& w) {
  Bytes p = Payload(a);
  sa_family_t family = 0;
  if (p.size() < sizeof(family)) {
    w.Add("WGPEER_A_ENDPOINT is " + std::to_string(p.size()) + " bytes, too short");
    return false;
  }
  std::memcpy(&family, p.data(), sizeof(family));
  char buf[INET6_ADDRSTRLEN + 8];
  char* end = nullptr;
  std::uint16_t port = 0;
  if (family == AF_INET && p.size() >= sizeof(sockaddr_in)) {
    sockaddr_in sin;
    std::memcpy(&sin, p.data(), sizeof(sin));
    end = FormatIpv4(&sin.sin_addr, buf);
    port = ntohs(sin.sin_port);
  } else if (family == AF_INET6 && p.size() >= sizeof(sockaddr_in6)) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, p.data(), sizeof(sin6));
    buf[0] = '[';
    if (!inet_ntop(AF_INET6, &sin6.sin6_addr, buf + 1, INET6_ADDRSTRLEN)) return false;
    end = buf + std::strlen(buf);
    *end++ = ']';
    port = ntohs(sin6.sin6_port);
  } else if (family == AF_UNSPEC) {
    out.clear();
    return true;
  } else {
    w.Add("WGPEER_A_ENDPOINT of address family " + std::to_string(family) + " and " +
          std::to_string(p.size()) + " bytes, left out");
    return false;
  }
  *end++ = ':';
  end = std::to_chars(end, buf + sizeof(buf), port).ptr;
  out.assign(buf, end);
  return true;
}

void DecodeAllowedIps(const nlattr* list, WgPeerInfo& peer, Warnings& w) {
  bool whole = ForEachNested(list, [&](const nlattr* a) {
    AttrTable<WGALLOWEDIP_A_MAX> t;
    ParseNested(a, t);
    auto family = Scalar<std::uint16_t>(t[WGALLOWEDIP_A_FAMILY], w);
    auto mask = Scalar<std::uint8_t>(t[WGALLOWEDIP_A_CIDR_MASK], w);
    if (!family || !mask || !t[WGALLOWEDIP_A_IPADDR]) {
      w.Add("allowed IP without family, mask or address, skipped");
      return;
    }
    auto addr = AddressAttr(*family, t[WGALLOWEDIP_A_IPADDR], w);
    if (!addr || *mask > (*family == AF_INET ? 32 : 128)) {
      w.Add("allowed IP with a bad address or mask /" + std::to_string(*mask) + ", skipped");
      return;
    }
    peer.allowedips.push_back({*family, std::move(*addr), *mask});
  });
  if (!whole) w.Add("bytes after the last allowed IP");
}

// A peer's public key, raw: to tell a peer continued from the previous
// message (its allowed IPs did not fit) from the next peer. Public, not secret.
using RawKey = std::array<unsigned char, kKeyLen>;

struct DeviceState {
  RawKey last_key{};
  bool any = false;
};

void DecodePeer(const nlattr* nest, WgDevice& dev, DeviceState& st, Warnings& w) {
  AttrTable<WGPEER_A_MAX> t;
  ParseNested(nest, t);
  const nlattr* pk = t[WGPEER_A_PUBLIC_KEY];
  if (!pk || AttrPayloadLen(pk) != kKeyLen) {
    w.Add("peer without a 32-byte public key, skipped");
    return;
  }
  Bytes key = Payload(pk);
  RawKey raw;
  std::memcpy(raw.data(), key.data(), kKeyLen);
  // The kernel continues a split peer at the start of the next message, and
  // only there (wg(8) merges the same way): a key other than the last one
  // is a new peer.
  if (!st.any || raw != st.last_key) {
    dev.peers.emplace_back();
    dev.peers.back().public_key = Base64(key);
    st.last_key = raw;
    st.any = true;
  }
  WgPeerInfo& peer = dev.peers.back();
  // Later parts of a split peer carry only the key and more allowed IPs:
  // set only what this part has.
  if (const nlattr* psk = t[WGPEER_A_PRESHARED_KEY]) {
    if (AttrPayloadLen(psk) == kKeyLen)
      peer.preshared_key_set = !AllZero(Payload(psk));
    else
      w.BadSize(psk, kKeyLen);
  }
  if (t[WGPEER_A_ENDPOINT]) Endpoint(t[WGPEER_A_ENDPOINT], peer.endpoint, w);
  if (auto v = Scalar<std::uint16_t>(t[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL], w))
    peer.persistent_keepalive_interval = *v;
  if (const nlattr* hs = t[WGPEER_A_LAST_HANDSHAKE_TIME]) {
    // struct __kernel_timespec: two s64.
    if (AttrPayloadLen(hs) == 16) {
      std::memcpy(&peer.last_handshake_time_sec, AttrPayload(hs), 8);
      std::memcpy(&peer.last_handshake_time_nsec,
                  static_cast<const char*>(AttrPayload(hs)) + 8, 8);
    } else {
      w.BadSize(hs, 16);
    }
  }
  if (auto v = Scalar<std::uint64_t>(t[WGPEER_A_RX_BYTES], w)) peer.rx_bytes = *v;
  if (auto v = Scalar<std::uint64_t>(t[WGPEER_A_TX_BYTES], w)) peer.tx_bytes = *v;
  if (auto v = Scalar<std::uint32_t>(t[WGPEER_A_PROTOCOL_VERSION], w)) peer.protocol_version = v;
  if (t[WGPEER_A_ALLOWEDIPS]) DecodeAllowedIps(t[WGPEER_A_ALLOWEDIPS], peer, w);
}

}  // namespace

std::string Base64(Bytes bytes) {
  std::string out(BASE64_ENCODE_RAW_LENGTH(bytes.size()), '\0');
  base64_encode_raw(out.data(), bytes.size(), reinterpret_cast<const std::uint8_t*>(bytes.data()));
  return out;
}

Result<Decoded<WgDevice>> DecodeWgDevices(Bytes messages) {
  Decoded<WgDevice> out;
  std::vector<DeviceState> states;
  Warnings w;
  w.where = "WG_CMD_GET_DEVICE";
  auto r = ForEachMessage(messages, [&](const nlmsghdr& nlh) {
    if (nlh.nlmsg_type < NLMSG_MIN_TYPE) return;
    AttrTable<WGDEVICE_A_MAX> t;
    if (!ParseMessageAttrs(&nlh, GENL_HDRLEN, t)) {
      w.Add("message too short for its header, skipped");
      return;
    }
    if (t.trailing_garbage) w.Add("bytes after the last attribute");
    auto ifindex = Scalar<std::uint32_t>(t[WGDEVICE_A_IFINDEX], w);
    auto ifname = String(t[WGDEVICE_A_IFNAME], w);
    // Only the first message of a device's dump names it.
    bool same = !out.items.empty() && (!ifindex || static_cast<int>(*ifindex) == out.items.back().ifindex);
    if (!same) {
      if (!ifindex && !ifname) {
        w.Add("message names no device, its peers skipped");
        return;
      }
      out.items.emplace_back();
      states.emplace_back();
      if (out.items.size() == 1) {
        // A dump is usually of one device (ReadWgDevice), nearly all peers:
        // room for as many as the bytes can hold at the size of a peer
        // with its key, counters, endpoint and one allowed IP.
        std::size_t guess = messages.size() / 160;
        out.items.back().peers.reserve(guess);
      }
    }
    WgDevice& dev = out.items.back();
    if (ifindex) dev.ifindex = static_cast<int>(*ifindex);
    if (ifname) dev.ifname = std::move(*ifname);
    if (const nlattr* k = t[WGDEVICE_A_PRIVATE_KEY]) {
      if (AttrPayloadLen(k) == kKeyLen)
        dev.private_key_set = !AllZero(Payload(k));
      else
        w.BadSize(k, kKeyLen);
    }
    if (const nlattr* k = t[WGDEVICE_A_PUBLIC_KEY]) {
      if (AttrPayloadLen(k) == kKeyLen)
        dev.public_key = Base64(Payload(k));
      else
        w.BadSize(k, kKeyLen);
    }
    if (auto v = Scalar<std::uint16_t>(t[WGDEVICE_A_LISTEN_PORT], w)) dev.listen_port = *v;
    if (auto v = Scalar<std::uint32_t>(t[WGDEVICE_A_FWMARK], w)) dev.fwmark = *v;
    if (const nlattr* peers = t[WGDEVICE_A_PEERS]) {
      if (!ForEachNested(peers, [&](const nlattr* p) { DecodePeer(p, dev, states.back(), w); }))
        w.Add("bytes after the last peer");
    }
  });
  if (!r) return r.error();
  // A device with no private key reports an all-zero public key.
  for (auto& d : out.items)
    if (!d.private_key_set) d.public_key.clear();
  out.warnings = w.Take();
  return out;
}

Result<Decoded<WgDevice>> ReadWgDevice(NetlinkSocket& genl, std::uint16_t family,
                                       const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= 16)
    return MakeError(Error::Code::kInvalidInput, "bad interface name \"" + ifname + "\"");
  std::array<std::byte, 128> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = family;
  genlmsghdr g{};
  g.cmd = WG_CMD_GET_DEVICE;
  g.version = WG_GENL_VERSION;
  std::memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(g)), &g, sizeof(g));
  mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname.c_str());
  auto bytes = genl.Dump({buf.data(), nlh->nlmsg_len}, "WireGuard device " + ifname);
  if (!bytes) return bytes.error();
  auto decoded = DecodeWgDevices(bytes->bytes());
  if (!decoded) return decoded.error();
  if (decoded->items.empty())
    return MakeError(Error::Code::kProtocol, "WireGuard device " + ifname + ": empty reply");
  // One device was asked for: more would be a kernel's oddity, dropped.
  decoded->items.resize(1);
  if (decoded->items.front().ifname.empty()) decoded->items.front().ifname = ifname;
  return std::move(*decoded);
}

}  // namespace edgediag::netlink
