#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, ... are read by lib.sh
# The Debian packages, installed for real: `dpkg -i` edgediag and
# edgediag-vyos, then, on a DX router whose sub-interface carries VLAN 102
# while the VIF says 101 (as dx-vlan-mismatch):
#   - every op-mode `run:` line of the installed VyOS templates, its $4 taken
#     from the template's own `allowed:` completion, through the real sudo, in
#     the customer namespace: exit 0, and the dx lines name dx.vlan.mismatch
#     first;
#   - the /etc/cron.d job: does nothing while systemd runs, runs the check
#     quietly otherwise;
#   - the service's ExecStart with /etc/default/edgediag, as the timer runs
#     it: state file 0600 in /var/lib/edgediag (0700), a Prometheus textfile
#     that promtool accepts, state changes in syslog (a busybox syslogd);
#   - `dpkg --purge`: nothing of either package is left behind.
# It checks the packaged /usr/sbin/edgediag, not $EDGEDIAG.  The packages come
# from EDGEDIAG_DEBS_DIR (run-lab --debs), default out/debs of the source tree
# (tests/packaging/build-debs's default output).
#
# The VM's root filesystem is the host's, read-only over 9p (vm-run puts
# overlays only on /etc, /var and /root).  So the scenario re-runs itself in a
# private mount namespace, puts ONE overlay with a tmpfs upper layer over the
# whole root there (at an empty directory, $ROOT_AT), binds the VM's /dev,
# /proc, /sys, /run, /tmp and /var/tmp into it and chroots: dpkg writes where
# it always does (/usr/sbin, /opt/vyatta, /etc/cron.d, /var/lib/dpkg) on a
# root that behaves like a disk (an overlay per directory would not: dpkg's
# rmdir of /opt on purge meets the read-only / instead of "not empty").  Later
# scenarios in the same VM see none of it, and after the purge the upper layer
# shows everything the packages left behind.
OVL=/run/lab-deb-install   # the upper layer (a tmpfs), visible in the chroot
ROOT_AT=/media             # an empty directory of the host's root
case ${LAB_DEB_STAGE:-} in
  '')
    LAB_DEB_STAGE=1 exec unshare --mount --propagation private bash "$0" "$@" ;;
  1)
    fail1() { echo "[  0.00] SETUP FAILED: $*" >&2; exit 3; }
    [ "${LAB_VM:-}" = 1 ] || fail1 "deb-install runs dpkg: only inside the lab VM"
    mkdir -p "$OVL" && mount -t tmpfs -o mode=0755 tmpfs "$OVL" || fail1 "tmpfs on $OVL"
    mkdir -p "$OVL/upper" "$OVL/work" "$OVL/lower"
    # The root as it was (read-only), to tell new paths from changed ones.
    mount --bind / "$OVL/lower" || fail1 "bind / at $OVL/lower"
    mount -t overlay -o "lowerdir=/,upperdir=$OVL/upper,workdir=$OVL/work" overlay "$ROOT_AT" ||
      fail1 "overlay over / at $ROOT_AT"
    for d in /dev /proc /sys /run /tmp; do
      mount --rbind "$d" "$ROOT_AT$d" || fail1 "bind $d into the new root"
    done
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$ROOT_AT/var/tmp" || fail1 "tmpfs on /var/tmp"
    LAB_DEB_STAGE=2 exec chroot "$ROOT_AT" /bin/sh -c 'cd "$1" || exit 3; shift; exec bash "$@"' \
      deb-install "$(pwd)" "$(readlink -f "$0")" "$@" ;;
esac
. "$(dirname "$0")/../lib.sh"
lab_start
# run-lab's EDGEDIAG is the build tree's binary; the installed completion
# script would honour it (vyos-complete: ${EDGEDIAG:-/usr/sbin/edgediag}).
# Only the packaged binary is under test here.
unset EDGEDIAG

