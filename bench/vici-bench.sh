#!/bin/sh
# VICI capture speed vs swanctl, on real strongSwan daemons with real CHILD SAs.
#
#   bench/vici-bench.sh BUILD_DIR [CHILD_SAS] [CONNS]
#
# Two private charons run in a throw-away network namespace (unshare -n) on
# loopback: "resp" (ports 500/4500) and "init" (ports 1500/14500), with the
# kernel-libipsec plugin (ESP in user space over TUN: this host's kernel has
# no ESP; package libcharon-extra-plugins). init starts CONNS IKE SAs with
# CHILD_SAS/CONNS CHILD SAs each (default 500 CHILD SAs over 50 IKE SAs).
# Then it times, on resp, `swanctl --list-sas --raw` against
# BUILD_DIR/bench/vici_capture (list-conns + list-sas through edgediag's
# client and mapping) and fails unless ours takes at most 1.5x as long.
# Nothing outside the namespace and a temporary directory is touched; both
# charons are stopped on exit. Needs root.
set -eu
build=${1:?usage: vici-bench.sh BUILD_DIR [CHILD_SAS] [CONNS]}
children=${2:-500}
conns=${3:-50}
here=$(cd "$(dirname "$0")" && pwd)
charon_sh="$here/../tests/vici/live/private-charon.sh"
tool="$build/bench/vici_capture"
[ -x "$tool" ] || tool="$build/vici_capture"
[ -x "$tool" ] || { echo "vici-bench: no vici_capture in $build" >&2; exit 2; }
[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
  { echo "vici-bench: needs libcharon-extra-plugins (kernel-libipsec)" >&2; exit 77; }

work=$(mktemp -d /tmp/edgediag-vici-bench.XXXXXX)
netns_pid=""
cleanup() {
  "$charon_sh" stop "$work/init" 2>/dev/null || true
  "$charon_sh" stop "$work/resp" 2>/dev/null || true
  [ -n "$netns_pid" ] && kill "$netns_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

per=$((children / conns))
gen() {  # gen ROLE -> swanctl.conf (one setting per line: strongswan.conf has no ';')
  role=$1
  if [ "$role" = init ]; then me=init peer=resp; else me=resp peer=init; fi
  echo "connections {"
  i=1
  while [ $i -le "$conns" ]; do
    echo "c$i {"
    echo "mobike = no"
    if [ "$role" = init ]; then
      echo "remote_addrs = 127.0.0.1"
      echo "remote_port = 500"
    fi
    echo "local {"; echo "auth = psk"; echo "id = $me-$i"; echo "}"
    echo "remote {"; echo "auth = psk"; echo "id = $peer-$i"; echo "}"
    echo "children {"
    j=1
    while [ $j -le "$per" ]; do
      k=$(((i - 1) * per + j))  # CHILD SA number: unique selectors per CHILD SA
      a="10.$((k / 250)).$((k % 250)).0/24"
      b="10.$((100 + k / 250)).$((k % 250)).0/24"
      echo "ch$j {"
      echo "esp_proposals = aes128gcm16"
      if [ "$role" = init ]; then
        echo "local_ts = $a"; echo "remote_ts = $b"; echo "start_action = start"
      else
        echo "local_ts = $b"; echo "remote_ts = $a"
      fi
      echo "}"
      j=$((j + 1))
    done
    echo "}"
    echo "}"
    i=$((i + 1))
  done
  echo "}"
  # A lab-only key, for these throw-away daemons; list-sas never carries it.
  echo "secrets {"; echo "ike {"; echo "secret = edgediag-bench-not-a-secret"; echo "}"; echo "}"
}

mkdir -p "$work/init" "$work/resp"
gen init >"$work/init/swanctl.conf"
gen resp >"$work/resp/swanctl.conf"

unshare -n sh -c 'ip link set lo up; exec sleep 100000' &
netns_pid=$!
sleep 0.2
# kernel-libipsec routes each outbound policy into its TUN device with a
# source address from the local traffic selector: give every selector one.
gen_addrs() {
  i=1
  while [ $i -le "$conns" ]; do
    j=1
    while [ $j -le "$per" ]; do
      k=$(((i - 1) * per + j))
      echo "address add 10.$((k / 250)).$((k % 250)).1/32 dev lo"
      echo "address add 10.$((100 + k / 250)).$((k % 250)).1/32 dev lo"
      j=$((j + 1))
    done
    i=$((i + 1))
  done
}
gen_addrs >"$work/addrs.batch"
nsenter -t "$netns_pid" -n ip -batch "$work/addrs.batch"
common="install_routes = no
  close_ike_on_child_failure = no
  plugins { kernel-libipsec { allow_peer_ts = yes } }"
EXTRA_PLUGINS="kernel-libipsec" EXTRA_CONF="$common" \
  nsenter -t "$netns_pid" -n "$charon_sh" start "$work/resp"
EXTRA_PLUGINS="kernel-libipsec" EXTRA_CONF="$common
  port = 1500
  port_nat_t = 14500" \
  nsenter -t "$netns_pid" -n "$charon_sh" start "$work/init"

resp_uri="unix://$work/resp/charon.vici"
export STRONGSWAN_CONF="$work/resp/strongswan.conf"
count_children() {
  swanctl --list-sas --raw --uri "$resp_uri" 2>/dev/null | grep -o 'state=INSTALLED' | wc -l
}
i=0
while [ "$(count_children)" -lt "$children" ]; do
  i=$((i + 1))
  if [ $i -gt "${VICI_BENCH_WAIT:-120}" ]; then
    echo "vici-bench: only $(count_children) of $children CHILD SAs came up" >&2
    tail -n 15 "$work/init/charon.log" "$work/resp/charon.log" >&2
    exit 1
  fi
  sleep 1
done
echo "vici-bench: $(count_children) CHILD SAs installed over $conns IKE SAs"
if [ -n "${VICI_BENCH_RECORD:-}" ]; then
  # Fixtures for tests/data/vici: the raw frames of list-sas on both ends.
  rec="$here/../tests/vici/live/record-vici.py"
  "$rec" "$work/resp/charon.vici" list-sas list-sa >"$VICI_BENCH_RECORD/list-sas-responder.bin"
  "$rec" "$work/init/charon.vici" list-sas list-sa >"$VICI_BENCH_RECORD/list-sas-initiator.bin"
  "$rec" "$work/init/charon.vici" list-conns list-conn >"$VICI_BENCH_RECORD/list-conns-initiator.bin"
  swanctl --list-sas --raw --uri "unix://$work/init/charon.vici" >"$VICI_BENCH_RECORD/list-sas-initiator.raw.txt"
  echo "vici-bench: recorded into $VICI_BENCH_RECORD"
  exit 0
fi

# Same data as swanctl sees, field by field, before timing anything.
swanctl --list-sas --raw --uri "$resp_uri" >"$work/swanctl.raw"
"$tool" "$work/resp/charon.vici" --json >"$work/ours.json"
"$here/../tests/vici/live/compare-swanctl.py" "$work/swanctl.raw" "$work/ours.json"

runs=${VICI_BENCH_RUNS:-20}
time_ms() {  # time_ms CMD... -> total ms for $runs runs
  start=$(date +%s%N)
  n=0
  while [ $n -lt "$runs" ]; do "$@" >/dev/null; n=$((n + 1)); done
  echo $((($(date +%s%N) - start) / 1000000))
}
# Warm up both, then measure.
swanctl --list-sas --raw --uri "$resp_uri" >/dev/null
"$tool" "$work/resp/charon.vici" >/dev/null
swanctl_ms=$(time_ms swanctl --list-sas --raw --uri "$resp_uri")
ours_ms=$(time_ms "$tool" "$work/resp/charon.vici")
echo "vici-bench: $runs runs: swanctl --list-sas --raw ${swanctl_ms} ms, edgediag ${ours_ms} ms"
"$tool" "$work/resp/charon.vici" | head -1
fail=0
if [ $((ours_ms * 2)) -gt $((swanctl_ms * 3)) ]; then
  echo "vici-bench: FAIL: edgediag is slower than 1.5x swanctl" >&2
  fail=1
fi
# The whole command as an operator runs it (issue 16): `vpn --ipsec`, in
# the same namespace (kernel, XFRM and nftables read too), without
# --sample: the pause is not part of the ratio.
edgediag="$build/op-mode/edgediag"
if [ -x "$edgediag" ]; then
  vpn() { nsenter -t "$netns_pid" -n "$edgediag" vpn --ipsec --json --vici-socket "$work/resp/charon.vici" || true; }
  vpn >/dev/null || true
  vpn_ms=$(time_ms vpn)
  echo "vici-bench: $runs runs: edgediag vpn --ipsec ${vpn_ms} ms ($(awk -v a="$vpn_ms" -v b="$swanctl_ms" 'BEGIN { printf "%.2f", a / b }')x swanctl)"
  if [ $((vpn_ms * 2)) -gt $((swanctl_ms * 3)) ]; then
    echo "vici-bench: FAIL: vpn --ipsec is slower than 1.5x swanctl" >&2
    fail=1
  fi
  # What listening to charon's events during --sample costs: a sampled run
  # against its parts (two plain runs and the pause), 5 runs each.
  sampled() { nsenter -t "$netns_pid" -n "$edgediag" vpn --ipsec --json --sample 1 --vici-socket "$work/resp/charon.vici" || true; }
  runs_saved=$runs runs=5
  s_ms=$(time_ms sampled) p_ms=$(time_ms vpn)
  runs=$runs_saved
  echo "vici-bench: 5 runs: vpn --ipsec --sample 1 ${s_ms} ms; 2 plain runs + 1 s pause $((2 * p_ms + 5000)) ms; event listening adds $(((s_ms - 2 * p_ms - 5000) / 5)) ms a run"
fi
[ "$fail" = 0 ] || exit 1
echo "vici-bench: OK (limit 1.5x)"
