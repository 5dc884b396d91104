#!/usr/bin/env python3
"""Replay captures through c2watchd and compare the names it logs with truth.

usage: corpus_check.py C2WATCHD PCAP_DIR TRUTH_DIR [--gaps]

For every capture F in PCAP_DIR, runs `c2watchd -q -r F --names - --alerts ''`
and compares the set of (kind, name) it logs -- "dns" for dns.rrname, "sni" for
tls.sni, "quic-sni" for quic.sni -- with TRUTH_DIR/F.tsv (or F's .truth beside it), normalised as the
corpus README says (ASCII lower case, one trailing dot dropped, empty dropped).
The exit status is non-zero on any difference outside the known gaps below, or
on any crash.  A capture listed as a known gap must still report nothing that
is not in its truth: a gap may miss names, never invent them.
"""
import json
import os
import subprocess
import sys

# Captures whose names need decoding that c2watchd does not do yet (issue 4:
# 802.11, tunnels, IP fragments, QUIC).  Each with the reason.  Nothing else
# may be excused.
KNOWN_GAPS = {
}

# Truth kinds checked: quic-sni is the SNI of ClientHellos decrypted from QUIC
# Initial packets.
KINDS = ("dns", "sni", "quic-sni")

# Captures whose names hold bytes tshark prints differently (octal escapes,
# U+FFFD): only their printable-ASCII names are compared.
LOOSE = {"ndpi-dns-invalid-chars.pcap", "ndpi-dns-tunnel-iodine.pcap",
         "ndpi-fuzz-2006-06-26-2594.pcap"}


# A command to run c2watchd under (valgrind, say), from the environment.
WRAP = os.environ.get("C2W_WRAP", "").split()
# More c2watchd arguments, from the environment (--workers 2, say).
EXTRA = os.environ.get("C2W_EXTRA", "").split()


def norm(name):
    name = "".join(c.lower() if "A" <= c <= "Z" else c for c in name)
    if name.endswith("."):
        name = name[:-1]
    return name


def printable(name):
    return all(0x20 < ord(c) < 0x7F and c != "\\" for c in name)


def run(c2watchd, pcap):
    proc = subprocess.run(WRAP + [c2watchd, "-q", "-r", pcap, "--names", "-", "--alerts", "", "--no-http"] + EXTRA,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if proc.returncode != 0:
        return None, "exit %d: %s" % (proc.returncode, proc.stderr.decode(errors="replace").strip())
    found = set()
    for line in proc.stdout.decode("utf-8").splitlines():
        ev = json.loads(line)
        if ev["event_type"] == "dns":
            found.add(("dns", norm(ev["dns"]["rrname"])))
        elif ev["event_type"] == "tls":
            found.add(("sni", norm(ev["tls"]["sni"])))
        elif ev["event_type"] == "quic":
            found.add(("quic-sni", norm(ev["quic"]["sni"])))
    found.discard(("dns", ""))
    found.discard(("sni", ""))
    found.discard(("quic-sni", ""))
    return found, None


def load_truth(path):
    truth = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            kind, name = line.split("\t", 1)
            if kind in KINDS:
                truth.add((kind, name))
    return truth


def main():
    c2watchd, pcap_dir, truth_dir = sys.argv[1:4]
    failures, checked, gaps_missing = 0, 0, 0
    names_total = 0
    for f in sorted(os.listdir(pcap_dir)):
        pcap = os.path.join(pcap_dir, f)
        truth_path = os.path.join(truth_dir, f + ".tsv")
        if not os.path.exists(truth_path):
            truth_path = os.path.join(truth_dir, os.path.splitext(f)[0] + ".truth")
        if not os.path.exists(truth_path) or not f.endswith((".pcap", ".pcapng", ".gz")):
            continue
        truth = load_truth(truth_path)
        found, err = run(c2watchd, pcap)
        checked += 1
        if err and f in KNOWN_GAPS and "exit 1:" in err:
            print("gap  %s: refused cleanly (%s): %s" % (f, KNOWN_GAPS[f], err))
            continue
        if err:
            print("FAIL %s: %s" % (f, err))
            failures += 1
            continue
        if f in LOOSE:
            truth = {t for t in truth if printable(t[1])}
            found = {t for t in found if printable(t[1])}
        missing, extra = truth - found, found - truth
        names_total += len(truth)
        if f in KNOWN_GAPS:
            if extra:
                print("FAIL %s (known gap: %s): names not in the truth: %s" % (f, KNOWN_GAPS[f], sorted(extra)))
                failures += 1
            else:
                print("gap  %s: %d of %d names (%s)" % (f, len(truth) - len(missing), len(truth), KNOWN_GAPS[f]))
                gaps_missing += len(missing)
            continue
        if missing or extra:
            failures += 1
            print("FAIL %s: %d missing, %d extra" % (f, len(missing), len(extra)))
            for m in sorted(missing)[:10]:
                print("  missing %s\t%s" % m)
            for m in sorted(extra)[:10]:
                print("  extra   %s\t%s" % m)
        else:
            print("ok   %s: %d names" % (f, len(truth)))
    print("corpus: %d captures, %d names, %d missing in known gaps" % (checked, names_total, gaps_missing))
    print("corpus: %d passed, %d failed" % (checked - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
