#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router's BGP MD5 key differs from the VIF's authKey.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_KEY=lab-Key-0002
dx_setup "$LAB/vif.json"
prove 20 "TCPMD5Failure counts on the Amazon side" tcpext_above aws TCPMD5Failure 0
prove_no_session
run_dx
assert_report dx-vif
