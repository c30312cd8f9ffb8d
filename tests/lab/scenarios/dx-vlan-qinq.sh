#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Q-in-Q toward AWS: the router stacks its 802.1Q VLAN 101 inside an 802.1ad
# tag 300 (AWS supports 802.1Q only).
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_OUTER=300
dx_setup "$LAB/vif.json"
prove 20 "ARP for the Amazon address stays unresolved" neigh_unresolved customer "$CUST_PEER"
prove_no_session
run_dx
assert_report dx-vif
