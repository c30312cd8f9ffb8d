#!/bin/sh
# The command line's outputs held byte for byte: text, --json, --detail,
# check's line, its Prometheus textfile and EMF lines, for every golden input
# (tests/data/golden/in: the rule tests' faulted snapshots; the examples; a
# 10,000-peer hub). A refactoring must leave them as they are. A change that
# alters an output on purpose re-records them in the same commit
# (`golden-test.sh BIN --record`), with the diff reviewed and named in the
# commit message; never re-record to make a test pass.
#
# Usage: golden-test.sh EDGEDIAG [--record]
set -u
bin=$1
record=${2:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
in=$top/tests/data/golden/in
want=$top/tests/data/golden/out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run TITLE ARGS...: one section of the output file, with the exit code.
run() {
  title=$1
  shift
  # A generous deadline: a loaded machine must not change an output (the
  # hub takes seconds there, and the default 10 s would end it with 75).
  "$bin" --deadline 600 "$@" >"$tmp/o" 2>"$tmp/e"
  rc=$?
  printf '== %s (exit %s)\n' "$title" "$rc"
  cat "$tmp/o"
  [ -s "$tmp/e" ] && { echo "-- stderr"; cat "$tmp/e"; }
  return 0
}

# outputs SNAPSHOT [PREVIOUS]: everything the command line says about it.
outputs() {
  snap=$1 prev=${2:-}
  for cmd in dx vpn; do
    run "$cmd" --color never "$cmd" --from-snapshot "$snap"
    run "$cmd --detail" --color never --detail "$cmd" --from-snapshot "$snap"
    run "$cmd --json" --json "$cmd" --from-snapshot "$snap"
  done
  rm -f "$tmp/state" "$tmp/prom" "$tmp/emf"
  [ -n "$prev" ] && cp "$prev" "$tmp/state"
  run "check" --from-snapshot "$snap" check --no-syslog --state "$tmp/state" \
    --prometheus "$tmp/prom" --emf "$tmp/emf"
  echo "-- prometheus"
  cat "$tmp/prom" 2>/dev/null
  echo "-- emf"
  cat "$tmp/emf" 2>/dev/null
}

# The 10,000-peer hub is large: held by its digest.
hub=$tmp/wg-hub-10000.json
gzip -dc "$top/tests/data/golden/wg-hub-10000.json.gz" >"$hub"

[ "$record" = --record ] && mkdir -p "$want"
fail=0 pass=0
for snap in "$in"/*.json "$top"/examples/*.json "$hub"; do
  case $snap in *.prev.json) continue ;; esac
  name=$(basename "$snap" .json)
  prev=${snap%.json}.prev.json
  [ -f "$prev" ] || prev=
  outputs "$snap" "$prev" >"$tmp/got"
  if [ "$name" = wg-hub-10000 ]; then
    sha256sum <"$tmp/got" | cut -d' ' -f1 >"$tmp/got.sum"
    mv "$tmp/got.sum" "$tmp/got"
  fi
  if [ "$record" = --record ]; then
    cp "$tmp/got" "$want/$name.out"
  elif cmp -s "$tmp/got" "$want/$name.out"; then
    pass=$((pass + 1))
  else
    echo "FAIL: $name: outputs differ from tests/data/golden/out/$name.out:"
    diff -u "$want/$name.out" "$tmp/got" | head -40
    fail=$((fail + 1))
  fi
done
[ "$record" = --record ] && { echo "recorded $(ls "$want" | wc -l) outputs"; exit 0; }
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
