#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# A turn-up watched live: the router's sub-interface carries VLAN 102 while
# the VIF uses 101, and `edgediag dx --watch` runs. Half-way through, the
# address moves to a VLAN 101 sub-interface (the fix). Once FRR itself says
# Established, the watch must print the transition to dx.ok within two
# periods; SIGINT then ends it with a summary and exit 0.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
CUST_VLAN=102
dx_setup "$LAB/vif.json"
prove 20 "ARP for the Amazon address stays unresolved" neigh_unresolved customer "$CUST_PEER"
prove_no_session
[ -n "$EDGEDIAG" ] || { TOOL_RC=127; assert_report dx-vif; }

# The period exceeds one capture in this emulated VM (vtysh alone takes
# seconds here, more while the checks below poll it too), so that "two
# periods" means two captures, as on a router; --timeout and --deadline
# likewise fit the VM.
PERIOD=10
W=$LAB/watch.out
log "run: ip netns exec customer edgediag --json --timeout 15000 --deadline 40 dx --watch $PERIOD ..."
# `ip netns exec` execs edgediag: $! is edgediag itself, started as any
# background command is, with SIGINT ignored (the watch takes it anyway).
ip netns exec customer "$EDGEDIAG" --json --timeout 15000 --deadline 40 dx --watch "$PERIOD" \
  --vif-file "$VIF" --frr-vty-dir "$(frr_dir customer)" >"$W" 2>"$LAB/watch.err" &
WATCH=$!
LAB_PIDS+=("$WATCH")  # lab_cleanup ends it whatever happens
first_screen() { grep -q '"summary"' "$W"; }
wait_for 60 "the watch's first screen" first_screen ||
  { log "ASSERT FAILED: no first screen"; cat "$LAB/watch.err" >&2; exit 1; }
log "first screen's sources: $(jq -c 'select(.schema) | .sources' "$W" 2>/dev/null | head -c 600)"
grep -q '"id": "dx.vlan.mismatch"' "$W" ||
  { log "ASSERT FAILED: the first screen does not name dx.vlan.mismatch"; head -c 800 "$W" >&2; exit 1; }

# The fix: the right VLAN on the interface.
ip -n customer -batch - <<EOB || setup_failed "moving the address to VLAN 101"
link add link eth0 name eth0.101 mtu $CUST_MTU up type vlan proto 802.1Q id 101
addr del $CUST_ADDR dev eth0.102
addr add $CUST_ADDR dev eth0.101
EOB
prove 90 "BGP Established once the VLAN is right" bgp_established customer "$CUST_PEER"
now_us
established=$NOW
dx_ok() { grep -q -- '-> ok (dx.ok)' "$W"; }
if ! wait_for $((PERIOD * 2 + 10)) "the watch prints the transition to dx.ok" dx_ok; then
  log "ASSERT FAILED: no transition to dx.ok; the watch printed:"
  grep '"change"' "$W" >&2
  cat "$LAB/watch.err" >&2
  kill -INT "$WATCH" 2>/dev/null
  exit 1
fi
now_us
ms=$(((NOW - established) / 1000))
log "watch lines: $(grep -c '"change"' "$W"); dx.ok $ms ms after FRR said Established (period ${PERIOD}s)"
grep '"change"' "$W" | sed 's/^/  /' >&2
kill -INT "$WATCH"
# A watchdog: a watch that ignores SIGINT is killed (exit 137) in 30 s.
( sleep 30; kill -KILL "$WATCH" 2>/dev/null ) &
dog=$!
wait "$WATCH"
rc=$?
kill "$dog" 2>/dev/null
[ $rc -eq 0 ] || { log "ASSERT FAILED: the watch exited $rc after SIGINT"; exit 1; }
tail -1 "$W" | grep -q '"watch ended (interrupted): ' ||
  { log "ASSERT FAILED: no summary line: $(tail -1 "$W")"; exit 1; }
# Two periods, measured from the moment the daemon's own tool saw
# Established (its polling adds up to a second).
[ $ms -le $((PERIOD * 2000 + 1000)) ] ||
  { log "ASSERT FAILED: dx.ok came $ms ms after Established, more than two periods"; exit 1; }
log "ASSERT OK: dx.vlan.mismatch, then dx.ok within two periods of the fix"
exit 0
