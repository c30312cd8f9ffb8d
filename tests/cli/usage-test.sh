#!/bin/sh
# What a new user meets first (issue 17, "rough edges"), end to end on the
# built binary: usage errors say what is wrong, check speaks Nagios whatever
# happens, filters that match nothing say so, a replay leaves the host's
# state alone, explain covers every id, and the README, --help and the man
# page agree.
# usage: usage-test.sh EDGEDIAG SOURCE_DIR BUILD_DIR
set -u
bin=$1
src=$2
build=$3
ex=$src/examples/dx-vlan-mismatch.json
fail=0
pass=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# run ARGS...: stdout in $tmp/out, stderr in $tmp/err, exit code in $rc.
run() {
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}
expect() {  # expect WANT-RC WHAT
  [ "$rc" -eq "$1" ] && ok || bad "$2: exit $rc, expected $1 ($(head -c 300 "$tmp/err"))"
}
has() {  # has FILE PATTERN WHAT
  grep -q -- "$2" "$tmp/$1" && ok || bad "$3: no '$2' in $1: $(head -c 400 "$tmp/$1")"
}
hasnt() {
  grep -q -- "$2" "$tmp/$1" && bad "$3: '$2' in $1: $(head -c 400 "$tmp/$1")" || ok
}

# check --json: the report's JSON, with the Nagios exit code.
run --from-snapshot "$ex" check --json --no-syslog
expect 2 "check --json on a critical example"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="edgediag.report/1" and d["command"]=="check", d' \
  "$tmp/out" && ok || bad "check --json: not a report: $(head -c 300 "$tmp/out")"
run --json --from-snapshot "$src/examples/vpn-healthy.json" check --vpn --no-syslog
expect 0 "check --json, healthy, option before the command"

