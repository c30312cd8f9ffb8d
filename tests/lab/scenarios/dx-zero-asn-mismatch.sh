#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Zero-config (no VIF file): the router runs AS 65001, AWS expects 65000 and
# answers the OPEN with NOTIFICATION 2/2 Bad Peer AS: the router's AS is the
# cause (AWS's value unknown), named dx.asn.local-mismatch.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_ASN=65001
dx_setup "$LAB/vif.json"
bad_peer_as() {
  bgp_json customer "$CUST_PEER" |
    jq -e '.lastErrorCodeSubcode == "0202" and (.lastResetDueTo | test("received"))' >/dev/null
}
prove 30 "the router received NOTIFICATION 2/2 Bad Peer AS" bad_peer_as
prove_no_session
run_dx_zero
assert_report dx-vif
