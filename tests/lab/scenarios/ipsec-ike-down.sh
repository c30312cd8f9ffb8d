#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The remote is unreachable for IKE (UDP 500/4500 dropped at the far end):
# the connection is configured, no IKE SA comes up.
. "$(dirname "$0")/../lib.sh"
lab_start
nft_drop_ike() { nft_drop aws ike udp dport '{ 500, 4500 }'; }
ns_add customer aws   # the drop must be in place before charon starts
nft_drop_ike
ipsec_pair
prove 15 "IKE packets from the customer are dropped at the far end" nft_count_above aws ike 0
no_ike() { ! ike_established customer; }
prove_holds 5 "no IKE SA is ESTABLISHED" no_ike
run_ipsec
assert_report ipsec-connection
