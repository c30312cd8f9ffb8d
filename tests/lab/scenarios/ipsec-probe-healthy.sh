#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Healthy IKEv2 tunnel: `vpn --probe` through the CHILD SA "lan" from
# 10.1.0.1 (inside the local selector) to the operator's 10.2.0.1 gets
# replies, and the connection is ipsec.ok.
. "$(dirname "$0")/../lib.sh"
lab_start
ipsec_pair
prove 30 "CHILD SA INSTALLED" child_installed customer
prove 10 "10.2.0.1 answers through the tunnel" nsx customer ping -c1 -W2 -q -I 10.1.0.1 10.2.0.1
run_ipsec --probe --probe-target lan=10.2.0.1 --save-snapshot "$LAB/snap.json"
log "probes: $(jq -c '[.probes[] | {tunnel, child, target, source, origin, sent, received}]' "$LAB/snap.json")"
jq -e '[.probes[] | select(.child == "lan" and .source == "10.1.0.1" and .received > 0 and (.df | not))] | length == 1' \
  "$LAB/snap.json" >/dev/null || { log "ASSERT FAILED: no answered probe through CHILD lan"; exit 1; }
# The path-MTU ladder: a DF echo at the size the router allows (its MTU
# after ESP, once it refused the LAN's 1500) is answered: no ipsec.mtu.
log "DF probes: $(jq -c '[.probes[] | select(.df) | {size, sent, received, mtu, detail}]' "$LAB/snap.json")"
jq -e '[.probes[] | select(.df and .received > 0 and .size > 1400)] | length == 1' \
  "$LAB/snap.json" >/dev/null || { log "ASSERT FAILED: no full-size DF probe answered"; exit 1; }
assert_report ipsec-connection
