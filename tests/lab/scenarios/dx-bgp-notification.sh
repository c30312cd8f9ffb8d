#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router matches the VIF, but AWS shuts the BGP session down
# (administratively, as during a VIF deletion or maintenance): the customer
# receives NOTIFICATION Cease 6/2 and the session stays Idle.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
dx_setup "$LAB/vif.json"
prove 40 "BGP Established first" bgp_established customer "$CUST_PEER"
vtysh_in aws -c 'configure terminal' -c "router bgp $(vif_get "$VIF" amazonSideAsn)" \
  -c "neighbor $AWS_PEER shutdown message edgediag-lab maintenance" >/dev/null
got_cease() {
  bgp_json customer "$CUST_PEER" |
    jq -e '.lastErrorCodeSubcode == "0602" and (.lastResetDueTo | test("received"))
           and .bgpState != "Established"' >/dev/null
}
prove 20 "the router received Cease 6/2 (Administrative Shutdown) and is not Established" got_cease
run_dx
assert_report dx-vif
