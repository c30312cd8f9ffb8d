# shellcheck shell=bash
# lib.sh: the lab's scenario library.  Sourced by tests/lab/scenarios/*.sh,
# which run as root inside the lab VM (tests/lab/vm-run), one at a time.
#
# A scenario builds network namespaces joined by veth pairs:
#
#   customer (the router under test: FRR, strongSwan, WireGuard, nftables)
#      eth0 ---- [carrier: c-cust ... c-aws] ---- eth0  aws (the far end)
#
# injects ONE fault, proves that the fault shows in the lab (prove*, or
# not_reproduced), then runs edgediag in the customer namespace (run_edgediag)
# and checks the first finding id (assert_report).
#
# Scenario exit codes, read by run-lab:
#   0 the fault reproduced and edgediag named it
#   1 the fault reproduced, edgediag's report did not match (or it failed)
#   2 the fault did NOT reproduce: the lab itself is wrong
#   3 the topology could not be built
# Everything a scenario starts is stopped and every namespace deleted on exit.

set -euo pipefail
export LC_ALL=C.UTF-8

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=/tmp/lab                       # per-scenario work directory (tmpfs)
LAB_NAME=$(basename "$0" .sh)
LAB_T0=${EPOCHREALTIME/./}            # microseconds
LAB_NETNS="customer carrier aws lan site2"
EDGEDIAG=${EDGEDIAG:-}
# LAB_TRACE=FILE: an xtrace with timestamps, for finding slow steps.
if [ -n "${LAB_TRACE:-}" ]; then
  exec 9>>"$LAB_TRACE"; BASH_XTRACEFD=9; PS4='+ $EPOCHREALTIME '; set -x
fi

# --- logging and outcomes ---------------------------------------------------
now_us() { NOW=${EPOCHREALTIME/./}; }   # sets NOW without forking
log() {
  now_us
  printf '[%6.2f] %s\n' "$(( (NOW - LAB_T0) / 10000 ))e-2" "$*" >&2
}
not_reproduced() { log "FAULT NOT REPRODUCED: $*"; LAB_RC=2; exit 2; }
setup_failed() { log "SETUP FAILED: $*"; LAB_RC=3; exit 3; }
# nsx NS CMD...: run CMD inside network namespace NS.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# --- bounded waits ----------------------------------------------------------
# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 0.3 s until it succeeds;
# 1 when SECONDS pass first.
wait_for() {
  local secs=$1 what=$2; shift 2
  local t end
  now_us; t=$NOW; end=$(( NOW + secs * 1000000 ))
  while :; do
    if "$@" >/dev/null 2>&1; then
      now_us
      log "ok: $what (after $(( (NOW - t) / 1000 )) ms)"
      return 0
    fi
    now_us
    [ "$NOW" -lt "$end" ] || { log "timeout after ${secs}s: $what"; return 1; }
    sleep 0.3
  done
}
# holds_for SECONDS DESCRIPTION CMD...: CMD must succeed at every poll for
# SECONDS; 1 at the first failure.
holds_for() {
  local secs=$1 what=$2; shift 2
  local end
  now_us; end=$(( NOW + secs * 1000000 ))
  while :; do
    "$@" >/dev/null 2>&1 || { log "no longer true: $what"; return 1; }
    now_us
    [ "$NOW" -lt "$end" ] || break
    sleep 0.5
  done
  log "ok: $what (held ${secs}s)"
}
# prove SECONDS DESCRIPTION CMD...: the fault must show within SECONDS.
prove() { wait_for "$@" || not_reproduced "$2"; }
# prove_holds SECONDS DESCRIPTION CMD...: the fault must persist SECONDS.
prove_holds() { holds_for "$@" || not_reproduced "$2"; }
# need SECONDS DESCRIPTION CMD...: a precondition of the topology.
need() { wait_for "$@" || setup_failed "$2"; }
not() { ! "$@"; }

# --- secrets ------------------------------------------------------------------
# lab_secret VALUE...: a secret of this scenario (a PSK, a key made on the
# fly) that secret-scan must find in none of the outputs. WireGuard private
# keys, VIF authKeys, FRR passwords and swanctl secrets in files under $LAB
# are found without it.
lab_secret() {
  local v
  for v in "$@"; do [ -z "$v" ] || (umask 077; printf '%s\n' "$v" >>"$LAB/.secrets"); done
}
# lab_syslog: what edgediag sends to syslog lands in $LAB/syslog.log (the VM
# runs no syslog daemon), so secret-scan searches it too.
lab_syslog() {
  [ -e /dev/log ] && return 0
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
out = open(sys.argv[1], "ab", buffering=0)
while True:
    out.write(s.recv(65536) + b"\n")
' "$LAB/syslog.log" &
  LAB_PIDS+=($!)
  LAB_SYSLOG=1
}

# --- lifecycle --------------------------------------------------------------
LAB_PIDS=()
LAB_RC=
lab_cleanup() {
  local rc=$? p ns
  set +e
  [ -n "$LAB_RC" ] && rc=$LAB_RC
  for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  # Anything else still running in the lab's namespaces was started by it.
  local live=""
  for ns in $LAB_NETNS; do [ -e "/run/netns/$ns" ] && live="$live $ns"; done
  for ns in $live; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
  done
  sleep 0.2
  for p in "${LAB_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [ -z "${LAB_SYSLOG:-}" ] || rm -f /dev/log
  for ns in $live; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  # No secret in anything the scenario left: reports, snapshots, state,
  # metrics, syslog, logs (secret-scan names file and form, never a secret).
  if [ -d "$LAB" ]; then
    local leaked=
    python3 "$LAB_DIR/secret-scan" "$LAB" >"$LAB/secret-scan.log" 2>&1 || leaked=1
    while read -r line; do log "$line"; done <"$LAB/secret-scan.log"
    if [ -n "$leaked" ]; then
      log "ASSERT FAILED: a secret in the scenario's outputs: $(tail -n1 "$LAB/secret-scan.log")"
      [ "$rc" != 0 ] || rc=1
    fi
  fi
  if [ -n "${LAB_KEEP:-}" ] && [ -d "$LAB" ]; then
    mkdir -p "$LAB_KEEP/$LAB_NAME"
    # Keep logs and reports, never the configurations (they hold keys).
    find "$LAB" \( -name '*.log' -o -name 'report.json' -o -name 'report.err' \) -print0 |
      xargs -0r cp --parents -t "$LAB_KEEP/$LAB_NAME/" 2>/dev/null
  fi
  rm -rf "$LAB"
  exit "$rc"
}

