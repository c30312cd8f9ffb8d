#include "plugin/vif_reader.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/key_print.h"
#include "base/read_file.h"
#include "plugin/ip.h"

namespace edgediag::plugin {
namespace {

using nlohmann::json;

// Collects the context of an error: "FILE: VIF ID: field F: what".
class Where {
 public:
  Where(std::string_view source, std::string vif) : source_(source), vif_(std::move(vif)) {}
  Error Field(std::string_view field, std::string_view what) const {
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("{}: {}: field \"{}\": {}", source_, vif_, field, what));
  }

 private:
  std::string_view source_;
  std::string vif_;
};

std::string TypeName(const json& j) { return j.type_name(); }

// Reads an optional string field; wrong type is an error.
Result<std::string> Str(const json& o, const char* key, const Where& where, bool required = false) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    if (required) return where.Field(key, "missing");
    return std::string();
  }
  if (!it->is_string()) return where.Field(key, "expected a string, found " + TypeName(*it));
  return it->get<std::string>();
}

// Reads an optional unsigned number in [lo, hi]; AWS sends numbers, but a
// hand-edited file may quote them.
Result<std::optional<std::uint64_t>> Num(const json& o, const char* key, const Where& where,
                                         std::uint64_t lo, std::uint64_t hi) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::optional<std::uint64_t>();
  std::uint64_t v = 0;
  if (it->is_number_unsigned()) {
    v = it->get<std::uint64_t>();
  } else if (it->is_number_integer()) {
    auto s = it->get<std::int64_t>();
    if (s < 0) return where.Field(key, fmt::format("{} is out of range {}..{}", s, lo, hi));
    v = static_cast<std::uint64_t>(s);
  } else if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19)
      return where.Field(key, fmt::format("\"{}\" is not a number", s));
    v = std::stoull(s);
  } else {
    return where.Field(key, "expected a number, found " + TypeName(*it));
  }
  if (v < lo || v > hi) return where.Field(key, fmt::format("{} is out of range {}..{}", v, lo, hi));
  return std::optional<std::uint64_t>(v);
}

Result<std::string> Cidr(const json& o, const char* key, const Where& where) {
  auto s = Str(o, key, where);
  if (!s) return s;
  if (s->empty()) return s;
  auto p = ParsePrefix(*s);
  if (!p || s->find('/') == std::string::npos)
    return where.Field(key, fmt::format("\"{}\" is not an address with a prefix length (e.g. "
                                        "169.254.10.2/30)", *s));
  return s;
}

Result<std::optional<KeyProperties>> Key(const json& o, const Where& where, std::string_view salt) {
  auto it = o.find("authKey");
  if (it == o.end() || it->is_null()) return std::optional<KeyProperties>();
  if (!it->is_string()) return where.Field("authKey", "expected a string, found " + TypeName(*it));
  // The key itself is described and dropped here; only its properties live on.
  return std::optional<KeyProperties>(DescribeKey(it->get_ref<const std::string&>(), salt));
}

constexpr std::uint64_t kMaxAsn = 4294967294ULL;

