#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, ... are read by lib.sh
# Not a fault of the router: faults of edgediag's own sources, injected one
# at a time on a router where every source is live (FRR BGP with an MD5 key,
# strongSwan with an INSTALLED CHILD SA, kernel WireGuard, an nftables NAT,
# a VIF file in a vifs.d directory):
#   vici-mute     a VICI socket that accepts and never answers
#   charon-stop   charon stopped with SIGSTOP
#   bgpd-stop     bgpd stopped with SIGSTOP (vtysh hangs)
#   no-net-admin  no CAP_NET_ADMIN in the bounding set
#   dump-intr     addresses churning during the dumps (NLM_F_DUMP_INTR)
#   vif-fifo      a FIFO in vifs.d
#   wg-unloaded   the wireguard module unloaded (and it must stay unloaded)
# For each: `check` prints one status line whose word matches its exit code
# (0-3) within the deadline; the faulted source is not ok and says why and
# what to do; every other source is ok; the user's command (dx or vpn, text)
# names the source in its "Not examined" line and exits as documented.
# The table (fault, source, line, exit codes, seconds) goes to the log and
# to $LAB/fault-table.log.
# Exit codes: 0 every fault handled, 1 otherwise, 2 a fault did not take,
# 3 setup failed.
. "$(dirname "$0")/../lib.sh"
lab_start
DEADLINE=20        # the VM emulates its CPU: the lab's deadline and source timeout
TIMEOUT=6000

vif_json "$LAB/vif.json" bgpStatus=up
dx_setup "$LAB/vif.json"
every_source ipsec
install -d -m 0700 "$LAB/vifs.d" "$LAB/state"
install -m 0600 "$LAB/vif.json" "$LAB/vifs.d/dxvif-lab00001.json"

prove 60 "BGP Established with the Amazon peer (MD5)" bgp_established customer "$CUST_PEER"
prove 90 "CHILD SA INSTALLED" child_installed customer
prove 60 "10.100.0.2 answers through wg0" nsx customer ping -c1 -W2 -q 10.100.0.2
[ -n "$EDGEDIAG" ] || { log "ASSERT FAILED: EDGEDIAG is not set: no tool to check"; exit 1; }