# lab_start: a clean slate (leftovers of a killed scenario are removed first).
lab_start() {
  local ns p
  for ns in $LAB_NETNS; do
    if [ -e "/run/netns/$ns" ]; then
      for p in $(ip netns pids "$ns"); do kill -9 "$p" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
  rm -rf "$LAB"
  mkdir -m 0755 "$LAB"
  trap lab_cleanup EXIT
  lab_syslog
  trap 'exit 143' TERM
  trap 'exit 130' INT
  log "scenario $LAB_NAME"
}

# lab_expected: the expected first finding id, from run-lab (LAB_EXPECT) or
# from scenarios.list.
lab_expected() {
  if [ -n "${LAB_EXPECT:-}" ]; then echo "$LAB_EXPECT"; return; fi
  awk -v n="$LAB_NAME" '$1 == n { print $2 }' "$LAB_DIR/scenarios.list"
}

# --- namespaces, links, VLANs -------------------------------------------------
ns_add() {
  local ns
  for ns in "$@"; do
    [ -e "/run/netns/$ns" ] && continue   # already built by the scenario
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
}
ns_router() { nsx "$1" sysctl -qw net.ipv4.ip_forward=1; }
# ns_sysctl NS KEY=VALUE...
ns_sysctl() { local ns=$1; shift; nsx "$ns" sysctl -qw "$@"; }

# veth NS1 IF1 NS2 IF2 [MTU]: a cable between two namespaces, both ends up.
veth() {
  local a=$1 ai=$2 b=$3 bi=$4 mtu=${5:-1500}
  ip link add name "$ai" netns "$a" mtu "$mtu" type veth peer name "$bi" netns "$b" mtu "$mtu"
  ip -n "$a" link set "$ai" up
  ip -n "$b" link set "$bi" up
}

# vlan NS PARENT ID [802.1Q|802.1ad] [NAME]: a VLAN sub-interface, up.
vlan() {
  local ns=$1 parent=$2 id=$3 proto=${4:-802.1Q} name=${5:-$2.$3}
  ip -n "$ns" link add link "$parent" name "$name" up type vlan proto "$proto" id "$id"
}
addr() { ip -n "$1" addr add "$3" dev "$2"; }
# lan_addr NS CIDR: a "LAN" address on a dummy interface (stands for a subnet).
lan_addr() {
  ip -n "$1" link show lan0 >/dev/null 2>&1 || ip -n "$1" link add lan0 up type dummy
  ip -n "$1" addr add "$2" dev lan0
}
ip_of() { echo "${1%/*}"; }

# --- the carrier in the middle ---------------------------------------------------
# carrier_add MODE [ARGS]: namespace "carrier" between customer eth0 and aws
# eth0 (its ports c-cust and c-aws, MTU 1500 like a carrier handoff).
#   pass             bridge everything through unchanged
#   retag IN OUT     VLAN translation: 802.1Q IN from the customer leaves as OUT
#   double OUTER IN  push an 802.1ad tag OUTER onto the customer's 802.1Q IN
carrier_add() {
  local mode=$1
  ns_add carrier
  veth customer eth0 carrier c-cust "${CARRIER_MTU:-1500}"
  veth carrier c-aws aws eth0 "${CARRIER_MTU:-1500}"
  ip -n carrier link add br0 type bridge stp_state 0 vlan_filtering 0
  case $mode in
    pass)
      ip -n carrier link set c-cust master br0
      ip -n carrier link set c-aws master br0 ;;
    retag)
      vlan carrier c-cust "$2"
      vlan carrier c-aws "$3"
      ip -n carrier link set "c-cust.$2" master br0
      ip -n carrier link set "c-aws.$3" master br0 ;;
    double)
      vlan carrier c-cust "$3"
      vlan carrier c-aws "$2" 802.1ad
      vlan carrier "c-aws.$2" "$3" 802.1Q "c-aws.$2.$3"
      ip -n carrier link set "c-cust.$3" master br0
      ip -n carrier link set "c-aws.$2.$3" master br0 ;;
    *) setup_failed "carrier mode $mode" ;;
  esac
  ip -n carrier link set br0 up
}

