#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Plain FRR's default ebgp-requires-policy and no route-map toward AWS: the
# session is Established and nothing is accepted or sent ("(Policy)").
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
CUST_REQUIRE_POLICY=1
dx_setup "$LAB/vif.json"
prove 40 "BGP Established with the Amazon peer" bgp_established customer "$CUST_PEER"
policy_shown() { vtysh_in customer -c 'show bgp summary' 2>/dev/null | grep -q '(Policy)'; }
prove 10 "show bgp summary says (Policy)" policy_shown
prove 5 "no route to the VPC" not sh -c "ip netns exec customer ip route show 10.2.0.0/16 | grep -q ."
run_dx --timeout 20000 --deadline 60
assert_report dx-vif
