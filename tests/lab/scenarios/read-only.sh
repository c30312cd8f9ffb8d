#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, ... are read by lib.sh
# Not a fault to name: edgediag changes nothing on the router. A faulty
# router (BGP MD5 key mismatch on the DX VIF, source NAT applied before the
# IPsec policy, kernel WireGuard) has its whole state recorded, then `dx`,
# `dx --probe`, `vpn --sample 3` and `check --sample 3` (state, Prometheus and
# EMF files) run against it, and the state is recorded again:
#   links, addresses, routes of every table, neighbours, policy rules (v4 and
#   v6); `nft list ruleset`; `ip xfrm state` / `ip xfrm policy`;
#   `swanctl --list-sas` / `--list-conns`; `wg show all dump`; `sysctl net`;
#   the loaded kernel modules (but inet_diag and tcp_diag, which the kernel
#   loads on the first sock_diag request for TCP sockets, as for `ss`).
# The two must be identical apart from what traffic itself moves: counters
# (nft, wg transfer, SA bytes and packets), times (handshakes, SA ages),
# neighbour states and conntrack's count. Packets: without --probe edgediag
# sends no ICMP echo at all; with it, only its documented DF pings to the
# Amazon peer (counted by an nftables table added before the first record).
# Exit codes: 0 identical and only documented probes, 1 otherwise, 2 the
# faults did not reproduce, 3 setup failed.
. "$(dirname "$0")/../lib.sh"
lab_start

vif_json "$LAB/vif.json" bgpStatus=down
CUST_KEY=lab-Key-0002                 # AWS holds lab-Key-0001: MD5 mismatch
dx_setup "$LAB/vif.json"
every_source             # no IPsec exemption: SNAT before policy

prove 90 "CHILD SA INSTALLED" child_installed customer
prove 60 "10.100.0.2 answers through wg0" nsx customer ping -c1 -W2 -q 10.100.0.2
prove 30 "TCPMD5Failure counts on the Amazon side" tcpext_above aws TCPMD5Failure 0
prove_no_session
[ -n "$EDGEDIAG" ] || { log "ASSERT FAILED: EDGEDIAG is not set: no tool to check"; exit 1; }

# What the router itself sends: ICMP echo requests, all and to the peer.
AMAZON=$(ip_of "$(vif_get "$LAB/vif.json" amazonAddress)")
nsx customer nft -f - <<EOF || setup_failed "the counting table"
table inet lab_watch {
  chain out {
    type filter hook output priority -500; policy accept;
    ip daddr $AMAZON icmp type echo-request counter comment "echo-peer"
    icmp type echo-request counter comment "echo-all"
    icmpv6 type echo-request counter comment "echo6-all"
  }
}
EOF
echo_count() {
  nsx customer nft list chain inet lab_watch out | awk -v n="\"$1\"" '
    index($0, "comment " n) { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }'
}

# record FILE: the router's state, with what traffic moves taken out.
record() {
  {
    echo "## links"; ip -n customer -d link show | sed -E 's/ (qlen|numtxqueues|numrxqueues|gso_max_(size|segs)|gro_max_size|tso_max_(size|segs)|gro_ipv4_max_size|gso_ipv4_max_size) [0-9]+//g'
    echo "## addresses"; ip -n customer addr show
    echo "## routes v4"; ip -n customer route show table all
    echo "## routes v6"; ip -n customer -6 route show table all | grep -v ' expires '
    echo "## neighbours"; ip -n customer neigh show | awk '{ $NF = ""; print }' | sed -E 's/ (router|proxy)//'
    echo "## neighbours v6"; ip -n customer -6 neigh show | awk '{ $NF = ""; print }' | sed -E 's/ (router|proxy)//'
    echo "## rules v4"; ip -n customer rule show
    echo "## rules v6"; ip -n customer -6 rule show
    echo "## nft"; nsx customer nft list ruleset | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'
    # Key material is the lab's too: masked, so no record holds a secret.
    echo "## xfrm state"; ip -n customer xfrm state | sed -E 's/0x[0-9a-f]{16,}/<key>/g' 
    echo "## xfrm policy"; ip -n customer xfrm policy
    # Ages, times to the next rekey and traffic counters move by themselves.
    echo "## swanctl sas"; swanctl_in customer --list-sas --raw 2>/dev/null |
      sed -E 's/ (established|rekey-time|reauth-time|install-time|life-time|use-in|use-out|bytes-in|bytes-out|packets-in|packets-out)=[0-9]+//g'
    echo "## swanctl conns"; swanctl_in customer --list-conns --raw 2>/dev/null
    # An interface line holds its private key; peer lines a preshared key.
    echo "## wg"; nsx customer wg show all dump |
      awk -F'\t' 'NF == 5 { $2 = "<private>" } NF == 9 { $3 = "<psk>"; $6 = $7 = $8 = "" } { print }'
    echo "## sysctl net"; nsx customer sysctl -a 2>/dev/null | grep '^net\.' |
      grep -v -E '^net\.netfilter\.nf_conntrack_count |^net\.ipv4\.tcp_fastopen_key |^net\.core\.netdev_rss_key '
    # The one module the kernel may load for edgediag, as it does for `ss`:
    # sock_diag's TCP handler (inet_diag, tcp_diag), on the first request
    # for bgpd's sockets and their MD5 keys. Any other module is a change.
    echo "## modules"; cut -d' ' -f1 /proc/modules | grep -v -x -E 'inet_diag|tcp_diag' | sort
  } >"$1" 2>&1
}

