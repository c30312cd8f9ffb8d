#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# A leftover kernel route for the VPC's 10.2.0.0/16 toward the LAN: BGP
# learns the prefix from AWS, zebra prefers the kernel route, traffic to the
# VPC does not take the VIF.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
dx_setup "$LAB/vif.json"
ip -n customer route add 10.2.0.0/16 via 10.1.0.2 dev lan0
prove 40 "BGP Established with the Amazon peer" bgp_established customer "$CUST_PEER"
learnt() { vtysh_in customer -c 'show bgp ipv4 unicast 10.2.0.0/16 json' 2>/dev/null | jq -e '.paths | length > 0' >/dev/null; }
prove 20 "BGP has AWS's 10.2.0.0/16" learnt
prove_holds 3 "the kernel sends 10.2.0.0/16 to the LAN, not the VIF" sh -c \
  "ip netns exec customer ip route get 10.2.0.1 | grep -q 'dev lan0'"
run_dx --timeout 20000 --deadline 60
assert_report dx-vif
