#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Strict rp_filter on the VIF's sub-interface while the route back to the
# VPC (10.2.0.0/16) leaves through the LAN: the VPC's packets are dropped.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
dx_setup "$LAB/vif.json"
ip -n customer route add 10.2.0.0/16 via 10.1.0.2 dev lan0
ns_sysctl customer net.ipv4.conf.eth0/101.rp_filter=1 net.ipv4.conf.all.rp_filter=0
# A VPC host behind AWS's router, and a route back to the customer's LAN.
ip -n aws addr add 10.2.0.1/16 dev lo
ip -n aws route add 10.1.0.0/24 via "$AWS_PEER"
prove 40 "BGP Established with the Amazon peer" bgp_established customer "$CUST_PEER"
nsx aws ping -q -i 0.2 -I 10.2.0.1 10.1.0.1 >/dev/null 2>&1 &
LAB_PIDS+=($!)
rp_drops() { tcpext_above customer IPReversePathFilter 0; }
prove 20 "the customer's rp_filter drops the VPC's packets (IPReversePathFilter)" rp_drops
prove_holds 3 "the VPC host gets no answer" not reaches_from aws 10.2.0.1 10.1.0.1
run_dx --sample 2 --timeout 20000 --deadline 90 --save-snapshot "$LAB/snapshot.log"
assert_report dx-vif