Result<VifBgpPeer> ParsePeer(const json& o, const Where& parent, std::size_t index,
                             std::string_view salt, std::string_view source,
                             const std::string& vif_id) {
  std::string id;
  if (o.is_object())
    if (auto it = o.find("bgpPeerId"); it != o.end() && it->is_string()) id = it->get<std::string>();
  Where where(source, fmt::format("{} bgpPeers[{}]{}", vif_id, index,
                                  id.empty() ? "" : " (" + id + ")"));
  if (!o.is_object()) return parent.Field("bgpPeers", fmt::format("entry {} is not an object", index));
  VifBgpPeer p;
  p.bgpPeerId = id;
  // With a 4-byte asnLong the API puts 0 in the legacy asn (API_BGPPeer).
  auto asn = Num(o, "asn", where, 0, kMaxAsn);
  if (!asn) return asn.error();
  auto asn_long = Num(o, "asnLong", where, 0, kMaxAsn);
  if (!asn_long) return asn_long.error();
  if (*asn_long && **asn_long != 0) p.asn = static_cast<std::uint32_t>(**asn_long);
  else if (*asn && **asn != 0) p.asn = static_cast<std::uint32_t>(**asn);
  auto key = Key(o, where, salt);
  if (!key) return key.error();
  p.authKey = *key;
  auto fam = Str(o, "addressFamily", where);
  if (!fam) return fam.error();
  p.addressFamily = *fam;
  auto amazon = Cidr(o, "amazonAddress", where);
  if (!amazon) return amazon.error();
  p.amazonAddress = *amazon;
  auto customer = Cidr(o, "customerAddress", where);
  if (!customer) return customer.error();
  p.customerAddress = *customer;
  auto st = Str(o, "bgpPeerState", where);
  if (!st) return st.error();
  p.bgpPeerState = *st;
  auto bs = Str(o, "bgpStatus", where);
  if (!bs) return bs.error();
  p.bgpStatus = *bs;
  if (p.amazonAddress.empty() != p.customerAddress.empty())
    return where.Field(p.amazonAddress.empty() ? "amazonAddress" : "customerAddress",
                       "missing (a peering needs both addresses)");
  return p;
}