FAILED=0 FIRST_FAIL=
# check DESCRIPTION CMD...: one assertion; every failure is logged, the
# scenario fails (exit 1) at the end, naming the first one.
failed() { log "ASSERT FAILED: $*"; FAILED=$((FAILED + 1)); FIRST_FAIL=${FIRST_FAIL:-$*}; }
check() {
  local what=$1; shift
  if "$@"; then log "ok: $what"; else failed "$what"; fi
}
fatal() { log "ASSERT FAILED: $*"; exit 1; }

# --- the packages ---------------------------------------------------------------
debs=${EDGEDIAG_DEBS_DIR:-$LAB_DIR/../../out/debs}
[ -d "$debs" ] || setup_failed "no package directory $debs (tests/packaging/build-debs SOURCE_DIR $debs, or run-lab --debs DIR)"
debs=$(cd "$debs" && pwd)
one_deb() {
  local m; m=$(ls -1 "$debs"/"$1"_*.deb 2>/dev/null) || true
  [ -n "$m" ] && [ "$(printf '%s\n' "$m" | wc -l)" = 1 ] || setup_failed "need exactly one $1_*.deb in $debs, found: ${m:-none}"
  echo "$m"
}
DEB=$(one_deb edgediag)
VYOS=$(one_deb edgediag-vyos)
VERSION=$(dpkg-deb -f "$DEB" Version)
log "packages: $DEB ($VERSION, built $(date -u -r "$DEB" +%FT%TZ)), $VYOS"
# edgediag-vyos depends on sudo: install it alongside when the host lacks it.
DEPS=()
if ! dpkg-query -W -f '${db:Status-Abbrev}' sudo 2>/dev/null | grep -q '^ii'; then
  s=$(ls -1 "$debs"/sudo_*.deb /var/cache/apt/archives/sudo_*.deb 2>/dev/null | sort -V | tail -n1) || true
  [ -n "$s" ] || setup_failed "edgediag-vyos depends on sudo, which is neither installed nor in $debs or /var/cache/apt/archives (apt-get install --download-only sudo)"
  DEPS+=("$s")
  log "sudo is not installed here: installing $s with the packages"
fi

# man-db's trigger would rebuild the index of the whole /usr/share/man: minutes
# in the VM, and nothing this test looks at.
rm -f /var/lib/man-db/auto-update

# VM-wide leftovers of this scenario (/run and /dev are not ours alone).
CREATED_DEVLOG='' CREATED_SYSTEMD='' CREATED_FRR='' CREATED_VICI=''
deb_cleanup() {
  set +e
  [ -n "${SYSLOGD_PID:-}" ] && kill "$SYSLOGD_PID" 2>/dev/null && wait "$SYSLOGD_PID" 2>/dev/null
  [ -n "$CREATED_DEVLOG" ] && rm -f /dev/log
  [ -n "$CREATED_VICI" ] && rm -f /run/charon.vici
  [ -n "$CREATED_SYSTEMD" ] && rmdir /run/systemd/system /run/systemd 2>/dev/null
  if [ -n "$CREATED_FRR" ]; then umount /run/frr 2>/dev/null; rmdir /run/frr 2>/dev/null; fi
}
trap 'rc=$?; deb_cleanup; (exit $rc); lab_cleanup' EXIT

# --- syslog receiver ---------------------------------------------------------------
SYSLOG=$LAB/syslog.log
if [ -e /dev/log ]; then
  log "WARNING: /dev/log exists already: its syslog daemon is not ours, syslog cannot be checked"
  SYSLOG=
else
  busybox syslogd -n -O "$SYSLOG" &
  SYSLOGD_PID=$!
  CREATED_DEVLOG=1
  need 15 "busybox syslogd listening on /dev/log" test -S /dev/log
fi

# --- a clean root: the host is the VM's lower layer --------------------------------
# What edgediag writes when it runs (state, logs) must not exist yet: left on
# the host by a run there (`edgediag check` as root writes
# /var/lib/edgediag/state.json), it would read as this install's leftover.
for p in /var/lib/edgediag /var/log/edgediag /etc/edgediag; do
  if [ -e "$p" ]; then
    setup_failed "$p exists on the host (the lab's lower layer), left by an edgediag run there: remove it"
  fi
