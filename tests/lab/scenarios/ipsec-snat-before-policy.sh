#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The customer router masquerades everything leaving eth0, tunnel traffic
# included (no IPsec exemption): LAN traffic to 10.2.0.0/24 leaves NATed and
# unencrypted, the CHILD SA carries nothing, AWS drops the cleartext.
. "$(dirname "$0")/../lib.sh"
lab_start
IPSEC_LAN=1
ipsec_pair
nat_masquerade customer eth0
nft_drop aws clear-to-lan ip daddr 10.2.0.0/24 meta ipsec missing
prove 30 "CHILD SA INSTALLED" child_installed customer
nsx lan ping -q -i 0.3 10.2.0.1 >/dev/null 2>&1 &
LAB_PIDS+=($!)
prove 10 "LAN traffic reaches AWS in cleartext (and is dropped)" nft_count_above aws clear-to-lan 0
out_flat() { [ "$(child_counter customer bytes-out)" = 0 ]; }
prove_holds 3 "the CHILD SA carries nothing out" out_flat
lan_fails() { ! nsx lan ping -c1 -W2 -q 10.2.0.1; }
prove 5 "the LAN cannot reach 10.2.0.1" lan_fails
run_ipsec
assert_report ipsec-connection