record "$LAB/before.state.log"
log "recorded $(wc -l <"$LAB/before.state.log") lines of router state"
[ "$(grep -c '' "$LAB/before.state.log")" -gt 100 ] || setup_failed "the state record is too short"
# The record is stable by itself: two in a row agree (else the diff below
# would blame edgediag for the lab's own churn).
record "$LAB/again.state.log"
diff -u "$LAB/before.state.log" "$LAB/again.state.log" >"$LAB/again.diff.log" ||
  setup_failed "the state moved with nothing run: $(grep '^[-+][^-+]' "$LAB/again.diff.log" | head -c 1500)"

FAILED=
failed() { log "ASSERT FAILED: $*"; [ -n "$FAILED" ] || FAILED=$*; }
common=(--frr-vty-dir "$(frr_dir customer)" --vici-socket "$(vici_sock customer)")
run_ro() { # run_ro NAME ARGS...: stdout/stderr to $LAB/NAME.{out,err}.log
  local name=$1; shift
  local rc=0
  nsx customer timeout -k 5 120 "$EDGEDIAG" --deadline 60 --timeout 10000 "${common[@]}" "$@" \
    >"$LAB/$name.out.log" 2>"$LAB/$name.err.log" || rc=$?
  log "edgediag $*: exit $rc: $(head -n1 "$LAB/$name.out.log" | head -c 160)"
}
install -d -m 0700 "$LAB/out"
run_ro dx dx --vif-file "$LAB/vif.json"
run_ro dx-json dx --json --vif-file "$LAB/vif.json" --save-snapshot "$LAB/out/dx.snapshot.json"
run_ro vpn --sample 3 vpn
run_ro check --sample 3 check --vif-file "$LAB/vif.json" --state "$LAB/out/state.json" \
  --prometheus "$LAB/out/edgediag.prom" --emf "$LAB/out/edgediag.emf"
run_ro check-again check --vif-file "$LAB/vif.json" --state "$LAB/out/state.json" \
  --prometheus "$LAB/out/edgediag.prom" --emf "$LAB/out/edgediag.emf"
grep -q 'dx.md5' "$LAB/dx.out.log" || failed "dx did not name the MD5 fault: $(head -c 300 "$LAB/dx.out.log")"
grep -q 'snat-before-policy\|ipsec.nat' "$LAB/vpn.out.log" "$LAB/vpn.err.log" ||
  log "note: vpn did not name the SNAT fault (no traffic to the far LAN): $(head -c 200 "$LAB/vpn.out.log")"
e0=$(echo_count echo-all) e6=$(echo_count echo6-all)
[ "$e0" = 0 ] && [ "$e6" = 0 ] || failed "without --probe the router sent ICMP echo requests: $e0 v4, $e6 v6"

record "$LAB/after.state.log"
if ! diff -u "$LAB/before.state.log" "$LAB/after.state.log" >"$LAB/state.diff.log"; then
  failed "the router's state changed: $(grep '^[-+][^-+]' "$LAB/state.diff.log" | head -c 1500)"
else
  log "state diff after dx, vpn --sample, check --sample: empty ($(wc -l <"$LAB/after.state.log") lines compared)"
fi

# --probe: only its documented DF pings, to the Amazon peer only.
run_ro probe dx --probe --vif-file "$LAB/vif.json"
peer=$(echo_count echo-peer) all=$(echo_count echo-all) e6=$(echo_count echo6-all)
log "dx --probe sent $all ICMP echo requests, $peer of them to the Amazon peer $AMAZON, $e6 ICMPv6"
[ "$all" -ge 1 ] || failed "dx --probe sent no ping"
[ "$all" = "$peer" ] && [ "$e6" = 0 ] || failed "dx --probe pinged something other than the Amazon peer"
[ "$all" -le 8 ] || failed "dx --probe sent $all pings: more than its documented few"
record "$LAB/probe.state.log"
# A probe may leave a PMTU exception (a route cache entry) and a neighbour.
if ! diff -u <(grep -v -E 'cache|expires' "$LAB/before.state.log") \
            <(grep -v -E 'cache|expires' "$LAB/probe.state.log") >"$LAB/probe.diff.log"; then
  failed "the router's state changed after dx --probe: $(grep '^[-+][^-+]' "$LAB/probe.diff.log" | head -c 1500)"
else
  log "state diff after dx --probe: empty"
fi

if [ -n "$FAILED" ]; then
  log "ASSERT FAILED: $FAILED"
  exit 1
fi
log "ASSERT OK: nothing changed on the router; only the documented probe pings were sent"