done

# --- what the packages hold, and what of it exists before --------------------------
deb_paths() { dpkg-deb -c "$1" | awk '{ p = $6; sub(/^\./, "", p); sub(/\/$/, "", p); if (p != "") print p }'; }
{ deb_paths "$DEB"; deb_paths "$VYOS"; } | sort -u >"$LAB/paths"
while IFS= read -r p; do
  if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo "$p"; fi
done <"$LAB/paths" >"$LAB/new-paths"
log "the packages hold $(wc -l <"$LAB/paths") paths, $(wc -l <"$LAB/new-paths") of them new here"

# --- dpkg -i --------------------------------------------------------------------------
now_us; t=$NOW
rc=0
dpkg -i "${DEPS[@]}" "$DEB" "$VYOS" >"$LAB/dpkg-install.log" 2>&1 || rc=$?
now_us
log "dpkg -i exit $rc ($(( (NOW - t) / 1000 )) ms)"
if [ "$rc" != 0 ]; then sed 's/^/    dpkg: /' "$LAB/dpkg-install.log" >&2; fatal "dpkg -i failed (exit $rc)"; fi
installed() { dpkg-query -W -f '${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }
check "edgediag installed and configured (ii)" installed edgediag
check "edgediag-vyos installed and configured (ii)" installed edgediag-vyos
dpkg -L edgediag edgediag-vyos >"$LAB/dpkg-L.log"
log "dpkg -L: $(wc -l <"$LAB/dpkg-L.log") paths"
# absent_of FILE: the paths listed in FILE that do not exist.
absent_of() { local p; while IFS= read -r p; do if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo "$p"; fi; done <"$1"; }
missing=$(absent_of "$LAB/dpkg-L.log")
check "every path dpkg -L lists exists${missing:+ (missing: $(echo $missing))}" test -z "$missing"
unlisted=$(grep -vxF -f "$LAB/dpkg-L.log" "$LAB/paths" | grep -vx '' || true)
check "dpkg -L lists every path of the .debs${unlisted:+ (unlisted: $(echo $unlisted))}" test -z "$unlisted"
check "/usr/sbin/edgediag --version is $VERSION" \
  bash -c '/usr/sbin/edgediag --version | grep -qF -- "$1"' _ "$VERSION"
check "postinst: /var/lib/edgediag is 0700 root" test "$(stat -c '%a %U' /var/lib/edgediag 2>&1)" = "700 root"
check "postinst: edgediag.timer enabled" test -L /etc/systemd/system/timers.target.wants/edgediag.timer
check "postinst: the oneshot service is not enabled" \
  bash -c '! ls /etc/systemd/system/*.wants/edgediag.service >/dev/null 2>&1'

# --- the router: VLAN 102 where the VIF says 101, and a WireGuard peer -----------------
vif_json "$LAB/vif.json"
CUST_VLAN=102
dx_setup "$LAB/vif.json"
# The installed defaults, as on a router: VIFs in /etc/edgediag/vifs.d (the
# package's directory), FRR's sockets where vtysh looks by default.
install -m 0600 "$LAB/vif.json" /etc/edgediag/vifs.d/lab.json
if [ ! -e /run/frr ]; then mkdir /run/frr; CREATED_FRR=1; fi
mount --bind "$(frr_dir customer)" /run/frr || setup_failed "bind $(frr_dir customer) on /run/frr"
# vpn-health needs something to examine: an IPsec connection to a peer that
# never answers, its VICI socket where edgediag looks by default, and a
# WireGuard peer that never answers either.
charon_start customer
if [ ! -e /run/charon.vici ]; then ln -s "$(vici_sock customer)" /run/charon.vici; CREATED_VICI=1; fi
cat >"$LAB/swanctl.conf" <<EOF
connections {
  aws {
    version = 2
    local_addrs = 10.1.0.1
    remote_addrs = 198.51.100.1
    proposals = aes128gcm16-prfsha256-x25519
    local { auth = psk
            id = 10.1.0.1 }
    remote { auth = psk
             id = 198.51.100.1 }
    children {
      lan {
        local_ts = 10.1.0.0/24
        remote_ts = 10.2.0.0/24
        esp_proposals = aes128gcm16
      }
    }
  }
}
secrets {
  ike-aws { id = 198.51.100.1
            secret = "lab-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')" }
}
EOF
charon_wait customer
swanctl_load customer "$LAB/swanctl.conf"
rm -f "$LAB/swanctl.conf"
wg_key customer
wg_key aws
wg_dev customer wg0 customer 51820 10.100.0.1/24
wg_peer customer wg0 "$(wg_pub aws)" 10.100.0.2/32,10.2.0.0/24
need 10 "vtysh reaches the customer's bgpd by default" \
  nsx customer vtysh -c 'show bgp summary json'
prove 20 "ARP for the Amazon address stays unresolved" neigh_unresolved customer "$CUST_PEER"
prove_no_session
EXPECT=$(lab_expected)
[ -n "$EXPECT" ] || setup_failed "no expected finding id for deb-install in scenarios.list"

# --- op-mode commands -------------------------------------------------------------
TPL=/opt/vyatta/share/vyatta-op/templates
mkdir -p "$LAB/opmode"
# tag_value PATH: the value a user would complete for the tag node PATH,
# from the template's own allowed: line, run as VyOS does (in the namespace).
declare -A TAGVAL=()
tag_value() {
  local tag=$1 allowed want values
  allowed=$(sed -n 's/^allowed: //p' "$TPL/$tag/node.tag/node.def")
  values=$(nsx customer bash -c "$allowed" 2>"$LAB/opmode/allowed.err") || true
  case $tag in
    show/dx-diagnostics/interface) want=$CUST_IF ;;
    show/dx-diagnostics/peer) want=$CUST_PEER ;;
    show/vpn-health/peer) want=aws ;;   # the IPsec connection (the WireGuard peer is offered too)
    *) want=$(printf '%s\n' "$values" | head -n1) ;;
  esac
  if [ -z "$want" ] || ! printf '%s\n' "$values" | grep -qxF -- "$want"; then
    failed "completion of $tag ($allowed) does not offer ${want:-anything}: $(echo $values)"
  else
    log "ok: completion of $tag ($allowed) offers $want (all: $(echo $values))"
  fi
  TAGVAL[$tag]=$want
}
for def in $(cd "$TPL" && find show/dx-diagnostics show/vpn-health -path '*/node.tag/node.def' | sort); do
  tag_value "${def%/node.tag/node.def}"