# --- AWS VIF description --------------------------------------------------------
# vif_json FILE [FIELD=VALUE]...: a describe-virtual-interfaces document with
# one private VIF.  Fields: vlan asn amazonSideAsn mtu authKey amazonAddress
# customerAddress virtualInterfaceType virtualInterfaceId bgpStatus
# virtualGatewayId directConnectGatewayId routeFilterPrefixes (comma-separated
# CIDRs).  authKey= (empty) leaves the key out.
vif_json() {
  local file=$1; shift
  local kv k v args=() key_set=1 key=
  local -A f=(
    [virtualInterfaceId]=dxvif-lab00001 [virtualInterfaceType]=private
    [vlan]=101 [asn]=65000 [amazonSideAsn]=64512 [mtu]=1500
    [amazonAddress]=169.254.0.1/29 [customerAddress]=169.254.0.2/29
    [bgpStatus]=down [virtualGatewayId]=vgw-lab00001 [directConnectGatewayId]=
    [routeFilterPrefixes]=
  )
  key=lab-Key-0001
  for kv in "$@"; do
    k=${kv%%=*}; v=${kv#*=}
    if [ "$k" = authKey ]; then key=$v; [ -n "$v" ] || key_set=; continue; fi
    f[$k]=$v
  done
  for k in "${!f[@]}"; do args+=(--arg "$k" "${f[$k]}"); done
  jq -n "${args[@]}" --arg authKey "$key" --arg keyed "$key_set" '
    def num: tonumber;
    ({ownerAccount: "123456789012", virtualInterfaceId: $virtualInterfaceId,
      location: "LAB1", connectionId: "dxcon-lab00001",
      virtualInterfaceType: $virtualInterfaceType,
      virtualInterfaceName: "edgediag-lab", vlan: ($vlan|num),
      asn: ($asn|num), asnLong: ($asn|num), amazonSideAsn: ($amazonSideAsn|num),
      authKey: $authKey, amazonAddress: $amazonAddress,
      customerAddress: $customerAddress, addressFamily: "ipv4",
      virtualInterfaceState: "available", mtu: ($mtu|num),
      jumboFrameCapable: true, virtualGatewayId: $virtualGatewayId,
      directConnectGatewayId: $directConnectGatewayId,
      routeFilterPrefixes: ($routeFilterPrefixes | if . == "" then [] else split(",") | map({cidr: .}) end),
      bgpPeers: [{bgpPeerId: "dxpeer-lab00001", asn: ($asn|num),
                  asnLong: ($asn|num), authKey: $authKey,
                  addressFamily: "ipv4", amazonAddress: $amazonAddress,
                  customerAddress: $customerAddress,
                  bgpPeerState: "available", bgpStatus: $bgpStatus,
                  awsDeviceV2: "LAB1-lab1"}],
      region: "eu-west-1", awsDeviceV2: "LAB1-lab1",
      awsLogicalDeviceId: "LAB1-lab1", tags: []}
     | if $keyed == "" then del(.authKey) | del(.bgpPeers[0].authKey) else . end)
    | {virtualInterfaces: [.]}' >"$file"
  # It holds the authKey in the clear: saved as the README says (umask 077).
  chmod 600 "$file"
}
vif_get() { jq -r ".virtualInterfaces[0].$2 // empty" "$1"; }

# --- FRR (zebra + bgpd per namespace) ----------------------------------------
# frr_dir NS: the daemons' vty sockets live here (edgediag --frr-vty-dir).
frr_dir() { echo "$LAB/$1/frr"; }
vtysh_in() { local ns=$1; shift; nsx "$ns" vtysh --vty_socket "$(frr_dir "$ns")" "$@"; }

# frr_start NS: start zebra in NS; $(frr_dir NS) (owned by frr, mode 0750)
# holds bgpd.conf already.  frr_start_bgpd NS starts bgpd once zebra is up.
frr_start() {
  local ns=$1 d; d=$(frr_dir "$ns")
  [ -f "$d/bgpd.conf" ] || setup_failed "no $d/bgpd.conf"
  printf 'hostname %s\nlog file %s/zebra.log informational\n' "$ns" "$d" >"$d/zebra.conf"
  chown frr:frr "$d/zebra.conf"
  nsx "$ns" /usr/lib/frr/zebra -P 0 --vty_socket "$d" -z "$d/zserv.api" \
    -i "$d/zebra.pid" -f "$d/zebra.conf" >"$d/zebra.out.log" 2>&1 &
  LAB_PIDS+=($!)
}
frr_start_bgpd() {
  local ns=$1 d; d=$(frr_dir "$ns")
  need 30 "zebra up in $ns" test -S "$d/zserv.api"
  nsx "$ns" /usr/lib/frr/bgpd -P 0 --vty_socket "$d" -z "$d/zserv.api" \
    -i "$d/bgpd.pid" -f "$d/bgpd.conf" >"$d/bgpd.out.log" 2>&1 &
  LAB_PIDS+=($!)
}
frr_wait() { need 30 "bgpd up in $1" test -S "$(frr_dir "$1")/bgpd.vty"; }

# bgp_json NS PEER: FRR's view of one neighbour.
bgp_json() { vtysh_in "$1" -c "show bgp neighbors $2 json" 2>/dev/null | jq -c --arg p "$2" '.[$p] // empty'; }
bgp_state() { bgp_json "$1" "$2" | jq -r '.bgpState // "none"'; }
bgp_established() { [ "$(bgp_state "$1" "$2")" = Established ]; }
bgp_not_established() { local s; s=$(bgp_state "$1" "$2"); [ -n "$s" ] && [ "$s" != Established ]; }
# bgp_never_established NS PEER: not Established now, and never was since
# bgpd started (FRR counts connectionsEstablished).
bgp_never_established() {
  bgp_json "$1" "$2" | jq -e '.bgpState != "Established" and (.connectionsEstablished // 0) == 0' >/dev/null
}
# prove_no_session [SECONDS]: after SECONDS more (default 3), the customer's
# session has never been Established.
prove_no_session() {
  sleep "${1:-2}"
  bgp_never_established customer "$CUST_PEER" || not_reproduced "BGP was Established"
  log "ok: BGP has never been Established"
}
# bgp_field NS PEER JQ-EXPR
bgp_field() { bgp_json "$1" "$2" | jq -r "$3"; }

# TcpExt counters of a namespace (/proc/net/netstat is per namespace).
tcpext() {
  nsx "$1" cat /proc/net/netstat | awk -v k="$2" '
    /^TcpExt:/ { if (!h) { for (i = 2; i <= NF; i++) n[i] = $i; h = 1 } else for (i = 2; i <= NF; i++) if (n[i] == k) print $i }'
}
tcpext_above() { [ "$(tcpext "$1" "$2")" -gt "${3:-0}" ]; }

# neigh_unresolved NS ADDR: the ARP entry for ADDR is FAILED or INCOMPLETE
# (or absent), and ADDR does not answer.
neigh_state() { ip -n "$1" neigh show to "$2" | awk '{print $NF}' | head -n1; }
neigh_unresolved() {
  local s; s=$(neigh_state "$1" "$2")
  case $s in FAILED|INCOMPLETE|"") ! nsx "$1" ping -c1 -W2 -q "$2" >/dev/null 2>&1 ;; *) return 1 ;; esac
}
reaches() { nsx "$1" ping -c1 -W2 -q "$2" >/dev/null 2>&1; }
# reaches_from NS SRC DST: a ping from SRC (an address of NS) gets an answer.
reaches_from() { nsx "$1" ping -c1 -W2 -q -I "$2" "$3" >/dev/null 2>&1; }

