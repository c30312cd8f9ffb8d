#!/bin/sh
# Kernel snapshot speed vs `ip -d -j link show` + `wg show all dump`.
#
#   bench/snapshot-bench.sh BUILD_DIR [VLANS] [PEERS] [ROUNDS]
#
# Builds, in a throw-away network namespace, a router with VLANS 802.1Q
# sub-interfaces (default 4000) on a veth port and one WireGuard interface
# with PEERS peers (default 10000; random public keys, an endpoint and a /24
# of allowed IPs each). Then it times, ROUNDS times each (default 5, median
# taken), BUILD_DIR/bench/snapshot_capture (one snapshot of every kernel
# source, saved as JSON) against `ip -d -j link show` plus `wg show all dump`,
# prints the ratio and fails (exit 1) when the snapshot takes longer.
#
# Needs root, the 8021q and wireguard modules and wireguard-tools. This
# machine's kernel has neither module: run it in the lab VM, which this
# script does by itself when tests/lab/vm-run exists and the modules are
# missing (set SNAPSHOT_BENCH_NO_VM=1 to forbid that). Exit 77: cannot run
# here. Nothing outside the namespace and a temporary directory is touched.
#
# SNAPSHOT_BENCH_BASELINE=OTHER_BUILD_DIR also times that build's
# snapshot_capture in the same rounds, on the same state (before/after in one
# run; informational, the exit status is about BUILD_DIR only).
# SNAPSHOT_BENCH_PERF=1 then records one more snapshot (and the reference)
# with `perf record -e cpu-clock` and prints the top of the profiles.
set -eu
build=${1:?usage: snapshot-bench.sh BUILD_DIR [VLANS] [PEERS] [ROUNDS]}
vlans=${2:-4000}
peers=${3:-10000}
rounds=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
find_tool() {
  if [ -x "$1/bench/snapshot_capture" ]; then echo "$1/bench/snapshot_capture"
  elif [ -x "$1/snapshot_capture" ]; then echo "$1/snapshot_capture"
  else echo "snapshot-bench: no snapshot_capture in $1" >&2; exit 2
  fi
}
tool=$(find_tool "$build")
baseline=${SNAPSHOT_BENCH_BASELINE:-}
base_tool=
if [ -n "$baseline" ]; then
  baseline=$(cd "$baseline" && pwd)
  base_tool=$(find_tool "$baseline")
fi
[ "$(id -u)" = 0 ] || { echo "snapshot-bench: needs root" >&2; exit 77; }
command -v wg >/dev/null || { echo "snapshot-bench: needs wireguard-tools (wg)" >&2; exit 77; }

have_modules() {
  modprobe -q 8021q 2>/dev/null || [ -d /sys/module/8021q ] || return 1
  modprobe -q wireguard 2>/dev/null || [ -d /sys/module/wireguard ] || return 1
}
if ! have_modules; then
  vm="$here/../tests/lab/vm-run"
  if [ -z "${SNAPSHOT_BENCH_IN_VM:-}" ] && [ -z "${SNAPSHOT_BENCH_NO_VM:-}" ] && [ -x "$vm" ]; then
    echo "snapshot-bench: no 8021q/wireguard here; running in the lab VM" >&2
    exec "$vm" -t 1800 -m 3G -- env SNAPSHOT_BENCH_IN_VM=1 \
      SNAPSHOT_BENCH_BASELINE="$baseline" SNAPSHOT_BENCH_PERF="${SNAPSHOT_BENCH_PERF:-}" \
      sh "$here/snapshot-bench.sh" "$build" "$vlans" "$peers" "$rounds"
  fi
  echo "snapshot-bench: the kernel lacks 8021q or wireguard (run in the lab VM)" >&2
  exit 77
fi

ns=edgediag-bench-$$
work=$(mktemp -d /tmp/edgediag-snapshot-bench.XXXXXX)
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
in_ns() { ip netns exec "$ns" "$@"; }

# --- the router ------------------------------------------------------------
ip netns add "$ns"
in_ns ip link set lo up
in_ns ip link add port0 type veth peer name port0-peer
in_ns ip link set port0 up
i=1
while [ "$i" -le "$vlans" ]; do
  echo "link add link port0 name port0.$i type vlan protocol 802.1Q id $i"
  i=$((i + 1))
done >"$work/vlans.batch"
in_ns ip -batch "$work/vlans.batch"

# One wg setconf with every peer: one process instead of PEERS. Any 32 bytes
# are a usable peer public key. Keys come from /dev/urandom.
umask 077
python3 - "$peers" "$work/wg0.conf" <<'EOF'
import base64, os, sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("[Interface]\nPrivateKey = %s\nListenPort = 51820\n"
            % base64.b64encode(os.urandom(32)).decode())
    for i in range(n):
        f.write("[Peer]\nPublicKey = %s\nEndpoint = 192.0.2.%d:%d\n"
                "AllowedIPs = 10.%d.%d.0/24\nPersistentKeepalive = 25\n"
                % (base64.b64encode(os.urandom(32)).decode(), 1 + i % 250,
                   20000 + i % 30000, (i >> 8) & 255, i & 255))
