#!/bin/sh
# Speed target of `edgediag dx` (issue 15): on a router terminating two
# Direct Connect connections with 200 VIFs and 200 BGP neighbours it must
# take no more than 1.5x the time of `vtysh -c 'show bgp vrf all neighbors
# json'` alone (the FRR query dx itself runs). Builds that router in a
# network namespace (FRR zebra+bgpd; each connection a veth carrying half of
# the /30 peerings: VLANs do not change the cost being measured), times
# both, prints the ratio.
# Usage: bench/dx-bench.sh [EDGEDIAG] [RUNS] [VIFS]   (as root)
set -eu
bin=${1:-build/op-mode/edgediag}
runs=${2:-20}
n=${3:-200}
ns=edbench$$
dir=$(mktemp -d /tmp/edgediag-dxbench.XXXXXX)
cleanup() {
  for p in "$dir"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "${ns}p" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

ip netns add "$ns"
ip netns add "${ns}p"
# Two connections: r0 and r1, each a port toward AWS.
for c in 0 1; do
  ip link add r$c netns "$ns" type veth peer name a$c netns "${ns}p"
  ip -n "$ns" link set r$c up
  ip -n "${ns}p" link set a$c up
done
ip -n "$ns" link set lo up

conf=$dir/bgpd.conf
{
  echo "router bgp 65010"
  echo " bgp router-id 10.0.0.1"
  echo " no bgp ebgp-requires-policy"
} >"$conf"
vifs=$dir/vifs.json
printf '{"virtualInterfaces": [' >"$vifs"
i=0
while [ $i -lt $n ]; do
  o3=$((i * 4 / 256)) o4=$((i * 4 % 256))
  amazon=169.254.$((100 + o3)).$((o4 + 1))
  customer=169.254.$((100 + o3)).$((o4 + 2))
  c=$((i % 2))
  echo "addr add $customer/30 dev r$c" >>"$dir/addrs"
  echo " neighbor $amazon remote-as 64512" >>"$conf"
  echo " neighbor $amazon password bench-key-$i" >>"$conf"
  [ $i -gt 0 ] && printf ',' >>"$vifs"
  printf '{"virtualInterfaceId": "dxvif-bench%03d", "virtualInterfaceType": "private", "vlan": %d, "asn": 65010, "amazonSideAsn": 64512, "authKey": "bench-key-%d", "amazonAddress": "%s/30", "customerAddress": "%s/30", "mtu": 1500, "connectionId": "dxcon-bench%d"}' \
    "$i" $((100 + i)) "$i" "$amazon" "$customer" "$c" >>"$vifs"
  i=$((i + 1))
done
printf ']}\n' >>"$vifs"
ip -n "$ns" -batch "$dir/addrs"
touch "$dir/zebra.conf"
chown -R frr:frr "$dir"
ip netns exec "$ns" /usr/lib/frr/zebra -d -P 0 --vty_socket "$dir" -z "$dir/zserv.api" -i "$dir/zebra.pid" -f "$dir/zebra.conf" 2>/dev/null
i=0
while [ ! -S "$dir/zserv.api" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ip netns exec "$ns" /usr/lib/frr/bgpd -d -P 0 -p 179 --vty_socket "$dir" -z "$dir/zserv.api" -i "$dir/bgpd.pid" -f "$conf" 2>/dev/null
i=0
until ip netns exec "$ns" vtysh --vty_socket "$dir" -c 'show bgp neighbors json' 2>/dev/null | grep -q "169.254"; do
  sleep 0.2; i=$((i + 1)); [ $i -lt 100 ] || { echo "dx-bench: bgpd did not come up" >&2; exit 1; }
done
count=$(ip netns exec "$ns" "$bin" dx --frr-vty-dir "$dir" --vif-file "$vifs" --json | grep -c '"kind": "dx-vif"')
frr=$(ip netns exec "$ns" "$bin" dx --frr-vty-dir "$dir" --vif-file "$vifs" --json | grep -c "\"bgpState\"\|\"frr\": {\"status\": \"ok\"")

[ "$count" -eq $n ] || { echo "dx-bench: expected $n VIF subjects, saw $count" >&2; exit 1; }
# The timed runs must read FRR, not fail fast without it.
ip netns exec "$ns" "$bin" dx --frr-vty-dir "$dir" --vif-file "$vifs" --json |
  grep -q '"frr": {"status": "ok"}' || { echo "dx-bench: edgediag could not read FRR" >&2; exit 1; }

now_ns() { date +%s%N; }
# The machine is shared: the two commands take turns, run after run, so that
# a burst of load hits both alike; each one's fastest run is its cost.
once() {
  t0=$(now_ns)
  "$@" >/dev/null 2>&1
  echo $(( ($(now_ns) - t0) / 1000 ))
}
vt=0 ed=0 k=0
while [ $k -lt "$runs" ]; do
  a=$(once ip netns exec "$ns" vtysh --vty_socket "$dir" -c 'show bgp vrf all neighbors json')
  b=$(once ip netns exec "$ns" "$bin" dx --frr-vty-dir "$dir" --vif-file "$vifs" --json)
  { [ $vt -eq 0 ] || [ "$a" -lt $vt ]; } && vt=$a
  { [ $ed -eq 0 ] || [ "$b" -lt $ed ]; } && ed=$b
  k=$((k + 1))
done
ratio=$(awk -v a="$ed" -v b="$vt" 'BEGIN { printf "%.2f", a / b }')
echo "dx-bench: $n VIFs/neighbours on 2 connections, fastest of $runs runs each"
echo "  vtysh show bgp vrf all neighbors json: ${vt} us"
echo "  edgediag dx --json:                     ${ed} us"
echo "  ratio: $ratio (target <= 1.5)"
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.5) }'
