#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Peer names from VyOS's configuration, in the shapes VyOS 1.4/1.5 keep on
# disk: first /config/config.boot alone, then the active tree
# /opt/vyatta/config/active (which wins). Both hold the interface's
# private-key: it must be printed nowhere.
. "$(dirname "$0")/../lib.sh"
lab_start
wg_pair
prove 15 "10.2.0.1 answers through wg0" nsx customer ping -c1 -W2 -q 10.2.0.1
prove 5 "handshake done" wg_handshaken customer wg0 "$(wg_pub aws)"
root=$LAB/root
key=$(cat "$LAB/wg/customer.key")
mkdir -p "$root/config"
(
  umask 077
  cat >"$root/config/config.boot" <<CONF
interfaces {
    ethernet eth0 {
        address "192.0.2.1/24"
    }
    wireguard wg0 {
        address "10.100.0.1/24"
        peer aws-dc1 {
            address "192.0.2.2"
            allowed-ips "10.100.0.2/32"
            allowed-ips "10.2.0.0/24"
            port "51820"
            public-key "$(wg_pub aws)"
        }
        port "51820"
        private-key "$key"
    }
}
// Warning: Do not remove the following line.
// vyos-config-version: "interfaces@32:system@27"
// Release version: 1.4.0
CONF
)
named() { # NAME: the aws peer's subject carries NAME and is ok
  jq -e --arg n "$1" '[.subjects[] | select(.kind == "wg-peer" and .name == $n)] | length == 1' \
    "$LAB/report.json" >/dev/null
}
run_wg --wg-config-root "$root"
named aws-dc1 || { log "ASSERT FAILED: no peer named aws-dc1 from config.boot"; exit 1; }
log "config.boot: the peer is named aws-dc1"

t=$root/opt/vyatta/config/active/interfaces/wireguard/wg0
mkdir -p "$t/peer/aws%2Fdc2/public-key" "$t/peer/aws%2Fdc2/address" "$t/private-key"
wg_pub aws >"$t/peer/aws%2Fdc2/public-key/node.val"
echo 192.0.2.2 >"$t/peer/aws%2Fdc2/address/node.val"
(umask 077; echo "$key" >"$t/private-key/node.val")
run_wg --wg-config-root "$root"
named aws/dc2 || { log "ASSERT FAILED: no peer named aws/dc2 from the active tree"; exit 1; }
log "active tree: the peer is named aws/dc2"
if grep -qF "$key" "$LAB/report.json" "$LAB/report.err"; then
  log "ASSERT FAILED: the private key of the configuration was printed"
  exit 1
fi
assert_report 'wg-peer|wg-interface'
