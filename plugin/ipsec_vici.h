// strongSwan's VICI replies -> Snapshot values. Pure: works on decoded
// messages (vici/message.h is header-only plain values, so this sits in
// edgediag_plugin_core without linking the vici socket library), and is
// tested on charon's recorded bytes.
#pragma once

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

}  // namespace edgediag::plugin
