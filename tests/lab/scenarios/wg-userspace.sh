#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# The customer's WireGuard is userspace (Debian's wireguard-go): a tun device
# and the UAPI socket /var/run/wireguard/wg0.sock, no kernel wireguard
# interface. The aws side is the kernel's. edgediag must read the peer over
# the UAPI socket: first with the wrong key for aws (never a handshake), then
# healthy.
. "$(dirname "$0")/../lib.sh"
lab_start
command -v wireguard-go >/dev/null || setup_failed "wireguard-go is not installed (apt install wireguard-go)"
ns_add customer aws
veth customer eth0 aws eth0
addr customer eth0 192.0.2.1/24
addr aws eth0 192.0.2.2/24
lan_addr aws 10.2.0.1/24
wg_key customer; wg_key aws; wg_key other
mkdir -p /var/run/wireguard
# The VM's /dev is a bare devtmpfs: the tun device node may be missing.
modprobe tun 2>/dev/null || true
if [ ! -c /dev/net/tun ]; then
  mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200 || setup_failed "no /dev/net/tun"
fi
# wireguard-go declines to run beside the kernel module unless told.
nsx customer env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go wg0 \
  >"$LAB/wireguard-go.log" 2>&1 || setup_failed "wireguard-go did not start: $(cat "$LAB/wireguard-go.log")"
need 10 "UAPI socket" test -S /var/run/wireguard/wg0.sock
nsx customer wg set wg0 private-key "$LAB/wg/customer.key" listen-port 51820
ip -n customer addr add 10.100.0.1/24 dev wg0
ip -n customer link set wg0 up
[ "$(ip -n customer -d link show wg0 | grep -c 'wireguard ')" = 0 ] ||
  setup_failed "wg0 is a kernel wireguard interface"
# The aws side's kernel interface is wg1, not wg0: wg(8) talks to a
# userspace socket /var/run/wireguard/NAME.sock before the kernel, in any
# namespace, so `wg set wg0` in aws would configure the customer's
# wireguard-go.
wg_dev aws wg1 aws 51820 10.100.0.2/24
wg_peer aws wg1 "$(wg_pub customer)" 10.100.0.1/32 192.0.2.1:51820
ip -n aws route add 10.1.0.0/24 dev wg1 2>/dev/null || true
# Record what a real wireguard-go answers (keys hidden) for the decoder test.
python3 - <<'PY' | sed -E 's/^(private_key|preshared_key)=.*/\1=(hidden)/' | head -n 30 | while read -r l; do log "uapi: $l"; done
import socket
s = socket.socket(socket.AF_UNIX)
s.connect("/var/run/wireguard/wg0.sock")
s.sendall(b"get=1\n\n")
data = b""
while not data.endswith(b"\n\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode())
PY

# 1. the wrong key for aws: initiations leave, no handshake ever.
nsx customer wg set wg0 peer "$(wg_pub other)" allowed-ips 10.100.0.2/32,10.2.0.0/24 endpoint 192.0.2.2:51820
ip -n customer route add 10.2.0.0/24 dev wg0
nsx customer ping -q -i 0.5 10.2.0.1 >/dev/null 2>&1 &
LAB_PIDS+=($!)
tx_up() { [ "$(wg_field customer wg0 "$(wg_pub other)" transfer-tx)" -gt 0 ]; }
prove 15 "handshake initiations are sent over userspace WireGuard (tx > 0)" tx_up
no_hs() { [ "$(wg_field customer wg0 "$(wg_pub other)" latest-handshakes)" = 0 ]; }
prove_holds 3 "no handshake" no_hs
run_wg
got=$(jq -r '[.subjects[] | select(.kind == "wg-peer")][0].findings[0].id // "none"' "$LAB/report.json")
[ "$got" = wg.handshake.never ] ||
  { log "ASSERT FAILED: userspace, wrong key: expected wg.handshake.never, got $got"; exit 1; }
log "userspace, wrong key: wg.handshake.never"

# 2. healthy: the right key.
nsx customer wg set wg0 peer "$(wg_pub other)" remove
nsx customer wg set wg0 peer "$(wg_pub aws)" allowed-ips 10.100.0.2/32,10.2.0.0/24 endpoint 192.0.2.2:51820
prove 15 "10.2.0.1 answers through userspace wg0" nsx customer ping -c1 -W2 -q 10.2.0.1
prove 5 "handshake done" wg_handshaken customer wg0 "$(wg_pub aws)"
run_wg
assert_report 'wg-peer|wg-interface' wg.ok
