#!/bin/sh
# The edgediag binary end to end on the built-in examples: each example's
# diagnosis names its injected cause; exit codes follow DESIGN.md.
set -u
bin=$1
examples=$2
data=$(dirname "$0")/../data/cli
fail=0
pass=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# expect_first EXAMPLE COMMAND FIRST-ID
expect_first() {
  out=$("$bin" "$2" --json --from-snapshot "$examples/$1" 2>"$tmp/err")
  rc=$?
  [ $rc -eq 0 ] || { bad "$1: exit $rc: $(cat "$tmp/err")"; return; }
  # One line per subject, worst first: its second "id" is its first finding's.
  first=$(printf '%s' "$out" | grep -m1 '^  {"kind": ' | grep -o '"id": "[^"]*"' | sed -n 2p |
    sed 's/^"id": "\(.*\)"$/\1/')
  [ "$first" = "$3" ] && ok || bad "$1: first finding $first, expected $3"
}

# expect_rc WANT DESCRIPTION ARGS...
expect_rc() {
  want=$1 what=$2
  shift 2
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq "$want" ] && ok || bad "$what: exit $rc, expected $want ($(head -c 300 "$tmp/err"))"
}

expect_first dx-vlan-mismatch.json dx dx.vlan.mismatch
expect_first vpn-ipsec-one-way.json vpn ipsec.traffic.one-way
expect_first vpn-wireguard-stale.json vpn wg.handshake.stale
expect_first vpn-healthy.json vpn ipsec.ok
# Every example has its line in the README.
for f in "$examples"/*.json; do
  grep -q "examples/$(basename "$f")" "$(dirname "$0")/../../README.md" && ok ||
    bad "README has no line for examples/$(basename "$f")"
done

# Text output names the cause on its verdict line.
"$bin" dx --from-snapshot "$examples/dx-vlan-mismatch.json" >"$tmp/text" 2>&1
grep -q '^CRITICAL dxvif-fg5example .*VLAN 102, but the VIF uses VLAN 101' "$tmp/text" && ok ||
  bad "text verdict line: $(head -3 "$tmp/text")"
grep -q "$(printf '\033')" "$tmp/text" && bad "colour codes written to a pipe" || ok

expect_rc 0 "--version" --version
expect_rc 0 "--help" --help
expect_rc 64 "no subcommand"
expect_rc 64 "unknown option" dx --no-such-option
expect_rc 65 "malformed VIF file" dx --json --from-snapshot "$examples/dx-vlan-mismatch.json" --vif-file "$data/bad-vlan.json"
grep -q '^edgediag: .*bad-vlan.json: dxvif-bad1: field "vlan": 5000 is out of range 1..4094$' "$tmp/err" && ok ||
  bad "malformed VIF message: $(cat "$tmp/err")"
grep -q '"id": "dxvif-bad1"' "$tmp/out" && bad "the rejected VIF reached the report" || ok
expect_rc 65 "not a snapshot" dx --from-snapshot "$data/bad-vlan.json"
sed '0,/"mtu": 1500/s//"mtu": 70000000000/' "$examples/dx-vlan-mismatch.json" >"$tmp/big-mtu.json"
expect_rc 65 "a number out of range" dx --from-snapshot "$tmp/big-mtu.json"
grep -q '^edgediag: .*big-mtu.json: /interfaces/[0-9]*/mtu: 70000000000 is out of range for that field$' \
  "$tmp/err" && ok || bad "out-of-range message: $(cat "$tmp/err")"
expect_rc 69 "missing snapshot" dx --from-snapshot /nonexistent/snap.json

# A saved snapshot diagnoses exactly as the original.
"$bin" dx --json --from-snapshot "$examples/dx-vlan-mismatch.json" --save-snapshot "$tmp/s.json" >"$tmp/a" 2>&1
"$bin" dx --json --from-snapshot "$tmp/s.json" >"$tmp/b" 2>&1
cmp -s "$tmp/a" "$tmp/b" && ok || bad "snapshot re-save changed the diagnosis"
[ "$(stat -c %a "$tmp/s.json")" = 600 ] && ok || bad "snapshot mode $(stat -c %a "$tmp/s.json")"

