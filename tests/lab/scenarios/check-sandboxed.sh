#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Not a fault: `edgediag check` inside edgediag.service's own sandbox still
# reads every source. The sandbox is parsed from debian/edgediag.service, so
# the two cannot drift: its CapabilityBoundingSet through setpriv (with
# NoNewPrivileges), its SystemCallFilter, SystemCallErrorNumber,
# RestrictAddressFamilies and UMask through tests/packaging/unit-sandbox.
# The router has every source live: FRR BGP with an MD5 key (vty sockets in
# frr's own 0750 directory), strongSwan with an INSTALLED CHILD SA (XFRM),
# kernel WireGuard, an nftables NAT, a VIF file 0600 owned by another user,
# a node_exporter textfile directory owned by another user.
# Then each capability of the set is dropped in turn, and CAP_DAC_OVERRIDE
# swapped for the weaker CAP_DAC_READ_SEARCH: some source must fail each
# time (the set is no larger than needed).
# Exit codes: 0 every source ok in the sandbox and every capability needed,
# 1 otherwise, 2 the router's state was not reached, 3 setup failed.
. "$(dirname "$0")/../lib.sh"
lab_start
UNIT=$(cd "$LAB_DIR/../.." && pwd)/debian/edgediag.service
SANDBOX=$LAB_DIR/../packaging/unit-sandbox
[ -r "$UNIT" ] || setup_failed "no $UNIT"
CAPS=$(python3 "$SANDBOX" --print-caps "$UNIT") || setup_failed "cannot read the capabilities of $UNIT"
log "unit's bounding set for setpriv: $CAPS"

# Direct Connect: eth0.101, BGP with the VIF's MD5 key, LAN 10.1.0.0/24.
vif_json "$LAB/vif.json" bgpStatus=up
dx_setup "$LAB/vif.json"
every_source ipsec

# Files as a router has them, owned by others: only CAP_DAC_OVERRIDE reaches.
install -d -m 0700 "$LAB/state"
install -d -m 0755 -o nobody "$LAB/textfile"
install -m 0600 -o nobody "$LAB/vif.json" "$LAB/vif-nobody.json"

prove 60 "BGP Established with the Amazon peer (MD5)" bgp_established customer "$CUST_PEER"
prove 30 "CHILD SA INSTALLED" child_installed customer
prove 20 "10.100.0.2 answers through wg0" nsx customer ping -c1 -W2 -q 10.100.0.2
log "vty sockets: $(stat -c '%n %U:%G %a' "$(frr_dir customer)" "$(frr_dir customer)"/*.vty | tr '\n' ' ')"

[ -n "$EDGEDIAG" ] || { log "ASSERT FAILED: EDGEDIAG is not set: no tool to check"; exit 1; }
# sandboxed NAME BOUNDING-SET: check as the timer runs it, in the sandbox;
# the snapshot goes to $LAB/NAME.snapshot.json. Sets TOOL_RC. Deadline and
# source timeouts are the lab's (the VM is slow): this is about permissions.
sandboxed() {
  local name=$1 caps=$2
  TOOL_RC=0
  log "run ($name): setpriv --bounding-set=$caps unit-sandbox edgediag.service -- edgediag check"
  nsx customer timeout -k 5 120 setpriv --bounding-set="$caps" --inh-caps=-all --no-new-privs \
    python3 "$SANDBOX" "$UNIT" -- "$EDGEDIAG" --deadline 90 --timeout 30000 \
    --vici-socket "$(vici_sock customer)" --frr-vty-dir "$(frr_dir customer)" \
    check --no-syslog --state "$LAB/state/$name.json" --vif-file "$LAB/vif-nobody.json" \
    --prometheus "$LAB/textfile/$name.prom" --save-snapshot "$LAB/$name.snapshot.json" \
    >"$LAB/$name.out.log" 2>"$LAB/$name.err.log" || TOOL_RC=$?
  log "edgediag exit $TOOL_RC: $(head -c 200 "$LAB/$name.out.log")"
}
# sources NAME: "name=state" for every source of the snapshot, one line.
sources() {
  jq -r '.sources | to_entries | map("\(.key)=\(.value.state)") | join(" ")' \
    "$LAB/$1.snapshot.json" 2>/dev/null || echo "no snapshot"
}
not_ok() {
  jq -r '.sources | to_entries[] | select(.value.state != "ok") | "\(.key): \(.value.state): \(.value.reason)"' \
    "$LAB/$1.snapshot.json" 2>/dev/null || echo "no snapshot"
}

