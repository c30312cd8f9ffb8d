#include "netlink/genl.h"

#include <linux/genetlink.h>

#include <array>
#include <optional>

#include "netlink/attr.h"

namespace edgediag::netlink {

Result<std::uint16_t> DecodeFamilyId(Bytes messages) {
  std::optional<std::uint16_t> id;
  Warnings w;
  auto r = ForEachMessage(messages, [&](const nlmsghdr& nlh) {
    if (id || nlh.nlmsg_type != GENL_ID_CTRL) return;
    AttrTable<CTRL_ATTR_MAX> t;
    if (!ParseMessageAttrs(&nlh, GENL_HDRLEN, t)) return;
    id = Scalar<std::uint16_t>(t[CTRL_ATTR_FAMILY_ID], w);
  });
  if (!r) return r.error();
  if (!id) return MakeError(Error::Code::kProtocol, "generic netlink: reply without a family id");
  return *id;
}

Result<std::uint16_t> ResolveFamily(NetlinkSocket& genl, const std::string& name) {
  std::array<std::byte, 256> buf{};
  if (name.size() > 64) return MakeError(Error::Code::kInvalidInput, "family name too long");
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = GENL_ID_CTRL;
  genlmsghdr g{};
  g.cmd = CTRL_CMD_GETFAMILY;
  g.version = 1;
  std::memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(g)), &g, sizeof(g));
  mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name.c_str());
  auto reply = genl.Request({buf.data(), nlh->nlmsg_len}, "generic netlink family " + name);
  if (!reply) return reply.error();
  return DecodeFamilyId(reply->bytes());
}

}  // namespace edgediag::netlink
