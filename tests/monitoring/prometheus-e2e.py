#!/usr/bin/env python3
"""The shipped Prometheus rules and Grafana dashboard against real parts.

Three routers, each an `edgediag check --prometheus` textfile served by its
own Debian prometheus-node-exporter: the DX example with a VLAN mismatch
(faulted), a healthy WireGuard peer and a healthy IPsec connection (recorded
snapshots, moved to now so that nothing is stale). Debian's prometheus
scrapes them with a copy of the shipped rules whose `for:` and intervals are
short. The VLAN fault's alert must go pending, then firing, and no other
alert may appear. Then every query of the dashboard runs against the same
Prometheus and must parse and return data (unless its panel says it is empty
on a healthy fleet).

Everything listens on 127.0.0.1 only, lives in a temporary directory, and is
killed on exit. Exit 77 (CTest's skip) only when a binary is missing.

usage: prometheus-e2e.py EDGEDIAG SOURCE_DIR
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

DEADLINE = time.monotonic() + 100  # whole test, seconds (CTest TIMEOUT is 120)
FOR = "5s"  # every alert's `for:` in the copy
INTERVAL = "1s"  # scrape, evaluation and rule group interval

procs = []
tmp = None


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


def die(msg, code=1):
    print(("SKIP: " if code == 77 else "FAIL: ") + msg, file=sys.stderr)
    for p in procs:
        log = getattr(p, "log_path", None)
        if code != 77 and log and os.path.exists(log):
            print(f"--- {log}", file=sys.stderr)
            with open(log, errors="replace") as f:
                print(f.read()[-3000:], file=sys.stderr)
    cleanup()
    sys.exit(code)


def on_signal(signum, _frame):
    die(f"killed by signal {signum}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_for(what, check, seconds=30):
    end = min(time.monotonic() + seconds, DEADLINE)
    while time.monotonic() < end:
        for p in procs:
            if p.poll() is not None:
                die(f"{p.args[0]} exited with {p.returncode} while waiting for {what}")
        try:
            if check():
                return
        except (OSError, urllib.error.URLError, ValueError):
            pass
        time.sleep(0.2)
    die(f"timed out waiting for {what}")


def start(args, log_name):
    log_path = os.path.join(tmp, log_name)
    log = open(log_path, "w")
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    p.log_path = log_path
    procs.append(p)
    return p


def now_snapshot(src, dst, delta_ms):
    """Copies a snapshot with every clock moved by delta_ms."""
    with open(src) as f:
        snap = json.load(f)
    snap["taken_at_ms"] += delta_ms
    snap["taken_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(snap["taken_at_ms"] // 1000))
    for wg in snap.get("wireguard", []):
        for peer in wg.get("peers", []):
            if peer.get("last_handshake", 0) > 0:
                peer["last_handshake"] += delta_ms // 1000
    with open(dst, "w") as f:
        json.dump(snap, f)


def main():
    global tmp
    if len(sys.argv) != 3:
        die("usage: prometheus-e2e.py EDGEDIAG SOURCE_DIR", 64)
    edgediag, top = sys.argv[1], sys.argv[2]
    prometheus = shutil.which("prometheus")
    exporter = shutil.which("prometheus-node-exporter")
    if not prometheus or not exporter:
        die("needs prometheus and prometheus-node-exporter (Debian packages): scripts/setup all", 77)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    tmp = tempfile.mkdtemp(prefix="edgediag-prom-e2e.")

    golden = os.path.join(top, "tests/data/golden/in")
    routers = [  # name, snapshot, previous (state file), expected check exit
        ("dx-vlan", os.path.join(top, "examples/dx-vlan-mismatch.json"), None, 2),
        ("wg-ok", os.path.join(golden, "wg-HealthyPeer.json"),
         os.path.join(golden, "wg-HealthyPeer.prev.json"), 0),
        ("ipsec-ok", os.path.join(golden, "ipsec-Healthy.json"),
         os.path.join(golden, "ipsec-Healthy.prev.json"), 0),
    ]
    targets = {}
    now_ms = int(time.time() * 1000)
    for name, snap, prev, want in routers:
        d = os.path.join(tmp, name)
        os.makedirs(os.path.join(d, "textfile"))
        with open(snap) as f:
            delta = now_ms - json.load(f)["taken_at_ms"]
        now_snapshot(snap, os.path.join(d, "snap.json"), delta)
        state = os.path.join(d, "state.json")
        if prev:
            now_snapshot(prev, state, delta)
        r = subprocess.run([edgediag, "--from-snapshot", os.path.join(d, "snap.json"), "check",
                            "--no-syslog", "--state", state, "--prometheus",
                            os.path.join(d, "textfile/edgediag.prom")],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != want:
            die(f"{name}: check exited {r.returncode}, not {want}: {r.stdout}{r.stderr}")
        port = free_port()
        start([exporter, f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults",
               "--collector.textfile", f"--collector.textfile.directory={d}/textfile"],
              f"node-exporter-{name}.log")
        targets[name] = f"127.0.0.1:{port}"
    for name, target in targets.items():
        wait_for(f"node_exporter of {name}",
                 lambda t=target: "edgediag_check_timestamp_seconds" in http_get(f"http://{t}/metrics"))

    # The shipped rules with short `for:` and intervals.
    with open(os.path.join(top, "monitoring/prometheus/edgediag-rules.yml")) as f:
        rules = f.read()
    rules, n_for = re.subn(r"(?m)^(\s+for: )\S+$", r"\g<1>" + FOR, rules)
    rules, n_int = re.subn(r"(?m)^(\s+interval: )\S+$", r"\g<1>" + INTERVAL, rules)
    if n_for < 6 or n_int < 2:
        die(f"rules copy: replaced {n_for} for: and {n_int} interval: lines, expected 6 and 2")
    with open(os.path.join(tmp, "rules.yml"), "w") as f:
        f.write(rules)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api/v1"
    with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
        f.write(f"""global:
  scrape_interval: {INTERVAL}
  evaluation_interval: {INTERVAL}
