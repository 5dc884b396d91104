#!/usr/bin/env python3
"""Check what c2watchd wrote for tests/e2e answers.pcap and mdns/mdns.pcap.

usage: check_dns.py answers NAMES ALERTS STATS
       check_dns.py mdns-off NAMES STATS
       check_dns.py mdns-on NAMES

answers: the names log carries dns.answers (EVE: rrname, rrtype, ttl, rdata;
svcb for HTTPS/SVCB), answers left out are flagged, a CNAME target and an HTTPS
TargetName that are C2 names raise alerts that say so (via, target,
target_of) while dns.rrname stays the question, targets get no names-log line
of their own, ClientHellos to DoT and to a DoH resolver are marked, and every
outcome has its counter.  mdns-off: mDNS and LLMNR are counted and not read.
mdns-on: with dns.mdns and dns.llmnr they are read like DNS.
Prints each failed expectation; exit status 1 if any."""
import json
import sys

errors = []


def expect(cond, what):
    if not cond:
        errors.append(what)


def load(path):
    return [json.loads(line) for line in open(path)]


def responses(events, rrname):
    return [e for e in events if e.get("event_type") in ("dns", "alert") and "dns" in e
            and e["dns"].get("rrname") == rrname and e["dns"]["type"] == "answer"]


def counters(path):
    st = json.load(open(path))
    flat = {}
    for group in ("capture", "decode", "flow", "stream", "app", "output"):
        flat.update(st.get(group, {}))
    return flat


def check_answers(names_path, alerts_path, stats_path):
    names, alerts = load(names_path), load(alerts_path)

    # 1. the CNAME chain, in the names log
    r = responses(names, "cdn-start.example.org")
    expect(len(r) == 1, "one names-log line for the cdn-start response, got %d" % len(r))
    if r:
        want = [{"rrname": "cdn-start.example.org", "rrtype": "CNAME", "ttl": 3600, "rdata": "edge.example.net"},
                {"rrname": "edge.example.net", "rrtype": "CNAME", "ttl": 600, "rdata": "static.backuprabbit.com"},
                {"rrname": "static.backuprabbit.com", "rrtype": "A", "ttl": 60, "rdata": "198.18.0.77"}]
        expect(r[0]["dns"].get("answers") == want, "cdn-start answers: %r" % r[0]["dns"].get("answers"))
        expect("answers_incomplete" not in r[0]["dns"], "cdn-start answers flagged incomplete")
    # ... its alert, raised by the CNAME target
    a = [e for e in alerts if e["dns"].get("rrname") == "cdn-start.example.org"]
    expect(len(a) == 1, "one alert for the cdn-start response, got %d" % len(a))
    if a:
        al = a[0]["alert"]
        expect(al.get("via") == "cname" and al.get("target") == "static.backuprabbit.com"
               and al.get("target_of") == "edge.example.net" and al.get("matched") == "backuprabbit.com",
               "cdn-start alert: %r" % al)
        expect(a[0]["dns"]["type"] == "answer" and len(a[0]["dns"].get("answers", [])) == 3,
               "cdn-start alert's dns object: %r" % a[0]["dns"])

    # 2. the HTTPS record
    r = responses(names, "svc.example.org")
    expect(len(r) == 1 and r[0]["dns"]["rrtype"] == "HTTPS", "svc response line")
    if r:
        ans = r[0]["dns"].get("answers", [{}])[0]
        expect(ans.get("rrtype") == "HTTPS" and ans.get("rdata") == "img.web-trackers.com", "svc answer %r" % ans)
        expect(ans.get("svcb") == {"priority": 1, "alpn": ["h2", "h3"], "port": 8443,
                                   "ipv4hint": ["198.18.0.78", "198.18.0.79"], "ipv6hint": ["2001:db8::78"],
                                   "ech": True}, "svc svcb %r" % ans.get("svcb"))
    a = [e for e in alerts if e["dns"].get("rrname") == "svc.example.org"]
    expect(len(a) == 1 and a[0]["alert"].get("via") == "svcb"
           and a[0]["alert"].get("target") == "img.web-trackers.com"
           and a[0]["alert"].get("target_of") == "svc.example.org", "svc alert %r" % a)

    # targets are not names of their own
    logged = {e["dns"].get("rrname") for e in names if e["event_type"] == "dns"}
    for t in ("static.backuprabbit.com", "edge.example.net", "img.web-trackers.com"):
        expect(t not in logged, "%s logged as a name of its own" % t)

    # 3. malformed answers: the good records stay, the event says some are missing
    good = {"rrtype": "A", "ttl": 300, "rdata": "198.18.0.80"}
    for q in ("rdlen5.example.org", "loop.example.org", "rdlen-beyond.example.org", "svcb-forward.example.org"):
        r = responses(names, q)
        expect(len(r) == 1, "%s: one response line" % q)
        if r:
            ans = r[0]["dns"].get("answers", [])
            expect(len(ans) == 1 and {k: ans[0].get(k) for k in good} == good, "%s answers %r" % (q, ans))
            expect(r[0]["dns"].get("answers_incomplete") is True, "%s not flagged incomplete" % q)
    expect(not [e for e in alerts if e["dns"].get("rrname") == "svcb-forward.example.org"],
           "a malformed SVCB's TargetName alerted")
    r = responses(names, "thousands.example.org")
    expect(len(r) == 1 and len(r[0]["dns"].get("answers", [])) == 32
           and r[0]["dns"].get("answers_incomplete") is True, "thousands: 32 answers, incomplete")

    # 4. the padded response still alerts, with answers cut to fit
    a = [e for e in alerts if e["dns"].get("rrname") == "pad.backuprabbit.com" and e["dns"]["type"] == "answer"]
    expect(len(a) == 1 and a[0]["dns"].get("answers_incomplete") is True, "padded response alert %d" % len(a))
    expect(max(len(json.dumps(e, separators=(",", ":"))) for e in alerts) < 8192, "an alert line over 8 KiB")

    # 5. encrypted DNS
    tls = {e["tls"]["sni"]: e["tls"] for e in names if e["event_type"] == "tls"}
    expect(tls.get("dns.google", {}).get("encrypted_dns") == "dot", "DoT not noted: %r" % tls.get("dns.google"))
    expect(tls.get("cloudflare-dns.com", {}).get("encrypted_dns") == "doh", "DoH not noted")
    expect("encrypted_dns" not in tls.get("www.example.org", {"encrypted_dns": 1}), "plain TLS noted as DNS")

    st = counters(stats_path)
    want = {"dns_answers": 60, "dns_answers_capped": 2968, "dns_answer_rdata_malformed": 2,
            "dns_answer_truncated": 1, "dns_answer_malformed": 1, "dns_answer_other_type": 0,
            "dns_answers_not_query": 0, "names_dns_targets": 4, "dns_target_alerts": 2,
            "names_encrypted_dns": 2, "alerts": 4}
    got = {k: st.get(k) for k in want}
    expect(got == want, "counters %r, want %r" % (got, want))


