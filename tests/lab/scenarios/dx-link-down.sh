#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The parent port has no carrier (the far end of the cable is down).
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json"
CUST_PORT_DOWN=1
dx_setup "$LAB/vif.json"
no_carrier() { [ "$(nsx customer cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ]; }
prove 5 "eth0 has no carrier" no_carrier
prove_no_session
run_dx
assert_report dx-vif