Result<Vif> ParseVif(const json& o, std::size_t index, std::string_view source,
                     std::string_view salt) {
  if (!o.is_object())
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("{}: virtualInterfaces[{}]: expected an object, found {}", source,
                                 index, TypeName(o)));
  std::string label = fmt::format("virtualInterfaces[{}]", index);
  if (auto it = o.find("virtualInterfaceId"); it != o.end() && it->is_string())
    label = it->get<std::string>();
  Where where(source, label);
  Vif v;
  v.source = std::string(source);
  auto id = Str(o, "virtualInterfaceId", where, /*required=*/true);
  if (!id) return id.error();
  v.virtualInterfaceId = *id;
  for (auto [key, field] : {std::pair{"virtualInterfaceName", &v.virtualInterfaceName},
                            {"ownerAccount", &v.ownerAccount},
                            {"location", &v.location},
                            {"connectionId", &v.connectionId},
                            {"region", &v.region},
                            {"virtualInterfaceState", &v.virtualInterfaceState},
                            {"addressFamily", &v.addressFamily},
                            {"virtualGatewayId", &v.virtualGatewayId},
                            {"directConnectGatewayId", &v.directConnectGatewayId},
                            {"awsDeviceV2", &v.awsDeviceV2}}) {
    auto s = Str(o, key, where);
    if (!s) return s.error();
    *field = *s;
  }
  auto type = Str(o, "virtualInterfaceType", where);
  if (!type) return type.error();
  if (!type->empty() && *type != "private" && *type != "public" && *type != "transit")
    return where.Field("virtualInterfaceType",
                       fmt::format("\"{}\" is not private, public or transit", *type));
  v.virtualInterfaceType = *type;
  auto vlan = Num(o, "vlan", where, 1, 4094);
  if (!vlan) return vlan.error();
  if (!*vlan) return where.Field("vlan", "missing");
  v.vlan = static_cast<std::uint16_t>(**vlan);
  // asnLong carries 4-byte ASNs that do not fit the older 'asn' field; the
  // API then returns 0 in 'asn' (API_VirtualInterface), and both hold the
  // same value for a 2-byte ASN. 0 is "not given", never an ASN.
  auto asn = Num(o, "asn", where, 0, kMaxAsn);
  if (!asn) return asn.error();
  auto asn_long = Num(o, "asnLong", where, 0, kMaxAsn);
  if (!asn_long) return asn_long.error();
  if (*asn_long && **asn_long != 0) v.asn = static_cast<std::uint32_t>(**asn_long);
  else if (*asn && **asn != 0) v.asn = static_cast<std::uint32_t>(**asn);
  auto amazon_asn = Num(o, "amazonSideAsn", where, 0, kMaxAsn);
  if (!amazon_asn) return amazon_asn.error();
  if (*amazon_asn && **amazon_asn != 0) v.amazonSideAsn = static_cast<std::uint32_t>(**amazon_asn);
  auto key = Key(o, where, salt);
  if (!key) return key.error();
  v.authKey = *key;
  auto amazon = Cidr(o, "amazonAddress", where);
  if (!amazon) return amazon.error();
  v.amazonAddress = *amazon;
  auto customer = Cidr(o, "customerAddress", where);
  if (!customer) return customer.error();
  v.customerAddress = *customer;
  // An SDK that models mtu as a plain int writes 0 for "not set".
  auto mtu = Num(o, "mtu", where, 0, 65535);
  if (!mtu) return mtu.error();
  if (*mtu && **mtu != 0 && **mtu < 68) return where.Field("mtu", fmt::format("{} is out of range 68..65535", **mtu));
  if (*mtu && **mtu != 0) v.mtu = static_cast<std::uint32_t>(**mtu);
  if (auto it = o.find("jumboFrameCapable"); it != o.end() && !it->is_null()) {
    if (!it->is_boolean()) return where.Field("jumboFrameCapable", "expected true or false");
    v.jumboFrameCapable = it->get<bool>();
  }
  if (auto it = o.find("routeFilterPrefixes"); it != o.end() && !it->is_null()) {
    if (!it->is_array()) return where.Field("routeFilterPrefixes", "expected a list");
    for (const auto& p : *it) {
      if (p.is_object() && p.contains("cidr") && p["cidr"].is_string())
        v.routeFilterPrefixes.push_back(p["cidr"].get<std::string>());
      else if (p.is_string())
        v.routeFilterPrefixes.push_back(p.get<std::string>());
      else
        return where.Field("routeFilterPrefixes", "entries must be {\"cidr\": \"...\"}");
    }
  }
  if (auto it = o.find("bgpPeers"); it != o.end() && !it->is_null()) {
    if (!it->is_array()) return where.Field("bgpPeers", "expected a list");
    for (std::size_t i = 0; i < it->size(); ++i) {
      auto p = ParsePeer((*it)[i], where, i, salt, source, v.virtualInterfaceId);
      if (!p) return p.error();
      v.bgpPeers.push_back(std::move(*p));
    }
  }
  if (v.amazonAddress.empty() != v.customerAddress.empty())
    return where.Field(v.amazonAddress.empty() ? "amazonAddress" : "customerAddress",
                       "missing (a peering needs both addresses)");
  bool any_peering = !v.customerAddress.empty();
  for (const auto& p : v.bgpPeers) any_peering |= !p.customerAddress.empty();
  // A VIF that is not (or no longer) in service may come without peerings
  // in a real response (confirming, deleted, rejected, ...): it is kept, it
  // just has nothing to check. Only a file without any state must give them.
  const std::string& st = v.virtualInterfaceState;
  if (!st.empty() && st != "available" && st != "down" && st != "testing") return v;
  if (!any_peering)
    return where.Field("customerAddress",
                       "missing (neither the VIF nor any bgpPeers entry gives the peer addresses)");
  if (!v.asn) {
    bool peer_asn = false;
    for (const auto& p : v.bgpPeers) peer_asn |= p.asn.has_value();
    if (!peer_asn) return where.Field("asn", "missing");
  }
  return v;
}

}  // namespace

namespace {

Result<std::vector<Vif>> ParseVifsUnchecked(std::string_view text, std::string_view source,
                                            std::string_view salt);

}  // namespace

Result<std::vector<Vif>> ParseVifs(std::string_view text, std::string_view source,
                                   std::string_view salt) {
  // The field readers check types; this is the net under any shape they did
  // not foresee, so a strange file is an input error, never a crash.
  try {
    return ParseVifsUnchecked(text, source, salt);
  } catch (const nlohmann::json::exception&) {
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("{}: a field has an unexpected type (expected the output of "
                                 "`aws directconnect describe-virtual-interfaces`)", source));
  }
}

