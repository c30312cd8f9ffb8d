#!/bin/bash
# shellcheck disable=SC2034  # IPSEC_* are read by lib.sh
# Configured but absent, by design: an on-demand (trap) CHILD with no
# traffic yet, a passthrough shunt and a drop shunt.  None is a tunnel
# down: nothing critical or warning.  Also records what strongSwan 5.9.8
# reports about start_action (list-conns) and the policies (list-policies).
. "$(dirname "$0")/../lib.sh"
lab_start
IPSEC_CUST_START=trap
IPSEC_CUST_MORE='  bypass {
    remote_addrs = 127.0.0.1
    children {
      lan-local {
        local_ts = 10.1.0.0/24
        remote_ts = 10.1.0.0/24
        mode = pass
        start_action = trap
      }
    }
  }
  blocked {
    remote_addrs = 127.0.0.1
    children {
      quarantine {
        local_ts = 10.1.0.0/24
        remote_ts = 198.51.100.0/24
        mode = drop
        start_action = trap
      }
    }
  }'
ipsec_pair
pols() { swanctl_in customer --list-pols --raw 2>/dev/null; }
trapped() { pols | grep -qi 'mode=tunnel' && pols | grep -qi 'mode=pass' && pols | grep -qi 'mode=drop'; }
prove 15 "trap, pass and drop policies installed (swanctl --list-pols)" trapped
no_ike() { ! ike_established customer; }
prove_holds 3 "no IKE SA: the trap waits for traffic" no_ike
log "list-pols: $(pols | tr '\n' ' ' | head -c 900)"
log "list-conns child keys (5.9.8): $(swanctl_in customer --list-conns --raw 2>/dev/null | grep -o 'lan {[^}]*}' | head -c 600)"
run_ipsec
assert_report ipsec-connection
