#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Two peers on wg0 with overlapping AllowedIPs: aws 10.2.0.0/16 and site2
# 10.2.0.0/24.  Traffic for 10.2.0.1 goes to site2, not to AWS.
. "$(dirname "$0")/../lib.sh"
lab_start
WG_CUST_ALLOWED=10.100.0.2/32,10.2.0.0/16
wg_pair
ns_add site2
veth customer eth1 site2 eth0
addr customer eth1 192.0.3.1/24
addr site2 eth0 192.0.3.2/24
wg_key site2
wg_dev site2 wg0 site2 51820 10.100.0.3/24
wg_peer site2 wg0 "$(wg_pub customer)" 10.100.0.1/32 192.0.3.1:51820
wg_peer customer wg0 "$(wg_pub site2)" 10.100.0.3/32,10.2.0.0/24 192.0.3.2:51820
prove 15 "AWS peer answers (10.100.0.2)" nsx customer ping -c1 -W2 -q 10.100.0.2
prove 15 "site2 peer answers (10.100.0.3)" nsx customer ping -c1 -W2 -q 10.100.0.3
site2_tx() { wg_field customer wg0 "$(wg_pub site2)" transfer-tx; }
tx0=$(site2_tx)
nsx customer ping -q -i 0.5 10.2.0.1 >/dev/null 2>&1 &
LAB_PIDS+=($!)
to_site2() { [ "$(site2_tx)" -gt "$tx0" ]; }
prove 10 "traffic for 10.2.0.1 is sent to site2" to_site2
prove 5 "10.2.0.1 does not answer" not nsx customer ping -c1 -W2 -q 10.2.0.1
run_wg
assert_report 'wg-peer|wg-interface'
