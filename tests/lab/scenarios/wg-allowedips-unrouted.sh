#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The peer's AllowedIPs include 10.2.0.0/24 but no route sends it into wg0.
. "$(dirname "$0")/../lib.sh"
lab_start
WG_NO_ROUTE=1
wg_pair
prove 15 "the peer answers on the tunnel address" nsx customer ping -c1 -W2 -q 10.100.0.2
unrouted() { ! nsx customer ip route get 10.2.0.1 2>/dev/null | grep -q 'dev wg0'; }
prove 3 "10.2.0.0/24 is not routed into wg0" unrouted
prove 5 "10.2.0.1 does not answer" not nsx customer ping -c1 -W2 -q 10.2.0.1
run_wg
assert_report 'wg-peer|wg-interface'
