#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router's BGP hold time is 0 (no keepalives, a dead peer never
# detected): AWS does not accept it (minimum 3 s). The lab's AWS end is FRR,
# which agrees to 0, so the session comes up with hold time 0.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
dx_setup "$LAB/vif.json"
vtysh_in customer -c 'configure terminal' -c "router bgp $CUST_ASN" \
  -c "neighbor $CUST_PEER timers 0 0" >/dev/null
vtysh_in customer -c "clear bgp $CUST_PEER" >/dev/null
hold_zero() {
  bgp_json customer "$CUST_PEER" |
    jq -e '.bgpState == "Established" and .bgpTimerHoldTimeMsecs == 0
           and .bgpTimerConfiguredHoldTimeMsecs == 0' >/dev/null
}
prove 40 "Established with a negotiated hold time of 0" hold_zero
run_dx
assert_report dx-vif
