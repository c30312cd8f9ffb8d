#!/bin/bash
# shellcheck disable=SC2034  # CUST_*, CARRIER, ... are read by lib.sh
# Not a fault: the kernel collectors against the kernel's own tools.  One
# customer router with an MD5-keyed BGP session (FRR) on 802.1Q 101, an
# 802.1ad VLAN with an 802.1Q VLAN stacked on it, static neighbours, routes in
# a second table (multipath, blackhole, MTU, IPv6), kernel WireGuard with two
# peers and hand-made XFRM states and policies.  The snapshot of `edgediag
# check --save-snapshot` must agree with ip / ss / wg, read just before and
# just after it (a value that moved between the two reads may be either; a
# counter anything between).
# Exit codes: 0 the snapshot agrees, 1 it does not (one line per difference),
# 2 the lab state was not reached, 3 setup failed.
# Secrets: wg's private and preshared keys, the XFRM key lines and the bytes
# of ss's md5keys are dropped in the pipe, before anything reaches a file;
# secrets_absent then greps the reads for every lab secret.  The reads and a
# copy of the snapshot without salt and fingerprints are kept (-k) for a diff.
. "$(dirname "$0")/../lib.sh"
lab_start
vif_json "$LAB/vif.json" bgpStatus=up
dx_setup "$LAB/vif.json"          # eth0.101 802.1Q, BGP with the VIF's MD5 key

# The rest of the router, one "ip -batch" per namespace (processes are dear in
# the VM).  A dummy test key for the hand-made ESP SAs: nothing uses them.
xkey=0x000102030405060708090a0b0c0d0e0f10111213
lab_secret "${xkey#0x}"
ip -n customer -batch - <<EOF || setup_failed "customer extras"
link add link eth0 name eth0.300 up type vlan proto 802.1ad id 300
link add link eth0.300 name eth0.300.201 mtu 1496 up type vlan proto 802.1Q id 201
link add link lan0 name lan0.4000 type vlan proto 802.1ad id 4000
addr add 192.0.2.1/24 dev eth0
addr add 172.16.30.1/29 dev eth0.300.201
addr add 2001:db8:300::1/64 dev eth0.300.201 nodad
neigh add 169.254.0.3 lladdr 02:00:00:00:00:03 dev eth0.101 nud permanent
neigh add 172.16.30.2 lladdr 02:00:00:00:30:02 dev eth0.300.201 nud stale
neigh add 172.16.30.3 lladdr 02:00:00:00:30:03 dev eth0.300.201 nud noarp
neigh add 2001:db8:300::2 lladdr 02:00:00:00:30:02 dev eth0.300.201 nud permanent
route add 10.50.0.0/24 via 169.254.0.1 table 100
route add blackhole 10.51.0.0/24 table 100
route add 10.52.0.0/24 via 172.16.30.2 dev eth0.300.201 metric 50 mtu 1400
route add 10.53.0.0/24 table 100 nexthop via 169.254.0.1 nexthop via 172.16.30.2
route add 2001:db8:53::/48 via 2001:db8:300::2 table 100
route add unreachable 2001:db8:54::/48
xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x00c0ffee reqid 7 mode tunnel aead rfc4106(gcm(aes)) $xkey 128
xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x0000beef reqid 7 mode tunnel aead rfc4106(gcm(aes)) $xkey 128 encap espinudp 4500 4500 0.0.0.0
xfrm policy add src 10.1.0.0/24 dst 10.30.0.0/24 dir out priority 375423 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 7 mode tunnel
xfrm policy add src 10.30.0.0/24 dst 10.1.0.0/24 dir in priority 375423 tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 7 mode tunnel
xfrm policy add src 10.30.0.0/24 dst 10.1.0.0/24 dir fwd priority 375423 tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 7 mode tunnel
xfrm policy add src 10.1.0.0/24 dst 10.31.0.0/24 dir out action block priority 100
EOF
ip -n aws addr add 192.0.2.2/24 dev eth0 || setup_failed "aws 192.0.2.2"
log "VLANs (802.1ad 300, 802.1Q 201 on it), neighbours, routes, XFRM added"

