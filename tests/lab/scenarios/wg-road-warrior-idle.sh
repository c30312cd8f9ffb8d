#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# A hub: one live site peer and three road warriors that never connected (no
# endpoint, no handshake), named in a wg-quick file that also holds the
# interface's PrivateKey. The road warriors are idle (wg.peer.idle, info),
# `check --vpn` is OK, the names show in the report, the key nowhere.
. "$(dirname "$0")/../lib.sh"
lab_start
wg_pair
root=$LAB/root
mkdir -p "$root/etc/wireguard"
(
  umask 077
  {
    echo "[Interface]"
    echo "Address = 10.100.0.1/24"
    echo "PrivateKey = $(cat "$LAB/wg/customer.key")"
    echo "ListenPort = 51820"
    echo
    echo "[Peer]"
    echo "# Name = aws-site"
    echo "PublicKey = $(wg_pub aws)"
    echo "Endpoint = 192.0.2.2:51820"
    echo "AllowedIPs = 10.100.0.2/32, 10.2.0.0/24"
  } >"$root/etc/wireguard/wg0.conf"
  i=10
  for n in alice bob carol; do
    wg_key "$n"
    wg_peer customer wg0 "$(wg_pub "$n")" "10.100.0.$i/32"
    printf '\n[Peer]\n# Name = laptop-%s\nPublicKey = %s\nAllowedIPs = 10.100.0.%s/32\n' \
      "$n" "$(wg_pub "$n")" "$i" >>"$root/etc/wireguard/wg0.conf"
    i=$((i + 1))
  done
)
prove 15 "10.2.0.1 answers through wg0" nsx customer ping -c1 -W2 -q 10.2.0.1
offline() {
  local n p
  for n in alice bob carol; do
    p=$(wg_pub "$n")
    [ "$(nsx customer wg show wg0 endpoints | awk -v p="$p" '$1 == p { print $2 }')" = "(none)" ] || return 1
    [ "$(wg_field customer wg0 "$p" latest-handshakes)" = 0 ] || return 1
  done
}
prove 3 "the road warriors have no endpoint and no handshake" offline

# check on the hub: OK (exit 0).
rc=0
nsx customer "$EDGEDIAG" check --vpn --no-syslog --state "$LAB/state.json" \
  --wg-config-root "$root" --prometheus "$LAB/edgediag.prom" >"$LAB/check.out" 2>&1 || rc=$?
log "check: exit $rc: $(head -c 300 "$LAB/check.out")"
[ "$rc" = 0 ] || { log "ASSERT FAILED: check on a hub of idle road warriors exited $rc"; exit 1; }
grep -q 'name="laptop-alice"' "$LAB/edgediag.prom" ||
  { log "ASSERT FAILED: no name label in the Prometheus textfile"; exit 1; }

run_wg --wg-config-root "$root"
key=$(cat "$LAB/wg/customer.key")
if grep -qF "$key" "$LAB/report.json" "$LAB/report.err" "$LAB/check.out" "$LAB/edgediag.prom"; then
  log "ASSERT FAILED: the private key of the wg-quick file was printed"
  exit 1
fi
for n in alice bob carol; do
  first=$(jq -r --arg n "laptop-$n" '.subjects[] | select(.name == $n) | .findings[0].id' "$LAB/report.json")
  [ "$first" = wg.peer.idle ] ||
    { log "ASSERT FAILED: laptop-$n: first finding ${first:-none}, expected wg.peer.idle"; exit 1; }
done
site=$(jq -r '.subjects[] | select(.name == "aws-site") | .findings[0].id' "$LAB/report.json")
[ "$site" = wg.ok ] || { log "ASSERT FAILED: aws-site: ${site:-no subject named aws-site}"; exit 1; }
bad=$(jq '[.subjects[].findings[] | select(.severity == "critical" or .severity == "warning")] | length' "$LAB/report.json")
[ "$bad" = 0 ] || { log "ASSERT FAILED: $bad critical/warning findings on the hub"; exit 1; }
log "ASSERT OK: wg.peer.idle for the three named road warriors, check OK, no key printed"
exit 0
