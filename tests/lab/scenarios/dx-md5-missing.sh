#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The VIF (and AWS) has an MD5 key; the router has none.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_KEY=
dx_setup "$LAB/vif.json"
prove 20 "TCPMD5NotFound counts on the Amazon side" tcpext_above aws TCPMD5NotFound 0
prove_no_session
run_dx
assert_report dx-vif
