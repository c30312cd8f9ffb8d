#!/bin/sh
# Crash-safe state: `edgediag check` killed with SIGKILL at random moments,
# ROUNDS times. After every kill the state file and the Prometheus textfile
# must still parse (the old content or the new, never a part), and after the
# next whole run no temporary file may be left.
#
# Usage: check-kill.sh EDGEDIAG SNAPSHOT [ROUNDS]   (SNAPSHOT may be .gz)
set -u
bin=$1
snapshot=$2
rounds=${3:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $snapshot in
  *.gz) gzip -dc "$snapshot" >"$tmp/hub.json" ;;
  *) cp "$snapshot" "$tmp/hub.json" ;;
esac
state=$tmp/out/state.json prom=$tmp/out/edgediag.prom
mkdir "$tmp/out"
run() {
  "$bin" --from-snapshot "$tmp/hub.json" check --no-syslog --state "$state" --prometheus "$prom" \
    >/dev/null 2>&1
}
run
# How long one run takes here, to kill anywhere inside it.
t0=$(date +%s%N)
run
span=$((($(date +%s%N) - t0) / 1000000 + 1))

fail=0 pass=0
parses() {
  python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$state" 2>/dev/null || return 1
  # Every sample line of the textfile: name{labels} value.
  awk '!/^#/ && NF && !/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+$/ {bad=1} END {exit bad}' \
    "$prom" || return 1
}
i=0
while [ $i -lt "$rounds" ]; do
  i=$((i + 1))
  run &
  pid=$!
  sleep "$(awk -v s=$span -v r="$(od -An -N2 -tu2 /dev/urandom)" 'BEGIN {printf "%.3f", (r % s) / 1000}')"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  if parses; then pass=$((pass + 1)); else
    echo "FAIL: round $i: state or textfile does not parse after SIGKILL"
    fail=$((fail + 1))
  fi
done
run
left=$(find "$tmp/out" -name '.*' -type f | wc -l)
if [ "$left" -eq 0 ]; then pass=$((pass + 1)); else
  echo "FAIL: $left temporary files survived the next run: $(ls -a "$tmp/out")"
  fail=$((fail + 1))
fi
echo "check-kill: $rounds kills inside a ${span} ms run"
echo "soak: $pass passed, $fail failed"
[ $fail -eq 0 ]
