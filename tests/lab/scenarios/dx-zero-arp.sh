#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Zero-config (no VIF file): the carrier translates VLAN 101 to 102; ARP for
# the Amazon peer never resolves. Discovery still finds the peer and names
# dx.arp.unresolved.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CARRIER="retag 101 102"
dx_setup "$LAB/vif.json"
prove 20 "ARP for the Amazon address stays unresolved" neigh_unresolved customer "$CUST_PEER"
prove_no_session
run_dx_zero
assert_report dx-vif
