#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The router is configured exactly as the VIF says (VLAN 101), but the carrier
# in between translates VLAN 101 to 102 toward AWS.  The router cannot see the
# carrier's tags: ARP for the Amazon peer never resolves.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CARRIER="retag 101 102"
dx_setup "$LAB/vif.json"
rx0=$(nsx aws cat /sys/class/net/eth0/statistics/rx_packets)
prove 20 "ARP for the Amazon address stays unresolved" neigh_unresolved customer "$CUST_PEER"
rx_grew() { [ "$(nsx aws cat /sys/class/net/eth0/statistics/rx_packets)" -gt "$rx0" ]; }
prove 10 "the carrier delivers the customer's frames to AWS (retagged)" rx_grew
prove_no_session
run_dx
assert_report dx-vif
