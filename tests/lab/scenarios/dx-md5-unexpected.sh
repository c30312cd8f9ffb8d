#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router signs its BGP segments; the VIF (and AWS) has no key.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" authKey=
CUST_KEY=lab-Key-0001
dx_setup "$LAB/vif.json"
prove 20 "TCPMD5Unexpected counts on the Amazon side" tcpext_above aws TCPMD5Unexpected 0
prove_no_session
run_dx
assert_report dx-vif