# --- Direct Connect topology from a VIF file -------------------------------------
# dx_setup VIF_FILE: customer eth0 <-> aws eth0 (or through the carrier when
# CARRIER is set: "pass", "retag 101 102", "double 300 101"), the aws end
# configured from the VIF exactly as AWS would be, the customer router as the
# CUST_* variables say (defaults: what the VIF says, i.e. healthy):
#   CUST_VLAN        VLAN id of the customer sub-interface ("" = untagged)
#   CUST_OUTER       an 802.1ad outer tag under the VLAN (Q-in-Q)
#   CUST_ADDR        address/prefix on the customer interface
#   CUST_PEER        neighbour address in bgpd
#   CUST_ASN         router bgp ASN;  CUST_REMOTE_AS  neighbour remote-as
#   CUST_KEY         MD5 password (unset = the VIF's; "" = none)
#   CUST_MTU         MTU of the sub-interface (and of eth0 if larger)
#   CUST_PREFIXES    how many /24s the customer advertises (default 2)
#   CUST_PORT_DOWN   1: the aws end of the cable is down (no carrier on eth0)
#   CUST_REQUIRE_POLICY 1: keep FRR's default ebgp-requires-policy (no policy)
# Like AWS, the aws end announces 10.2.0.0/16 only when the VIF has a gateway
# (virtualGatewayId or directConnectGatewayId), and on a public VIF accepts
# only the routeFilterPrefixes (and more specifics): a prefix-list drops the
# rest.
dx_setup() {
  VIF=$1
  local vlan asn aasn key mtu aaddr caddr type limit gateway approved
  { read -r vlan; read -r asn; read -r aasn; read -r mtu; read -r aaddr
    read -r caddr; read -r type; read -r gateway; read -r approved; IFS= read -r key; } < <(jq -r '.virtualInterfaces[0]
      | .vlan, .asn, .amazonSideAsn, .mtu, .amazonAddress, .customerAddress,
        .virtualInterfaceType, ((.virtualGatewayId // "") + (.directConnectGatewayId // "")),
        ([.routeFilterPrefixes[]?.cidr] | join(" ")), (.authKey // "")' "$VIF")
  case $type in public) limit=1000 ;; *) limit=100 ;; esac

  : "${CUST_VLAN=$vlan}" "${CUST_OUTER=}" "${CUST_ADDR=$caddr}"
  : "${CUST_PEER=$(ip_of "$aaddr")}" "${CUST_ASN=$asn}" "${CUST_REMOTE_AS=$aasn}"
  : "${CUST_KEY=$key}" "${CUST_MTU=$mtu}" "${CUST_PREFIXES=2}" "${CUST_PORT_DOWN=}"
  : "${CUST_REQUIRE_POLICY=}"
  : "${CUST_VRF=}"
  AWS_ADDR=$(ip_of "$aaddr"); AWS_PEER=$(ip_of "$caddr")

  # Every process start costs in the VM: one "ip -batch" per namespace.
  ip netns add customer
  ip netns add aws
  local pmtu=1500 amtu=1500 cb ab
  [ "$CUST_MTU" -gt 1500 ] && pmtu=$CUST_MTU
  [ "$mtu" -gt 1500 ] && amtu=$mtu
  if [ -n "${CARRIER:-}" ]; then
    # shellcheck disable=SC2086
    carrier_add $CARRIER
  else
    ip link add name eth0 netns customer type veth peer name eth0 netns aws
  fi
  cb="link set lo up"$'\n'"link set eth0 mtu $pmtu up"
  CUST_IF=eth0
  if [ -n "$CUST_VLAN" ]; then
    if [ -n "$CUST_OUTER" ]; then
      cb+=$'\n'"link add link eth0 name eth0.$CUST_OUTER up type vlan proto 802.1ad id $CUST_OUTER"
      cb+=$'\n'"link add link eth0.$CUST_OUTER name eth0.$CUST_OUTER.$CUST_VLAN mtu $CUST_MTU up type vlan proto 802.1Q id $CUST_VLAN"
      CUST_IF=eth0.$CUST_OUTER.$CUST_VLAN
    else
      cb+=$'\n'"link add link eth0 name eth0.$CUST_VLAN mtu $CUST_MTU up type vlan proto 802.1Q id $CUST_VLAN"
      CUST_IF=eth0.$CUST_VLAN
    fi
  fi
  if [ -n "$CUST_VRF" ]; then
    # VyOS style: the DX sub-interface in a VRF of its own (table 100).
    cb+=$'\n'"link add $CUST_VRF up type vrf table 100"
    cb+=$'\n'"link set $CUST_IF master $CUST_VRF"
  fi
  cb+=$'\n'"addr add $CUST_ADDR dev $CUST_IF"
  cb+=$'\n'"link add lan0 up type dummy"$'\n'"addr add 10.1.0.1/24 dev lan0"
  # aws: 802.1Q sub-interface with the Amazon address, bgpd as the VIF says.
  ab="link set lo up"$'\n'"link set eth0 mtu $amtu up"
  ab+=$'\n'"link add link eth0 name eth0.$vlan mtu $mtu up type vlan proto 802.1Q id $vlan"
  ab+=$'\n'"addr add $aaddr dev eth0.$vlan"
  ip -n customer -batch - <<<"$cb" || setup_failed "customer interfaces"
  ip -n aws -batch - <<<"$ab" || setup_failed "aws interfaces"
  # Like AWS's router, the Amazon end answers ARP and accepts packets only on
  # its sub-interface (Linux would otherwise answer on the untagged port too).
  ns_sysctl aws net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.rp_filter=1

  mkdir -p "$(frr_dir aws)" "$(frr_dir customer)"
  chmod 0750 "$(frr_dir aws)" "$(frr_dir customer)"
  local c; c="$(frr_dir aws)/bgpd.conf"
  {
    echo "hostname aws"
    echo "log file $(frr_dir aws)/bgpd.log informational"
    echo "router bgp $aasn"
    echo " bgp router-id $AWS_ADDR"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    echo " timers bgp 10 30"
    echo " neighbor $AWS_PEER remote-as $asn"
    [ -n "$key" ] && printf ' neighbor %s password %s\n' "$AWS_PEER" "$key"
    echo " neighbor $AWS_PEER timers connect 2"
    echo " address-family ipv4 unicast"
    [ -n "$gateway" ] && echo "  network 10.2.0.0/16"
    echo "  neighbor $AWS_PEER maximum-prefix $limit"
    [ "$type" = public ] && echo "  neighbor $AWS_PEER prefix-list VIF-APPROVED in"
    echo " exit-address-family"
    if [ "$type" = public ]; then
      local p n=5
      for p in $approved; do echo "ip prefix-list VIF-APPROVED seq $n permit $p le 32"; n=$((n + 5)); done
      echo "ip prefix-list VIF-APPROVED seq $n deny any"
    fi
  } >"$c"
  c="$(frr_dir customer)/bgpd.conf"
  {
    echo "hostname customer"
    echo "log file $(frr_dir customer)/bgpd.log informational"
    echo "router bgp $CUST_ASN${CUST_VRF:+ vrf $CUST_VRF}"
    echo " bgp router-id $(ip_of "$CUST_ADDR")"
    [ -z "$CUST_REQUIRE_POLICY" ] && echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    echo " timers bgp 10 30"
    echo " neighbor $CUST_PEER remote-as $CUST_REMOTE_AS"
    [ -n "$CUST_KEY" ] && printf ' neighbor %s password %s\n' "$CUST_PEER" "$CUST_KEY"
    echo " neighbor $CUST_PEER timers connect 2"
    echo " address-family ipv4 unicast"
    local i=0
    while [ "$i" -lt "$CUST_PREFIXES" ]; do
      echo "  network 10.$((100 + i / 250)).$((i % 250)).0/24"
      i=$((i + 1))
    done
    echo " exit-address-family"
  } >"$c"
  chown -R frr:frr "$LAB/aws" "$LAB/customer"
  if [ "${AWS_SPEAKER:-frr}" = frr ]; then
    frr_start aws
  fi
  frr_start customer
  [ "${AWS_SPEAKER:-frr}" = frr ] && frr_start_bgpd aws
  frr_start_bgpd customer
  [ "${AWS_SPEAKER:-frr}" = frr ] && frr_wait aws
  frr_wait customer
  if [ "${AWS_SPEAKER:-frr}" = md5-listener ]; then
    PEER=$AWS_PEER ADDR=$AWS_ADDR aws_md5_listener "$key"
  fi
  if [ -n "$CUST_PORT_DOWN" ]; then
    if [ -n "${CARRIER:-}" ]; then ip -n carrier link set c-cust down; else ip -n aws link set eth0 down; fi
  fi
  log "dx topology up: customer $CUST_IF $CUST_ADDR -> peer $CUST_PEER, aws eth0.$vlan $aaddr"
}

# aws_md5_listener KEY: stand-in for the Amazon BGP speaker when the VIF's key
# holds bytes an FRR configuration line cannot carry (leading/trailing
# whitespace): a TCP listener on AWS_ADDR:179 whose MD5 key for the customer
# is exactly the VIF's.  It accepts nothing unless the key matches.
aws_md5_listener() {
  AWS_KEY=$1 nsx aws python3 -c '
import os, socket, struct, time
key = os.environ["AWS_KEY"].encode()
peer, addr = os.environ["PEER"], os.environ["ADDR"]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sa = struct.pack("=H", socket.AF_INET) + struct.pack("!H", 0) + socket.inet_aton(peer)
sa = sa.ljust(128, b"\0")
md5 = sa + struct.pack("=BBHI", 0, 0, len(key), 0) + key.ljust(80, b"\0")
s.setsockopt(socket.IPPROTO_TCP, 14, md5)   # TCP_MD5SIG
s.bind((addr, 179)); s.listen(4)
while True:
    c, _ = s.accept(); time.sleep(30); c.close()
' &
  LAB_PIDS+=($!)
}

# --- strongSwan (one charon per namespace) ------------------------------------
vici_sock() { echo "$LAB/$1/charon.vici"; }
# charon_start NS: charon with its own strongswan.conf, vici socket and /run.
charon_start() {
  local ns=$1 d="$LAB/$1/ipsec"
  mkdir -p "$d"
  cat >"$d/strongswan.conf" <<EOF
charon {
  load = random nonce openssl kdf pem pkcs1 x509 revocation constraints pubkey kernel-netlink socket-default vici updown
  install_virtual_ip = no
${CHARON_EXTRA:-}
  # The VM can stall for seconds on a loaded host: retransmit patiently
  # (about 20 s before giving up) rather than starting a second IKE SA.
  retransmit_tries = 4
  retransmit_timeout = 2.0
  retransmit_base = 1.4
  plugins {
    vici {
      socket = unix://$(vici_sock "$ns")
    }
  }
  filelog {
    lab {
      path = $d/charon.log
      default = 1
      flush_line = yes
      ike = 1
      time_format = %H:%M:%S
    }
  }
}
swanctl {
  socket = unix://$(vici_sock "$ns")
}
EOF
  nsx "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" sh -c \
    'mount -t tmpfs -o mode=0755 tmpfs /run && exec /usr/lib/ipsec/charon' \
    >"$d/charon.out.log" 2>&1 &
  LAB_PIDS+=($!)
}
charon_wait() { need 30 "charon up in $1" test -S "$(vici_sock "$1")"; }
swanctl_in() {
  local ns=$1; shift
  nsx "$ns" env STRONGSWAN_CONF="$LAB/$ns/ipsec/strongswan.conf" \
    swanctl "$@" --uri "unix://$(vici_sock "$ns")"
}
# swanctl_load NS FILE: load connections and secrets from a swanctl.conf.
swanctl_load() {
  local d="$LAB/$1/ipsec"
  install -m 0600 "$2" "$d/swanctl.conf"
  swanctl_in "$1" --load-all --noprompt --file "$d/swanctl.conf" >"$d/load.log" 2>&1 ||
    { cat "$d/load.log" >&2; setup_failed "swanctl --load-all in $1"; }
}
# sa_json NS: list-sas as one JSON object per line, via swanctl --raw.
sas_raw() { swanctl_in "$1" --list-sas --raw 2>/dev/null; }
ike_established() { sas_raw "$1" | grep -q 'state=ESTABLISHED'; }
child_installed() { sas_raw "$1" | grep -q 'state=INSTALLED'; }
# child_counter NS bytes-in|bytes-out|packets-in|packets-out
child_counter() { sas_raw "$1" | grep -o "$2=[0-9]*" | head -n1 | cut -d= -f2; }

# ipsec_pair: customer 192.0.2.1 (LAN 10.1.0.0/24) <-> aws 192.0.2.2 (LAN
# 10.2.0.0/24), IKEv2 PSK, tunnel 10.1.0.0/24 === 10.2.0.0/24; connection
# name "aws" on the customer (edgediag's subject).  Variables:
#   IPSEC_AWS_LOCAL_TS   aws local traffic selector (default 10.2.0.0/24)
#   IPSEC_AWS_REMOTE_TS  aws remote traffic selector (default 10.1.0.0/24)
#   IPSEC_LAN=1          a "lan" namespace 10.1.0.5 behind the customer
#   IPSEC_CUST_START     the customer child's start_action (default start)
#   IPSEC_CUST_CONN / IPSEC_CUST_CHILD, IPSEC_AWS_CONN / IPSEC_AWS_CHILD:
#                        more lines for each side's connection / child
#                        (lifetimes, DPD, ...)
#   IPSEC_CUST_MORE      more connections on the customer (shunts, ...)
#   CHARON_EXTRA         more lines in both charons' charon { } section
ipsec_pair() {
  ns_add customer aws
  veth customer eth0 aws eth0
  addr customer eth0 192.0.2.1/24
  addr aws eth0 192.0.2.2/24
  lan_addr aws 10.2.0.1/24
  if [ -n "${IPSEC_LAN:-}" ]; then
    ns_add lan
    veth lan eth0 customer lan0
    addr customer lan0 10.1.0.1/24
    addr lan eth0 10.1.0.5/24
    ip -n lan route add default via 10.1.0.1
    ns_router customer
  else
    lan_addr customer 10.1.0.1/24
  fi
  charon_start customer
  charon_start aws
  local psk
  psk=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  lab_secret "$psk"
  cat >"$LAB/aws-swanctl.conf" <<EOF
connections {
  customer {
    version = 2
    unique = replace
    local_addrs = 192.0.2.2
    remote_addrs = 192.0.2.1
    proposals = aes128gcm16-prfsha256-x25519
${IPSEC_AWS_CONN:-}
    local { auth = psk
            id = 192.0.2.2 }
    remote { auth = psk
             id = 192.0.2.1 }
    children {
      lan {
        local_ts = ${IPSEC_AWS_LOCAL_TS:-10.2.0.0/24}
        remote_ts = ${IPSEC_AWS_REMOTE_TS:-10.1.0.0/24}
        esp_proposals = aes128gcm16
${IPSEC_AWS_CHILD:-}
      }
    }
  }
}
secrets {
  ike-customer { id = 192.0.2.1
                 secret = "$psk" }
}
EOF
  cat >"$LAB/customer-swanctl.conf" <<EOF
connections {
  aws {
    version = 2
    local_addrs = 192.0.2.1
    remote_addrs = 192.0.2.2
    proposals = aes128gcm16-prfsha256-x25519
    keyingtries = 0
${IPSEC_CUST_CONN:-}
    local { auth = psk
            id = 192.0.2.1 }
    remote { auth = psk
             id = 192.0.2.2 }
    children {
      lan {
        local_ts = 10.1.0.0/24
        remote_ts = 10.2.0.0/24
        esp_proposals = aes128gcm16
        start_action = ${IPSEC_CUST_START:-start}
${IPSEC_CUST_CHILD:-}
      }
    }
  }
${IPSEC_CUST_MORE:-}
}
secrets {
  ike-aws { id = 192.0.2.2
            secret = "$psk" }
}
EOF
  charon_wait aws
  charon_wait customer
  swanctl_load aws "$LAB/aws-swanctl.conf"
  swanctl_load customer "$LAB/customer-swanctl.conf"
  rm -f "$LAB/aws-swanctl.conf" "$LAB/customer-swanctl.conf"
  log "ipsec topology up: customer 192.0.2.1 (10.1.0.0/24) <-> aws 192.0.2.2 (10.2.0.0/24)"
}

# ipsec_rekey_soak yes|no: IKE and CHILD SAs rekeying every 20-30 s, the
# customer reauthenticating its IKE SA make-before-break (yes) or
# break-before-make (no), pings both ways; `vpn --sample 10` six times and
# `check` twice between them.  Every report must be free of warnings and
# criticals, and every check OK (a break-before-make gap loses pings, by
# design, and is no fault).  Proven first: the SAs really are replaced.
ipsec_rekey_soak() {
  CHARON_EXTRA="  make_before_break = $1"
  IPSEC_CUST_CONN='    rekey_time = 0s
    reauth_time = 25s
    over_time = 10s
    rand_time = 3s'
  IPSEC_CUST_CHILD='        rekey_time = 20s
        life_time = 30s
        rand_time = 3s'
  IPSEC_AWS_CONN='    rekey_time = 30s
    over_time = 10s
    rand_time = 3s'
  IPSEC_AWS_CHILD='        rekey_time = 22s
        life_time = 32s
        rand_time = 3s'
  ipsec_pair
  prove 30 "CHILD SA INSTALLED" child_installed customer
  prove 10 "10.2.0.1 answers through the tunnel" nsx customer ping -c1 -W2 -q -I 10.1.0.1 10.2.0.1
  nsx customer ping -q -i 0.5 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 &
  LAB_PIDS+=($!)
  nsx aws ping -q -i 0.5 -I 10.2.0.1 10.1.0.1 >/dev/null 2>&1 &
  LAB_PIDS+=($!)
  local clog=$LAB/customer/ipsec/charon.log state=$LAB/check.state
  local child0 ike0 i j bad=0 rc out
  child0=$(grep -c 'CHILD_SA lan{[0-9]*} established' "$clog" || true)
  ike0=$(grep -c 'IKE_SA aws\[[0-9]*\] established' "$clog" || true)
  for i in 1 2 3 4 5 6; do
    run_ipsec --sample 10
    cp "$LAB/report.json" "$LAB/report-$i.json"
    out=$(jq -r '[.subjects[]? | .findings[]? | select(.severity == "critical" or .severity == "warning") | .id + ": " + .message] | join(" | ")' "$LAB/report.json" 2>/dev/null || echo "not JSON")
    if [ "$TOOL_RC" != 0 ] || [ -n "$out" ]; then
      log "soak: vpn --sample 10 #$i: exit $TOOL_RC, findings: $out"; bad=$((bad + 1))
    fi
    for j in 1 2; do
      rc=0
      out=$(nsx customer "$EDGEDIAG" check --vpn --no-syslog --state "$state" \
        --vici-socket "$(vici_sock customer)" 2>&1) || rc=$?
      if [ "$rc" != 0 ]; then log "soak: check #$i.$j: exit $rc: $out"; bad=$((bad + 1)); fi
    done
  done
  local child1 ike1
  child1=$(grep -c 'CHILD_SA lan{[0-9]*} established' "$clog" || true)
  ike1=$(grep -c 'IKE_SA aws\[[0-9]*\] established' "$clog" || true)
  log "soak: $((child1 - child0)) new CHILD SAs, $((ike1 - ike0)) new IKE SAs (reauthentications)"
  rekeyed() { [ $((child1 - child0)) -ge 3 ] && [ $((ike1 - ike0)) -ge 2 ]; }
  prove 1 "CHILD SAs rekeyed 3+ and the IKE SA reauthenticated 2+ times during the soak" rekeyed
  [ "$bad" = 0 ] || { log "ASSERT FAILED: $bad false findings or non-OK checks in the soak"; exit 1; }
  log "soak: 6 sampled reports and 12 checks, nothing warning or critical"
  assert_report ipsec-connection
}

# --- WireGuard -----------------------------------------------------------------------
# wg_key NAME: NAME.key / NAME.pub under $LAB/wg.
wg_key() {
  mkdir -p "$LAB/wg"
  (umask 077; wg genkey >"$LAB/wg/$1.key")
  wg pubkey <"$LAB/wg/$1.key" >"$LAB/wg/$1.pub"
}
wg_pub() { cat "$LAB/wg/$1.pub"; }
# wg_dev NS IF KEYNAME PORT ADDR: kernel WireGuard, created inside NS.
wg_dev() {
  ip -n "$1" link add "$2" type wireguard
  nsx "$1" wg set "$2" private-key "$LAB/wg/$3.key" listen-port "$4"
  ip -n "$1" addr add "$5" dev "$2"
  ip -n "$1" link set "$2" up
}
# wg_peer NS IF PUBKEY ALLOWED [ENDPOINT]
wg_peer() {
  local ns=$1 ifc=$2 pub=$3 allowed=$4 ep=${5:-}
  if [ -n "$ep" ]; then
    nsx "$ns" wg set "$ifc" peer "$pub" allowed-ips "$allowed" endpoint "$ep"
  else
    nsx "$ns" wg set "$ifc" peer "$pub" allowed-ips "$allowed"
  fi
}
# wg_field NS IF PUB latest-handshakes|transfer-rx|transfer-tx
wg_field() {
  case $4 in
    latest-handshakes) nsx "$1" wg show "$2" latest-handshakes | awk -v p="$3" '$1 == p { print $2 }' ;;
    transfer-rx) nsx "$1" wg show "$2" transfer | awk -v p="$3" '$1 == p { print $2 }' ;;
    transfer-tx) nsx "$1" wg show "$2" transfer | awk -v p="$3" '$1 == p { print $3 }' ;;
  esac
}
wg_handshaken() { [ "$(wg_field "$1" "$2" "$3" latest-handshakes)" -gt 0 ]; }

