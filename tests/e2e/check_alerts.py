#!/usr/bin/env python3
"""Check the alerts c2watchd wrote for tests/e2e c2.pcap with the bundled rules.

c2.pcap holds DNS for www.apple.com, backuprabbit.com and img.web-trackers.com
(query and answer each) and ClientHellos for web-trackers.com and icloud.com.
Expected: an alert for each DNS message of the two C2 names and one for the
ClientHello, all from rule 2023060101 (high), none for the Apple names."""
import json
import sys

alerts = [json.loads(line) for line in open(sys.argv[1])]
errors = []
want = {
    ("dns", "backuprabbit.com", "query"), ("dns", "backuprabbit.com", "answer"),
    ("dns", "img.web-trackers.com", "query"), ("dns", "img.web-trackers.com", "answer"),
    ("tls", "web-trackers.com", None),
}
got = set()
for i, a in enumerate(alerts):
    for field in ("timestamp", "flow_id", "event_type", "src_ip", "src_port", "dest_ip",
                  "dest_port", "proto", "app_proto", "alert", "alert_id"):
        if field not in a:
            errors.append("alert %d lacks %s" % (i, field))
    if a.get("event_type") != "alert":
        errors.append("alert %d has event_type %r" % (i, a.get("event_type")))
    if a.get("alert_id") != i + 1:
        errors.append("alert %d has alert_id %r, want %d" % (i, a.get("alert_id"), i + 1))
    al = a.get("alert", {})
    if al.get("signature_id") != 2023060101 or al.get("severity") != 1:
        errors.append("alert %d: rule %r severity %r" % (i, al.get("signature_id"), al.get("severity")))
    if "Triangulation" not in al.get("signature", ""):
        errors.append("alert %d: signature %r" % (i, al.get("signature")))
    if a.get("app_proto") == "dns":
        got.add(("dns", a["dns"]["rrname"], a["dns"]["type"]))
        want_entry = "backuprabbit.com" if "backuprabbit" in a["dns"]["rrname"] else "web-trackers.com"
    else:
        got.add(("tls", a["tls"]["sni"], None))
        want_entry = "web-trackers.com"
    if al.get("matched") != want_entry:
        errors.append("alert %d: matched %r, want %r" % (i, al.get("matched"), want_entry))
    if a.get("timestamp", "")[:4] != "2023":
        errors.append("alert %d: timestamp %r is not the packet's" % (i, a.get("timestamp")))
if got != want:
    errors.append("alerts for %s, want %s" % (sorted(got, key=str), sorted(want, key=str)))
if len(alerts) != len(want):
    errors.append("%d alerts, want %d" % (len(alerts), len(want)))
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
