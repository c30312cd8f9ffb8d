#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router has no network statement: Established, nothing sent to AWS.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
CUST_PREFIXES=0
dx_setup "$LAB/vif.json"
prove 40 "BGP Established with the Amazon peer" bgp_established customer "$CUST_PEER"
up_30s() { bgp_json customer "$CUST_PEER" | jq -e '(.bgpTimerUpMsec // 0) >= 30000' >/dev/null; }
prove 60 "the session stays up for 30 s" up_30s
aws_got_none() { bgp_json aws "$AWS_PEER" | jq -e '.addressFamilyInfo.ipv4Unicast.acceptedPrefixCounter == 0' >/dev/null; }
prove 5 "AWS accepted 0 prefixes from the router" aws_got_none
run_dx --timeout 20000 --deadline 60
assert_report dx-vif
