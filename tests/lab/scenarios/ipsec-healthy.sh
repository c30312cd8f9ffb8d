#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Healthy IKEv2 tunnel 10.1.0.0/24 === 10.2.0.0/24, traffic both ways.
. "$(dirname "$0")/../lib.sh"
lab_start
ipsec_pair
prove 30 "CHILD SA INSTALLED" child_installed customer
prove 10 "10.2.0.1 answers through the tunnel" nsx customer ping -c1 -W2 -q -I 10.1.0.1 10.2.0.1
bytes_in() { [ "$(child_counter customer bytes-in)" -gt 0 ]; }
prove 5 "bytes-in rises on the customer's CHILD SA" bytes_in
nsx customer ping -q -i 0.5 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 &
LAB_PIDS+=($!)
run_ipsec
assert_report ipsec-connection
