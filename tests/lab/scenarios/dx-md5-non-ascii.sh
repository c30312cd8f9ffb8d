#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router's key has a no-break space (U+00A0, bytes C2 A0) pasted into it.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_KEY="lab-Key-$(printf '\302\240')0001"
dx_setup "$LAB/vif.json"
prove 20 "TCPMD5Failure counts on the Amazon side" tcpext_above aws TCPMD5Failure 0
prove_no_session
run_dx
assert_report dx-vif