# check keeps the Nagios contract whatever happens: one line on stdout whose
# status word matches its exit code, 0 to 3.
# expect_check WANT-RC WANT-WORD DESCRIPTION ARGS...
expect_check() {
  want=$1 word=$2 what=$3
  shift 3
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  lines=$(wc -l <"$tmp/out")
  if [ $rc -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q "^EDGEDIAG $word[:| ]" "$tmp/out"; then
    ok
  else
    bad "check, $what: exit $rc, $lines lines: $(head -c 300 "$tmp/out") $(head -c 200 "$tmp/err")"
  fi
}
expect_check 3 UNKNOWN "unreadable VIF file" --from-snapshot "$examples/dx-vlan-mismatch.json" \
  check --no-syslog --state "$tmp/st1" --vif-file "$data/bad-vlan.json"
expect_check 3 UNKNOWN "missing snapshot" --from-snapshot /nonexistent/snap.json check --no-syslog
expect_check 2 CRITICAL "state path is a directory" --from-snapshot "$examples/dx-vlan-mismatch.json" \
  check --no-syslog --state "$tmp"
grep -q "internal error" "$tmp/err" && bad "state directory: internal error" || ok
expect_check 3 UNKNOWN "usage error" check --no-such-option
expect_check 3 UNKNOWN "usage error in a global option" --sample abc check

# A source that accepts and never answers costs at most the deadline: each
# source's timeout is fitted into it (here 60 s asked, 1 s allowed).
if command -v python3 >/dev/null; then
  python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); time.sleep(30)' "$tmp/mute.vici" &
  mute=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$tmp/mute.vici" ] && break; sleep 0.1; done
  start=$(date +%s%N)
  "$bin" --timeout 60000 --deadline 1 --vici-socket "$tmp/mute.vici" vpn --ipsec >"$tmp/out" 2>"$tmp/err"
  rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  kill $mute 2>/dev/null
  [ $ms -lt 2000 ] && ok || bad "mute VICI socket: took $ms ms with --deadline 1"
  [ $rc -eq 69 ] && ok || bad "mute VICI socket: exit $rc, expected 69 ($(cat "$tmp/err"))"
  grep -q "vici unavailable" "$tmp/out" && ok || bad "mute VICI socket: $(cat "$tmp/out")"
fi

# VIF files hold authKeys: one readable by every user is a warning on its
# VIFs; a FIFO (or anything but a regular file) in vifs.d is refused at once.
cp "$data/../vif/describe-virtual-interfaces.json" "$tmp/open.json" && chmod 644 "$tmp/open.json"
"$bin" dx --json --from-snapshot "$examples/dx-vlan-mismatch.json" --vif-file "$tmp/open.json" >"$tmp/out" 2>&1
grep -q '"id": "dx.vif.readable"' "$tmp/out" && ok || bad "world-readable VIF file not reported"
chmod 600 "$tmp/open.json"
"$bin" dx --json --from-snapshot "$examples/dx-vlan-mismatch.json" --vif-file "$tmp/open.json" >"$tmp/out" 2>&1
grep -q '"id": "dx.vif.readable"' "$tmp/out" && bad "a 0600 VIF file reported readable" || ok
mkdir "$tmp/vifs.d" && mkfifo "$tmp/vifs.d/stuck.json"
start=$(date +%s%N)
expect_rc 65 "FIFO in vifs.d" dx --deadline 5 --vif-dir "$tmp/vifs.d"
[ $((($(date +%s%N) - start) / 1000000)) -lt 2000 ] && ok || bad "FIFO in vifs.d: waited"
grep -q "stuck.json: cannot read VIF file: not a regular file" "$tmp/err" && ok ||
  bad "FIFO message: $(cat "$tmp/err")"

# A snapshot's salt is never taken from the file: keys read now from a VIF
# file are not fingerprinted under a salt a crafted snapshot chose, and no
# salt is ever written.
sed 's/^ "hostname"/ "key_salt": "attacker-chosen-salt",\n "hostname"/' \
  "$examples/dx-vlan-mismatch.json" >"$tmp/crafted.json"
grep -q attacker-chosen-salt "$tmp/crafted.json" || bad "crafted snapshot not made"
"$bin" dx --json --from-snapshot "$tmp/crafted.json" --vif-file "$data/../vif/describe-virtual-interfaces.json" \
  --save-snapshot "$tmp/resaved.json" >/dev/null 2>&1
grep -q '"authKey"' "$tmp/resaved.json" && ok || bad "no VIF key in the re-saved snapshot"
grep -q 'salt' "$tmp/resaved.json" && bad "a salt reached the saved snapshot" || ok
grep -q '"fp_raw": "[^"]' "$tmp/resaved.json" && bad "VIF keys fingerprinted under a salt from the file" || ok

# docs/checks.md lists every check the binary knows.
docs=$(dirname "$0")/../../docs/checks.md
for id in $("$bin" --list-checks | cut -f1); do
  grep -q "\`$id\`" "$docs" && ok || bad "docs/checks.md does not list $id"
done

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
