#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Zero-config (no VIF file): AWS shuts the session down (Cease 6/2); the
# NOTIFICATION names the cause without any AWS description.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
dx_setup "$LAB/vif.json"
prove 40 "BGP Established first" bgp_established customer "$CUST_PEER"
vtysh_in aws -c 'configure terminal' -c "router bgp $(vif_get "$VIF" amazonSideAsn)" \
  -c "neighbor $AWS_PEER shutdown" >/dev/null
got_cease() {
  bgp_json customer "$CUST_PEER" |
    jq -e '.lastErrorCodeSubcode == "0602" and .bgpState != "Established"' >/dev/null
}
prove 20 "the router received Cease 6/2 and is not Established" got_cease
run_dx_zero
assert_report dx-vif
