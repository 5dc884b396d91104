#!/usr/bin/env python3
"""Check a replay of tests/e2e tunnels.pcap with the bundled rules.

usage: check_tunnels.py TUNNELS.encap NAMES.json ALERTS.json STATS.json

Every name logged must come with the encapsulation tunnels.encap lists for it
(outermost first; none for a name not listed there), and every listed name
must be logged.  The two C2 names, backuprabbit.com (DNS in GRE) and
web-trackers.com (TLS in VXLAN), must raise one alert each, carrying the
encapsulation too.  The broken tunnels must be counted by reason, once each,
in the decode stats, and each kind of tunnel decapsulated."""
import json
import sys

encap_path, names_path, alerts_path, stats_path = sys.argv[1:5]
want = {}
for line in open(encap_path):
    name, layers = line.rstrip("\n").split("\t")
    want[name] = layers.split(",")
names = [json.loads(line) for line in open(names_path)]
alerts = [json.loads(line) for line in open(alerts_path)]
stats = json.load(open(stats_path))["decode"]
errors = []


def name_of(ev):
    return ev["dns"]["rrname"] if ev.get("app_proto") == "dns" else ev["tls"]["sni"]


seen = set()
for ev in names:
    n = name_of(ev)
    seen.add(n)
    if ev.get("encapsulation") != want.get(n):
        errors.append("%s: encapsulation %r, want %r" % (n, ev.get("encapsulation"), want.get(n)))
for n in sorted(set(want) - seen):
    errors.append("%s: not logged" % n)

got = sorted((a["app_proto"], name_of(a), tuple(a.get("encapsulation", ())), a["alert"]["signature_id"])
             for a in alerts)
expect = [("dns", "backuprabbit.com", ("gre",), 2023060101),
          ("tls", "web-trackers.com", ("vxlan",), 2023060101)]
if got != expect:
    errors.append("alerts %r, want %r" % (got, expect))

reasons = {"tunnel_too_deep": 1, "tunnel_truncated": 2, "gre_truncated": 2, "gre_unsupported": 2,
           "erspan_unsupported": 1, "geneve_unsupported": 1}
for k, v in reasons.items():
    if stats.get(k) != v:
        errors.append("stats %s = %r, want %d" % (k, stats.get(k), v))
for k in ("gre", "erspan", "vxlan", "geneve", "teredo"):
    if not stats.get(k):
        errors.append("stats %s = %r, want > 0" % (k, stats.get(k)))
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
