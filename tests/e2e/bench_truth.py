#!/usr/bin/env python3
"""The benchmark workload as a correctness test: per-frame truth from mkpcap.

usage: bench_truth.py C2WATCHD SHARED_BENCH_DIR OUTDIR [PACKETS [C2WATCHD ARGS...]]

Generates the first PACKETS packets (default 200000) of ../shared/bench/mkpcap's
corporate Wi-Fi tap workload with its per-frame truth, and a C2 list from
mklist, replays them through c2watchd, and checks:
  * every DNS query question and every ClientHello SNI in the truth is logged,
    as many times as it occurs, and nothing else (DNS responses are logged too
    but are not in this truth, so only queries are compared);
  * the names that alert (queries and SNI) are exactly the truth's "hit" and
    "subhit" frames; no "near" miss and no benign name alerts.
"""
import collections
import json
import os
import subprocess
import sys


def norm(n):
    n = "".join(c.lower() if "A" <= c <= "Z" else c for c in n)
    return n[:-1] if n.endswith(".") else n


def main():
    c2watchd, bench, out = sys.argv[1:4]
    packets = sys.argv[4] if len(sys.argv) > 4 else "200000"
    os.makedirs(out, exist_ok=True)
    pcap, truth_path = os.path.join(out, "wl.pcap"), os.path.join(out, "wl.truth")
    lst = os.path.join(out, "c2.list")
    subprocess.run([os.path.join(bench, "mkpcap"), "-q", "-n", packets, "-o", pcap,
                    "--truth", truth_path, "--manifest", ""], check=True)
    subprocess.run([os.path.join(bench, "mklist"), "-n", "20000", "-o", lst], check=True)
    names, alerts = os.path.join(out, "names.json"), os.path.join(out, "alerts.json")
    for f in (names, alerts):           # c2watchd appends to its outputs
        if os.path.exists(f):
            os.unlink(f)
    subprocess.run([c2watchd, "-q", "-r", pcap, "-L", lst, "--names", names, "--alerts", alerts,
                    "--no-http"] + sys.argv[5:], check=True)

    truth, hits, near = collections.Counter(), collections.Counter(), set()
    for line in open(truth_path):
        _, kind, name, cls = line.rstrip("\n").split("\t")
        key = (kind, norm(name))
        truth[key] += 1
        if cls in ("hit", "subhit"):
            hits[key] += 1
        elif cls == "near":
            near.add(key)

    def key_of(e):
        if e["event_type"] == "tls" or e.get("app_proto") == "tls":
            return ("sni", norm(e["tls"]["sni"]))
        if e["dns"]["type"] != "query":
            return None
        return ("dns", norm(e["dns"]["rrname"]))

    seen = collections.Counter(k for k in map(key_of, map(json.loads, open(names))) if k)
    alerted = collections.Counter(k for k in map(key_of, map(json.loads, open(alerts))) if k)
    errors = []
    if seen != truth:
        errors.append("names: %d logged vs %d in truth; missing %s; extra %s" % (
            sum(seen.values()), sum(truth.values()),
            list((truth - seen).items())[:5], list((seen - truth).items())[:5]))
    if alerted != hits:
        errors.append("alerts: %s; want %s" % (sorted(alerted.items()), sorted(hits.items())))
    if near & set(alerted):
        errors.append("near misses alerted: %s" % sorted(near & set(alerted)))
    if not hits:
        errors.append("the workload holds no hit: the test would prove nothing")
    for e in errors:
        print(e)
    print("bench truth: %d names (%d DNS queries, %d SNI), %d hit frames alerted, %d near misses silent" % (
        sum(truth.values()), sum(v for k, v in truth.items() if k[0] == "dns"),
        sum(v for k, v in truth.items() if k[0] == "sni"), sum(hits.values()), len(near)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