# wg_pair: customer 192.0.2.1 wg0 10.100.0.1/24 <-> aws 192.0.2.2 wg0
# 10.100.0.2/24 (LAN 10.2.0.0/24 behind it).  WG_CUST_AWS_PUB overrides the
# aws public key the customer is given; WG_CUST_ALLOWED its allowed-ips;
# WG_NO_ROUTE=1 leaves out the customer's route to 10.2.0.0/24.
wg_pair() {
  ns_add customer aws
  veth customer eth0 aws eth0
  addr customer eth0 192.0.2.1/24
  addr aws eth0 192.0.2.2/24
  lan_addr customer 10.1.0.1/24
  lan_addr aws 10.2.0.1/24
  wg_key customer; wg_key aws
  wg_dev customer wg0 customer 51820 10.100.0.1/24
  wg_dev aws wg0 aws 51820 10.100.0.2/24
  wg_peer aws wg0 "$(wg_pub customer)" 10.100.0.1/32,10.1.0.0/24 192.0.2.1:51820
  wg_peer customer wg0 "${WG_CUST_AWS_PUB:-$(wg_pub aws)}" \
    "${WG_CUST_ALLOWED:-10.100.0.2/32,10.2.0.0/24}" 192.0.2.2:51820
  ip -n aws route add 10.1.0.0/24 dev wg0
  [ -n "${WG_NO_ROUTE:-}" ] || ip -n customer route add 10.2.0.0/24 dev wg0
  log "wireguard topology up: customer wg0 10.100.0.1 <-> aws wg0 10.100.0.2 (10.2.0.0/24)"
}

