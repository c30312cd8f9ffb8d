#!/bin/sh
# Runs a private strongSwan charon on the host for live VICI checks: its own
# strongswan.conf (STRONGSWAN_CONF), its own VICI socket DIR/charon.vici, and a
# private tmpfs on /run (charon hard-codes /var/run/charon.pid), so the host's
# /etc/swanctl, /var/run and any system charon are never touched.
#
#   private-charon.sh start DIR [NETNS-ARGS]   start charon, wait for its socket
#   private-charon.sh stop DIR                 stop it (by its recorded pid)
#
# DIR/swanctl.conf, when present, is loaded with swanctl --load-all.
# EXTRA_PLUGINS (e.g. "kernel-libipsec") are loaded before kernel-netlink, so
# they take over IPsec SA installation; EXTRA_CONF
# is appended inside the charon { } block.
set -eu
cmd=${1:?usage: private-charon.sh start|stop DIR}
dir=${2:?usage: private-charon.sh start|stop DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

case "$cmd" in
start)
  cat >"$dir/strongswan.conf" <<CONF
charon {
  load = random nonce openssl kdf pem pkcs1 x509 revocation constraints pubkey ${EXTRA_PLUGINS:-} kernel-netlink socket-default vici updown
  install_routes = no
  plugins {
    vici {
      socket = unix://$dir/charon.vici
    }
  }
  filelog {
    log {
      path = $dir/charon.log
      default = 1
    }
  }
  ${EXTRA_CONF:-}
}
swanctl {
  load = pem pkcs1 x509 revocation constraints pubkey openssl random
}
CONF
  rm -f "$dir/charon.vici"
  # A private mount namespace with its own /run; charon runs in the foreground
  # of that shell and its pid is recorded for stop.
  STRONGSWAN_CONF="$dir/strongswan.conf" unshare -m --propagation private sh -c \
    'mount -t tmpfs tmpfs /run && exec /usr/lib/ipsec/charon' \
    >"$dir/charon.out" 2>&1 &
  echo $! >"$dir/charon.pid"
  i=0
  while [ ! -S "$dir/charon.vici" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then echo "charon did not start; see $dir/charon.out" >&2; exit 1; fi
    sleep 0.1
  done
  if [ -f "$dir/swanctl.conf" ]; then
    STRONGSWAN_CONF="$dir/strongswan.conf" swanctl --load-all --noprompt \
      --file "$dir/swanctl.conf" --uri "unix://$dir/charon.vici" >"$dir/load.out" 2>&1 ||
      { cat "$dir/load.out" >&2; exit 1; }
  fi
  ;;
stop)
  if [ -f "$dir/charon.pid" ]; then
    pid=$(cat "$dir/charon.pid")
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/charon.pid"
  fi
  ;;
*) echo "usage: private-charon.sh start|stop DIR" >&2; exit 64 ;;
esac
