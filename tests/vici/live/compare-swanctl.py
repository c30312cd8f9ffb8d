#!/usr/bin/env python3
"""Checks edgediag's captured IKE/CHILD SAs against swanctl's own view.

  compare-swanctl.py SWANCTL_RAW_LIST_SAS OUR_JSON

SWANCTL_RAW_LIST_SAS: output of `swanctl --list-sas --raw`; OUR_JSON: output
of `vici_capture SOCKET --json`, taken right after. Every field that
edgediag maps is compared (times within 2 s: the two ran a moment apart).
Exit 0 when all match, 1 with the differences otherwise.
"""
import json
import re
import sys

TOKEN = re.compile(r'\s*(?:(\})|([^\s{}=\[\]]+)\s*\{|([^\s{}=\[\]]+)=\[([^\]]*)\]|([^\s{}=\[\]]+)=([^\s{}]*))')


def parse_raw(text):
    """Parses swanctl's --raw lines ("list-sa event {...}") into dicts."""
    events = []
    for line in text.splitlines():
        if not line.startswith("list-sa event "):
            continue
        body = line[len("list-sa event "):]
        stack = [{}]
        pos = 1  # skip the outer "{"
        while pos < len(body):
            m = TOKEN.match(body, pos)
            if not m:
                raise SystemExit(f"cannot parse swanctl output at: {body[pos:pos + 40]}")
            pos = m.end()
            if m.group(1):
                if len(stack) == 1:
                    break
                stack.pop()
            elif m.group(2):
                d = {}
                stack[-1][m.group(2)] = d
                stack.append(d)
            elif m.group(3):
                stack[-1][m.group(3)] = m.group(4).split() if m.group(4) else []
            else:
                stack[-1][m.group(5)] = m.group(6)
        events.append(stack[0])
    return events


def main():
    raw = parse_raw(open(sys.argv[1]).read())
    ours = json.load(open(sys.argv[2]))["ike_sas"]
    by_id = {sa["uniqueid"]: sa for sa in ours}
    diffs = []
    theirs_count = 0

    def check(what, want, got, slack=0):
        if slack and want is not None and got is not None:
            if abs(int(want) - int(got)) <= slack:
                return
        if want != got:
            diffs.append(f"{what}: swanctl {want!r}, edgediag {got!r}")

    for event in raw:
        for name, ike in event.items():
            theirs_count += 1
            uid = int(ike["uniqueid"])
            sa = by_id.get(uid)
            if sa is None:
                diffs.append(f"IKE SA {name}#{uid} missing")
                continue
            w = f"{name}#{uid}"
            check(w + " name", name, sa["name"])
            check(w + " version", ike.get("version", ""), sa["version"])
            check(w + " state", ike.get("state", ""), sa["state"])
            for k in ("local-host", "remote-host", "local-id", "remote-id"):
                check(f"{w} {k}", ike.get(k, ""), sa[k.replace("-", "_")])
            for k in ("local-port", "remote-port"):
                check(f"{w} {k}", int(ike[k]) if k in ike else None, sa[k.replace("-", "_")])
            for k in ("initiator", "nat-local", "nat-remote", "nat-fake", "nat-any"):
                check(f"{w} {k}", ike.get(k) == "yes", sa[k.replace("-", "_")])
            check(w + " established", ike.get("established"), sa["established"], slack=2)
            children = {c["uniqueid"]: c for c in sa["child_sas"]}
            theirs_children = ike.get("child-sas", {})
            check(w + " child count", len(theirs_children), len(children))
            for key, child in theirs_children.items():
                cid = int(child["uniqueid"])
                c = children.get(cid)
                if c is None:
                    diffs.append(f"CHILD SA {key} missing")
                    continue
                cw = f"{w}/{key}"
                for k in ("name", "state", "mode", "protocol", "spi-in", "spi-out"):
                    check(f"{cw} {k}", child.get(k, ""), c[k.replace("-", "_")])
                check(cw + " reqid", int(child.get("reqid", 0)), c["reqid"])
                check(cw + " encap", child.get("encap") == "yes", c["encap"])
                for k in ("bytes-in", "bytes-out", "packets-in", "packets-out"):
                    check(f"{cw} {k}", int(child.get(k, 0)), c[k.replace("-", "_")])
                for k in ("use-in", "use-out", "install-time", "rekey-time", "life-time"):
                    want = int(child[k]) if k in child else None
                    check(f"{cw} {k}", want, c[k.replace("-", "_")], slack=2)
                check(cw + " local-ts", child.get("local-ts", []), c["local_ts"])
                check(cw + " remote-ts", child.get("remote-ts", []), c["remote_ts"])
    check("IKE SA count", theirs_count, len(ours))
    for d in diffs:
        print(d)
    print(f"compare-swanctl: {theirs_count} IKE SAs, "
          f"{sum(len(s['child_sas']) for s in ours)} CHILD SAs, {len(diffs)} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
