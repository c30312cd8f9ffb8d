#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The DX sub-interface in a VRF (VyOS style), the BGP session in that VRF,
# configured as the VIF says: dx.ok.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
CUST_VRF=vrf-dx
dx_setup "$LAB/vif.json"
in_vrf() { vtysh_in customer -c "show bgp vrf $CUST_VRF neighbors $CUST_PEER json" | jq -e --arg p "$CUST_PEER" '.[$p].bgpState == "Established"' >/dev/null; }
prove 40 "BGP Established inside VRF $CUST_VRF" in_vrf
prove 10 "the Amazon prefix is in the VRF's table" sh -c "ip netns exec customer ip route show vrf $CUST_VRF 10.2.0.0/16 | grep -q via"
run_dx
assert_report dx-vif