# every_source [NAT-EXEMPT]: beside a dx_setup, the rest of a router with
# every source live: IPsec (PSK, a CHILD SA 10.1.0.0/24 <-> 10.62.0.0/24
# that the customer starts) and kernel WireGuard (wg0 10.100.0.1 <->
# 10.100.0.2) over 192.0.2.0/24 on the untagged port, and an nftables
# masquerade on eth0 (NAT-EXEMPT=ipsec exempts IPsec traffic; empty: SNAT
# before the policy). The aws LAN 10.62.0.0/24 stays clear of the DX prefix.
every_source() {
  local exempt=${1:-} psk
  addr customer eth0 192.0.2.1/24
  addr aws eth0 192.0.2.2/24
  lan_addr aws 10.62.0.1/24
  wg_key customer; wg_key aws
  wg_dev customer wg0 customer 51820 10.100.0.1/24
  wg_dev aws wg0 aws 51820 10.100.0.2/24
  wg_peer aws wg0 "$(wg_pub customer)" 10.100.0.1/32 192.0.2.1:51820
  wg_peer customer wg0 "$(wg_pub aws)" 10.100.0.2/32 192.0.2.2:51820
  nat_masquerade customer eth0 $exempt
  charon_start customer
  charon_start aws
  psk=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  lab_secret "$psk"
  # every_source_conf NAME LOCAL REMOTE LOCAL_TS REMOTE_TS [start]
  every_source_conf() {
    cat <<EOF2
connections {
  $1 {
    version = 2
    local_addrs = $2
    remote_addrs = $3
    proposals = aes128gcm16-prfsha256-x25519
    local { auth = psk
            id = $2 }
    remote { auth = psk
             id = $3 }
    children {
      lan {
        local_ts = $4
        remote_ts = $5
        esp_proposals = aes128gcm16
        ${6:+start_action = start}
      }
    }
  }
}
secrets {
  ike-$1 { id = $3
           secret = "$psk" }
}
EOF2
  }
  (umask 077
   every_source_conf customer 192.0.2.2 192.0.2.1 10.62.0.0/24 10.1.0.0/24 >"$LAB/aws-swanctl.conf"
   every_source_conf aws 192.0.2.1 192.0.2.2 10.1.0.0/24 10.62.0.0/24 start >"$LAB/customer-swanctl.conf")
  charon_wait aws
  charon_wait customer
  swanctl_load aws "$LAB/aws-swanctl.conf"
  swanctl_load customer "$LAB/customer-swanctl.conf"
  rm -f "$LAB/aws-swanctl.conf" "$LAB/customer-swanctl.conf"
  # start_action's first attempt can be lost on a loaded VM (charon then
  # backs off for minutes): initiate once more, by hand, if it is not up.
  wait_for 20 "CHILD SA INSTALLED (start_action)" child_installed customer ||
    swanctl_in customer --initiate --child lan --timeout 60 >/dev/null 2>&1 || true
}

