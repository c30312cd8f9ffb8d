#include "netlink/ethtool.h"

#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>

#include <array>

#include "netlink/attr.h"
#include "netlink/genl.h"
#include "netlink/socket.h"

namespace edgediag::netlink {
namespace {

constexpr std::size_t kHalfPage = 128;

std::uint8_t U8(Bytes b, std::size_t off) { return static_cast<std::uint8_t>(b[off]); }
std::uint16_t Be16At(Bytes b, std::size_t off) {
  return static_cast<std::uint16_t>(U8(b, off) << 8 | U8(b, off + 1));
}
// Receive power: unsigned, 0.1 uW per step (SFF-8472 table 9-11, SFF-8636 6.2.4).
double PowerMw(std::uint16_t raw) { return raw * 0.0001; }

struct Read {
  std::uint8_t i2c;
  std::uint8_t page;
  std::uint32_t offset;
};

Result<std::vector<std::byte>> ReadEeprom(NetlinkSocket& genl, std::uint16_t family, int ifindex,
                                          Read r) {
  std::array<std::byte, 256> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = family;
  genlmsghdr g{};
  g.cmd = ETHTOOL_MSG_MODULE_EEPROM_GET;
  g.version = ETHTOOL_GENL_VERSION;
  std::memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(g)), &g, sizeof(g));
  nlattr* hdr = mnl_attr_nest_start(nlh, ETHTOOL_A_MODULE_EEPROM_HEADER);
  mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, static_cast<std::uint32_t>(ifindex));
  mnl_attr_nest_end(nlh, hdr);
  mnl_attr_put_u32(nlh, ETHTOOL_A_MODULE_EEPROM_OFFSET, r.offset);
  mnl_attr_put_u32(nlh, ETHTOOL_A_MODULE_EEPROM_LENGTH, kHalfPage);
  mnl_attr_put_u8(nlh, ETHTOOL_A_MODULE_EEPROM_PAGE, r.page);
  mnl_attr_put_u8(nlh, ETHTOOL_A_MODULE_EEPROM_BANK, 0);
  mnl_attr_put_u8(nlh, ETHTOOL_A_MODULE_EEPROM_I2C_ADDRESS, r.i2c);
  auto reply = genl.Request({buf.data(), nlh->nlmsg_len}, "module EEPROM");
  if (!reply) return reply.error();
  return DecodeModuleEepromData(reply->bytes());
}

}  // namespace

Result<std::vector<std::byte>> DecodeModuleEepromData(Bytes messages) {
  std::optional<std::vector<std::byte>> data;
  auto r = ForEachMessage(messages, [&](const nlmsghdr& nlh) {
    if (data || nlh.nlmsg_type < NLMSG_MIN_TYPE) return;
    AttrTable<ETHTOOL_A_MODULE_EEPROM_MAX> t;
    if (!ParseMessageAttrs(&nlh, GENL_HDRLEN, t) || !t[ETHTOOL_A_MODULE_EEPROM_DATA]) return;
    Bytes p = Payload(t[ETHTOOL_A_MODULE_EEPROM_DATA]);
    data.emplace(p.begin(), p.end());
  });
  if (!r) return r.error();
  if (!data) return MakeError(Error::Code::kProtocol, "module EEPROM: reply without data");
  return std::move(*data);
}

std::optional<ModuleDiagnostics> ParseSff8472(Bytes a0, Bytes a2) {
  if (a0.size() < 96 || a2.size() < 106) return std::nullopt;
  // A0h byte 92, diagnostic monitoring type: bit 6 implemented, bit 5
  // internally calibrated, bit 4 externally (needs calibration constants).
  std::uint8_t ddm = U8(a0, 92);
  if (!(ddm & 0x40) || !(ddm & 0x20)) return std::nullopt;
  ModuleDiagnostics d;
  d.identifier = U8(a0, 0);
  d.rx_power_mw = PowerMw(Be16At(a2, 104));           // A2h 104-105: measured Rx power
  d.rx_power_low_alarm_mw = PowerMw(Be16At(a2, 34));  // A2h 34-35: Rx power low alarm
  return d;
}

std::optional<ModuleDiagnostics> ParseSff8636(Bytes lower, Bytes page3) {
  if (lower.size() < 36) return std::nullopt;
  ModuleDiagnostics d;
  d.identifier = U8(lower, 0);
  d.rx_power_mw = PowerMw(Be16At(lower, 34));  // bytes 34-35: Rx1 power
  // Page 03h bytes 176-177 Rx power high alarm, 178-179 low alarm.
  if (page3.size() >= 52) d.rx_power_low_alarm_mw = PowerMw(Be16At(page3, 178 - 128));
  return d;
}

Result<std::map<int, ModuleDiagnostics>> ReadModuleDiagnostics(
    const std::vector<ModuleTarget>& targets, std::chrono::milliseconds timeout) {
  std::map<int, ModuleDiagnostics> out;
  auto genl = NetlinkSocket::Open(NETLINK_GENERIC, timeout);
  if (!genl) return genl.error();
  auto family = ResolveFamily(*genl, "ethtool");
  if (!family) {
    if (family.error().code == Error::Code::kUnavailable)
      return MakeError(Error::Code::kUnavailable, "kernel without ethtool netlink (Linux 5.6+)");
    return family.error();
  }
  for (const auto& t : targets) {
    // Any error here (EOPNOTSUPP, ENODEV, EINVAL from a driver without the
    // page API, EIO with no module plugged) means "no diagnostics", except
    // EPERM, which would hide them all.
    auto lower = ReadEeprom(*genl, *family, t.ifindex, {0x50, 0, 0});
    if (!lower) {
      if (lower.error().code == Error::Code::kPermissionDenied) return lower.error();
      continue;
    }
    if (lower->empty()) continue;
    std::uint8_t id = static_cast<std::uint8_t>((*lower)[0]);
    std::optional<ModuleDiagnostics> d;
    if (id == 0x03) {  // SFP/SFP+/SFP28 (SFF-8024)
      auto a2 = ReadEeprom(*genl, *family, t.ifindex, {0x51, 0, 0});
      if (a2) d = ParseSff8472(*lower, *a2);
    } else if (id == 0x0c || id == 0x0d || id == 0x11) {  // QSFP, QSFP+, QSFP28
      std::vector<std::byte> page3;
      const bool flat = lower->size() > 2 && (static_cast<std::uint8_t>((*lower)[2]) & 0x04);
      if (!flat)
        if (auto p = ReadEeprom(*genl, *family, t.ifindex, {0x50, 3, kHalfPage})) page3 = std::move(*p);
      d = ParseSff8636(*lower, page3);
    }
    if (d) out[t.ifindex] = *d;
  }
  return out;
}

}  // namespace edgediag::netlink
