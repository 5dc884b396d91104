#!/usr/bin/env python3
"""Check what c2watchd made of tests/e2e frag.pcap (see mkpcap.py make_frag).

usage: check_frag.py ALERTS NAMES STATS1 STATS2
ALERTS and NAMES: its alerts (bundled rules) and names log; STATS1 and STATS2:
/api/v1/stats after the replay with 1 and with 2 workers.
Expected: one alert, for the listed name in the query that came in 16-byte
fragments; the query that came through IP-in-IP keeps its encapsulation;
every datagram given up is counted under its reason; and 2 workers count
exactly what 1 does."""
import json
import sys

alerts = [json.loads(line) for line in open(sys.argv[1])]
names = [json.loads(line) for line in open(sys.argv[2])]
st1 = json.load(open(sys.argv[3]))
st2 = json.load(open(sys.argv[4]))
errors = []

got = [(a["dns"]["rrname"], a["dns"]["type"], a["src_port"]) for a in alerts if a.get("app_proto") == "dns"]
if got != [("frag-query.backuprabbit.com", "query", 41000)] or len(alerts) != 1:
    errors.append("alerts: %s" % got)

tunnel = [n for n in names if n.get("dns", {}).get("rrname") == "frag-tunnel.example.org"]
if len(tunnel) != 1 or tunnel[0].get("encapsulation") != ["4in4"]:
    errors.append("frag-tunnel.example.org: %s" % tunnel)

want = {
    "frag_datagrams": 7,      # queries 1, 3, 5, 6, 10 and responses 2, 4
    "frag_overlap": 1,        # 7
    "frag_duplicate": 1,      # 2
    "frag_too_big": 1,        # 8
    "frag_timeout": 4,        # 8's real end, 9's first fragment, 9's rest, "never"
    "frag_evicted": 0, "frag_no_buffer": 0, "frag_malformed": 0, "frag_truncated": 0,
    "frag_too_deep": 0, "frag_pending": 0,
    "ipv4_fragment": 24, "ipv6_fragment": 6,
}
for k, v in want.items():
    if st1["decode"].get(k) != v:
        errors.append("1 worker: %s is %r, want %r" % (k, st1["decode"].get(k), v))
if st1["decode"] != st2["decode"] or st1["capture"]["packets"] != st2["capture"]["packets"]:
    errors.append("2 workers count otherwise: %s / %s" % (st1["decode"], st2["decode"]))
if st1["app"]["names_dns"] != 7:
    errors.append("names_dns %r, want 7" % st1["app"]["names_dns"])
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
