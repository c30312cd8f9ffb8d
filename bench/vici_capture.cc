// What bench/vici-bench.sh times: edgediag's strongSwan capture (connect,
// version, list-conns, list-sas, mapping into the Snapshot) on one socket.
//   vici_capture SOCKET [--json]
// --json prints the captured connections and IKE SAs as the snapshot JSON
// has them, for comparing with `swanctl --list-conns/--list-sas --raw`.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "plugin/capture.h"
#include "plugin/snapshot_json.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::strcmp(argv[2], "--json") != 0)) {
    std::fprintf(stderr, "usage: vici_capture SOCKET [--json]\n");
    return 64;
  }
  edgediag::plugin::CaptureOptions options;
  options.vici_socket = argv[1];
  options.timeout_ms = 10000;
  edgediag::plugin::Snapshot snapshot;
  edgediag::plugin::CaptureIpsec(snapshot, options);
  const auto& status = snapshot.Source(edgediag::plugin::kSourceVici);
  if (status.state != edgediag::plugin::SourceState::kOk) {
    std::fprintf(stderr, "vici: %s\n", status.reason.c_str());
    return 1;
  }
  if (argc == 3) {
    const auto doc = edgediag::plugin::SnapshotToJson(snapshot);
    std::cout << nlohmann::json{{"ipsec_connections", doc["ipsec_connections"]},
                                {"ike_sas", doc["ike_sas"]}}
                     .dump(1)
              << "\n";
    return 0;
  }
  std::size_t children = 0;
  for (const auto& ike : snapshot.ike_sas) children += ike.child_sas.size();
  std::printf("%zu connections, %zu IKE SAs, %zu CHILD SAs\n", snapshot.ipsec_connections.size(),
              snapshot.ike_sas.size(), children);
  return 0;
}
