// XFRM (IPsec in the kernel) states and policies over NETLINK_XFRM. The
// algorithm attributes (XFRMA_ALG_*) hold key material and are never read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "netlink/decoded.h"
#include "netlink/socket.h"

namespace edgediag::netlink {

/// struct xfrm_selector, as CIDRs.
struct XfrmSelector {
  int family = 0;
  std::string saddr, daddr;  ///< "10.0.0.0/24"
  std::uint8_t proto = 0;
  std::uint16_t sport = 0, dport = 0;  ///< host order; 0 = any
  int ifindex = 0;
  bool operator==(const XfrmSelector&) const = default;
};

/// XFRM_MSG_NEWSA (struct xfrm_usersa_info + attributes).
struct XfrmSa {
  int family = 0;
  std::string saddr, daddr;
  std::uint8_t proto = 0;  ///< IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP
  std::uint32_t spi = 0;   ///< host order
  std::uint32_t reqid = 0;
  std::uint8_t mode = 0;   ///< XFRM_MODE_*
  XfrmSelector sel;
  std::uint64_t curlft_bytes = 0, curlft_packets = 0;
  std::uint64_t curlft_add_time = 0, curlft_use_time = 0;
  std::optional<std::uint16_t> encap_type, encap_sport, encap_dport;  ///< XFRMA_ENCAP
  std::optional<std::uint32_t> if_id;  ///< XFRMA_IF_ID
  std::optional<std::uint32_t> mark, mark_mask;  ///< XFRMA_MARK
  bool operator==(const XfrmSa&) const = default;
};

/// struct xfrm_user_tmpl.
struct XfrmTmpl {
  int family = 0;
  std::string saddr, daddr;
  std::uint8_t proto = 0;
  std::uint32_t spi = 0;
  std::uint32_t reqid = 0;
  std::uint8_t mode = 0;
  bool optional = false;
  bool operator==(const XfrmTmpl&) const = default;
};

/// XFRM_MSG_NEWPOLICY (struct xfrm_userpolicy_info + attributes).
struct XfrmPolicyInfo {
  XfrmSelector sel;
  std::uint8_t dir = 0;     ///< XFRM_POLICY_IN/OUT/FWD; +XFRM_POLICY_MAX for socket policies
  std::uint8_t action = 0;  ///< XFRM_POLICY_ALLOW / BLOCK
  std::uint32_t priority = 0;
  std::uint32_t index = 0;
  std::uint64_t curlft_bytes = 0, curlft_packets = 0;
  std::vector<XfrmTmpl> tmpl;           ///< XFRMA_TMPL
  std::optional<std::uint32_t> if_id;  ///< XFRMA_IF_ID
  bool operator==(const XfrmPolicyInfo&) const = default;
};

/// Decodes XFRM_MSG_NEWSA messages.
Result<Decoded<XfrmSa>> DecodeXfrmStates(Bytes messages);
/// Decodes XFRM_MSG_NEWPOLICY messages.
Result<Decoded<XfrmPolicyInfo>> DecodeXfrmPolicies(Bytes messages);

/// "esp", "ah", "comp" (the number otherwise).
std::string XfrmProtoName(std::uint8_t proto);
/// "transport", "tunnel", "beet", ...
std::string XfrmModeName(std::uint8_t mode);
/// "in", "out", "fwd"; socket policies "in(socket)", ...
std::string XfrmDirName(std::uint8_t dir);
/// "allow", "block".
std::string XfrmActionName(std::uint8_t action);

/// Dumps over a NETLINK_XFRM socket (needs CAP_NET_ADMIN: EPERM otherwise).
Result<Decoded<XfrmSa>> ReadXfrmStates(NetlinkSocket& xfrm);
Result<Decoded<XfrmPolicyInfo>> ReadXfrmPolicies(NetlinkSocket& xfrm);

}  // namespace edgediag::netlink
