// dx.md5.*: the TCP-MD5 key bgpd set on its sockets (INET_DIAG_MD5SIG)
// against the VIF's authKey. One classifier answers the one question — how
// do the two keys relate? — and yields the single finding that applies;
// whether the VIF's own key fits the kernel (80 bytes) is asked beside it.
// Keys are compared through their salted fingerprints and described by
// their shape, never shown. Sources: AWS Direct Connect (MD5 always on,
// keys up to 80 characters); linux/tcp.h TCP_MD5SIG_MAXKEYLEN.
#include <fmt/format.h>

#include "plugin/dx_match.h"
#include "plugin/dx_rules.h"
#include "plugin/facts.h"

namespace edgediag::plugin {
namespace {

constexpr std::size_t kMaxMd5KeyBytes = 80;  // TCP_MD5SIG_MAXKEYLEN

// The key the kernel holds for the Amazon peer: the connected socket's if
// there is one, else the listener's (bgpd sets keys on both).
std::optional<KeyProperties> KernelKey(const DxPeering& p) {
  if (!p.amazon) return std::nullopt;
  Prefix peer = *p.amazon;
  peer.len = peer.MaxLen();
  // The kernel signs with the most specific key that covers the peer.
  std::optional<KeyProperties> connected, listener;
  int connected_len = -1, listener_len = -1;
  for (const TcpSocket* t : p.sockets) {
    bool is_listener = t->state == "LISTEN";
    for (const auto& k : t->md5_keys) {
      auto prefix = ParseAddress(k.address, k.prefixlen);
      if (!prefix || !prefix->Contains(peer)) continue;
      int& best = is_listener ? listener_len : connected_len;
      if (prefix->len <= best) continue;
      best = prefix->len;
      (is_listener ? listener : connected) = k.key;
    }
  }
  return connected ? connected : listener;
}



std::uint64_t Delta(const Snapshot& now, const Snapshot* prev, const char* counter) {
  auto it = now.counters.tcp_ext.find(counter);
  if (it == now.counters.tcp_ext.end()) return 0;
  if (!prev) return 0;
  auto pt = prev->counters.tcp_ext.find(counter);
  if (pt == prev->counters.tcp_ext.end() || pt->second > it->second) return 0;
  return it->second - pt->second;
}

// The MD5 counters as evidence: deltas when there is an earlier point, else
// the totals since boot (weaker: they may be old).
std::optional<Evidence> Md5Counters(const Snapshot& s, const Snapshot* prev) {
  std::vector<std::string> parts;
  for (const char* c : {"TCPMD5Failure", "TCPMD5NotFound", "TCPMD5Unexpected"}) {
    auto it = s.counters.tcp_ext.find(c);
    if (it == s.counters.tcp_ext.end()) continue;
    if (prev) {
      if (auto d = Delta(s, prev, c)) parts.push_back(fmt::format("{} +{}", c, d));
    } else if (it->second) {
      parts.push_back(fmt::format("{} {} since boot", c, it->second));
    }
  }
  if (parts.empty()) return std::nullopt;
  return Evidence{"kernel MD5 counters", fmt::format("{}", fmt::join(parts, ", ")), "no change"};
}

std::string Side(const KeyProperties& k) {
  if (k.leading_whitespace && k.trailing_whitespace) return "starts and ends with white space";
  if (k.leading_whitespace) return "starts with white space";
  if (k.trailing_whitespace) return "ends with white space";
  return "has no surrounding white space";
}

std::string Unusual(const KeyProperties& k) {
  std::vector<std::string> parts;
  for (const auto& c : k.unusual)
    parts.push_back(fmt::format("{} at position {}", DescribeCodePoint(c.code_point), c.position));
  return parts.empty() ? "plain ASCII" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string KeyShape(const KeyProperties& k) {
  return fmt::format("{} bytes, {} characters, {}, {}", k.length_bytes, k.length_chars, Side(k),
                     Unusual(k));
}

std::string Md5Remedy(const DxPeering& p) {
  std::string a = p.amazon ? p.amazon->Address() : "PEER";
  return fmt::format(
      "Type the key by hand (do not paste) exactly as in the VIF's authKey: VyOS `set protocols "
      "bgp neighbor {0} password '...'`; FRR `neighbor {0} password ...`. Verify: {1}; the "
      "kernel counters TCPMD5Failure/NotFound/Unexpected in `nstat -az | grep MD5` must stop "
      "rising",
      a, ShowNeighbor(p));
}

Finding Md5Finding(const DxPeering& p, const char* id, std::string message) {
  Finding f{.id = id, .severity = Severity::kCritical, .subject = p.subject};
  f.message = std::move(message);
  // MD5 drops segments silently: the session sits in Connect/Active. With
  // ARP resolved and the session not up, the key is the likeliest cause.
  f.weight = Established(p) ? 30 : 86;
  f.remedy = Md5Remedy(p);
  return f;
}

// Both keys are known: equal, or how they differ.
std::optional<Finding> CompareBoth(const DxPeering& p, const KeyProperties& vif,
                                   const KeyProperties& kernel) {
  // Keys described under different salts (a shared snapshot read with a new
  // VIF file) cannot be compared.
  if (vif.fp_raw.empty() || kernel.fp_raw.empty()) return std::nullopt;
  const KeyDifference exact = CompareKeys(vif, kernel);
  KeyDifference d = exact;
  bool any_unusual = !vif.unusual.empty() || !kernel.unusual.empty();
  // A different key with a non-ASCII character on one side is reported as
  // non-ASCII: a look-alike letter is the likeliest story.
  if (d == KeyDifference::kDifferent && any_unusual) d = KeyDifference::kUnicodeSpaces;
  if (d == KeyDifference::kWhitespaceAndUnicode) d = KeyDifference::kUnicodeSpaces;
  std::vector<Evidence> ev{{"router's key (kernel, bgpd socket)", KeyShape(kernel), ""},
                           {"VIF authKey", KeyShape(vif), ""}};
  std::optional<Finding> f;
  switch (d) {
    case KeyDifference::kWhitespace:
      f = Md5Finding(p, "dx.md5.whitespace",
                     fmt::format("the MD5 keys are equal but for surrounding white space: the "
                                 "VIF's authKey {}, the router's key {}",
                                 Side(vif), Side(kernel)));
      break;
    case KeyDifference::kUnicodeSpaces: {
      const KeyProperties& odd = kernel.unusual.empty() ? vif : kernel;
      const char* who = kernel.unusual.empty() ? "the VIF's authKey" : "the router's key";
      f = Md5Finding(p, "dx.md5.non-ascii",
                     fmt::format("the MD5 keys {}: {} holds {}",
                                 exact != KeyDifference::kDifferent
                                     ? "are equal but for invisible characters"
                                     : "differ, and one holds non-ASCII characters",
                                 who, Unusual(odd)));
      break;
    }
    case KeyDifference::kDifferent:
      f = Md5Finding(
          p, "dx.md5.mismatch",
          vif.length_bytes == kernel.length_bytes
              ? fmt::format("the router's MD5 key differs from the VIF's authKey (same length, "
                            "{} bytes)", vif.length_bytes)
              : fmt::format("the router's MD5 key differs from the VIF's authKey ({} bytes on "
                            "the router, {} in the VIF)", kernel.length_bytes, vif.length_bytes));
      break;
    case KeyDifference::kEqual:
    case KeyDifference::kWhitespaceAndUnicode:  // folded into kUnicodeSpaces above
      return std::nullopt;
  }
  f->evidence = std::move(ev);
  return f;
}

// How the router's key relates to the VIF's: the single finding that
// applies (mismatch, whitespace, non-ascii, missing or unexpected), if any.
std::optional<Finding> ClassifyKeys(const Snapshot& s, const DxPeering& p,
                                    const std::optional<KeyProperties>& kernel) {
  const std::optional<KeyProperties>& vif = p.expected.authKey;
  if (!vif) {
    bool keyed = kernel.has_value() || (p.bgp && p.bgp->passwordConfigured);
    if (!keyed) return std::nullopt;
    auto f = Md5Finding(p, "dx.md5.unexpected",
                        "the router signs the session with an MD5 key, but the VIF description "
                        "has no authKey");
    f.evidence = {{"router's key", kernel ? KeyShape(*kernel) : "configured in FRR",
                   "none (per the VIF)"}};
    f.remedy = "AWS always enables MD5 and generates a key when none is given: read the VIF's "
               "authKey (`aws directconnect describe-virtual-interfaces`) and save the full "
               "description. If the VIF truly has none, remove the router's key. " + Md5Remedy(p);
    if (Established(p)) f.severity = Severity::kWarning;
    return f;
  }
  bool md5_ok = s.Source(kSourceMd5).state == SourceState::kOk;
  // Without the kernel's view, FRR's own word (password configured) decides.
  bool missing = md5_ok && !p.sockets.empty() ? !kernel.has_value()
                                              : (p.bgp && !p.bgp->passwordConfigured);
  if (missing) {
    auto f = Md5Finding(p, "dx.md5.missing",
                        "the VIF has an MD5 authKey but the router has no key for the Amazon peer");
    f.evidence = {{"router's key for " + (p.amazon ? p.amazon->Address() : std::string("peer")),
                   "none", "the VIF's authKey (" + std::to_string(vif->length_bytes) + " bytes)"}};
    return f;
  }
  if (!kernel) return std::nullopt;
  return CompareBoth(p, *vif, *kernel);
}

// The VIF's key itself: Linux cannot hold one over 80 bytes.
std::optional<Finding> VifKeyTooLong(const DxPeering& p) {
  if (!p.expected.authKey || p.expected.authKey->length_bytes <= kMaxMd5KeyBytes)
    return std::nullopt;
  const auto& k = *p.expected.authKey;
  auto f = Md5Finding(p, "dx.md5.too-long",
                      fmt::format("the VIF's authKey is {} bytes; Linux accepts at most {} "
                                  "(TCP_MD5SIG_MAXKEYLEN), so the router cannot hold it",
                                  k.length_bytes, kMaxMd5KeyBytes));
  f.evidence = {{"VIF authKey", KeyShape(k), fmt::format("at most {} bytes", kMaxMd5KeyBytes)}};
  f.weight = 90;  // the cause of the missing key that follows from it
  f.remedy = "Set a new key of at most 80 ASCII characters on the VIF (AWS console or "
             "`aws directconnect` — a BGP peer must be recreated to change it) and on the "
             "router. " + Md5Remedy(p);
  return f;
}

}  // namespace

std::vector<Finding> CheckMd5(const Facts& facts, const Snapshot& s, const Snapshot* prev) {
  std::vector<Finding> out;
  const bool md5_ok = s.Source(kSourceMd5).state == SourceState::kOk;
  std::optional<Evidence> counters = Md5Counters(s, prev);
  for (const auto& p : facts.dx()) {
    if (!p.vif) {
      if (auto z = ZeroConfigMd5(s, p, prev)) out.push_back(std::move(*z));
      continue;
    }
    std::optional<KeyProperties> kernel;
    if (md5_ok) kernel = KernelKey(p);
    for (auto f : {VifKeyTooLong(p), ClassifyKeys(s, p, kernel)}) {
      if (!f) continue;
      if (counters) {
        f->evidence.push_back(*counters);
        if (prev) f->weight += 5;
      }
      out.push_back(std::move(*f));
    }
  }
  return out;
}

}  // namespace edgediag::plugin
