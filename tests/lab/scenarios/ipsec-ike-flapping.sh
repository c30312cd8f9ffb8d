#!/bin/bash
# shellcheck disable=SC2034  # IPSEC_* are read by lib.sh
# The far end deletes the IKE SA and brings it up again, over and over (as
# a peer whose DPD keeps failing, or that replaces the SA): an IKE SA
# re-established 3 or more times in 10 s.  Seen through charon's
# ike-updown events during `vpn --sample 10`.
# The customer re-initiates at once when the peer closes it (close_action
# start), and the far end deletes each IKE SA as soon as it exists: one
# cycle every 2-3 s in the VM (a terminate-then-initiate loop on one side
# alone managed only one every 5 s).
. "$(dirname "$0")/../lib.sh"
lab_start
IPSEC_CUST_CHILD='        close_action = start'
ipsec_pair
prove 30 "IKE SA ESTABLISHED" ike_established customer
flap() {
  while true; do
    swanctl_in aws --terminate --ike customer --timeout 3 >/dev/null 2>&1 || sleep 0.2
  done
}
flap &
LAB_PIDS+=($!)
ups() { grep -c 'IKE_SA aws\[[0-9]*\] established' "$LAB/customer/ipsec/charon.log" || true; }
flapping() { local a b; a=$(ups); sleep 10; b=$(ups); log "IKE SA established $((b - a)) times in 10 s"; [ $((b - a)) -ge 3 ]; }
prove 25 "the IKE SA is re-established 3+ times in 10 s (charon's own log)" flapping
run_ipsec --sample 10
assert_report ipsec-connection
