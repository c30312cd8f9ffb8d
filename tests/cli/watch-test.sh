#!/bin/sh
# dx --watch / vpn --watch end to end on snapshot sources: the first screen
# is the full diagnosis; a fault fixed half-way shows as timestamped change
# lines (dx.ok within two periods); SIGINT and SIGTERM end it with a summary
# and exit 0; 1,000 cycles leave the open fds and the resident memory flat.
# usage: watch-test.sh EDGEDIAG SOURCE_DIR
set -u
bin=$1
src=$2
healthy=$src/tests/data/golden/in/dx-link-Healthy.json
fail=0
pass=0
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# wait_for FILE PATTERN SECONDS: 0 when PATTERN shows up in time.
wait_for() {
  n=0
  while [ $n -lt $(($3 * 20)) ]; do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
    n=$((n + 1))
  done
  return 1
}

# The healthy VIF, broken the way a turn-up is: the sub-interface on the
# wrong VLAN, ARP unanswered, BGP Active.
sed -e 's/"vlan_id":101/"vlan_id":102/' -e 's/"bgpState":"Established"/"bgpState":"Active"/' \
  -e 's/"state":"REACHABLE"/"state":"INCOMPLETE"/' "$healthy" >"$tmp/broken.json"
cp "$tmp/broken.json" "$tmp/snap.json"

period=0.5
"$bin" --color never dx --watch $period --from-snapshot "$tmp/snap.json" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "$tmp/out" "^Watching every $period s; one line per change, Ctrl-C to stop.$" 10 && ok ||
  bad "no first screen: $(cat "$tmp/out" "$tmp/err")"
grep -q '^CRITICAL dxvif-test1 .*VLAN 102, but the VIF uses VLAN 101' "$tmp/out" && ok ||
  bad "first screen is not the full diagnosis: $(head -5 "$tmp/out")"
# The fix, half-way: the right VLAN, ARP resolves, BGP comes up.
cp "$healthy" "$tmp/snap.json.new" && mv "$tmp/snap.json.new" "$tmp/snap.json"
fixed_at=$(date +%s%N)
if wait_for "$tmp/out" 'dx-vif dxvif-test1: critical -> ok (dx.ok)$' 10; then
  ms=$((($(date +%s%N) - fixed_at) / 1000000))
  # Two periods, and slack for a loaded machine.
  [ $ms -le 2000 ] && ok || bad "dx.ok took $ms ms (period $period s)"
else
  bad "no transition to dx.ok: $(tail -5 "$tmp/out")"
fi
for line in 'dx-vif dxvif-test1: dx.vlan.mismatch cleared (was critical)$' \
  'BGP peer 169.254.10.1 (vrf default): Active -> Established$' \
  'ARP for 169.254.10.1 on eth1.101: resolved (INCOMPLETE -> REACHABLE)$'; do
  wait_for "$tmp/out" "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] $line" 5 && ok || bad "no line '$line': $(tail -8 "$tmp/out")"
done
# Nothing changes any more: no more lines.
lines=$(wc -l <"$tmp/out")
sleep 1.2
[ "$(wc -l <"$tmp/out")" -eq "$lines" ] && ok || bad "lines without a change: $(tail -3 "$tmp/out")"
kill -INT $pid
wait $pid
rc=$?
pid=
[ $rc -eq 0 ] && ok || bad "SIGINT: exit $rc"
tail -1 "$tmp/out" | grep -q '^[0-9:]* watch ended (interrupted): [0-9]* cycles in [0-9]* s, [1-9][0-9]* changes; now 0 critical, 0 warning, 1 ok, 0 unknown$' &&
  ok || bad "SIGINT summary: $(tail -1 "$tmp/out")"

# SIGTERM too; and vpn --watch with --json: one JSON object per change line.
"$bin" --json vpn --watch 0.2 --from-snapshot "$src/examples/vpn-wireguard-stale.json" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "$tmp/out" '"schema": "edgediag.report/1"' 10 || bad "vpn --watch --json: no report"
sleep 0.5
kill -TERM $pid
wait $pid
rc=$?
pid=
[ $rc -eq 0 ] && ok || bad "SIGTERM: exit $rc"
tail -1 "$tmp/out" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); assert d["change"].startswith("watch ended (terminated)"), d' &&
  ok || bad "SIGTERM summary: $(tail -1 "$tmp/out")"

# Started with SIGINT ignored (as a shell starts background commands):
# SIGINT still ends the watch.
sh -c 'trap "" INT; exec "$@"' sh "$bin" dx --watch 0.2 --from-snapshot "$healthy" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "$tmp/out" "^Watching every" 10 || bad "ignored SIGINT: no first screen"
kill -INT $pid
( sleep 5; kill -KILL $pid 2>/dev/null ) &  # a watch that ignores SIGINT: 137
dog=$!
wait $pid
rc=$?
pid=
kill $dog 2>/dev/null
[ $rc -eq 0 ] && grep -q 'watch ended (interrupted)' "$tmp/out" && ok || bad "ignored SIGINT: exit $rc, $(tail -1 "$tmp/out")"

# A bad period is a usage error.
"$bin" dx --watch 0 --from-snapshot "$healthy" >/dev/null 2>"$tmp/err"
[ $? -eq 64 ] && grep -q "watch: 0 is out of range" "$tmp/err" && ok || bad "--watch 0: $(cat "$tmp/err")"
"$bin" dx --watch-count 3 --from-snapshot "$healthy" >/dev/null 2>"$tmp/err"
[ $? -eq 64 ] && ok || bad "--watch-count without --watch accepted"

# 1,000 cycles: fds and RSS flat (EDGEDIAG_DEBUG=watch reports both).
EDGEDIAG_DEBUG=watch "$bin" dx --watch 0.01 --watch-count 1000 --from-snapshot "$src/examples/dx-vlan-mismatch.json" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "1000 cycles: exit $rc"
tail -1 "$tmp/out" | grep -q 'watch ended (after 1000 cycles): 1000 cycles' && ok || bad "1000 cycles: $(tail -1 "$tmp/out")"
at() { sed -n "s/^edgediag: watch: cycle $1: \([0-9]*\) fds, RSS \([0-9]*\) KiB$/\1 \2/p" "$tmp/err"; }
set -- $(at 100) $(at 1000)
if [ $# -eq 4 ]; then
  [ "$1" -eq "$3" ] && ok || bad "fds grew from $1 (cycle 100) to $3 (cycle 1000)"
  # Under AddressSanitizer (scripts/sanitize) freed memory waits in its
  # quarantine (256 MiB), so RSS grows by design; LeakSanitizer judges leaks.
  if [ -n "${ASAN_OPTIONS:-}" ]; then
    ok
  else
    [ $(($4 - $2)) -le 256 ] && ok || bad "RSS grew from $2 KiB (cycle 100) to $4 KiB (cycle 1000)"
  fi
  echo "1000 cycles: $3 fds, RSS $2 -> $4 KiB"
else
  bad "no watch debug lines: $(tail -3 "$tmp/err")"
fi

echo "watch: $pass passed, $fail failed"
[ $fail -eq 0 ]