# WireGuard: wg0 with two peers (aws answers; site2 is unreachable, with a
# keepalive and an IPv6 allowed-ip), a fwmark.
wg_key customer; wg_key aws; wg_key site2
wg_dev customer wg0 customer 51820 10.100.0.1/24
wg_dev aws wg0 aws 51820 10.100.0.2/24
wg_peer aws wg0 "$(wg_pub customer)" 10.100.0.1/32 192.0.2.1:51820
wg_peer customer wg0 "$(wg_pub aws)" 10.100.0.2/32,10.20.0.0/24 192.0.2.2:51820
nsx customer wg set wg0 fwmark 0x51 peer "$(wg_pub site2)" \
  allowed-ips 10.100.0.3/32,10.30.0.0/24,fd00:30::/64 endpoint 192.0.3.2:51820 \
  persistent-keepalive 25 || setup_failed "wg peer site2"
log "wireguard wg0 up with peers aws and site2"

# The state the comparison needs, proven before it is compared.
prove 60 "BGP Established with the Amazon peer (MD5)" bgp_established customer "$CUST_PEER"
prove 20 "10.100.0.2 answers through wg0" nsx customer ping -c1 -W2 -q 10.100.0.2
prove 5 "WireGuard handshake done" wg_handshaken customer wg0 "$(wg_pub aws)"
# Traffic while the snapshot is taken: counters move between the two reads.
nsx customer ping -q -i 0.5 10.100.0.2 >/dev/null 2>&1 &
LAB_PIDS+=($!)

# tool_reads DIR: what ip, wg and ss say about the customer namespace.
tool_reads() {
  local d=$1
  mkdir -p "$d"
  ip -n customer -d -s -j link show >"$d/link.json"
  ip -n customer -j addr show >"$d/addr.json"
  ip -n customer -j neigh show nud all >"$d/neigh.json"
  ip -n customer -4 -j route show table all >"$d/route4.json"
  ip -n customer -6 -j route show table all >"$d/route6.json"
  # Interface lines: name private-key public-key port fwmark -> the private
  # key is dropped; peer lines: the preshared key (3rd field) is dropped.
  nsx customer wg show all dump | awk -F'\t' -v OFS='\t' '
    NF == 5 { print $1, $3, $4, $5; next }
    NF == 9 { $3 = "-"; print; next }
    { print "unexpected-line\t" NF }' >"$d/wg.txt"
  # No JSON for ip xfrm in iproute2 6.1: the text, without the key lines.
  ip -n customer xfrm state |
    sed -E '/^[[:space:]]*(aead|enc|auth|auth-trunc|comp)[[:space:]]/d' >"$d/xfrm-state.txt"
  ip -n customer xfrm policy >"$d/xfrm-policy.txt"
  # ss shows TCP-MD5 keys as "md5keys:ADDR/PLEN=KEY,...", and iproute2 6.1
  # writes the KEY bytes (blanks and commas escaped) straight to stdout,
  # ahead of its buffered lines: glued to the front of a socket line's state
  # word.  Kept: info lines (leading blank) without any "=KEY", and socket
  # lines cut back to their state word; every other line is dropped.
  nsx customer ss -tniH state all '( sport = :179 or dport = :179 )' | sed -nE '
    /^[[:space:]]/ {
      :a
      s/(md5keys:[^[:space:]=]*)=[^,[:space:]]*/\1/
      ta
      p
      d
    }
    s/^[^[:space:]]*(LISTEN|ESTAB|SYN-SENT|SYN-RECV|FIN-WAIT-1|FIN-WAIT-2|TIME-WAIT|UNCONN|CLOSE-WAIT|LAST-ACK|CLOSING)([[:space:]])/\1\2/p' >"$d/ss.txt"
}

