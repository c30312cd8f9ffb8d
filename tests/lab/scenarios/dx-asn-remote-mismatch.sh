#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router expects the Amazon side as AS 64513; the VIF says 64512.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_REMOTE_AS=64513
dx_setup "$LAB/vif.json"
bad_peer_as() { bgp_json customer "$CUST_PEER" | grep -q 'Bad Peer AS'; }
prove 30 "the router rejects AWS's OPEN: NOTIFICATION Bad Peer AS" bad_peer_as
prove_no_session
run_dx
assert_report dx-vif