def check_mdns_off(names_path, stats_path):
    expect(load(names_path) == [], "mDNS/LLMNR names logged with the defaults")
    st = counters(stats_path)
    got = {k: st.get(k) for k in ("dns_mdns_ignored", "dns_llmnr_ignored", "dns_messages")}
    expect(got == {"dns_mdns_ignored": 2, "dns_llmnr_ignored": 1, "dns_messages": 0}, "counters %r" % got)


def check_mdns_on(names_path):
    ev = load(names_path)
    q = [e["dns"] for e in ev if e["dns"].get("rrname") == "printer.local"]
    expect(len(q) == 1 and q[0]["type"] == "query" and q[0]["rrtype"] == "A", "mDNS query %r" % q)
    r = [e for e in ev if "rrname" not in e["dns"]]
    expect(len(r) == 1 and e_ok(r), "mDNS answer line %r" % r)
    ll = [e for e in ev if e["dns"].get("rrname") == "fileserver"]
    expect(len(ll) == 1 and ll[0]["dest_port"] == 5355, "LLMNR query %r" % ll)
    expect(len(ev) == 3, "%d events, want 3" % len(ev))


def e_ok(r):
    return r[0]["src_port"] == 5353 and r[0]["dns"]["type"] == "answer" and r[0]["dns"].get("answers") == [
        {"rrname": "printer.local", "rrtype": "A", "ttl": 120, "rdata": "198.18.0.90"}]


def main():
    mode = sys.argv[1]
    if mode == "answers":
        check_answers(*sys.argv[2:5])
    elif mode == "mdns-off":
        check_mdns_off(*sys.argv[2:4])
    else:
        check_mdns_on(sys.argv[2])
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
