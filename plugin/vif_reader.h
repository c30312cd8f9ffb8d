// Reads AWS Direct Connect virtual interfaces from the output of
// `aws directconnect describe-virtual-interfaces` (the whole response, or a
// single VirtualInterface object). authKey never outlives the parse: it is
// turned into KeyProperties with the snapshot's salt on the spot.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// Parses `text` (named `source` in errors). A malformed or incomplete VIF
/// fails with one line naming the source, the VIF and the field.
Result<std::vector<Vif>> ParseVifs(std::string_view text, std::string_view source,
                                   std::string_view salt);

/// Reads and parses one file.
Result<std::vector<Vif>> ReadVifFile(const std::string& path, std::string_view salt);

/// Every *.json in `dir`, in name order; a missing directory is no error.
/// A file that cannot be read or parsed (a FIFO, a bad JSON) goes to
/// `file_errors` and the others are still read; without `file_errors` the
/// first such error is returned.
Result<std::vector<Vif>> ReadVifDirectory(const std::string& dir, std::string_view salt,
                                          std::vector<Error>* file_errors = nullptr);

/// The BGP peerings of a VIF: bgpPeers when given, else one built from the
/// top-level fields (older responses and hand-written files).
std::vector<VifBgpPeer> Peerings(const Vif& vif);

}  // namespace edgediag::plugin
