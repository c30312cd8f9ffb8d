#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The VIF has no gateway (no VGW, no Direct Connect gateway association): the
# session comes up, and AWS announces nothing.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up virtualGatewayId= directConnectGatewayId=
dx_setup "$LAB/vif.json"
prove 40 "BGP Established with the Amazon peer" bgp_established customer "$CUST_PEER"
up_30s() { bgp_json customer "$CUST_PEER" | jq -e '(.bgpTimerUpMsec // 0) >= 30000' >/dev/null; }
prove 60 "the session stays up for 30 s" up_30s
nothing_in() { bgp_json customer "$CUST_PEER" | jq -e '.addressFamilyInfo.ipv4Unicast.acceptedPrefixCounter == 0' >/dev/null; }
prove 5 "0 prefixes accepted from AWS" nothing_in
prove 5 "no route to the VPC" not sh -c "ip netns exec customer ip route show 10.2.0.0/16 | grep -q ."
run_dx --timeout 20000 --deadline 60
assert_report dx-vif
