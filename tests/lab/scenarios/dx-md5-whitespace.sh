#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The VIF's authKey ends with a space (pasted when the VIF was created); the
# router holds the key without it.  FRR cannot carry a trailing space in a
# configuration line, so the Amazon end is a listener holding the VIF's exact
# key bytes.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" "authKey=lab-Key-0001 "
CUST_KEY=lab-Key-0001
AWS_SPEAKER=md5-listener
dx_setup "$LAB/vif.json"
prove 20 "TCPMD5Failure counts on the Amazon side" tcpext_above aws TCPMD5Failure 0
prove_no_session
run_dx
assert_report dx-vif
