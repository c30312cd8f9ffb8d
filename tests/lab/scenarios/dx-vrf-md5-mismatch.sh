#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The DX sub-interface and BGP in a VRF; the router's MD5 key differs from
# the VIF's. The key sits on bgpd's VRF-bound sockets.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_VRF=vrf-dx
CUST_KEY=lab-Key-0002
dx_setup "$LAB/vif.json"
md5_counts() { tcpext_above aws TCPMD5Failure 0 || tcpext_above customer TCPMD5Unexpected 0 || tcpext_above customer TCPMD5Failure 0; }
prove 20 "TCP-MD5 counters count the mismatch" md5_counts
sleep 2
never() { vtysh_in customer -c "show bgp vrf $CUST_VRF neighbors $CUST_PEER json" | jq -e --arg p "$CUST_PEER" '.[$p].bgpState != "Established" and (.[$p].connectionsEstablished // 0) == 0' >/dev/null; }
never || not_reproduced "BGP was Established"
log "ok: BGP in $CUST_VRF has never been Established"
run_dx
assert_report dx-vif
