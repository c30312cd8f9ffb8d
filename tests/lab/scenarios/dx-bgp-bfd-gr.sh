#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# BFD toward the Amazon peer at 100 ms x 2 (AWS's minimum is 300 ms x 3),
# and graceful restart beside it, which AWS advises against: the session is
# Established and passes routes, and dx.bgp.timers must name both. (No bfdd
# runs: FRR's bgpd still shows the BFD settings it would ask for.)
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
dx_setup "$LAB/vif.json"
vtysh_in customer -c 'configure terminal' -c "router bgp $CUST_ASN" \
  -c 'bgp graceful-restart' -c "neighbor $CUST_PEER bfd 2 100 100" >/dev/null
vtysh_in customer -c "clear bgp $CUST_PEER" >/dev/null
bfd_fast_with_gr() {
  bgp_json customer "$CUST_PEER" |
    jq -e '.bgpState == "Established" and .peerBfdInfo.rxMinInterval == 100
           and .peerBfdInfo.detectMultiplier == 2
           and (.gracefulRestartInfo.localGrMode | startswith("Restart"))' >/dev/null
}
prove 40 "Established with BFD at 100 ms x 2 and graceful restart" bfd_fast_with_gr
run_dx
assert_report dx-vif
grep -q 'graceful' "$LAB/report.json" ||
  { log "ASSERT FAILED: the finding does not name graceful restart"; exit 1; }
