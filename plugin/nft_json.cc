#include "plugin/nft_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>

namespace edgediag::plugin {
namespace {

using nlohmann::json;

// Deepest chain of jumps followed; the kernel itself stops at 16
// (NFT_JUMP_STACK_SIZE), so a deeper chain cannot be loaded anyway.
constexpr int kMaxJumpDepth = 16;
// Bounds on what a ruleset can make us do: expressions nested deeper than
// any nft prints are shown as "...", and a ruleset with more NAT rules than
// this is refused rather than held.
constexpr int kMaxExprDepth = 32;
constexpr std::size_t kMaxNatRules = 100000;

// j[key], or null when j is no object or lacks key: never throws, never
// asserts (nlohmann's value() throws on non-objects, const operator[] asserts).
const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Named priorities (nft(8), "CHAINS"), for nft versions that print them.
std::optional<int> PriorityFromName(const std::string& text) {
  static const std::map<std::string, int> kNames = {{"raw", -300},    {"mangle", -150},
                                                    {"dstnat", -100}, {"filter", 0},
                                                    {"security", 50}, {"srcnat", 100}};
  std::string name = text;
  int offset = 0;
  if (auto pos = text.find_first_of("+-"); pos != std::string::npos) {
    name = text.substr(0, text.find_last_not_of(' ', pos - 1) + 1);
    std::string num = text.substr(pos + 1);
    num.erase(0, num.find_first_not_of(' '));
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), offset);
    if (num.empty() || ec != std::errc() || ptr != num.data() + num.size()) return std::nullopt;
    if (text[pos] == '-') offset = -offset;
  }
  auto it = kNames.find(name);
  if (it == kNames.end()) return std::nullopt;
  return it->second + offset;
}

int Priority(const json& chain) {
  auto it = chain.find("prio");
  if (it == chain.end()) return 0;
  if (it->is_number_integer()) return it->get<int>();
  if (it->is_string()) return PriorityFromName(it->get<std::string>()).value_or(0);
  return 0;
}

bool IsInterfaceKey(const std::string& key) {
  return key == "oifname" || key == "iifname" || key == "oif" || key == "iif";
}

std::string Scalar(const json& j, bool quote, int depth = 0) {
  if (depth > kMaxExprDepth) return "...";
  if (j.is_string())
    return quote ? fmt::format("\"{}\"", j.get<std::string>()) : j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_number()) return j.dump();
  if (j.is_object()) {
    if (j.contains("prefix")) {
      const json& p = j["prefix"];
      if (p.is_object() && p.contains("len")) {
        return fmt::format("{}/{}", Scalar(Field(p, "addr"), false, depth + 1),
                           Scalar(p["len"], false, depth + 1));
      }
    }
    if (j.contains("range") && j["range"].is_array() && j["range"].size() == 2) {
      return fmt::format("{}-{}", Scalar(j["range"][0], quote, depth + 1),
                         Scalar(j["range"][1], quote, depth + 1));
    }
    if (j.contains("set") && j["set"].is_array()) {
      std::vector<std::string> items;
      for (const json& e : j["set"]) items.push_back(Scalar(e, quote, depth + 1));
      return fmt::format("{{ {} }}", fmt::join(items, ", "));
    }
    if (!j.empty()) return j.begin().key();
  }
  if (j.is_array() || j.is_object()) return "...";  // dump() would recurse without bound
  return j.dump();
}

// The values a match's right side names: set elements, or the one value.
std::vector<std::string> Values(const json& right) {
  std::vector<std::string> out;
  if (right.is_object() && right.contains("set") && right["set"].is_array()) {
    for (const json& e : right["set"]) out.push_back(Scalar(e, false));
  } else {
    out.push_back(Scalar(right, false));
  }
  return out;
}

std::string LeftText(const json& left) {
  if (!left.is_object() || left.empty()) return Scalar(left, false);
  const std::string kind = left.begin().key();
  const json& v = left.begin().value();
  if (kind == "payload") return fmt::format("{} {}", Str(v, "protocol"), Str(v, "field"));
  if (kind == "meta") {
    const std::string key = Str(v, "key");
    return IsInterfaceKey(key) ? key : "meta " + key;
  }
  if (kind == "ipsec") {
    return fmt::format("ipsec {} {}", Str(v, "dir"), Str(v, "key"));
  }
  if (kind == "rt" || kind == "ct") return fmt::format("{} {}", kind, Str(v, "key"));
  return std::string(kind);
}

void ApplyMatch(const json& m, NatRule& rule, std::vector<std::string>& text) {
  const std::string op = Str(m, "op");
  const json& left = Field(m, "left");
  const json& right = Field(m, "right");
  const bool negated = op == "!=";
  std::string kind, key;
  if (left.is_object() && !left.empty()) {
    kind = left.begin().key();
    key = Str(left.begin().value(), "key");
  }
  const bool is_ipsec_flag =
      (kind == "rt" || kind == "meta") && (key == "ipsec" || key == "secpath");
  if (is_ipsec_flag && right.is_boolean()) {
    const bool exists = right.get<bool>() != negated;
    rule.ipsec = exists ? "exists" : "missing";
    text.push_back(fmt::format("{} {}", LeftText(left), rule.ipsec));
    return;
  }
  if (kind == "ipsec" && !negated) rule.ipsec = "exists";
  if (kind == "payload") {
    const json& p = left.begin().value();
    const std::string proto = Str(p, "protocol");
    const std::string field = Str(p, "field");
    if (proto == "ip" || proto == "ip6") {
      if (field == "saddr") {
        rule.saddr = Values(right);
        rule.saddr_negated = negated;
      } else if (field == "daddr") {
        rule.daddr = Values(right);
        rule.daddr_negated = negated;
      }
    }
  }
  const bool quote = kind == "meta" && IsInterfaceKey(key);
  if (kind == "meta" && key == "oifname") {
    const std::string v = Scalar(right, false);
    rule.oifname = negated ? "!= " + v : v;
  }
  const std::string shown_op = (op == "==" || op == "in" || op.empty()) ? "" : op + " ";
  text.push_back(fmt::format("{} {}{}", LeftText(left), shown_op, Scalar(right, quote)));
}

