#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router runs AS 65001; the VIF says the customer ASN is 65000.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_ASN=65001
dx_setup "$LAB/vif.json"
bad_peer_as() { bgp_json aws "$AWS_PEER" | grep -q 'Bad Peer AS'; }
prove 30 "AWS rejects the OPEN: NOTIFICATION Bad Peer AS" bad_peer_as
prove_no_session
run_dx
assert_report dx-vif