rule_files: [rules.yml]
scrape_configs:
  - job_name: node
    static_configs:
      - targets: {json.dumps(list(targets.values()))}
""")
    start([prometheus, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
           f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"], "prometheus.log")
    wait_for("prometheus ready", lambda: "Ready" in http_get(f"http://127.0.0.1:{port}/-/ready"))

    # The fault's alert: pending, then firing; nothing else, ever.
    want = {"alertname": "EdgediagDxVifCritical", "instance": targets["dx-vlan"],
            "id": "dxvif-fg5example", "vif_id": "dxvif-fg5example",
            "connection_id": "dxcon-fh6example", "check": "dx.vlan.mismatch",
            "kind": "dx-vif", "severity": "critical", "name": "fra1-prod-private",
            "peer": "169.254.10.1", "interface": "eth1.102", "job": "node"}
    states = []  # the wanted alert's states, as seen in order
    fired_at = None
    end = min(time.monotonic() + 60, DEADLINE)
    while time.monotonic() < end:
        alerts = json.loads(http_get(f"{api}/alerts"))["data"]["alerts"]
        for a in alerts:
            if all(a["labels"].get(k) == v for k, v in want.items()):
                if not states or states[-1] != a["state"]:
                    states.append(a["state"])
                    print(f"{time.strftime('%H:%M:%S')} {want['alertname']} {a['state']}")
                summary = a["annotations"].get("summary", "")
                if "dx.vlan.mismatch" not in summary or "dxvif-fg5example" not in summary:
                    die(f"summary names neither check nor subject: {summary!r}")
            else:
                die(f"another alert appeared: {a['state']} {a['labels']} {a['annotations']}")
        if "firing" in states and fired_at is None:
            fired_at = time.monotonic()
        # After firing, watch twice `for:` more: a slower alert would show.
        if fired_at is not None and time.monotonic() - fired_at > 12:
            break
        time.sleep(0.25)
    if states[:2] != ["pending", "firing"]:
        die(f"{want['alertname']}: states seen {states}, want pending then firing")
    print(f"PASS: {want['alertname']} went pending, then firing; no other alert")

    # Every dashboard query against the same Prometheus.
    with open(os.path.join(top, "monitoring/grafana/edgediag-fleet.json")) as f:
        dash = json.load(f)
    variables = [v["name"] for v in dash.get("templating", {}).get("list", [])]

    def panels(ps):
        for p in ps:
            yield p
            yield from panels(p.get("panels", []))

    checked = 0
    for p in panels(dash["panels"]):
        for t in p.get("targets", []):
            expr = t.get("expr")
            if not expr:
                continue
            q = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
            q = q.replace("$__range", "1h")
            for v in variables:
                q = q.replace("${" + v + "}", ".*").replace("$" + v, ".*")
                q = q.replace("[[" + v + "]]", ".*")
            try:
                r = json.loads(http_get(f"{api}/query?" + urllib.parse.urlencode({"query": q})))
            except urllib.error.HTTPError as e:
                die(f"panel {p['title']!r}: {q!r}: {e.read().decode()}")
            if r.get("status") != "success":
                die(f"panel {p['title']!r}: {q!r}: {r}")
            empty_ok = "Empty on a healthy fleet" in p.get("description", "")
            if not r["data"]["result"] and not empty_ok:
                die(f"panel {p['title']!r}: {q!r} returned no data")
            checked += 1
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "datasource":
            continue
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", q or "")
        if not m:
            die(f"template variable {v['name']}: query {q!r} is not label_values(SELECTOR, LABEL)")
        r = json.loads(http_get(f"{api}/series?" + urllib.parse.urlencode({"match[]": m.group(1)})))
        if not any(m.group(2) in s for s in r["data"]):
            die(f"template variable {v['name']}: {q!r} gives no values")
    if checked < 5:
        die(f"only {checked} dashboard queries found")
    print(f"PASS: {checked} dashboard queries parse and return data")
    cleanup()


if __name__ == "__main__":
    main()