std::string NatTargetText(const std::string& verb, const json& v) {
  std::string out = verb;
  if (!v.is_object()) return out;
  if (v.contains("family")) out += " " + Str(v, "family");
  if (v.contains("addr")) {
    out += " to " + Scalar(v["addr"], false);
    if (v.contains("port")) out += ":" + Scalar(v["port"], false);
  } else if (v.contains("port")) {
    out += " to :" + Scalar(v["port"], false);
  }
  return out;
}

// Fills `rule` from a rule's expressions; returns the jump/goto target, if any.
std::string ApplyExpressions(const json& exprs, NatRule& rule) {
  std::vector<std::string> text;
  std::string target;
  if (!exprs.is_array()) return target;
  for (const json& e : exprs) {
    if (!e.is_object() || e.empty()) continue;
    const std::string kind = e.begin().key();
    const json& v = e.begin().value();
    if (kind == "match") {
      ApplyMatch(v, rule, text);
    } else if (kind == "counter") {
      text.push_back("counter");
    } else if (kind == "accept" || kind == "return" || kind == "drop" || kind == "continue" ||
               kind == "reject") {
      rule.verdict = kind;
      text.push_back(kind);
    } else if (kind == "jump" || kind == "goto") {
      rule.verdict = kind;
      target = Str(v, "target");
      text.push_back(fmt::format("{} {}", kind, target));
    } else if (kind == "masquerade" || kind == "snat" || kind == "dnat" || kind == "redirect") {
      rule.verdict = kind;
      text.push_back(NatTargetText(kind, v));
    } else if (kind == "log") {
      text.push_back("log");
    } else if (kind == "xt") {
      // iptables-nft compat: the match's options are not in the JSON.
      text.push_back(fmt::format("xt {} {}", Str(v, "type"), Str(v, "name")));
    } else {
      text.push_back(kind);
    }
  }
  rule.text = fmt::format("{}", fmt::join(text, " "));
  return target;
}

using ChainKey = std::tuple<std::string, std::string, std::string>;  // family, table, chain

struct Ruleset {
  std::vector<const json*> base_chains;  // nat/postrouting, listing order
  std::map<ChainKey, std::vector<const json*>> rules;
};

// Emits a chain's rules in evaluation order, each jumped-to chain after the
// rule that jumps. Every chain is expanded once: the evaluator groups rules
// by their own chain, so a second expansion would only repeat them, and a
// chain jumped to from many rules, 16 levels deep, would otherwise be
// expanded a number of times exponential in the depth.
void EmitChain(const Ruleset& rs, const ChainKey& key, const std::string& hook, int priority,
               int depth, std::set<ChainKey>& expanded, std::vector<NatRule>& out) {
  auto it = rs.rules.find(key);
  if (it == rs.rules.end() || depth > kMaxJumpDepth || !expanded.insert(key).second) return;
  for (const json* r : it->second) {
    NatRule rule;
    std::tie(rule.family, rule.table, rule.chain) = key;
    rule.hook = hook;
    rule.priority = priority;
    if (auto h = r->find("handle"); h != r->end() && h->is_number_unsigned()) {
      rule.handle = h->get<std::uint64_t>();
    }
    const std::string target = ApplyExpressions(Field(*r, "expr"), rule);
    if (const std::string comment = Str(*r, "comment"); !comment.empty()) {
      rule.text += fmt::format(" comment \"{}\"", comment);
    }
    out.push_back(std::move(rule));
    if (!target.empty()) {
      EmitChain(rs, {std::get<0>(key), std::get<1>(key), target}, hook, priority, depth + 1,
                expanded, out);
    }
  }
}

}  // namespace

Result<std::vector<NatRule>> ParseNftRuleset(std::string_view text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return MakeError(Error::Code::kInvalidInput, "nft -j output is not valid JSON");
  }
  if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) {
    return MakeError(Error::Code::kInvalidInput, "nft -j output has no \"nftables\" array");
  }
  Ruleset rs;
  for (const json& item : doc["nftables"]) {
    if (!item.is_object()) continue;
    if (auto c = item.find("chain"); c != item.end() && c->is_object()) {
      if (Str(*c, "type") == "nat" && Str(*c, "hook") == "postrouting")
        rs.base_chains.push_back(&*c);
    } else if (auto r = item.find("rule"); r != item.end() && r->is_object()) {
      rs.rules[{Str(*r, "family"), Str(*r, "table"), Str(*r, "chain")}].push_back(&*r);
    }
  }
  // The kernel runs base chains of one hook by priority; ties keep listing order.
  std::stable_sort(rs.base_chains.begin(), rs.base_chains.end(),
                   [](const json* a, const json* b) { return Priority(*a) < Priority(*b); });
  std::vector<NatRule> out;
  std::set<ChainKey> expanded;
  for (const json* chain : rs.base_chains)
    EmitChain(rs, {Str(*chain, "family"), Str(*chain, "table"), Str(*chain, "name")},
              Str(*chain, "hook"), Priority(*chain), 0, expanded, out);
  if (out.size() > kMaxNatRules)
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("nft -j output has {} source-NAT rules, more than the {} "
                                 "edgediag reads",
                                 out.size(), kMaxNatRules));
  return out;
}

}  // namespace edgediag::plugin