done
n=0
for def in $(cd "$TPL" && find show/dx-diagnostics show/vpn-health -name node.def | sort); do
  run=$(sed -n 's/^run: //p' "$TPL/$def")
  [ -n "$run" ] || continue
  path=${def%/node.def}
  set --
  prefix=
  for w in ${path//\// }; do
    if [ "$w" = node.tag ]; then set -- "$@" "${TAGVAL[$prefix]:-}"; else set -- "$@" "$w"; fi
    prefix=${prefix:+$prefix/}$w
  done
  words="$*"
  out=$LAB/opmode/$(printf '%s' "$words" | tr -c 'A-Za-z0-9.-' _)
  rc=0
  nsx customer timeout -k 5 60 bash -c "$run" op-mode "$@" >"$out.out.log" 2>"$out.err.log" || rc=$?
  n=$((n + 1))
  log "op-mode: $words -> $run: exit $rc, $(wc -c <"$out.out.log") bytes"
  if [ "$rc" != 0 ] || [ ! -s "$out.out.log" ] || grep -q 'edgediag --help' "$out.err.log"; then
    failed "'$words' (run: $run) exit $rc"
    sed -n '1,10s/^/    stderr: /p' "$out.err.log" >&2 || true
    continue
  fi
  first=
  case $run in
    *--json*)
      first=$(jq -r 'if .schema != "edgediag.report/1" then "not-a-report" else
                     ([.subjects[]? | select(.kind == "dx-vif")][0].findings[0].id // "none") end' \
              "$out.out.log" 2>/dev/null) || first=not-json ;;
    *) first=$(sed -n 's/^ *1\. [A-Z]* \([a-z0-9.-]*\):.*/\1/p' "$out.out.log" | head -n1) ;;
  esac
  case $run in
    *"edgediag dx"*) check "'$words' names $EXPECT first (got ${first:-none})" test "$first" = "$EXPECT" ;;
    *--json*) check "'$words' is an edgediag.report/1" test "$first" != not-json -a "$first" != not-a-report ;;
  esac
  case $run in
    *'"$4"'*) check "'$words' report mentions $4" grep -qF -- "$4" "$out.out.log" ;;
  esac