namespace {

Result<std::vector<Vif>> ParseVifsUnchecked(std::string_view text, std::string_view source,
                                            std::string_view salt) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("{}: not valid JSON (expected the output of `aws directconnect "
                                 "describe-virtual-interfaces`)", source));
  std::vector<Vif> out;
  if (doc.is_object() && doc.contains("virtualInterfaces")) {
    const json& list = doc["virtualInterfaces"];
    if (!list.is_array())
      return MakeError(Error::Code::kInvalidInput,
                       fmt::format("{}: \"virtualInterfaces\" is not a list", source));
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto v = ParseVif(list[i], i, source, salt);
      if (!v) return v.error();
      out.push_back(std::move(*v));
    }
  } else if (doc.is_object() && doc.contains("virtualInterfaceId")) {
    auto v = ParseVif(doc, 0, source, salt);
    if (!v) return v.error();
    out.push_back(std::move(*v));
  } else {
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("{}: neither a describe-virtual-interfaces response "
                                 "(\"virtualInterfaces\") nor a virtual interface "
                                 "(\"virtualInterfaceId\")", source));
  }
  return out;
}

}  // namespace

Result<std::vector<Vif>> ReadVifFile(const std::string& path, std::string_view salt) {
  // describe-virtual-interfaces for 50 VIFs is ~50 KiB; a FIFO or a device
  // dropped into vifs.d is refused, never waited on.
  constexpr std::size_t kMaxVifFileBytes = 16u << 20;
  auto file = ReadRegularFile(path, kMaxVifFileBytes);
  if (!file) {
    // "PATH: cannot read VIF file: REASON", whichever way reading failed.
    std::string_view reason = file.error().what;
    for (const std::string& head : {"cannot read " + path + ": ", path + ": "})
      if (reason.substr(0, head.size()) == head) {
        reason.remove_prefix(head.size());
        break;
      }
    return MakeError(file.error().code, fmt::format("{}: cannot read VIF file: {}", path, reason));
  }
  auto vifs = ParseVifs(file->text, path, salt);
  // The text holds authKeys in the clear: wipe it before it is freed.
  WipeBytes(file->text);
  if (!vifs) return vifs;
  for (auto& v : *vifs) v.source_mode = file->mode;
  return vifs;
}

Result<std::vector<Vif>> ReadVifDirectory(const std::string& dir, std::string_view salt,
                                          std::vector<Error>* file_errors) {
  std::vector<Vif> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return out;
    return MakeError(CodeFromErrno(errno),
                     fmt::format("{}: cannot read directory: {}", dir, std::strerror(errno)));
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".json") == 0) names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    auto v = ReadVifFile(dir + "/" + n, salt);
    if (!v) {
      if (!file_errors) return v.error();
      file_errors->push_back(v.error());
      continue;
    }
    for (auto& x : *v) out.push_back(std::move(x));
  }
  return out;
}

std::vector<VifBgpPeer> Peerings(const Vif& vif) {
  std::vector<VifBgpPeer> out;
  for (const auto& p : vif.bgpPeers) {
    if (p.customerAddress.empty()) continue;
    if (p.bgpPeerState == "deleted" || p.bgpPeerState == "deleting") continue;
    VifBgpPeer q = p;
    if (!q.asn) q.asn = vif.asn;
    if (!q.authKey) q.authKey = vif.authKey;
    if (q.addressFamily.empty())
      q.addressFamily = q.customerAddress.find(':') != std::string::npos ? "ipv6" : "ipv4";
    out.push_back(std::move(q));
  }
  bool top_listed = false;
  for (const auto& p : out) top_listed |= p.customerAddress == vif.customerAddress;
  if (!vif.customerAddress.empty() && !top_listed) {
    VifBgpPeer q;
    q.asn = vif.asn;
    q.authKey = vif.authKey;
    q.addressFamily = vif.addressFamily.empty()
                          ? (vif.customerAddress.find(':') != std::string::npos ? "ipv6" : "ipv4")
                          : vif.addressFamily;
    q.amazonAddress = vif.amazonAddress;
    q.customerAddress = vif.customerAddress;
    out.insert(out.begin(), std::move(q));
  }
  return out;
}

}  // namespace edgediag::plugin
