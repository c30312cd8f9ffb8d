#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router advertises 120 prefixes on a private VIF (limit 100).
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_PREFIXES=120
dx_setup "$LAB/vif.json"
overflow() { bgp_json aws "$AWS_PEER" | grep -Eq 'Maximum Number of Prefixes|"lastErrorCodeSubcode":"0601"'; }
prove 40 "AWS tears the session down: Cease, maximum number of prefixes" overflow
prove_holds 3 "BGP is not Established" bgp_not_established customer "$CUST_PEER"
run_dx
assert_report dx-vif
