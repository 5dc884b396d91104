#!/usr/bin/env python3
"""A capture read from a pipe shows its alerts as the packets arrive, not
when the pipe closes: `tcpdump -w - | c2watchd -r -` on a quiet link.

pipe_latency.py BINARY PCAP PCAPNG OUTDIR: for plain pcap, gzip-compressed
pcap (flushed, as `gzip` over a live stream is not, but a compressing writer
that syncs is) and pcapng, write the whole capture into the daemon's
standard input, keep the pipe open, and wait for the first alert line.
Prints "ok ..." / "FAIL ..." lines."""
import os, subprocess, sys, time, zlib

binary, pcap, pcapng, out = sys.argv[1:5]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# the bundled rules (c2.pcap's names) and a name of the pcapng's
names = os.path.join(out, "pipe.list")
with open(names, "w") as f:
    f.write("example.com\n")
WAIT = 2.0    # seconds an alert may take to show; the pipe stays open 6 s


def gzip_synced(data):
    z = zlib.compressobj(6, zlib.DEFLATED, 31)   # 31: a gzip wrapper
    return z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)


def run(label, data, stop_with_term=False):
    alerts = os.path.join(out, "pipe-%s.alerts" % label)
    if os.path.exists(alerts):
        os.unlink(alerts)
    p = subprocess.Popen([binary, "-q", "-r", "-", "--alerts", alerts, "--no-http",
                          "-R", os.path.join(root, "rules"), "-L", names],
                         stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdin.write(data)
    p.stdin.flush()
    t0 = time.monotonic()
    seen = None
    while time.monotonic() - t0 < WAIT:
        if os.path.exists(alerts) and os.path.getsize(alerts) > 0:
            seen = time.monotonic() - t0
            break
        time.sleep(0.02)
    alive = p.poll() is None
    if stop_with_term:
        # SIGTERM while the daemon waits on the open, silent pipe
        p.send_signal(15)
        try:
            rc = p.wait(timeout=5)
            print(("ok   pipe: %s: SIGTERM on an idle open pipe ends it cleanly" if rc == 0 else
                   "FAIL pipe: %s: SIGTERM on an idle open pipe: exit %d") % ((label,) if rc == 0 else (label, rc)))
        except subprocess.TimeoutExpired:
            print("FAIL pipe: %s: SIGTERM on an idle open pipe did not stop it" % label)
            p.kill()
    p.stdin.close()
    p.wait(timeout=20)
    if seen is not None and alive:
        print("ok   pipe: %s: the first alert %.2f s after the bytes, the pipe still open" % (label, seen))
    else:
        print("FAIL pipe: %s: no alert within %.1f s of the bytes while the pipe was open" % (label, WAIT))


run("pcap", open(pcap, "rb").read(), stop_with_term=True)
run("pcap.gz", gzip_synced(open(pcap, "rb").read()))
run("pcapng", open(pcapng, "rb").read(), stop_with_term=True)
