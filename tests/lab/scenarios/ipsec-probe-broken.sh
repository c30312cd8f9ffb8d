#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The CHILD SA is INSTALLED and carried traffic, then the far end's firewall
# drops the decrypted echo requests from 10.1.0.0/24: the control plane is
# up, the data plane is not. `vpn --probe` to the operator's 10.2.0.1 gets
# no reply.
. "$(dirname "$0")/../lib.sh"
lab_start
ipsec_pair
prove 30 "CHILD SA INSTALLED" child_installed customer
prove 10 "10.2.0.1 answers through the tunnel" nsx customer ping -c1 -W2 -q -I 10.1.0.1 10.2.0.1
nft_drop aws icmp-in ip saddr 10.1.0.0/24 icmp type echo-request
prove_holds 3 "pings through the tunnel get no reply" not nsx customer ping -c1 -W1 -q -I 10.1.0.1 10.2.0.1
prove 5 "aws drops them after decryption" nft_count_above aws icmp-in 0
prove 1 "the CHILD SA is still INSTALLED" child_installed customer
run_ipsec --probe --probe-target aws=10.2.0.1
assert_report ipsec-connection