FAILED=
failed() { log "ASSERT FAILED: $*"; [ -n "$FAILED" ] || FAILED=$*; }
ALL_SOURCES="addresses counters ethtool frr kernel md5 neighbours nftables routes sockets vici vif wireguard xfrm"
VICI=$(vici_sock customer)
pid_in() { # pid_in NS COMM
  local p
  for p in $(ip netns pids "$1"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && { echo "$p"; return 0; }
  done
  return 1
}

# run_tool NAME WRAPPER... -- ARGS...: edgediag ARGS in the customer
# namespace under WRAPPER (may be empty); stdout, stderr and the seconds it
# took in $LAB/NAME.{out,err,secs}.log; sets RC.
run_tool() {
  local name=$1; shift
  local wrap=()
  while [ "$1" != -- ]; do wrap+=("$1"); shift; done
  shift
  local t0=${EPOCHREALTIME/./}
  RC=0
  nsx customer timeout -k 5 $((DEADLINE + 30)) "${wrap[@]}" "$EDGEDIAG" --deadline "$DEADLINE" \
    --timeout "$TIMEOUT" "$@" >"$LAB/$name.out.log" 2>"$LAB/$name.err.log" || RC=$?
  local t1=${EPOCHREALTIME/./}
  SECS=$(( (t1 - t0) / 1000 ))  # milliseconds
  printf '%d.%02d\n' $((SECS / 1000)) $((SECS % 1000 / 10)) >"$LAB/$name.secs.log"
}
secs() { cat "$LAB/$1.secs.log"; }

# fault NAME EXPECTED-BAD-SOURCES USER-COMMAND WRAPPER... -- EXTRA-ARGS...
# Runs check (saving a snapshot) and USER-COMMAND (dx or vpn, text) with the
# fault in place and checks them; appends the fault's row to the table.
fault() {
  local name=$1 bad=$2 user=$3; shift 3
  local wrap=()
  while [ "$1" != -- ]; do wrap+=("$1"); shift; done
  shift
  local extra=("$@") s st word want_word line note user_rc user_secs
  log "--- fault $name: expect not ok: $bad"
  run_tool "$name-check" "${wrap[@]}" -- --frr-vty-dir "$(frr_dir customer)" "${extra[@]}" \
    check --no-syslog --state "$LAB/state/$name.json" --vif-dir "$LAB/vifs.d" \
    --save-snapshot "$LAB/$name.snapshot.json"
  local check_rc=$RC check_secs
  check_secs=$(secs "$name-check")
  line=$(head -n1 "$LAB/$name-check.out.log")
  log "check: exit $check_rc in ${check_secs} s: $line"
  [ "$(wc -l <"$LAB/$name-check.out.log")" = 1 ] || failed "$name: check printed $(wc -l <"$LAB/$name-check.out.log") lines, not one"
  case $check_rc in 0) want_word=OK ;; 1) want_word=WARNING ;; 2) want_word=CRITICAL ;; 3) want_word=UNKNOWN ;; *) want_word=; failed "$name: check exited $check_rc, not 0-3" ;; esac
  word=$(awk '{ sub(/:$/, "", $2); print $2 }' <<<"$line")
  [ -z "$want_word" ] || [ "$word" = "$want_word" ] || failed "$name: check exit $check_rc but status word '$word'"
  [ "$((SECS / 1000))" -lt "$((DEADLINE + 2))" ] || failed "$name: check took ${check_secs} s, deadline ${DEADLINE} s"
  if [ -s "$LAB/$name.snapshot.json" ]; then
    for s in $ALL_SOURCES; do
      st=$(jq -r --arg s "$s" '.sources[$s].state // "absent"' "$LAB/$name.snapshot.json")
      if [[ " $bad " == *" $s? "* ]]; then
        log "source $s (either way): $st $(jq -r --arg s "$s" '.sources[$s].reason // ""' "$LAB/$name.snapshot.json")"
      elif [[ " $bad " == *" $s "* ]]; then
        [ "$st" != ok ] || failed "$name: source $s is ok: the fault did not reach it"
        note=$(jq -r --arg s "$s" '.sources[$s].reason // ""' "$LAB/$name.snapshot.json")
        [ -n "$note" ] || [ "$st" = absent ] || failed "$name: source $s is $st with no reason"
        log "source $s: $st: $note"
      else
        [ "$st" = ok ] || failed "$name: source $s is $st ($(jq -r --arg s "$s" '.sources[$s].reason // ""' "$LAB/$name.snapshot.json")), only $bad should suffer"
      fi
    done
  else
    failed "$name: check saved no snapshot (exit $check_rc): $(head -c 300 "$LAB/$name-check.err.log")"
  fi

  # The user's command, as typed at 2 a.m.: text, the same fault.
  case $user in
    dx) run_tool "$name-user" "${wrap[@]}" -- --frr-vty-dir "$(frr_dir customer)" "${extra[@]}" \
          dx --vif-dir "$LAB/vifs.d" ;;
    vpn) run_tool "$name-user" "${wrap[@]}" -- "${extra[@]}" vpn ;;
  esac
  user_rc=$RC user_secs=$(secs "$name-user")
  note=$(grep -h -m1 -E '^(Not examined|edgediag:)' "$LAB/$name-user.out.log" "$LAB/$name-user.err.log" | head -n1 || true)
  log "$user: exit $user_rc in ${user_secs} s: ${note:-no source line}"
  # A line naming the source, wherever one is not ok (or a file was skipped).
  if [ -z "$note" ] && { [ "$name" = vif-fifo ] ||
       jq -e '[.sources[] | select(.state != "ok")] | length > 0' "$LAB/$name.snapshot.json" >/dev/null 2>&1; }; then
    failed "$name: '$user' printed no line naming the source"
  fi
  [ "$((SECS / 1000))" -lt "$((DEADLINE + 2))" ] || failed "$name: $user took ${user_secs} s, deadline ${DEADLINE} s"
  case $user_rc in 0|65|69|77) ;; *) failed "$name: $user exited $user_rc (documented: 0 report, 65 bad input, 69 nothing examined, 77 not permitted)" ;; esac
  # The report still stands: the other sources' subjects are diagnosed.
  grep -q -E '^(OK|CRITICAL|WARNING|INFO|UNKNOWN) +' "$LAB/$name-user.out.log" ||
    failed "$name: '$user' printed no diagnosis of the other sources"
  printf '| %s | %s | %s | %s | %s in %s s | %s in %s s |\n' "$name" "$bad" \
    "$(sed 's/|/\\|/g' <<<"$line")" "$(sed 's/|/\\|/g' <<<"$note")" "$check_rc" "$check_secs" \
    "$user_rc" "$user_secs" >>"$LAB/fault-table.log"
}

# 1. A VICI socket that accepts and never answers.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(16)
held = []
while True:
    held.append(s.accept()[0])
' "$LAB/mute.vici" &
LAB_PIDS+=($!)
need 10 "mute VICI socket" test -S "$LAB/mute.vici"
prove 10 "the mute socket accepts and never answers" \
  bash -c "! timeout 2 swanctl --stats --uri unix://$LAB/mute.vici >/dev/null 2>&1"
fault vici-mute "vici" vpn -- --vici-socket "$LAB/mute.vici"

# 2. charon stopped: its socket accepts (the kernel's backlog), nothing reads.
charon=$(pid_in customer charon) || setup_failed "no charon in customer"
kill -STOP "$charon"
prove 10 "charon is stopped" bash -c "grep -q '^State:.*T' /proc/$charon/status"
fault charon-stop "vici" vpn -- --vici-socket "$VICI"
kill -CONT "$charon"
need 20 "charon answers again" swanctl_in customer --stats

