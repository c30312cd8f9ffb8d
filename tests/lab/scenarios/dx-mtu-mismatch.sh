#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The sub-interface (and port) runs MTU 9001; the VIF is a 1500 VIF.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
CUST_MTU=9001
dx_setup "$LAB/vif.json"
prove 40 "BGP Established (small segments pass)" bgp_established customer "$CUST_PEER"
dfping() { nsx customer ping -c1 -W2 -q -M do -s "$1" "$CUST_PEER" >/dev/null 2>&1; }
prove 5 "a 1500-byte DF packet passes" dfping 1472
big_lost() { ! dfping 3000; }
prove 5 "a 3028-byte DF packet (fits the router's MTU) is lost" big_lost
run_dx
assert_report dx-vif
