// strongSwan's VICI replies -> Snapshot values. Pure: works on decoded
// messages (vici/message.h is header-only plain values, so this sits in
// edgediag_plugin_core without linking the vici socket library), and is
// tested on charon's recorded bytes.
#pragma once

#include <string_view>
#include <vector>

#include "plugin/snapshot.h"
#include "vici/message.h"

namespace edgediag::plugin {

/// Counts fields present but malformed (e.g. a number that is not one): the
/// field is left unset and the rest of the message is still used.
struct ViciWarnings {
  int count = 0;
};

/// The connections of one `list-conn` event (one section per connection).
std::vector<IpsecConnection> ConnectionsFromListConn(const vici::Message& event,
                                                     ViciWarnings& warnings);

/// The IKE SAs (with their CHILD SAs) of one `list-sa` event.
std::vector<IkeSa> IkeSasFromListSa(const vici::Message& event, ViciWarnings& warnings);

/// The trap and shunt policies of one `list-policy` event.
std::vector<IpsecPolicy> PoliciesFromListPolicy(const vici::Message& event,
                                                ViciWarnings& warnings);

/// What one ike-updown, child-updown, ike-rekey or child-rekey event says,
/// one IpsecEvent per CHILD SA for the child-* events (at_ms left 0).
/// Other event names give nothing.
std::vector<IpsecEvent> EventsFromMessage(std::string_view name, const vici::Message& event,
                                          ViciWarnings& warnings);

}  // namespace edgediag::plugin