FAILED=
failed() { log "ASSERT FAILED: $*"; [ -n "$FAILED" ] || FAILED=$*; }

sandboxed unit "$CAPS"
log "sources in the unit's sandbox: $(sources unit)"
[ "$TOOL_RC" -le 2 ] || failed "check exited $TOOL_RC (UNKNOWN) in the sandbox: $(head -c 300 "$LAB/unit.err.log")"
bad=$(not_ok unit)
[ -z "$bad" ] || failed "in the unit's sandbox, not every source is ok: $(echo "$bad" | tr '\n' ';')"
for s in counters ethtool frr kernel md5 nftables sockets vici vif wireguard xfrm; do
  st=$(jq -r --arg s "$s" '.sources[$s].state // "absent"' "$LAB/unit.snapshot.json" 2>/dev/null)
  [ "$st" = ok ] || failed "source $s is ${st:-absent} in the sandbox"
done
# Data, not only states: what each privileged source holds on this router.
while IFS='|' read -r what q; do
  n=$(jq "$q" "$LAB/unit.snapshot.json" 2>/dev/null || echo 0)
  log "snapshot: $what: $n"
  [ "${n:-0}" -ge 1 ] 2>/dev/null || failed "the sandboxed snapshot has no $what"
done <<'Q'
a BGP socket with its MD5 key|[.tcp_sockets[]? | select((.md5_keys // []) | length > 0)] | length
an Established BGP neighbour (vtysh)|[.bgp_neighbors[]? | select(.bgpState == "Established")] | length
a WireGuard peer|[.wireguard[]?.peers[]?] | length
XFRM states (the CHILD SA's in and out)|(.xfrm_states // []) | length
an IKE SA (VICI)|(.ike_sas // []) | length
a NAT rule (nft)|(.nat_rules // []) | length
a VIF description|(.vifs // []) | length
Q
[ -s "$LAB/textfile/unit.prom" ] || failed "no Prometheus textfile in the directory nobody owns"
[ "$(stat -c %a "$LAB/textfile/unit.prom" 2>&1)" = 644 ] ||
  failed "textfile mode $(stat -c %a "$LAB/textfile/unit.prom" 2>&1), not 0644 (node_exporter reads it)"
[ "$(stat -c %a "$LAB/state/unit.json" 2>&1)" = 600 ] ||
  failed "state file mode $(stat -c %a "$LAB/state/unit.json" 2>&1), not 0600"

# Each capability of the set, dropped: something must break without it.
for cap in ${CAPS//,/ }; do
  case $cap in +*) ;; *) continue ;; esac
  name=without-${cap#+}
  sandboxed "$name" "${CAPS/,$cap/}"
  # The snapshot is saved before the check's outputs: it must be there.
  [ -s "$LAB/$name.snapshot.json" ] || { failed "no snapshot without ${cap#+} (exit $TOOL_RC)"; continue; }
  denied=$(not_ok "$name" | tr '\n' ';')
  log "without ${cap#+}: ${denied:-every source ok}"
  [ -n "$denied" ] || failed "check reads every source without ${cap#+}: drop it from CapabilityBoundingSet"
done

# CAP_DAC_READ_SEARCH would be the smaller grant, but reading is not enough:
# connecting to FRR's 0770 vty sockets needs write access.
case ,$CAPS, in
  *,+dac_override,*)
    sandboxed read-search "${CAPS/+dac_override/+dac_read_search}"
    [ -s "$LAB/read-search.snapshot.json" ] || failed "no snapshot with dac_read_search (exit $TOOL_RC)"
    denied=$(not_ok read-search | tr '\n' ';')
    log "dac_read_search instead of dac_override: ${denied:-every source ok}"
    [ -n "$denied" ] || failed "check reads every source with dac_read_search: use it instead of dac_override"
    ;;
esac

if [ -n "$FAILED" ]; then
  log "ASSERT FAILED: $FAILED"
  exit 1
fi
log "ASSERT OK: every source ok under $CAPS and the unit's system-call filter; each capability needed"
