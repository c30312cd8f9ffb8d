#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Public VIF approved for 10.100.0.0/24 only; the router also sends
# 10.100.1.0/24, which AWS's prefix-list drops.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up virtualInterfaceType=public amazonSideAsn=7224 \
  amazonAddress=203.0.113.1/30 customerAddress=203.0.113.2/30 routeFilterPrefixes=10.100.0.0/24
dx_setup "$LAB/vif.json"
prove 40 "BGP Established with the Amazon peer" bgp_established customer "$CUST_PEER"
advertises() {
  vtysh_in customer -c "show bgp ipv4 unicast neighbors $CUST_PEER advertised-routes json" 2>/dev/null |
    jq -e --arg p "$1" '.advertisedRoutes | has($p)' >/dev/null
}
prove 20 "the router advertises 10.100.1.0/24 to AWS" advertises 10.100.1.0/24
aws_has() { vtysh_in aws -c "show bgp ipv4 unicast $1 json" 2>/dev/null | jq -e '(.paths // []) | length > 0' >/dev/null; }
prove 10 "AWS accepts the approved 10.100.0.0/24" aws_has 10.100.0.0/24
prove_holds 3 "AWS ignores the unapproved 10.100.1.0/24" not aws_has 10.100.1.0/24
run_dx --timeout 20000 --deadline 60
assert_report dx-vif
