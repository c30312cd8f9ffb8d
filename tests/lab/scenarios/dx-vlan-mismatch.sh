#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router's sub-interface carries VLAN 102; the VIF (and AWS) use 101.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_VLAN=102
dx_setup "$LAB/vif.json"
prove 20 "ARP for the Amazon address stays unresolved" neigh_unresolved customer "$CUST_PEER"
prove_no_session
run_dx
assert_report dx-vif
