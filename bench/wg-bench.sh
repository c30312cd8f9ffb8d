#!/bin/sh
# Speed target of `edgediag vpn --wireguard`: over one interface with 10,000
# peers it must take no more than 1.5x the time of `wg show all dump`.
#
#   bench/wg-bench.sh EDGEDIAG [PEERS] [ROUNDS]
#
# Builds the interface in a throw-away network namespace (random public keys,
# an endpoint, a /24 of allowed IPs and a route into wg0 for each peer), times
# `wg show all dump`, `edgediag vpn --wireguard --json` and the text report
# ROUNDS times each, interleaved (default 7, median), prints the ratios and
# fails (exit 1) when either is above 1.5. Needs root, wireguard-tools and
# the wireguard module: without the module it re-runs itself in the lab VM
# (tests/lab/vm-run), where EDGEDIAG_DEBUG=timing shows each phase.
#
# WG_BENCH_IDLE=N makes the first N peers road warriors that never connected
# (no endpoint): a hub of 10,000 with 9,000 of them must still give
# `check --vpn` OK (exit 0), which is then checked too.
set -eu
bin=${1:?usage: wg-bench.sh EDGEDIAG [PEERS] [ROUNDS]}
peers=${2:-10000}
rounds=${3:-7}
idle=${WG_BENCH_IDLE:-0}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ "$(id -u)" = 0 ] || { echo "wg-bench: needs root" >&2; exit 77; }
command -v wg >/dev/null || { echo "wg-bench: needs wireguard-tools" >&2; exit 77; }
if ! modprobe -q wireguard 2>/dev/null && [ ! -d /sys/module/wireguard ]; then
  vm="$here/../tests/lab/vm-run"
  if [ -z "${WG_BENCH_IN_VM:-}" ] && [ -x "$vm" ]; then
    echo "wg-bench: no wireguard module here; running in the lab VM" >&2
    exec "$vm" -t 1800 -m 3G -- env WG_BENCH_IN_VM=1 WG_BENCH_IDLE="$idle" sh "$here/wg-bench.sh" "$bin" "$peers" "$rounds"
  fi
  echo "wg-bench: the kernel lacks the wireguard module" >&2
  exit 77
fi

ns=edgediag-wgbench-$$
work=$(mktemp -d /tmp/edgediag-wg-bench.XXXXXX)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
in_ns() { ip netns exec "$ns" "$@"; }

ip netns add "$ns"
in_ns ip link set lo up
in_ns ip link add wg0 type wireguard
(umask 077 && wg genkey >"$work/key")
in_ns wg set wg0 private-key "$work/key" listen-port 51820
in_ns ip addr add 10.255.0.1/16 dev wg0
in_ns ip link set wg0 up
# One wg(8) call and one ip -batch for all peers, written by one python3
# process (a shell loop costs minutes under the VM's emulation).
python3 - "$peers" "$work" "$idle" <<'PY'
import base64, os, sys
n, work, idle = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with open(f"{work}/peers.conf", "w") as conf, open(f"{work}/routes", "w") as routes:
    for i in range(n):
        a, b = i // 256 % 200 + 1, i % 256
        key = base64.b64encode(os.urandom(32)).decode()
        endpoint = "" if i < idle else f"Endpoint = 192.0.2.{i % 250 + 1}:{20000 + i % 40000}\n"
        conf.write(f"[Peer]\nPublicKey = {key}\n{endpoint}AllowedIPs = 10.{a}.{b}.0/24\n")
        routes.write(f"route add 10.{a}.{b}.0/24 dev wg0\n")
PY
in_ns wg addconf wg0 "$work/peers.conf"
in_ns ip -batch "$work/routes"
got=$(in_ns wg show all dump | tail -n +2 | wc -l)
[ "$got" -eq "$peers" ] || { echo "wg-bench: wg0 has $got peers, wanted $peers" >&2; exit 1; }
seen=$(in_ns "$bin" vpn --wireguard --json | grep -c '"kind": "wg-peer"')
[ "$seen" -eq "$peers" ] || { echo "wg-bench: edgediag reported $seen peers, wanted $peers" >&2; exit 1; }

# One timed run of CMD..., in microseconds.
time_us() {
  t=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  echo $(( ($(date +%s%N) - t) / 1000 ))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Interleaved, so that a slow moment of the machine falls on all three.
r=0
while [ "$r" -lt "$rounds" ]; do
  time_us in_ns wg show all dump >>"$work/ref"
  time_us in_ns "$bin" vpn --wireguard --json >>"$work/json"
  time_us in_ns "$bin" vpn --wireguard >>"$work/text"
  r=$((r + 1))
done
ref=$(median <"$work/ref")
json=$(median <"$work/json")
text=$(median <"$work/text")
ratio() { awk -v a="$1" -v b="$ref" 'BEGIN { printf "%.2f", a / b }'; }
echo "wg-bench: $peers peers on wg0, median of $rounds runs"
echo "  wg show all dump:                 ${ref} us"
echo "  edgediag vpn --wireguard --json:  ${json} us  ratio $(ratio "$json") (target <= 1.5)"
echo "  edgediag vpn --wireguard:         ${text} us  ratio $(ratio "$text") (target <= 1.5)"
EDGEDIAG_DEBUG=timing in_ns "$bin" vpn --wireguard --json 2>&1 >/dev/null | sed 's/^/  /'
if [ "$idle" -gt 0 ]; then
  rc=0
  in_ns "$bin" check --vpn --no-syslog --state "$work/state.json" >"$work/check" 2>&1 || rc=$?
  echo "  check --vpn with $idle idle road warriors: exit $rc: $(head -c 200 "$work/check")"
  [ "$rc" = 0 ] || exit 1
fi
awk -v j="$(ratio "$json")" -v t="$(ratio "$text")" 'BEGIN { exit !(j <= 1.5 && t <= 1.5) }'
