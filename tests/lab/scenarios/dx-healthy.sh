#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Healthy Direct Connect VIF: router configured exactly as the VIF says.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
dx_setup "$LAB/vif.json"
prove 40 "BGP Established with the Amazon peer" bgp_established customer "$CUST_PEER"
prove 10 "the Amazon prefix is learnt" sh -c "ip netns exec customer ip route show 10.2.0.0/16 | grep -q via"
run_dx
assert_report dx-vif