# --- nftables -------------------------------------------------------------------------
# nat_masquerade NS OIF [EXEMPT]: a NAT router; EXEMPT=ipsec adds the
# exemption for traffic that matches an IPsec policy (the correct setup).
nat_masquerade() {
  local ns=$1 oif=$2 exempt=${3:-}
  ns_router "$ns"
  {
    echo "table ip lab_nat {"
    echo " chain postrouting {"
    echo "  type nat hook postrouting priority srcnat; policy accept;"
    [ "$exempt" = ipsec ] && echo "  oifname \"$oif\" rt ipsec exists accept"
    echo "  oifname \"$oif\" masquerade"
    echo " }"
    echo "}"
  } | nsx "$ns" nft -f -
}
# nft_drop NS NAME RULE-MATCH...: a counting drop rule in an input chain.
nft_drop() {
  local ns=$1 name=$2; shift 2
  nsx "$ns" nft list table inet lab_filter >/dev/null 2>&1 ||
    nsx "$ns" nft -f - <<EOF
table inet lab_filter {
  chain input { type filter hook input priority filter; policy accept; }
}
EOF
  nsx "$ns" nft add rule inet lab_filter input "$@" counter drop comment "\"$name\""
}
# nft_count NS NAME: packets counted by the drop rule NAME.
nft_count() {
  nsx "$1" nft list chain inet lab_filter input | awk -v n="\"$2\"" '
    index($0, "comment " n) { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }'
}
nft_count_above() { [ "$(nft_count "$1" "$2")" -gt "${3:-0}" ]; }

