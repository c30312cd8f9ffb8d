#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Healthy WireGuard tunnel: `vpn --probe` (target derived from aws's
# single-host AllowedIPs 10.100.0.2/32) gets replies and reports wg.ok.
. "$(dirname "$0")/../lib.sh"
lab_start
wg_pair
prove 15 "10.2.0.1 answers through wg0" nsx customer ping -c1 -W2 -q 10.2.0.1
prove 5 "handshake done" wg_handshaken customer wg0 "$(wg_pub aws)"
run_wg --probe --save-snapshot "$LAB/snap.json"
probe=$(jq -c '[.probes[] | {target, source, origin, sent, received}]' "$LAB/snap.json")
log "probes: $probe"
jq -e '[.probes[] | select(.target == "10.100.0.2" and .source == "10.100.0.1" and .origin == "derived" and .received > 0)] | length == 1' \
  "$LAB/snap.json" >/dev/null || { log "ASSERT FAILED: no answered probe to 10.100.0.2"; exit 1; }
assert_report 'wg-peer|wg-interface'
