#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The handshake works but data does not: aws's AllowedIPs for the customer
# lose 10.100.0.1/32, so aws drops every packet from that source silently.
# `vpn --probe` to the operator's target 10.100.0.2 gets no reply.
. "$(dirname "$0")/../lib.sh"
lab_start
wg_pair
prove 15 "10.2.0.1 answers through wg0" nsx customer ping -c1 -W2 -q 10.2.0.1
prove 5 "handshake done" wg_handshaken customer wg0 "$(wg_pub aws)"
nsx aws wg set wg0 peer "$(wg_pub customer)" allowed-ips 10.1.0.0/24
prove_holds 3 "pings from 10.100.0.1 get no reply" not nsx customer ping -c1 -W1 -q -I 10.100.0.1 10.100.0.2
young() { local t; t=$(wg_field customer wg0 "$(wg_pub aws)" latest-handshakes); [ $(( $(date +%s) - t )) -lt 170 ]; }
prove 1 "the handshake is still live" young
run_wg --probe --probe-target "$(wg_pub aws)=10.100.0.2"
assert_report 'wg-peer|wg-interface'
