#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Path-MTU black holes under a healthy IKEv2 tunnel. The router believes
# the tunnel carries ~1446 bytes; small pings pass, full-size packets vanish
# and no ICMP "fragmentation needed" comes back. Two ways it happens:
#  1. on the path: the far side drops ESP packets over 1300 bytes (nftables
#     in aws, as a middlebox would); the router's echoes go out and are lost;
#  2. below the tunnel: the far side's port takes frames of at most 1300
#     bytes (veth drops what exceeds the receiver's MTU), so the router's own
#     kernel takes none of the big echoes (ping: "0 transmitted").
# Each time `vpn --probe` must name ipsec.mtu on the connection, with the
# sizes answered and lost.
. "$(dirname "$0")/../lib.sh"
lab_start
ipsec_pair
prove 30 "CHILD SA INSTALLED" child_installed customer

probe_mtu() {
  local what=$1
  run_ipsec --probe --probe-target lan=10.2.0.1 --save-snapshot "$LAB/snap.json"
  log "$what: DF probes: $(jq -c '[.probes[] | select(.df) | {size, sent, received, mtu, dropped, detail}]' "$LAB/snap.json")"
  jq -e '[.probes[] | select(.df and .received == 0 and (.sent > 0 or .dropped))] | length > 0' \
    "$LAB/snap.json" >/dev/null || { log "ASSERT FAILED: $what: no DF probe was lost"; exit 1; }
  jq -e '[.probes[] | select(.df and .received > 0 and .size > 1100)] | length > 0' \
    "$LAB/snap.json" >/dev/null || { log "ASSERT FAILED: $what: no DF probe above 1100 bytes was answered"; exit 1; }
  assert_report ipsec-connection
}

# 1. A middlebox that drops big ESP packets.
nsx aws nft -f - <<'NFT'
table ip blackhole {
  chain pre {
    type filter hook prerouting priority raw; policy accept;
    ip protocol esp ip length > 1300 counter drop
  }
}
NFT
prove 10 "small packets pass the tunnel" nsx customer ping -c1 -W2 -q -I 10.1.0.1 10.2.0.1
prove 10 "1200-byte DF packets pass the tunnel" \
  nsx customer ping -c2 -W1 -q -M do -s 1172 -I 10.1.0.1 10.2.0.1
prove_holds 3 "1400-byte DF packets vanish in the tunnel" \
  not nsx customer ping -c2 -W1 -q -M do -s 1372 -I 10.1.0.1 10.2.0.1
probe_mtu "on the path"

# 2. An underlay link that cannot carry them.
nsx aws nft delete table ip blackhole
ip -n aws link set eth0 mtu 1300
prove 10 "1200-byte DF packets pass the tunnel" \
  nsx customer ping -c2 -W1 -q -M do -s 1172 -I 10.1.0.1 10.2.0.1
prove_holds 3 "1400-byte DF packets vanish in the tunnel" \
  not nsx customer ping -c2 -W1 -q -M do -s 1372 -I 10.1.0.1 10.2.0.1
probe_mtu "below the tunnel"
