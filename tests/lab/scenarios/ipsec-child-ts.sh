#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# IKE comes up but the far end refuses the CHILD SA: its traffic selectors
# (10.2.0.0/24 === 10.9.0.0/24) do not cover 10.1.0.0/24 (TS_UNACCEPTABLE).
. "$(dirname "$0")/../lib.sh"
lab_start
IPSEC_AWS_REMOTE_TS=10.9.0.0/24
ipsec_pair
prove 30 "IKE SA ESTABLISHED" ike_established customer
ts_refused() { grep -q TS_UNACCEPTABLE "$LAB/customer/ipsec/charon.log"; }
prove 15 "the CHILD SA is refused: TS_UNACCEPTABLE" ts_refused
no_child() { ! child_installed customer; }
prove_holds 3 "no CHILD SA is INSTALLED" no_child
run_ipsec
assert_report ipsec-connection
