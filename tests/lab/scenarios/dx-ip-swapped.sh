#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Addresses swapped: the router holds the Amazon address and peers with the
# customer address.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_ADDR=169.254.0.1/29
CUST_PEER=169.254.0.2
dx_setup "$LAB/vif.json"
prove 20 "nobody answers for the peer the router was given" neigh_unresolved customer "$CUST_PEER"
prove_no_session
run_dx
assert_report dx-vif
