#!/usr/bin/env python3
"""Write a flood capture for the resource-bound and fault tests.

Usage: flood.py OUT.pcap KIND N [C2_EVERY]

KIND is what N packets make unique:
  flows   N TCP SYNs, each of a new 5-tuple (source address and port vary)
  names   N DNS queries, each for a new name and from a new 5-tuple
  frags   N first IPv4 fragments (more-fragments set, offset 0), each of a new
          datagram (identification varies) that never completes
  tcp     N/2 connections, each a SYN then a segment beyond a gap: an
          out-of-order segment held, a stream never finished
  mixed   the four above in turn
A DNS query for a C2 name (the embedded rules' backuprabbit.com) is put at
the start, the middle and the end: flood-start., flood-middle. and
flood-end.backuprabbit.com.  With C2_EVERY, a query for
cN.backuprabbit.com is also put every C2_EVERY packets (N its index).
Prints the number of packets and of C2 queries written.

Frames are built from templates (no checksums: c2watchd does not check
them, the kernel hands them to a packet socket before it would), so that
millions are written in seconds.
"""
import struct
import sys

MAC = bytes.fromhex("020000000001") + bytes.fromhex("020000000002")
SERVER = bytes([198, 18, 0, 1])


def ip4(src, proto, payload, ident=1, frag=0):
    return (b"\x08\x00" + struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64,
                                      proto, 0, src, SERVER) + payload)


def src_of(i):
    # 10.0.0.0/8 (RFC 1918): 16M sources, then the ports vary
    return struct.pack("!I", 0x0A000000 | (i & 0xFFFFFF))


def dns_query(name, qid):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def c2_frame(name, qid):
    return MAC + ip4(bytes([198, 18, 0, 2]), 17, udp(40000, 53, dns_query(name, qid)))


def frames(kind, i):
    """The frames of unique item i of a kind."""
    src, sport = src_of(i), 1024 + (i >> 24) % 60000
    if kind == "flows":
        return [MAC + ip4(src, 6, tcp(sport, 443, i, 0x02))]
    if kind == "names":
        return [MAC + ip4(src, 17, udp(sport, 53, dns_query("n%d.flood.example" % i, i & 0xFFFF)))]
    if kind == "frags":
        # 64 bytes of a UDP datagram, more fragments to come (RFC 791 section 3.1)
        return [MAC + ip4(src, 17, udp(sport, 53, b"\0" * 56)[:64], ident=i & 0xFFFF, frag=0x2000)]
    if kind == "tcp":
        return [MAC + ip4(src, 6, tcp(sport, 443, 1000, 0x02)),
                MAC + ip4(src, 6, tcp(sport, 443, 1000 + 1 + 4096, 0x18, b"\x16" * 512))]
    raise ValueError(kind)


def main():
    path, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    every = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    kinds = ["flows", "names", "frags", "tcp"] if kind == "mixed" else [kind]
    out = open(path, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    t = [1700000000, 0]
    count = [0, 0]

    def add(frame, c2=False):
        t[1] += 10
        if t[1] >= 1000000:
            t[0] += 1
            t[1] = 0
        out.write(struct.pack("<IIII", t[0], t[1], len(frame), len(frame)) + frame)
        count[0] += 1
        count[1] += c2

    add(c2_frame("flood-start.backuprabbit.com", 1), True)
    i, middle = 0, False
    while count[0] < n:
        if not middle and count[0] >= n // 2:
            middle = True
            add(c2_frame("flood-middle.backuprabbit.com", 2), True)
        if every and count[0] % every == 0:
            add(c2_frame("c%d.backuprabbit.com" % count[0], count[0] & 0xFFFF), True)
        for f in frames(kinds[i % len(kinds)], i):
            add(f)
        i += 1
    add(c2_frame("flood-end.backuprabbit.com", 3), True)
    out.close()
    print(count[0], count[1])


if __name__ == "__main__":
    main()