EOF
in_ns ip link add wg0 type wireguard
in_ns wg setconf wg0 "$work/wg0.conf"
# wg0 stays down, as the VLANs do. Up, each of the 10,000 peers with a
# PersistentKeepalive starts a handshake (curve25519 in kworkers) and retries
# it every few seconds: in the lab VM that background load swamps both the
# reference and the snapshot and made the ratio swing between 1 and 2.7 from
# run to run. Both dumps carry the same peers either way.
rm -f "$work/wg0.conf"

got_vlans=$(in_ns ip -o link show type vlan | wc -l)
got_peers=$(in_ns wg show wg0 peers | wc -l)
echo "snapshot-bench: router with $got_vlans VLAN sub-interfaces, $got_peers WireGuard peers"
echo "snapshot-bench: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"

# --- timing ----------------------------------------------------------------
now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_reference() {
  t0=$(now_ns)
  in_ns ip -d -j link show >/dev/null
  in_ns wg show all dump >/dev/null
  t1=$(now_ns)
  echo $(((t1 - t0) / 1000))
}
time_snapshot() {  # [TOOL [LOG]]
  t0=$(now_ns)
  in_ns "${1:-$tool}" "$work/snapshot.json" 2>"$work/${2:-capture.log}"
  t1=$(now_ns)
  echo $(((t1 - t0) / 1000))
}

# One warm-up of each (page cache, module state), then alternate rounds.
time_reference >/dev/null
time_snapshot >/dev/null
[ -z "$base_tool" ] || time_snapshot "$base_tool" base.log >/dev/null
: >"$work/ref"
: >"$work/ours"
: >"$work/base"
r=0
while [ "$r" -lt "$rounds" ]; do
  time_reference >>"$work/ref"
  [ -z "$base_tool" ] || time_snapshot "$base_tool" base.log >>"$work/base"
  time_snapshot >>"$work/ours"
  r=$((r + 1))
done
ref=$(median <"$work/ref")
ours=$(median <"$work/ours")
echo "snapshot-bench: capture says: $(cat "$work/capture.log")"
if [ -n "$base_tool" ]; then
  base=$(median <"$work/base")
  echo "snapshot-bench: baseline capture says: $(cat "$work/base.log")"
  echo "snapshot-bench: baseline $baseline: ${base} us (median of $rounds), ratio" \
    "$(awk -v a="$base" -v b="$ref" 'BEGIN {printf "%.2f", a / b}')"
fi
if [ -n "${SNAPSHOT_BENCH_PERF:-}" ] && command -v perf >/dev/null; then
  for what in snapshot reference; do
    if [ "$what" = snapshot ]; then
      in_ns perf record -q -F 2000 -e cpu-clock -a -g -o "$work/perf.data" -- \
        "$tool" "$work/perf.json" 2>/dev/null >/dev/null || true
    else
      in_ns perf record -q -F 2000 -e cpu-clock -a -g -o "$work/perf.data" -- \
        sh -c 'ip -d -j link show >/dev/null; wg show all dump >/dev/null' 2>/dev/null || true
    fi
    echo "snapshot-bench: perf ($what), by command and DSO:" >&2
    perf report -q -i "$work/perf.data" --no-children --sort comm,dso 2>/dev/null | head -25 >&2 || true
    echo "snapshot-bench: perf ($what), top symbols:" >&2
    perf report -q -i "$work/perf.data" --no-children --sort comm,sym -g none 2>/dev/null | head -60 >&2 || true
  done
fi

# The snapshot must hold what was built.
python3 - "$work/snapshot.json" "$vlans" "$peers" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
vl = sum(1 for i in s["interfaces"] if i["kind"] == "vlan" and i["vlan_id"] is not None)
pe = sum(len(w["peers"]) for w in s["wireguard"])
if vl < int(sys.argv[2]) or pe < int(sys.argv[3]):
    sys.exit("snapshot-bench: snapshot holds %d VLANs and %d peers, expected %s and %s"
             % (vl, pe, sys.argv[2], sys.argv[3]))
EOF

ratio=$(awk -v a="$ours" -v b="$ref" 'BEGIN {printf "%.2f", a / b}')
echo "snapshot-bench: ip -d -j link show + wg show all dump: ${ref} us (median of $rounds)"
echo "snapshot-bench: edgediag kernel snapshot:               ${ours} us (median of $rounds)"
echo "snapshot-bench: ratio ${ratio} (must be <= 1.00)"
awk -v a="$ours" -v b="$ref" 'BEGIN {exit !(a <= b)}'
