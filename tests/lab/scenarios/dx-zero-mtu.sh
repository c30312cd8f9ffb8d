#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Zero-config (no VIF file): the router's sub-interface (and port) has MTU
# 9000, which no VIF offers (AWS: 1500, 8500, 9001); the VIF is 1500, so
# full-size frames are lost while BGP is Established.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_MTU=9000
dx_setup "$LAB/vif.json"
prove 40 "BGP Established" bgp_established customer "$CUST_PEER"
prove 10 "the Amazon peer answers a small ping" reaches customer "$CUST_PEER"
big_lost() { ! nsx customer ping -c1 -W2 -M do -s 8972 -q "$CUST_PEER" >/dev/null 2>&1; }
prove 10 "a 9000-byte DF ping is lost" big_lost
run_dx_zero
assert_report dx-vif
