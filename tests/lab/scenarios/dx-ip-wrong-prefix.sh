#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# VIF: Amazon 169.254.0.1/29, customer 169.254.0.6/29; the router has .6/30,
# a subnet without the Amazon address.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" customerAddress=169.254.0.6/29
CUST_ADDR=169.254.0.6/30
dx_setup "$LAB/vif.json"
no_route() { ! nsx customer ip route get "$CUST_PEER" >/dev/null 2>&1; }
prove 5 "the router has no route to the Amazon address" no_route
prove_no_session
run_dx
assert_report dx-vif
