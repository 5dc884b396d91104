#!/usr/bin/env python3
"""Write a capture to standard output slowly, for the dashboard test: a
phone's traffic with Operation Triangulation C2 names (as in mkpcap.py's
c2.pcap), one sighting at a time, while a browser watches.

Usage: pace_c2.py GO_FILE [STEP_SECONDS]

First only filler traffic (UDP to the discard port), so that the counters
move while no alert exists; then, once GO_FILE exists (the test creates it
when the page is up and shows no alert), the names one by one, STEP_SECONDS
apart.  c2watchd reads standard input through zlib, which hands on data in
blocks of 256 KiB: each step is followed by more filler than that, so that
its packets reach the daemon now and not at the end of the input.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkpcap import (CLIENT, SERVER, Pcap, TcpConn, client_hello, dns_answer, dns_query,  # noqa: E402
                    eth, ipv4, records, udp)

FILLER_BYTES = 600 * 1024


def filler(p, nbytes):
    frame = eth(ipv4(CLIENT, SERVER, 17, udp(40999, 9, b"\0" * 1400)))
    for _ in range(nbytes // (len(frame) + 16) + 1):
        p.add(frame)
    p.f.flush()


def main():
    go, step = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    p = Pcap("/dev/stdout")
    filler(p, FILLER_BYTES)
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.05)

    def dns(name, i):
        p.add(eth(ipv4(CLIENT, SERVER, 17, udp(40000 + i, 53, dns_query(name, 0x100 + i)))))
        p.add(eth(ipv4(SERVER, CLIENT, 17, udp(53, 40000 + i, dns_answer(name, bytes([198, 18, 0, 9]),
                                                                          0x100 + i)))))

    def tls(name, port):
        TcpConn(p, port, 443).send(True, records(client_hello(name)))

    steps = [lambda: dns("www.apple.com", 0), lambda: dns("backuprabbit.com", 1),
             lambda: dns("img.web-trackers.com", 2), lambda: tls("web-trackers.com", 50000),
             lambda: tls("icloud.com", 50001)]
    for s in steps:
        s()
        filler(p, FILLER_BYTES)
        time.sleep(step)
    p.close()


if __name__ == "__main__":
    main()
