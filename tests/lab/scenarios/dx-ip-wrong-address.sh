#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router has 169.254.0.3/29; the VIF's customer address is .2/29.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_ADDR=169.254.0.3/29
dx_setup "$LAB/vif.json"
prove 10 "the Amazon peer answers ARP/ping (same subnet)" reaches customer "$CUST_PEER"
prove 20 "the Amazon side cannot resolve the VIF's customer address" neigh_unresolved aws "$AWS_PEER"
prove_no_session
run_dx
assert_report dx-vif