# secrets_absent DIR: none of the lab's secrets (the MD5 key, the XFRM test
# key, the WireGuard private keys) is in a file under DIR; otherwise DIR is
# removed and the scenario fails - a filter above has a hole.
secrets_absent() {
  { jq -r '.virtualInterfaces[0].authKey // empty' "$LAB/vif.json"; echo "${xkey#0x}"
    cat "$LAB"/wg/*.key; } | { grep -v "^$" || true; } >"$LAB/secrets.pat"
  if grep -rqiF -f "$LAB/secrets.pat" "$1"; then
    rm -rf "$1" "$LAB/secrets.pat"
    setup_failed "a secret reached the tool reads in $1 (filter broken); removed"
  fi
  rm -f "$LAB/secrets.pat"
}

mkdir -p "$LAB/cmp"
tool_reads "$LAB/cmp/before"
# `check` reads every source (vpn leaves out BGP's sockets, dx WireGuard).
run_edgediag check --no-syslog --state "$LAB/cmp/state.json" --save-snapshot "$LAB/cmp/snapshot.json"
tool_reads "$LAB/cmp/after"
secrets_absent "$LAB/cmp"
# Nagios codes: 0-2 are verdicts on the router, 3 is UNKNOWN.
[ "$TOOL_RC" -le 2 ] || log "edgediag exited $TOOL_RC: $(head -c 300 "$LAB/report.err" 2>/dev/null)"
if [ ! -s "$LAB/cmp/snapshot.json" ]; then
  log "ASSERT FAILED: edgediag wrote no snapshot (exit $TOOL_RC)"
  exit 1
fi

rc=0
python3 - "$LAB/cmp" "$TOOL_RC" <<'PY' || rc=$?
import ipaddress, json, os, sys

d, tool_rc = sys.argv[1], sys.argv[2]
problems, summary = [], []
VLAN_PROTO = {"802.1Q": 0x8100, "802.1ad": 0x88a8}


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def load(side, name):
    with open(os.path.join(d, side, name)) as f:
        if name.endswith(".json"):
            text = f.read().strip()
            return json.loads(text) if text else []
        return f.read()


def ip(a):
    """Canonical address text; IPv4-mapped IPv6 as IPv4."""
    try:
        x = ipaddress.ip_address(a)
    except ValueError:
        return a
    if x.version == 6 and x.ipv4_mapped:
        return str(x.ipv4_mapped)
    return str(x)


def net(cidr, family=None):
    if cidr == "default":
        return "::/0" if family == 6 else "0.0.0.0/0"
    try:
        return str(ipaddress.ip_network(cidr, strict=False))
    except ValueError:
        return cidr


def mapped_prefix(addr, plen):
    """ss/kernel "::ffff:a.b.c.d/128" -> ("a.b.c.d", 32)."""
    try:
        x = ipaddress.ip_address(addr)
    except ValueError:
        return addr, plen
    if x.version == 6 and x.ipv4_mapped:
        return str(x.ipv4_mapped), max(plen - 96, 0)
    return str(x), plen


def show(v):
    if isinstance(v, int) and not isinstance(v, bool) and v in (0x8100, 0x88a8):
        return "0x%x" % v
    return repr(v) if isinstance(v, str) else json.dumps(v)


def compare(cat, before, after, snap, fields, counters=(), strict_if_stable=()):
    """before/after: key -> fields from the tool's two reads; snap: key ->
    fields from the snapshot.  Every key the tool shows in both reads must be
    in the snapshot with, per field, the value of either read (counters:
    anything from the first read's to the second's); every snapshot key must
    be in one of the reads.  strict_if_stable: (field, loose(b, a, v)) -
    when the two reads differ, loose() decides."""
    both = before.keys() & after.keys()
    either = before.keys() | after.keys()
    n = 0
    for k in sorted(both, key=str):
        b, a = before[k], after[k]
        s = snap.get(k)
        if s is None:
            problems.append(f"{cat} {k}: MISSING from the snapshot; the tool shows {json.dumps(b, default=list, sort_keys=True)}")
            continue
        n += 1
        for f in fields:
            bv, av, sv = b.get(f), a.get(f), s.get(f)
            if sv == bv or sv == av:
                continue
            loose = dict(strict_if_stable).get(f)
            if loose and bv != av and loose(bv, av, sv):
                continue
            tool = show(bv) if bv == av else f"{show(bv)} then {show(av)}"
            problems.append(f"{cat} {k}: {f}: snapshot {show(sv)}, tool {tool}")
        for f in counters:
            bv, av, sv = b.get(f), a.get(f), s.get(f)
            if bv is None and av is None:
                continue
            if sv is None or bv is None or av is None or not (min(bv, av) <= sv <= max(bv, av)):
                problems.append(f"{cat} {k}: {f}: snapshot {show(sv)}, tool {show(bv)} .. {show(av)}")
    for k in sorted(snap.keys() - either, key=str):
        problems.append(f"{cat} {k}: EXTRA in the snapshot, the tool shows none: {json.dumps(snap[k], default=list, sort_keys=True)}")
    transient = len(either - both)
    summary.append(f"{cat}: {n} compared" + (f", {transient} seen in one read only (skipped)" if transient else ""))
    return n


def keyed(cat, items, key):
    out = {}
    for it in items:
        k = key(it)
        if k in out:
            problems.append(f"{cat} {k}: DUPLICATE in the snapshot")
        out[k] = it
    return out


snapshot = json.load(open(os.path.join(d, "snapshot.json")))

# A copy for the kept logs: no salt, no key fingerprints.
def scrub(v):
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in v.items() if k != "key_salt" and not k.startswith("fp_")}
    if isinstance(v, list):
        return [scrub(x) for x in v]
    return v


with open(os.path.join(d, "snapshot.kept.json"), "w") as f:
    json.dump(scrub(snapshot), f, indent=1, sort_keys=True)

src = snapshot.get("sources", {})
for name in ("kernel", "addresses", "neighbours", "routes", "sockets", "md5", "wireguard", "xfrm"):
    st = src.get(name, {}).get("state")
    if st != "ok":
        problems.append(f"source {name}: {st} ({src.get(name, {}).get('reason', '')})")

# --- interfaces: ip -d -s -j link show -----------------------------------
def tool_links(side):
    links = load(side, "link.json")
    index = {l["ifname"]: l["ifindex"] for l in links}
    out = {}
    for l in links:
        info = l.get("linkinfo", {})
        kind = info.get("info_kind", "")
        data = info.get("info_data", {}) if kind == "vlan" else {}
        flags = l.get("flags", [])
        st = l.get("stats64", {})
        proto = data.get("protocol")
        out[l["ifname"]] = {
            "ifindex": l["ifindex"], "kind": kind,
            # "link" names a parent here; "link_index" + "link_netnsid" one
            # in another namespace (the collector leaves those out).
            "link": index.get(l["link"]) if "link" in l else None,
            "parent": l.get("link", ""),
            "vlan_id": data.get("id"),
            "vlan_protocol": VLAN_PROTO.get(proto, proto),
            "mtu": l.get("mtu"), "admin_up": "UP" in flags, "carrier": "LOWER_UP" in flags,
            "operstate": l.get("operstate"), "lladdr": l.get("address", ""),
            "rx_bytes": st.get("rx", {}).get("bytes"), "tx_bytes": st.get("tx", {}).get("bytes"),
            "rx_packets": st.get("rx", {}).get("packets"), "tx_packets": st.get("tx", {}).get("packets"),
        }
    return out


link_fields = ["ifindex", "kind", "link", "parent", "vlan_id", "vlan_protocol", "mtu",
               "admin_up", "carrier", "operstate", "lladdr"]
link_counters = ["rx_bytes", "tx_bytes", "rx_packets", "tx_packets"]
lb, la = tool_links("before"), tool_links("after")
ls = keyed("interface", snapshot.get("interfaces", []), lambda i: i["name"])
compare("interface", lb, la, ls, link_fields, link_counters)

# --- addresses: ip -j addr ------------------------------------------------
def tool_addrs(side):
    out = {}
    for l in load(side, "addr.json"):
        for a in l.get("addr_info", []):
            fam = 4 if a.get("family") == "inet" else 6
            out[(l["ifname"], ip(a["local"]), a["prefixlen"])] = {"ifindex": l["ifindex"], "family": fam}
    return out


compare("address", tool_addrs("before"), tool_addrs("after"),
        keyed("address", snapshot.get("addresses", []),
              lambda a: (a["ifname"], ip(a["address"]), a["prefixlen"])),
        ["ifindex", "family"])

# --- neighbours: ip -j neigh show nud all ---------------------------------
MOVING = {"REACHABLE", "STALE", "DELAY", "PROBE"}


def tool_neighs(side):
    # A device without a link-layer address (wg0: link/none) has neighbours
    # with an empty NDA_LLADDR, and iproute2 6.1 prints the byte after it
    # (ll_addr_n2a formats addr[0] whatever the length): "" is right there.
    no_lladdr = {l["ifname"] for l in load(side, "link.json") if "address" not in l}
    out = {}
    for n in load(side, "neigh.json"):
        st = n.get("state", [])
        dev = n.get("dev", "")
        out[(dev, ip(n["dst"]))] = {
            "lladdr": "" if dev in no_lladdr else n.get("lladdr", ""),
            "state": "|".join(sorted(st if isinstance(st, list) else [st]))}
    return out


def snap_neigh(n):
    return {"lladdr": n.get("lladdr", ""), "state": "|".join(sorted(n.get("state", "").split("|")))}


def neigh_moved(b, a, s):
    # The state machine may pass through another state between the reads.
    return {b, a, s} <= MOVING


ns_ = {k: snap_neigh(v) for k, v in keyed("neighbour", snapshot.get("neighbours", []),
                                           lambda n: (n["ifname"], ip(n["address"]))).items()}
compare("neighbour", tool_neighs("before"), tool_neighs("after"), ns_, ["lladdr", "state"],
        strict_if_stable=[("state", neigh_moved)])

# --- routes: ip -4/-6 -j route show table all -----------------------------
TABLES = {"main": 254, "local": 255, "default": 253, "unspec": 0}


def tool_routes(side):
    out = {}
    for fam, name in ((4, "route4.json"), (6, "route6.json")):
        for r in load(side, name):
            t = r.get("table", "main")
            table = TABLES.get(t, None)
            if table is None:
                table = int(t)
            gw, dev = r.get("gateway", ""), r.get("dev", "")
            if not gw and not dev and r.get("nexthops"):
                gw = r["nexthops"][0].get("gateway", "")
                dev = r["nexthops"][0].get("dev", "")
            mtu = None
            for m in (r.get("metrics") or []):
                if isinstance(m, dict) and isinstance(m.get("mtu"), int):
                    mtu = m["mtu"]
            key = (fam, table, r.get("type", "unicast"), net(r["dst"], fam), dev, r.get("metric", 0))
            out[key] = {"gateway": ip(gw) if gw else "", "protocol": r.get("protocol", "boot"), "mtu": mtu}
    return out


rs = {}
for r in snapshot.get("routes", []):
    k = (r["family"], r["table"], r["type"], net(r["dst"], r["family"]), r["dev"], r["metric"])
    if k in rs:
        problems.append(f"route {k}: DUPLICATE in the snapshot")
    rs[k] = {"gateway": ip(r["gateway"]) if r.get("gateway") else "", "protocol": r.get("protocol"),
             "mtu": r.get("mtu")}
compare("route", tool_routes("before"), tool_routes("after"), rs, ["gateway", "protocol", "mtu"])

# --- TCP sockets on port 179: ss -tniH -------------------------------------
SS_STATE = {"ESTAB": "ESTABLISHED", "UNCONN": "CLOSE", "SYN-RECV": "SYN-RECV"}


def endpoint(text):
    host, _, port = text.rpartition(":")
    host = host.strip("[]").split("%")[0]
    if host == "*":
        host = "0.0.0.0"
    return ip(host), 0 if port == "*" else int(port)


def tool_sockets(side):
    out, cur = {}, None
    for line in load(side, "ss.txt").splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            f = line.split()
            (l, lp), (r, rp) = endpoint(f[3]), endpoint(f[4])
            cur = {"state": SS_STATE.get(f[0], f[0]), "md5": [], "snd_mss": None, "rcv_mss": None, "pmtu": None}
            out[(l, lp, r, rp)] = cur
            rest = f[5:]
        else:
            rest = line.split()
        for tok in rest:
            name, _, val = tok.partition(":")
            if cur is None:
                continue
            if name == "md5keys":
                for e in val.split(","):
                    a, _, p = e.partition("/")
                    cur["md5"].append("%s/%d" % mapped_prefix(a, int(p or 0)))
            elif name in ("mss", "rcvmss", "pmtu") and val.isdigit():
                cur[{"mss": "snd_mss", "rcvmss": "rcv_mss", "pmtu": "pmtu"}[name]] = int(val)
    for v in out.values():
        v["md5"] = sorted(v["md5"])
        v["md5_count"] = len(v["md5"])
    return out


ss_ = {}
for t in snapshot.get("tcp_sockets", []):
    k = (ip(t["local"]), t["local_port"], ip(t["remote"]), t["remote_port"])
    if k in ss_:
        problems.append(f"socket {k}: DUPLICATE in the snapshot")
    keys = sorted("%s/%d" % mapped_prefix(m["address"], m["prefixlen"]) for m in t.get("md5_keys", []))
    # ss leaves mss/rcvmss/pmtu out when they are 0 (a listener's are).
    ss_[k] = {"state": t["state"], "md5": keys, "md5_count": len(keys),
              **{f: t.get(f) or None for f in ("snd_mss", "rcv_mss", "pmtu")}}
sb, sa = tool_sockets("before"), tool_sockets("after")
compare("socket", sb, sa, ss_, ["state", "md5_count", "md5", "snd_mss", "rcv_mss", "pmtu"])

# --- WireGuard: wg show all dump (keys other than public ones dropped) ----
def tool_wg(side):
    ifs, peers = {}, {}
    for line in load(side, "wg.txt").splitlines():
        f = line.split("\t")
        if f[0] == "unexpected-line":
            problems.append(f"wg: unexpected dump line with {f[1]} fields ({side})")
        elif len(f) == 4:
            ifs[f[0]] = {"public_key": f[1], "listen_port": int(f[2]),
                         "fwmark": 0 if f[3] == "off" else int(f[3], 0)}
        elif len(f) == 9:
            peers[(f[0], f[1])] = {
                "endpoint": "" if f[3] == "(none)" else f[3],
                "allowed_ips": sorted([] if f[4] == "(none)" else f[4].split(",")),
                "last_handshake": int(f[5]), "rx_bytes": int(f[6]), "tx_bytes": int(f[7]),
                "persistent_keepalive": 0 if f[8] == "off" else int(f[8])}
    return ifs, peers


(wib, wpb), (wia, wpa) = tool_wg("before"), tool_wg("after")
wis, wps = {}, {}
for w in snapshot.get("wireguard", []):
    wis[w["name"]] = {"public_key": w["public_key"], "listen_port": w["listen_port"],
                      "fwmark": w["fwmark"], "ifindex": w["ifindex"]}
    for p in w.get("peers", []):
        wps[(w["name"], p["public_key"])] = {
            "endpoint": p["endpoint"], "allowed_ips": sorted(p["allowed_ips"]),
            "last_handshake": p["last_handshake"], "rx_bytes": p["rx_bytes"],
            "tx_bytes": p["tx_bytes"], "persistent_keepalive": p["persistent_keepalive"]}
for k, v in list(wib.items()):
    if k in lb:
        v["ifindex"] = lb[k]["ifindex"]
for k, v in list(wia.items()):
    if k in la:
        v["ifindex"] = la[k]["ifindex"]
compare("wg-interface", wib, wia, wis, ["public_key", "listen_port", "fwmark", "ifindex"])
compare("wg-peer", wpb, wpa, wps, ["endpoint", "allowed_ips", "persistent_keepalive"],
        ["last_handshake", "rx_bytes", "tx_bytes"])

# --- XFRM: ip xfrm state / policy (text) -----------------------------------
def blocks(text):
    cur = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            if cur:
                yield cur
            cur = [line.split()]
        elif cur is not None:
            cur.append(line.split())
    if cur:
        yield cur


def pairs(words):
    return {words[i]: words[i + 1] for i in range(0, len(words) - 1)}


def tool_states(side):
    out = {}
    for b in blocks(load(side, "xfrm-state.txt")):
        head = pairs(b[0])
        st = {}
        for words in b[1:]:
            if words[0] == "proto":
                st.update(pairs(words))
            elif words[0] == "encap":
                e = pairs(words)
                st["encap_sport"], st["encap_dport"] = int(e["sport"]), int(e["dport"])
        key = (ip(head["src"]), ip(head["dst"]), st.get("proto"), "0x%08x" % int(st.get("spi", "0"), 16))
        out[key] = {"reqid": int(st.get("reqid", 0)), "mode": st.get("mode"),
                    "encap_sport": st.get("encap_sport"), "encap_dport": st.get("encap_dport")}
    return out


xs = {}
for x in snapshot.get("xfrm_states", []):
    xs[(ip(x["src"]), ip(x["dst"]), x["proto"], "0x%08x" % x["spi"])] = {
        "reqid": x["reqid"], "mode": x["mode"],
        "encap_sport": x.get("encap_sport"), "encap_dport": x.get("encap_dport")}
compare("xfrm-state", tool_states("before"), tool_states("after"), xs,
        ["reqid", "mode", "encap_sport", "encap_dport"])


def tool_policies(side):
    out = {}
    for b in blocks(load(side, "xfrm-policy.txt")):
        sel = b[0]
        pol = {"action": "allow", "tmpl_src": "", "tmpl_dst": "", "reqid": 0, "priority": 0}
        direction = None
        for i, words in enumerate(b[1:]):
            p = pairs(words)
            if words[0] == "dir":
                direction = words[1]
                pol["priority"] = int(p.get("priority", 0))
                pol["action"] = p.get("action", "allow")
            elif words[0] == "socket":
                direction = "socket-" + words[1]
            elif words[0] == "tmpl" and not pol["tmpl_src"]:
                pol["tmpl_src"], pol["tmpl_dst"] = ip(p.get("src", "")), ip(p.get("dst", ""))
                nxt = pairs(b[i + 2]) if i + 2 < len(b) else {}
                pol["reqid"] = int(nxt.get("reqid", 0))
        if direction is None or direction.startswith("socket-"):
            continue
        s = pairs(sel)
        out[(net(s["src"]), net(s["dst"]), direction)] = pol
    return out


xp = {}
for p in snapshot.get("xfrm_policies", []):
    xp[(net(p["src"]), net(p["dst"]), p["dir"])] = {
        "action": p["action"], "priority": p["priority"], "tmpl_src": ip(p["tmpl_src"]) if p["tmpl_src"] else "",
        "tmpl_dst": ip(p["tmpl_dst"]) if p["tmpl_dst"] else "", "reqid": p["reqid"]}
compare("xfrm-policy", tool_policies("before"), tool_policies("after"), xp,
        ["action", "priority", "tmpl_src", "tmpl_dst", "reqid"])

# --- the lab has what the comparison claims to cover ----------------------
missing = []
ad = [n for n, l in lb.items() if l["vlan_protocol"] == 0x88a8]
if not ad:
    missing.append("an 802.1ad VLAN")
if not [n for n, l in lb.items() if l["vlan_protocol"] == 0x8100 and l["parent"] in ad]:
    missing.append("an 802.1Q VLAN stacked on an 802.1ad one")
if not [s for s in sb.values() if s["state"] == "ESTABLISHED" and s["md5_count"] > 0]:
    missing.append("an established TCP-MD5 BGP socket")
if len([1 for (i, _) in wpb if i == "wg0"]) < 2:
    missing.append("wg0 with two peers")
if not [p for p in wpb.values() if p["last_handshake"] > 0]:
    missing.append("a WireGuard handshake")
if len(tool_states("before")) < 2 or len(tool_policies("before")) < 3:
    missing.append("XFRM states and policies")
if not [k for k in tool_routes("before") if k[1] == 100]:
    missing.append("routes in table 100")

for line in summary:
    say("compared " + line)
if tool_rc not in ("0", "1", "2"):  # Nagios OK/WARNING/CRITICAL: a verdict, not a failure
    problems.append(f"edgediag exited {tool_rc}")
for p in problems:
    say("DIFF " + p)
if missing:
    say("FAULT NOT REPRODUCED: the lab lacks " + ", ".join(missing))
    sys.exit(2)
if problems:
    say(f"ASSERT FAILED: the snapshot disagrees with ip/ss/wg in {len(problems)} place(s); first: {problems[0]}")
    sys.exit(1)
say("ASSERT OK: the snapshot agrees with ip, ss, wg and ip xfrm")
PY
# The reads (secrets already dropped) and the scrubbed snapshot, for a diff.
if [ -n "${LAB_KEEP:-}" ]; then
  mkdir -p "$LAB_KEEP/$LAB_NAME"
  rm -f "$LAB/cmp/snapshot.json"
  cp -r "$LAB/cmp" "$LAB_KEEP/$LAB_NAME/" 2>/dev/null || true
fi
LAB_RC=$rc
exit "$rc"
