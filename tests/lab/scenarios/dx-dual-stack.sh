#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# A dual-stack VIF: IPv4 and IPv6 sessions on one sub-interface, the IPv6
# one with the wrong MD5 key on the router. One subject; the finding names
# the IPv6 session, and the IPv4 one is not blamed.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
dx_setup "$LAB/vif.json"
CUST_KEY6=lab-Key-0006 dx_add_ipv6 2001:db8:1::1/125 2001:db8:1::2/125
prove 40 "the IPv4 session is Established" bgp_established customer "$CUST_PEER"
prove 20 "TCPMD5Failure counts on the Amazon side" tcpext_above aws TCPMD5Failure 0
sleep 2
bgp_never_established customer "$CUST_PEER6" || not_reproduced "the IPv6 session came up"
log "ok: the IPv6 session has never been Established"
run_dx
names_v6() {
  jq -e '[.subjects[] | select(.kind == "dx-vif")] | length == 1 and
         (.[0].findings[0].message | startswith("IPv6 session 2001:db8:1::1: "))' \
    "$LAB/report.json" >/dev/null
}
names_v6 || { log "ASSERT FAILED: one subject, first finding naming the IPv6 session"; exit 1; }
assert_report dx-vif