done
# 15: show dx-diagnostics and show vpn-health, each bare, detail, json,
# probe, explain <id>, peer <x>, plus interface <x> (dx) and ipsec|wireguard
# (vpn). A template that lost its run: line, or a new one, must show here.
check "15 op-mode run: lines ran (got $n)" test "$n" = 15

# --- the cron job --------------------------------------------------------------------
STATE=/var/lib/edgediag/state.json
CRON=/etc/cron.d/edgediag
# The job: the line with a schedule and a user; cron's variables before it.
line=$(grep -Ev '^[[:space:]]*(#|$)|^[A-Za-z_]+=' "$CRON" | head -n1)
check "cron job runs as root" test "$(echo "$line" | awk '{ print $6 }')" = root
job=$(echo "$line" | sed -E 's/^[[:space:]]*([^[:space:]]+[[:space:]]+){6}//')
cronenv=$(grep -E '^[A-Za-z_]+=' "$CRON" | tr '\n' ' ')
[ -n "$job" ] || fatal "no job line in $CRON"
log "cron job: $job"
run_cron() {
  # shellcheck disable=SC2086  # cron's own VAR=value words
  nsx customer env -i HOME=/root LOGNAME=root $cronenv /bin/sh -c "$job" >"$LAB/cron.$1.out.log" 2>&1
}
syslog_lines() { [ -z "$SYSLOG" ] && echo 0 || grep -c 'edgediag\[[0-9]*\]:' "$SYSLOG" || true; }
if [ ! -e /run/systemd/system ]; then
  mkdir -p /run/systemd/system; CREATED_SYSTEMD=1
fi
rc=0; run_cron systemd || rc=$?
check "cron job under systemd: exit 0 (got $rc)" test "$rc" = 0
check "cron job under systemd: no output" test ! -s "$LAB/cron.systemd.out.log"
check "cron job under systemd: no check ran (no state file)" test ! -e "$STATE"
if [ -n "$CREATED_SYSTEMD" ]; then rmdir /run/systemd/system /run/systemd; CREATED_SYSTEMD=; fi
check "syslog: nothing from edgediag yet" test "$(syslog_lines)" = 0

rc=0; run_cron nosystemd || rc=$?
# The job's status is the check's Nagios code: 2 CRITICAL; cron ignores it.
check "cron job without systemd: check ran, Nagios CRITICAL (exit $rc)" test "$rc" = 2
check "cron job without systemd: nothing for cron to mail" test ! -s "$LAB/cron.nosystemd.out.log"
check "state file $STATE is 0600 root" test "$(stat -c '%a %U' "$STATE" 2>&1)" = "600 root"
check "state directory is still 0700" test "$(stat -c '%a' /var/lib/edgediag)" = 700
check "state file holds $EXPECT" bash -c 'jq -e . "$1" >/dev/null && grep -qF -- "$2" "$1"' _ "$STATE" "$EXPECT"
if [ -n "$SYSLOG" ]; then
  if wait_for 10 "syslog line from edgediag naming $EXPECT" \
      grep -q "edgediag\[[0-9]*\]: .*$EXPECT" "$SYSLOG"; then
    log "syslog: $(grep -m1 "edgediag\[[0-9]*\]: .*$EXPECT" "$SYSLOG")"
  else
    failed "no syslog line naming $EXPECT in $SYSLOG"
  fi
