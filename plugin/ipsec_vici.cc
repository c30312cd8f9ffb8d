#include "plugin/ipsec_vici.h"

#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace edgediag::plugin {
namespace {

using vici::Section;

template <typename T>
std::optional<T> ParseNumber(const Section& s, std::string_view key, int base,
                             ViciWarnings& warnings) {
  const std::string* v = s.Value(key);
  if (v == nullptr) return std::nullopt;
  T out{};
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, out, base);
  if (v->empty() || ec != std::errc() || ptr != end) {
    ++warnings.count;
    return std::nullopt;
  }
  return out;
}

// Numbers travel as decimal strings (vici README, "Message format").
template <typename T>
std::optional<T> Decimal(const Section& s, std::string_view key, ViciWarnings& warnings) {
  return ParseNumber<T>(s, key, 10, warnings);
}

// charon prints interface ids as "%.8x" (vici_query.c, list-sas; 5.9.x and 6.0).
std::optional<std::uint32_t> Hex(const Section& s, std::string_view key, ViciWarnings& warnings) {
  return ParseNumber<std::uint32_t>(s, key, 16, warnings);
}

std::string Text(const Section& s, std::string_view key) {
  const std::string* v = s.Value(key);
  return v ? *v : std::string();
}

std::vector<std::string> Items(const Section& s, std::string_view key) {
  const std::vector<std::string>* v = s.List(key);
  return v ? *v : std::vector<std::string>();
}

bool Yes(const Section& s, std::string_view key) {
  const std::string* v = s.Value(key);
  return v != nullptr && *v == "yes";
}

ChildSa ChildFromSection(const std::string& key, const Section& s, ViciWarnings& w) {
  ChildSa c;
  // 5.9 keys the section "NAME-UNIQUEID" and carries the name inside.
  c.name = s.Value("name") ? *s.Value("name") : key;
  c.uniqueid = Decimal<std::uint32_t>(s, "uniqueid", w).value_or(0);
  c.reqid = Decimal<std::uint32_t>(s, "reqid", w).value_or(0);
  c.state = Text(s, "state");
  c.mode = Text(s, "mode");
  c.protocol = Text(s, "protocol");
  c.encap = Yes(s, "encap");
  c.spi_in = Text(s, "spi-in");
  c.spi_out = Text(s, "spi-out");
  c.bytes_in = Decimal<std::uint64_t>(s, "bytes-in", w).value_or(0);
  c.bytes_out = Decimal<std::uint64_t>(s, "bytes-out", w).value_or(0);
  c.packets_in = Decimal<std::uint64_t>(s, "packets-in", w).value_or(0);
  c.packets_out = Decimal<std::uint64_t>(s, "packets-out", w).value_or(0);
  c.use_in = Decimal<std::uint64_t>(s, "use-in", w);
  c.use_out = Decimal<std::uint64_t>(s, "use-out", w);
  c.install_time = Decimal<std::uint64_t>(s, "install-time", w);
  c.rekey_time = Decimal<std::uint64_t>(s, "rekey-time", w);
  c.life_time = Decimal<std::uint64_t>(s, "life-time", w);
  c.if_id_in = Hex(s, "if-id-in", w);
  c.if_id_out = Hex(s, "if-id-out", w);
  c.local_ts = Items(s, "local-ts");
  c.remote_ts = Items(s, "remote-ts");
  return c;
}

IkeSa IkeFromSection(const std::string& name, const Section& s, ViciWarnings& w) {
  IkeSa ike;
  ike.name = name;
  ike.uniqueid = Decimal<std::uint32_t>(s, "uniqueid", w).value_or(0);
  ike.version = Text(s, "version");
  ike.state = Text(s, "state");
  ike.local_host = Text(s, "local-host");
  ike.remote_host = Text(s, "remote-host");
  ike.local_port = Decimal<std::uint16_t>(s, "local-port", w);
  ike.remote_port = Decimal<std::uint16_t>(s, "remote-port", w);
  ike.local_id = Text(s, "local-id");
  ike.remote_id = Text(s, "remote-id");
  ike.initiator = Yes(s, "initiator");
  ike.nat_local = Yes(s, "nat-local");
  ike.nat_remote = Yes(s, "nat-remote");
  ike.nat_fake = Yes(s, "nat-fake");
  ike.nat_any = Yes(s, "nat-any");
  ike.established = Decimal<std::uint64_t>(s, "established", w);
  if (const Section* children = s.Sub("child-sas")) {
    for (const vici::Entry& e : children->entries) {
      if (e.kind != vici::Entry::Kind::kSection) continue;
      ike.child_sas.push_back(ChildFromSection(e.name, e.section, w));
    }
  }
  return ike;
}

