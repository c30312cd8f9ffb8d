#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The customer has the wrong public key for its peer: interface up, latest
# handshake 0, rx 0, tx > 0.
. "$(dirname "$0")/../lib.sh"
lab_start
wg_key other
WG_CUST_AWS_PUB=$(wg_pub other)
wg_pair
nsx customer ping -q -i 0.5 10.2.0.1 >/dev/null 2>&1 &
LAB_PIDS+=($!)
tx_up() { [ "$(wg_field customer wg0 "$WG_CUST_AWS_PUB" transfer-tx)" -gt 0 ]; }
prove 15 "handshake initiations are sent (tx > 0)" tx_up
no_hs() { [ "$(wg_field customer wg0 "$WG_CUST_AWS_PUB" latest-handshakes)" = 0 ] &&
          [ "$(wg_field customer wg0 "$WG_CUST_AWS_PUB" transfer-rx)" = 0 ]; }
prove_holds 6 "no handshake, nothing received" no_hs
run_wg
assert_report 'wg-peer|wg-interface'