# Every usage error of check is UNKNOWN (3) with a Nagios line, never 64.
for args in "check --no-such-option" "check --state" "--sample abc check" "check extra-word" \
  "--deadline 0 check" "check --watch"; do
  # shellcheck disable=SC2086
  run $args
  expect 3 "check usage error ($args)"
  [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q '^EDGEDIAG UNKNOWN: usage: ' "$tmp/out" && ok ||
    bad "check usage error ($args): $(cat "$tmp/out")"
done

# Numbers: a word is "not a number", not "out of range".
run --sample abc dx --from-snapshot "$ex"
expect 64 "--sample abc"
has err "--sample: 'abc' is not a number (give seconds, 0 to 300)" "--sample abc"
hasnt err "not in range" "--sample abc"
run --deadline 1e9 dx --from-snapshot "$ex"
expect 64 "--deadline out of range"
has err "--deadline: 1e9 is out of range (seconds from 0.5 to 3600)" "--deadline out of range"
run --timeout 10ms dx --from-snapshot "$ex"
expect 64 "--timeout 10ms"
has err "'10ms' is not a number" "--timeout 10ms"

# dx --peer is an address.
run dx --peer not-an-ip --from-snapshot "$ex"
expect 64 "dx --peer not-an-ip"
has err "--peer: 'not-an-ip' is not an IP address" "dx --peer not-an-ip"
run dx --peer 169.254.10.1/30 --from-snapshot "$ex"
expect 64 "dx --peer with a length"
run dx --peer fe80::1 --from-snapshot "$ex"
expect 0 "dx --peer IPv6"

# A filter that matches nothing names the filter and the peerings there are.
run dx --peer 169.254.99.1 --from-snapshot "$ex"
expect 0 "dx --peer matching nothing"
has out "The filter --peer 169.254.99.1 matched none of the 1 Direct Connect peering: dxvif-fg5example (eth1.102, peer 169.254.10.1, fra1-prod-private)." \
  "dx --peer matching nothing"
hasnt out "No Direct Connect peering found" "dx --peer matching nothing"
run --json dx --interface eth9 --from-snapshot "$ex"
has out '"The filter --interface eth9 matched none of the 1 Direct Connect peering: ' "dx --interface eth9 --json"
run vpn --peer nobody --from-snapshot "$src/examples/vpn-wireguard-stale.json"
has out "The filter --peer nobody matched none of the 3 VPN subjects: " "vpn --peer nobody"

# vpn --from-snapshot describes the snapshot's sources, not this host.
run vpn --from-snapshot "$ex"
has out "No VPN to examine in the snapshot: its sources say vici not collected; wireguard not collected, with no WireGuard interface." "vpn on a DX snapshot"
hasnt out "/var/run/charon.vici" "vpn on a DX snapshot"

# --vif-dir that is not there: a warning, the run goes on.
run dx --vif-dir "$tmp/no-such-dir" --from-snapshot "$ex"
expect 0 "--vif-dir missing"
has err "^edgediag: warning: --vif-dir $tmp/no-such-dir: No such file or directory; no VIF description is read from it$" \
  "--vif-dir missing"
run dx --vif-dir "$ex" --from-snapshot "$ex"
has err "not a directory" "--vif-dir a file"

# check --from-snapshot keeps no state unless --state says where.
host_state=/var/lib/edgediag/state.json
before=$(stat -c %Y:%s "$host_state" 2>/dev/null || echo absent)
run --from-snapshot "$ex" check --no-syslog
expect 2 "check --from-snapshot"
after=$(stat -c %Y:%s "$host_state" 2>/dev/null || echo absent)
[ "$before" = "$after" ] && ok || bad "check --from-snapshot touched $host_state ($before -> $after)"
run --from-snapshot "$ex" check --no-syslog --state "$tmp/state.json"
[ -s "$tmp/state.json" ] && ok || bad "check --from-snapshot --state: no state written"

# --state creates no directories but the package's own.
run --from-snapshot "$ex" check --no-syslog --state "$tmp/a/b/state.json"
expect 2 "--state in a missing directory (the finding is still critical)"
[ ! -e "$tmp/a" ] && ok || bad "--state created $tmp/a"
has err "directory $tmp/a/b does not exist (only the package's own state directory, such as /var/lib/edgediag, is created; create it first)" \
  "--state in a missing directory"
run --from-snapshot "$src/examples/vpn-healthy.json" check --vpn --no-syslog --state "$tmp/a/b/state.json"
expect 3 "--state in a missing directory, nothing else wrong: UNKNOWN"

# explain: every id, and a typo is a usage error with the nearest ids.
for id in $("$bin" --list-checks | cut -f1); do
  run explain "$id"
  [ "$rc" -eq 0 ] && head -1 "$tmp/out" | grep -qx "# $id" && ok || bad "explain $id: exit $rc"
done
run explain dx.vlan.mismatc
expect 64 "explain with a typo"
has err "did you mean dx.vlan.mismatch" "explain with a typo"
run explain
expect 64 "explain without an id"

# --help, the README's synopsis and the man page: options before the
# command, and --deadline named.
run --help
has out "edgediag \[OPTIONS\] COMMAND" "--help usage line"
has out "--deadline" "--help"
synopsis=$(sed -n '/^## Using it/,/^VIF descriptions come from/p' "$src/README.md")
printf '%s\n' "$synopsis" >"$tmp/synopsis"
has synopsis "^edgediag \[OPTIONS\] dx " "README synopsis"
has synopsis "^edgediag \[OPTIONS\] vpn " "README synopsis"
has synopsis "^edgediag \[OPTIONS\] check " "README synopsis"
has synopsis "^edgediag explain ID" "README synopsis"
has synopsis "--deadline" "README synopsis"
has synopsis "--watch" "README synopsis"
grep -q '`man edgediag`' "$src/README.md" && ok || bad "README does not mention \`man edgediag\`"
grep -q 'OPTIONS' "$src/docs/edgediag.8" && ok || bad "man page synopsis without OPTIONS"

# A plain cmake --install installs the man page.
if [ -f "$build/cmake_install.cmake" ]; then
  DESTDIR=$tmp/root cmake --install "$build" --prefix /usr >/dev/null 2>"$tmp/err"
  [ -f "$tmp/root/usr/share/man/man8/edgediag.8" ] && ok ||
    bad "cmake --install: no usr/share/man/man8/edgediag.8 ($(head -c 300 "$tmp/err"))"
fi

echo "usage: $pass passed, $fail failed"
[ $fail -eq 0 ]