# 3. bgpd stopped: vtysh connects and waits for ever.
bgpd=$(pid_in customer bgpd) || setup_failed "no bgpd in customer"
kill -STOP "$bgpd"
prove 10 "vtysh hangs on the stopped bgpd" \
  bash -c "! timeout 3 ip netns exec customer vtysh --vty_socket $(frr_dir customer) -c 'show bgp summary' >/dev/null 2>&1"
fault bgpd-stop "frr" dx -- --vici-socket "$VICI"
kill -CONT "$bgpd"
need 20 "bgpd answers again" vtysh_in customer -c 'show bgp summary'

# 4. No CAP_NET_ADMIN: what needs it (MD5 keys, XFRM, WireGuard, nftables)
# says so; the rest is read.
prove 5 "setpriv drops CAP_NET_ADMIN" bash -c \
  "! setpriv --bounding-set=-net_admin --inh-caps=-all ip netns exec customer nft list ruleset >/dev/null 2>&1"
fault no-net-admin "md5 nftables wireguard xfrm" vpn \
  setpriv --bounding-set=-net_admin --inh-caps=-all -- --vici-socket "$VICI"
for s in md5 nftables wireguard xfrm; do
  st=$(jq -r --arg s "$s" '.sources[$s].state' "$LAB/no-net-admin.snapshot.json")
  [ "$st" = permission-denied ] || failed "no-net-admin: source $s is $st, not permission-denied"
done

# 5. Links coming and going while the kernel is dumped: NLM_F_DUMP_INTR.
# 300 dummy links make the link dump span many datagrams; each new or
# deleted link changes dev_base_seq, which marks a dump in progress.
for i in $(seq 1 300); do echo "link add dum$i type dummy"; done >"$LAB/add.batch"
sed 's/^link add \(dum[0-9]*\) type dummy/link del \1/' "$LAB/add.batch" >"$LAB/del.batch"
ip -n customer -batch "$LAB/add.batch" || setup_failed "300 dummy links"
( while :; do ip -n customer link add churn0 type dummy; ip -n customer link del churn0; done ) >/dev/null 2>&1 &
LAB_PIDS+=($!)
churn=$!
prove 60 "iproute2 sees the dump interrupted (NLM_F_DUMP_INTR)" \
  bash -c "ip -n customer link show 2>&1 >/dev/null | grep -q 'Dump was interrupted'"
# The dump is run again (up to 3 times): whole, or named as interrupted.
fault dump-intr "kernel? addresses? neighbours? routes? ethtool? wireguard? md5? sockets?" dx -- --vici-socket "$VICI"
kill "$churn" 2>/dev/null; wait "$churn" 2>/dev/null || true
for s in kernel addresses routes; do
  log "dump-intr: $s: $(jq -r --arg s "$s" '"\(.sources[$s].state // "absent") \(.sources[$s].reason // "")"' "$LAB/dump-intr.snapshot.json")"
done
ip -n customer -batch "$LAB/del.batch" || true
ip -n customer link del churn0 2>/dev/null || true

# 6. A FIFO in vifs.d: read without blocking, named, the real VIF still read.
mkfifo -m 0600 "$LAB/vifs.d/stuck.json"
fault vif-fifo "" dx -- --vici-socket "$VICI"
grep -q 'stuck.json' "$LAB/vif-fifo-check.out.log" "$LAB/vif-fifo-check.err.log" "$LAB/vif-fifo-user.err.log" "$LAB/vif-fifo-user.out.log" ||
  failed "vif-fifo: nothing names the FIFO stuck.json"
[ "$(jq '.vifs | length' "$LAB/vif-fifo.snapshot.json")" -ge 1 ] || failed "vif-fifo: the real VIF file was not read beside the FIFO"
rm -f "$LAB/vifs.d/stuck.json"

# 7. WireGuard unloaded: no interface left, module removed. edgediag must
# say so and must not load it back (a read-only tool).
ip -n customer link del wg0
ip -n aws link del wg0
need 10 "the wireguard module unloads" modprobe -r wireguard
prove 5 "wireguard is not loaded" bash -c '! test -e /sys/module/wireguard'
fault wg-unloaded "wireguard" vpn -- --vici-socket "$VICI"
[ ! -e /sys/module/wireguard ] || failed "wg-unloaded: edgediag loaded the wireguard module back"

log "fault table:"
log "| fault | sources not ok | check's line | the user command's line | check exit | dx/vpn exit |"
while read -r row; do log "$row"; done <"$LAB/fault-table.log"
if [ -n "$FAILED" ]; then
  log "ASSERT FAILED: $FAILED"
  exit 1
fi
log "ASSERT OK: every source fault named, other sources read, every run within its deadline"
