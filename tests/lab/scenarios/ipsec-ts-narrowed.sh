#!/bin/bash
# shellcheck disable=SC2034  # IPSEC_* are read by lib.sh
# The far end accepts only 10.1.0.0/25 of the customer's 10.1.0.0/24: the
# responder narrows the CHILD SA, it comes up INSTALLED, and traffic from
# 10.1.0.128/25 has no tunnel.
. "$(dirname "$0")/../lib.sh"
lab_start
IPSEC_AWS_REMOTE_TS=10.1.0.0/25
ipsec_pair
prove 30 "CHILD SA INSTALLED" child_installed customer
narrowed() { sas_raw customer | grep -q '10\.1\.0\.0/25'; }
prove 5 "the installed CHILD SA covers only 10.1.0.0/25 (configured 10.1.0.0/24)" narrowed
log "installed: $(sas_raw customer | grep -o 'local-ts=[^ ]*' | head -n1)"
run_ipsec
assert_report ipsec-connection