fi

# --- the timer's service -----------------------------------------------------------
UNIT=/lib/systemd/system/edgediag.service
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
env_file=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$UNIT")
success=$(sed -n 's/^SuccessExitStatus=//p' "$UNIT")
[ -n "$exec_start" ] || fatal "no ExecStart in $UNIT"
PROM=/var/lib/prometheus/node-exporter/edgediag.prom
# As an administrator following /etc/default/edgediag's own comment.
sed -i "s|^EDGEDIAG_CHECK_ARGS=.*|EDGEDIAG_CHECK_ARGS=\"--state $STATE --prometheus $PROM\"|" "$env_file"
mkdir -p "${PROM%/*}"   # prometheus-node-exporter's textfile directory
log "service: ExecStart=$exec_start, EnvironmentFile=$env_file: $(grep '^EDGEDIAG_CHECK_ARGS' "$env_file")"
state_mtime=$(stat -c %Y.%y "$STATE")
sleep 1
rc=0
# Without systemd in the VM: its environment file and its word splitting of
# an unquoted $VAR, not its sandbox (ProtectSystem=, ...).
nsx customer env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c \
  'set -a; [ -r "$1" ] && . "$1"; set +a; exec '"$exec_start" service "$env_file" \
  >"$LAB/service.out.log" 2>"$LAB/service.err.log" || rc=$?
log "service: exit $rc: $(head -c 300 "$LAB/service.out.log")"
check "service exit $rc is a success for systemd (0 or SuccessExitStatus=$success)" \
  bash -c '[ "$1" = 0 ] || [[ " $2 " == *" $1 "* ]]' _ "$rc" "$success"
check "service: Nagios CRITICAL naming $EXPECT" grep -q "^EDGEDIAG CRITICAL: .*$EXPECT" "$LAB/service.out.log"
check "service: nothing on stderr" test ! -s "$LAB/service.err.log"
check "service: state file rewritten, still 0600" \
  bash -c '[ "$(stat -c %Y.%y "$1")" != "$2" ] && [ "$(stat -c %a "$1")" = 600 ]' _ "$STATE" "$state_mtime"
check "Prometheus textfile $PROM written, 0644" test "$(stat -c '%a' "$PROM" 2>&1)" = 644
check "Prometheus textfile names $EXPECT" grep -qF -- "$EXPECT" "$PROM"
if command -v promtool >/dev/null; then
  rc=0; promtool check metrics <"$PROM" >"$LAB/promtool.log" 2>&1 || rc=$?
  check "promtool check metrics accepts the textfile (exit $rc)" test "$rc" = 0
  [ "$rc" = 0 ] || sed 's/^/    promtool: /' "$LAB/promtool.log" >&2
else
  log "WARNING: promtool not installed: the textfile is not validated"
fi
cp "$PROM" "$LAB/edgediag.prom.log" 2>/dev/null || true   # kept with -k
[ -n "$SYSLOG" ] && cp "$SYSLOG" "$LAB/syslog.kept.log"
log "syslog: $(syslog_lines) lines from edgediag"

