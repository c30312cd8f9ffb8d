#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The far end drops ESP: the CHILD SA is INSTALLED, bytes-out rises, bytes-in
# stays flat.
. "$(dirname "$0")/../lib.sh"
lab_start
ipsec_pair
nft_drop aws esp-in ip protocol esp
prove 30 "CHILD SA INSTALLED" child_installed customer
nsx customer ping -q -i 0.3 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 &
LAB_PIDS+=($!)
out_up() { [ "$(child_counter customer bytes-out)" -gt 0 ]; }
prove 10 "bytes-out rises" out_up
prove 10 "AWS drops the ESP packets" nft_count_above aws esp-in 0
in_flat() { [ "$(child_counter customer bytes-in)" = 0 ]; }
prove_holds 3 "bytes-in stays at 0" in_flat
run_ipsec
assert_report ipsec-connection
