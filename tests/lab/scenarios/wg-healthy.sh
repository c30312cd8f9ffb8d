#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Healthy WireGuard tunnel; traffic both ways.
. "$(dirname "$0")/../lib.sh"
lab_start
wg_pair
prove 15 "10.2.0.1 answers through wg0" nsx customer ping -c1 -W2 -q 10.2.0.1
prove 5 "handshake done" wg_handshaken customer wg0 "$(wg_pub aws)"
nsx customer ping -q -i 0.5 10.2.0.1 >/dev/null 2>&1 &
LAB_PIDS+=($!)
run_wg
assert_report 'wg-peer|wg-interface'