# --- dpkg --purge ------------------------------------------------------------------
umount /run/frr && { [ -z "$CREATED_FRR" ] || rmdir /run/frr; } && CREATED_FRR=
# The administrator's own file goes first: dpkg keeps what it did not install.
rm -f /etc/edgediag/vifs.d/lab.json
rc=0
dpkg --purge edgediag-vyos edgediag >"$LAB/dpkg-purge.log" 2>&1 || rc=$?
log "dpkg --purge exit $rc"
[ "$rc" = 0 ] || { sed 's/^/    dpkg: /' "$LAB/dpkg-purge.log" >&2; fatal "dpkg --purge failed (exit $rc)"; }
# dpkg tries every directory no other package lists (/opt: none does) and
# warns when it is not empty; that is fine for a directory that was there
# before, a leftover for one the packages brought.
bad=$(grep -i 'warning' "$LAB/dpkg-purge.log" | while IFS= read -r w; do
        d=$(printf '%s\n' "$w" | sed -n "s/.*directory '\(.*\)' not empty so not removed.*/\1/p")
        if [ -z "$d" ] || grep -qxF -- "$d" "$LAB/new-paths"; then echo "$w"; fi
      done)
check "dpkg --purge warned of no leftover${bad:+ ($bad)}" test -z "$bad"
for p in edgediag edgediag-vyos; do
  st=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null || echo gone)
  check "$p purged (status ${st:-none})" bash -c '[ "$1" = not-installed ] || [ "$1" = gone ] || [ -z "$1" ]' _ "$st"
done
left=$(while IFS= read -r p; do if [ -e "$p" ] || [ -L "$p" ]; then echo "$p"; fi; done <"$LAB/new-paths")
check "every path the packages brought is gone${left:+ (left: $(echo $left))}" test -z "$left"
for p in /var/lib/edgediag /var/log/edgediag /etc/edgediag /etc/cron.d/edgediag /etc/default/edgediag \
         "$PROM" /etc/systemd/system/timers.target.wants/edgediag.timer \
         "$TPL/show/dx-diagnostics" "$TPL/show/vpn-health" /usr/libexec/edgediag /usr/sbin/edgediag; do
  check "gone: $p" bash -c '! [ -e "$1" ] && ! [ -L "$1" ]' _ "$p"
done
# Everything written to the root since the overlay went up is in its upper
# layer: after the purge, nothing there may be named after the packages, and
# /opt and /usr must be as the host has them.
find "$OVL/upper" -mindepth 1 | sed "s|^$OVL/upper||" | sort >"$LAB/upper-after-purge.log"
left=$(grep -Ei 'edgediag|vyatta' "$LAB/upper-after-purge.log" || true)
check "nothing named edgediag or vyatta written anywhere${left:+ (left: $(echo $left))}" test -z "$left"
# Paths that did not exist before: only sudo's (a dependency, still
# installed), dpkg's own bookkeeping of it, and this test's own files.
# (dpkg -L names /lib/...; with merged /usr the file is in /usr/lib/...)
{ [ ${#DEPS[@]} = 0 ] || dpkg -L sudo | while IFS= read -r p; do echo "$p"; echo "$(readlink -f "${p%/*}")/${p##*/}"; done; } |
  sort -u >"$LAB/sudo-paths"
# (sudo's paths are dropped first: every stat of the lower layer is a 9p call)
grep -vxF -f "$LAB/sudo-paths" "$LAB/upper-after-purge.log" |
  grep -Ev '^/var/lib/dpkg/info/sudo\.|^/var/lib/sudo(/|$)|^/etc/rc[0-6S]\.d/[SK][0-9]+sudo$|^/var/lib/prometheus(/|$)' |
  while IFS= read -r p; do
    if [ ! -e "$OVL/lower$p" ] && [ ! -L "$OVL/lower$p" ]; then echo "$p"; fi
  done >"$LAB/new-after-purge.log" || true
left=$(cat "$LAB/new-after-purge.log")
check "nothing new on the root after the purge but sudo's files${left:+ (new: $(echo $left))}" test -z "$left"

if [ "$FAILED" != 0 ]; then
  log "ASSERT FAILED: $FIRST_FAIL$([ "$FAILED" -gt 1 ] && echo " (+$((FAILED - 1)) more failed checks)")"
  exit 1
fi
log "ASSERT OK: installed, op-mode lines, cron, service, state, Prometheus, syslog and purge all as expected"
exit 0