# --- edgediag ---------------------------------------------------------------------------
# run_edgediag ARGS...: edgediag ARGS in the customer namespace; the report
# goes to $LAB/report.json.  Sets TOOL_RC.
run_edgediag() {
  TOOL_RC=0
  if [ -z "$EDGEDIAG" ]; then
    log "EDGEDIAG is not set: no tool to check"
    TOOL_RC=127
    return 0
  fi
  # The VM emulates its CPU (no KVM) on a host that may be busy: vtysh alone
  # can take seconds there. Sources get 15 s and the run 60 s unless the
  # scenario sets its own; timeouts are fault-injection's subject, not this.
  local limits=()
  case " $* " in *" --timeout "*) ;; *) limits+=(--timeout "${LAB_SOURCE_TIMEOUT:-15000}") ;; esac
  case " $* " in *" --deadline "*) ;; *) limits+=(--deadline 60) ;; esac
  log "run: ip netns exec customer edgediag ${limits[*]} $*"
  nsx customer timeout -k 5 "${LAB_TOOL_TIMEOUT:-120}" "$EDGEDIAG" "${limits[@]}" "$@" \
    >"$LAB/report.json" 2>"$LAB/report.err" || TOOL_RC=$?
  log "edgediag exit code $TOOL_RC"
}
# run_dx: edgediag dx against the scenario's VIF file and the customer's FRR.
run_dx() { run_edgediag dx --json --vif-file "$VIF" --frr-vty-dir "$(frr_dir customer)" "$@"; }
# run_dx_zero [ARGS]: dx without any VIF description (zero-config discovery).
run_dx_zero() { run_edgediag dx --json --frr-vty-dir "$(frr_dir customer)" "$@"; }

# dx_add_ipv6 AMAZON6/125 CUSTOMER6/125 [KEY]: a second BGP session (IPv6) on
# the same VIF, as a dual-stack VIF has: addresses on both sub-interfaces,
# the neighbour in both bgpd (the AWS end as the VIF says), and the session
# in the VIF file's bgpPeers.  KEY defaults to the VIF's authKey.
dx_add_ipv6() {
  local a6=$1 c6=$2 vlan asn aasn key cust6
  { read -r vlan; read -r asn; read -r aasn; IFS= read -r key; } < <(jq -r '.virtualInterfaces[0]
      | .vlan, .asn, .amazonSideAsn, (.authKey // "")' "$VIF")
  key=${3-$key}
  ip -n aws addr add "$a6" dev "eth0.$vlan" nodad
  ip -n customer addr add "$c6" dev "$CUST_IF" nodad
  CUST_PEER6=$(ip_of "$a6"); cust6=$(ip_of "$c6")
  vtysh_in aws -c 'configure terminal' -c "router bgp $aasn" \
    -c "neighbor $cust6 remote-as $asn" ${key:+-c "neighbor $cust6 password $key"} \
    -c "neighbor $cust6 timers connect 2" -c 'address-family ipv6 unicast' \
    -c "neighbor $cust6 activate" -c 'network 2001:db8:200::/48' >/dev/null ||
    setup_failed "IPv6 neighbour on aws"
  # The customer's key for it: CUST_KEY6 when set ("" = none), else the VIF's.
  local ckey=${CUST_KEY6-$key}
  vtysh_in customer -c 'configure terminal' -c "router bgp $CUST_ASN${CUST_VRF:+ vrf $CUST_VRF}" \
    -c "neighbor $CUST_PEER6 remote-as $CUST_REMOTE_AS" \
    ${ckey:+-c "neighbor $CUST_PEER6 password $ckey"} \
    -c "neighbor $CUST_PEER6 timers connect 2" -c 'address-family ipv6 unicast' \
    -c "neighbor $CUST_PEER6 activate" >/dev/null || setup_failed "IPv6 neighbour on customer"
  local tmp=$LAB/vif6.json
  jq --arg a "$a6" --arg c "$c6" --arg k "$key" '.virtualInterfaces[0].bgpPeers += [
      {bgpPeerId: "dxpeer-lab00006", asn: .virtualInterfaces[0].asn,
       asnLong: .virtualInterfaces[0].asn, addressFamily: "ipv6", amazonAddress: $a,
       customerAddress: $c, bgpPeerState: "available", bgpStatus: "down"}
       + (if $k == "" then {} else {authKey: $k} end)]' "$VIF" >"$tmp"
  install -m 600 "$tmp" "$VIF"; rm -f "$tmp"
  log "IPv6 session: customer $c6 -> peer $CUST_PEER6"
}
run_ipsec() { run_edgediag vpn --ipsec --json --vici-socket "$(vici_sock customer)" "$@"; }
run_wg() { run_edgediag vpn --wireguard --json "$@"; }

# assert_report KIND-REGEX [EXPECTED-ID]: among the report's subjects of that
# kind (dx-vif, ipsec-connection, wg-peer|wg-interface), take the first one
# whose verdict is not "ok" (else the first) and compare its first finding id.
# For an EXPECTED-ID "*.ok": every such subject's first finding is *.ok and
# nothing critical or warning is reported (dx.resilience.single-vif aside: a
# lab has one VIF).  Exit 0 when it matches, 1 otherwise.
assert_report() {
  local kind=$1 want=${2:-$(lab_expected)} got r=$LAB/report.json
  [ -n "$want" ] || setup_failed "no expected finding id for $LAB_NAME"
  if [ "${TOOL_RC:-127}" != 0 ]; then
    log "ASSERT FAILED: expected $want; edgediag exited $TOOL_RC"
    [ -s "$LAB/report.err" ] && sed -n '1,15p' "$LAB/report.err" >&2
    exit 1
  fi
  if ! jq -e . "$r" >/dev/null 2>&1; then
    log "ASSERT FAILED: expected $want; the report is not JSON"
    head -c 600 "$r" >&2; echo >&2
    exit 1
  fi
  log "report: $(jq -c --arg k "^($kind)\$" '[.subjects[]? | select(.kind | test($k)) | {id, verdict, findings: [.findings[]? | .id]}]' "$r" | head -c 900)"
  case $want in
    *.ok)
      if jq -e --arg k "^($kind)\$" --arg w "$want" '
          [.subjects[]? | select(.kind | test($k))] as $s
          | ($s | length) > 0
            and ($s | all(.findings[0].id == $w))
            and ([$s[].findings[]? | select((.severity == "critical" or .severity == "warning")
                  and .id != "dx.resilience.single-vif")] | length) == 0' "$r" >/dev/null; then
        log "ASSERT OK: $want, nothing critical or warning"
        exit 0
      fi
      got=$(jq -r --arg k "^($kind)\$" '[.subjects[]? | select(.kind | test($k)) | .findings[]? | select(.severity == "critical" or .severity == "warning") | .id] | join(",")' "$r")
      log "ASSERT FAILED: expected $want and no critical/warning; got: ${got:-no matching subject}"
      exit 1 ;;
    *)
      got=$(jq -r --arg k "^($kind)\$" '
          [.subjects[]? | select(.kind | test($k))] as $s
          | (([$s[] | select(.verdict != "ok")] + $s)[0].findings[0].id) // "none"' "$r")
      if [ "$got" = "$want" ]; then log "ASSERT OK: first finding $got"; exit 0; fi
      log "ASSERT FAILED: expected first finding $want, got $got"
      exit 1 ;;
  esac
}
