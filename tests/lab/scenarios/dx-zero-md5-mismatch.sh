#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Zero-config (no VIF file): the router's MD5 key differs from AWS's. The
# TCP-MD5 counters rise over the --sample window while the keyed session
# sits in Connect/Active: that is the cause, without AWS's key to compare.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_KEY=lab-Key-0002
dx_setup "$LAB/vif.json"
prove 20 "TCPMD5Failure counts on the Amazon side" tcpext_above aws TCPMD5Failure 0
md5_rising() {
  local a b; a=$(tcpext aws TCPMD5Failure); sleep 3; b=$(tcpext aws TCPMD5Failure); [ "$b" -gt "$a" ]
}
prove 10 "the MD5 counters keep rising" md5_rising
prove_no_session
run_dx_zero --sample 4
assert_report dx-vif
