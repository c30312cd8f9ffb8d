// sock_diag (inet_diag) for TCP: state, tcp_info MSS/PMTU and the TCP-MD5
// keys configured on a socket (INET_DIAG_MD5SIG). A key is described with
// DescribeKey() while it is still in the message buffer; only its properties
// leave the decoder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/key_print.h"
#include "base/result.h"
#include "netlink/decoded.h"
#include "netlink/socket.h"

namespace edgediag::netlink {

/// One entry of INET_DIAG_MD5SIG (struct tcp_diag_md5sig), key as properties.
struct TcpMd5Sig {
  int tcpm_family = 0;
  int tcpm_prefixlen = 0;
  std::string tcpm_addr;
  KeyProperties key;  ///< DescribeKey(tcpm_key[0..tcpm_keylen], salt)
  bool operator==(const TcpMd5Sig&) const = default;
};

/// struct inet_diag_msg and the attributes edgediag reads.
struct InetDiagSock {
  int idiag_family = 0;
  std::uint8_t idiag_state = 0;  ///< TCP_ESTABLISHED, TCP_LISTEN, ...
  std::string src, dst;
  std::uint16_t sport = 0, dport = 0;  ///< host order
  std::uint32_t idiag_if = 0;          ///< bound device (0: none)
  std::uint32_t idiag_uid = 0, idiag_inode = 0;
  std::optional<std::uint32_t> tcpi_snd_mss, tcpi_rcv_mss, tcpi_pmtu;  ///< INET_DIAG_INFO
  /// INET_DIAG_MD5SIG present: the kernel sends it only with CAP_NET_ADMIN,
  /// and only when the socket has keys.
  bool md5sig_present = false;
  std::vector<TcpMd5Sig> md5sig;
  bool operator==(const InetDiagSock&) const = default;
};

/// Which sockets to keep: TCP sockets whose local or remote port is `port`
/// (0 keeps all).
struct InetDiagFilter {
  std::uint16_t port = 0;
};

/// Decodes SOCK_DIAG_BY_FAMILY replies. Keys are described with `salt`.
Result<Decoded<InetDiagSock>> DecodeInetDiag(Bytes messages, std::string_view salt,
                                             InetDiagFilter filter = {});

/// "ESTABLISHED", "LISTEN", "SYN-SENT", ... (ss's names).
std::string TcpStateName(std::uint8_t state);

/// Dumps IPv4 and IPv6 TCP sockets in every state with tcp_info requested
/// (which also brings INET_DIAG_MD5SIG when we hold CAP_NET_ADMIN) over a
/// NETLINK_SOCK_DIAG socket. The reply buffers are wiped before returning.
Result<Decoded<InetDiagSock>> ReadTcpSockets(NetlinkSocket& diag, std::string_view salt,
                                             InetDiagFilter filter = {});

/// Whether this process holds CAP_NET_ADMIN in its effective set.
bool HaveNetAdmin();

}  // namespace edgediag::netlink
