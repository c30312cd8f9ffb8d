#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# A healthy dual-stack VIF: both sessions Established, one subject, dx.ok.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
dx_setup "$LAB/vif.json"
dx_add_ipv6 2001:db8:1::1/125 2001:db8:1::2/125
prove 40 "the IPv4 session is Established" bgp_established customer "$CUST_PEER"
prove 40 "the IPv6 session is Established" bgp_established customer "$CUST_PEER6"
run_dx
assert_report dx-vif