IpsecConnection ConnectionFromSection(const std::string& name, const Section& s, ViciWarnings& w) {
  IpsecConnection conn;
  conn.name = name;
  conn.local_addrs = Items(s, "local_addrs");
  conn.remote_addrs = Items(s, "remote_addrs");
  conn.version = Text(s, "version");
  // Not in 5.9.8's list-conns; newer charons add them, in the same "%.8x".
  conn.if_id_in = Hex(s, "if_id_in", w);
  conn.if_id_out = Hex(s, "if_id_out", w);
  if (const Section* children = s.Sub("children")) {
    for (const vici::Entry& e : children->entries) {
      if (e.kind != vici::Entry::Kind::kSection) continue;
      ChildConfig child;
      child.name = e.name;
      child.mode = Text(e.section, "mode");
      child.local_ts = Items(e.section, "local-ts");
      child.remote_ts = Items(e.section, "remote-ts");
      child.start_action = Text(e.section, "start_action");  // 6.0+; absent in 5.9
      conn.children.push_back(std::move(child));
    }
  }
  return conn;
}

// One child-updown / child-rekey CHILD SA entry: the SA itself, or for
// child-rekey its "old" and "new" halves (vici README, child-rekey).
void ChildEvents(std::string_view name, const IpsecEvent& base, const Section& children,
                 ViciWarnings& w, std::vector<IpsecEvent>& out) {
  for (const vici::Entry& e : children.entries) {
    if (e.kind != vici::Entry::Kind::kSection) continue;
    const Section* sa = &e.section;
    if (name == "child-rekey")
      if (const Section* fresh = e.section.Sub("new")) sa = fresh;
    IpsecEvent ev = base;
    ev.child = sa->Value("name") ? *sa->Value("name") : e.name;
    ev.reqid = Decimal<std::uint32_t>(*sa, "reqid", w).value_or(0);
    out.push_back(std::move(ev));
  }
}

}  // namespace

std::vector<IpsecPolicy> PoliciesFromListPolicy(const vici::Message& event,
                                                ViciWarnings& warnings) {
  (void)warnings;  // every field is text
  std::vector<IpsecPolicy> out;
  for (const vici::Entry& e : event.entries) {
    if (e.kind != vici::Entry::Kind::kSection) continue;
    IpsecPolicy p;
    p.name = e.name;
    p.ike = Text(e.section, "ike");
    p.child = Text(e.section, "child");
    // 5.9 keys the entry "CONN/CHILD" and gives no "ike" value.
    auto slash = e.name.find('/');
    if (p.child.empty()) p.child = slash == std::string::npos ? e.name : e.name.substr(slash + 1);
    if (p.ike.empty() && slash != std::string::npos) p.ike = e.name.substr(0, slash);
    p.mode = Text(e.section, "mode");
    p.local_ts = Items(e.section, "local-ts");
    p.remote_ts = Items(e.section, "remote-ts");
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<IpsecEvent> EventsFromMessage(std::string_view name, const vici::Message& event,
                                          ViciWarnings& warnings) {
  std::vector<IpsecEvent> out;
  bool updown = name == "ike-updown" || name == "child-updown";
  bool child = name == "child-updown" || name == "child-rekey";
  if (!updown && !child && name != "ike-rekey") return out;
  bool up = updown && Yes(event, "up");
  for (const vici::Entry& e : event.entries) {
    if (e.kind != vici::Entry::Kind::kSection) continue;
    const Section* ike = &e.section;
    // ike-rekey: {NAME = {old = {...}, new = {...}}}; the new SA is the one that lives on.
    if (name == "ike-rekey")
      if (const Section* fresh = e.section.Sub("new")) ike = fresh;
    IpsecEvent base;
    base.event = std::string(name);
    base.ike = e.name;
    base.up = up;
    base.ike_uniqueid = Decimal<std::uint32_t>(*ike, "uniqueid", warnings).value_or(0);
    base.remote_host = Text(*ike, "remote-host");
    if (!child) {
      out.push_back(std::move(base));
      continue;
    }
    if (const Section* children = ike->Sub("child-sas"))
      ChildEvents(name, base, *children, warnings, out);
  }
  return out;
}

std::vector<IpsecConnection> ConnectionsFromListConn(const vici::Message& event,
                                                     ViciWarnings& warnings) {
  std::vector<IpsecConnection> out;
  for (const vici::Entry& e : event.entries) {
    if (e.kind != vici::Entry::Kind::kSection) continue;
    out.push_back(ConnectionFromSection(e.name, e.section, warnings));
  }
  return out;
}

std::vector<IkeSa> IkeSasFromListSa(const vici::Message& event, ViciWarnings& warnings) {
  std::vector<IkeSa> out;
  for (const vici::Entry& e : event.entries) {
    if (e.kind != vici::Entry::Kind::kSection) continue;
    out.push_back(IkeFromSection(e.name, e.section, warnings));
  }
  return out;
}

}  // namespace edgediag::plugin
