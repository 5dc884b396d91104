#!/usr/bin/env python3
"""Write the small captures the end-to-end tests replay, with their truth.

Every capture here is synthetic and documented case by case below; the real
traffic comes from ../shared/corpus.  Usage: mkpcap.py OUTDIR

  c2.pcap            a phone resolving and connecting to Operation Triangulation
                     C2 names (DNS query + answer, TLS ClientHello), and benign names
  streams.pcap       TCP reassembly cases: split, out of order, retransmitted,
                     sequence wrap-around, several records, STARTTLS preamble,
                     no SYN seen, DNS over TCP framing; IPv6 extension headers; QinQ
  malformed.pcap     hostile frames: truncated headers, lying lengths, DNS pointer
                     loops, forward pointers, oversize labels, bad TLS lengths
  pinning/pin.pcap   64 connections that each start a ClientHello record and
                     stall (pinning reassembly buffers), then one whole
                     ClientHello split over two segments; run with
                     stream.buffers: 16 its SNI must still be read
  frag.pcap          DNS queries and responses in IP fragments (IPv4, IPv6,
                     out of order, duplicated, tiny, in a tunnel) and the
                     ways a datagram is given up (overlap, past 65535, timeout)
  fragtable/evict.pcap  20 fragmented queries at once, for a table of 16
Each NAME.pcap has NAME.truth: "KIND<TAB>NAME" lines, sorted, like the corpus.
"""
import os
import struct
import sys

CLIENT = bytes([198, 18, 0, 2])     # the test namespace hosts (RFC 2544 benchmark range)
SERVER = bytes([198, 18, 0, 1])
CLIENT6 = bytes.fromhex("20010db8000000000000000000000002")   # RFC 3849 documentation prefix
SERVER6 = bytes.fromhex("20010db8000000000000000000000001")
MAC_C = bytes.fromhex("020000000002")
MAC_S = bytes.fromhex("020000000001")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ihl_words=5, total=None, frag=0, ident=1):
    opts = b"\x01" * ((ihl_words - 5) * 4)      # NOP options
    tl = total if total is not None else 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl_words, 0, tl, ident, frag, 64, proto, 0, src, dst) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, ext=b""):
    return struct.pack("!IHBB16s16s", 0x60000000, len(ext) + len(payload), nh, 64, src, dst) + ext + payload


def udp(sport, dport, payload, src=CLIENT, dst=SERVER):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, flags, payload=b"", ack=0):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack, 5 << 4, flags, 65535, 0, 0) + payload


def eth(payload, ethertype=0x0800, src=MAC_C, dst=MAC_S, vlans=()):
    tags = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in vlans)
    if vlans:
        # the first TPID sits in the EtherType position
        first = struct.pack("!H", vlans[0][0])
        rest = b"".join(struct.pack("!H", vid) + struct.pack("!H", nxt)
                        for (_, vid), (nxt, _) in zip(vlans, list(vlans[1:]) + [(ethertype, 0)]))
        return dst + src + first + rest + payload
    return dst + src + struct.pack("!H", ethertype) + payload


def dns_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_query(name, qid=0x1234, qtype=1):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1)


def dns_answer(name, addr, qid=0x1234):
    q = dns_name(name) + struct.pack("!HH", 1, 1)
    a = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + addr
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + a


def dns_big_answer(name, count, qid=0x1234):
    """A response with count A records: larger than one Ethernet frame."""
    q = dns_name(name) + struct.pack("!HH", 1, 1)
    a = b"".join(b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([198, 18, i >> 8, i & 255])
                 for i in range(count))
    return struct.pack("!HHHHHH", qid, 0x8180, 1, count, 0, 0) + q + a


def pieces(data, size):
    """(offset, bytes, more) of data cut every size bytes (a multiple of 8)."""
    return [(off, data[off:off + size], off + size < len(data)) for off in range(0, len(data), size)]


def frag4(src, dst, proto, data, size, ident, cuts=None):
    """IPv4 fragments (RFC 791) of a datagram carrying data, in offset order;
    cuts: explicit (offset, bytes, more) pieces instead of size."""
    return [ipv4(src, dst, proto, chunk, frag=(0x2000 if more else 0) | off // 8, ident=ident)
            for off, chunk, more in (cuts or pieces(data, size))]


def frag6(src, dst, nh, data, size, ident, dstopts=False):
    """IPv6 fragments (RFC 8200 §4.5), with a destination-options header
    before the fragment header when dstopts (the unfragmentable part)."""
    out = []
    for off, chunk, more in pieces(data, size):
        fh = struct.pack("!BBHI", nh, 0, off | more, ident)
        if dstopts:
            out.append(ipv6(src, dst, 60, bytes([44, 0]) + b"\x01\x04\0\0\0\0" + fh + chunk))
        else:
            out.append(ipv6(src, dst, 44, fh + chunk))
    return out


def client_hello(sni, pad=0, version=0x0303, extra_first=b""):
    exts = extra_first
    if sni is not None:
        entry = b"\0" + struct.pack("!H", len(sni)) + sni.encode()
        exts += struct.pack("!HH", 0, len(entry) + 2) + struct.pack("!H", len(entry)) + entry
    exts += struct.pack("!HH", 10, 4) + b"\x00\x02\x00\x1d"        # supported_groups
    if pad:
        exts += struct.pack("!HH", 21, pad) + b"\0" * pad           # padding (RFC 7685)
    body = struct.pack("!H", version) + bytes(range(32)) + b"\x20" + bytes(32)
    body += struct.pack("!H", 4) + b"\x13\x01\xc0\x2f" + b"\x01\x00"
    body += struct.pack("!H", len(exts)) + exts
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def records(hs, sizes=None):
    """Wrap a handshake message in TLS records of the given fragment sizes."""
    out, pos = b"", 0
    sizes = sizes or [len(hs)]
    for n in sizes:
        frag = hs[pos:pos + n]
        pos += n
        out += b"\x16\x03\x01" + struct.pack("!H", len(frag)) + frag
    assert pos >= len(hs)
    return out


class Pcap:
    def __init__(self, path, linktype=1):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        self.t = 1700000000.0

    def add(self, frame, caplen=None):
        self.t += 0.001
        cap = frame if caplen is None else frame[:caplen]
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6))
        self.f.write(struct.pack("<IIII", sec, usec, len(cap), len(frame)) + cap)

    def close(self):
        self.f.close()


class TcpConn:
    """Frames of one TCP connection, client port cport, server port sport."""
    def __init__(self, pcap, cport, sport, isn_c=1000, isn_s=5000, v6=False, handshake=True):
        self.p, self.cport, self.sport = pcap, cport, sport
        self.c_seq, self.s_seq, self.v6 = isn_c, isn_s, v6
        if handshake:
            self.frame(True, 0x02, b"", seq=self.c_seq)
            self.frame(False, 0x12, b"", seq=self.s_seq)
            self.c_seq += 1
            self.s_seq += 1
            self.frame(True, 0x10, b"", seq=self.c_seq)

    def frame(self, from_client, flags, payload, seq):
        sp, dp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        seg = tcp(sp, dp, seq, flags, payload)
        if self.v6:
            s, d = (CLIENT6, SERVER6) if from_client else (SERVER6, CLIENT6)
            self.p.add(eth(ipv6(s, d, 6, seg), 0x86DD))
        else:
            s, d = (CLIENT, SERVER) if from_client else (SERVER, CLIENT)
            self.p.add(eth(ipv4(s, d, 6, seg)))

    def send(self, from_client, data, offset=0, advance=True):
        """Send data at `offset` bytes past the current sequence number."""
        seq = (self.c_seq if from_client else self.s_seq) + offset
        self.frame(from_client, 0x18, data, seq)
        if advance:
            if from_client:
                self.c_seq += len(data)
            else:
                self.s_seq += len(data)


def write_truth(path, names):
    with open(path, "w") as f:
        for kind, name in sorted(set(names)):
            f.write("%s\t%s\n" % (kind, name))


def make_c2(out):
    p = Pcap(os.path.join(out, "c2.pcap"))
    truth = []
    for i, name in enumerate(["www.apple.com", "backuprabbit.com", "img.web-trackers.com"]):
        p.add(eth(ipv4(CLIENT, SERVER, 17, udp(40000 + i, 53, dns_query(name, 0x100 + i)))))
        p.add(eth(ipv4(SERVER, CLIENT, 17, udp(53, 40000 + i, dns_answer(name, bytes([198, 18, 0, 9]), 0x100 + i)))))
        truth.append(("dns", name))
    conn = TcpConn(p, 50000, 443)
    conn.send(True, records(client_hello("web-trackers.com")))
    truth.append(("sni", "web-trackers.com"))
    conn = TcpConn(p, 50001, 443)
    conn.send(True, records(client_hello("icloud.com")))
    truth.append(("sni", "icloud.com"))
    p.close()
    write_truth(os.path.join(out, "c2.truth"), truth)


def make_streams(out):
    p = Pcap(os.path.join(out, "streams.pcap"))
    truth = []

    # 1. One ClientHello over three segments, sent 3, 1, 1 (again), 2.
    rec = records(client_hello("split.backuprabbit.com", pad=900))
    a, b = len(rec) // 3, 2 * len(rec) // 3
    conn = TcpConn(p, 50010, 443)
    conn.send(True, rec[b:], offset=b, advance=False)
    conn.send(True, rec[:a], advance=False)
    conn.send(True, rec[:a], advance=False)               # retransmission
    conn.send(True, rec[a:b], offset=a, advance=False)
    truth.append(("sni", "split.backuprabbit.com"))

    # 2. One ClientHello over three TLS records in one segment.
    hs = client_hello("records.example.org", pad=300)
    conn = TcpConn(p, 50011, 443)
    conn.send(True, records(hs, [100, 150, len(hs) - 250]))
    truth.append(("sni", "records.example.org"))

    # 3. Sequence numbers wrap around in the middle of the ClientHello.
    rec = records(client_hello("wrap.example.net", pad=400))
    conn = TcpConn(p, 50012, 443, isn_c=0xFFFFFFFF - 200)
    conn.send(True, rec[:300])
    conn.send(True, rec[300:])
    truth.append(("sni", "wrap.example.net"))

    # 4. A cleartext preamble before TLS on the same connection (SMTP STARTTLS).
    conn = TcpConn(p, 50013, 25)
    conn.send(False, b"220 mx.example ESMTP\r\n")
    conn.send(True, b"EHLO client.example\r\n")
    conn.send(False, b"250-mx.example\r\n250 STARTTLS\r\n")
    conn.send(True, b"STARTTLS\r\n")
    conn.send(False, b"220 go ahead\r\n")
    conn.send(True, records(client_hello("starttls.example.com")))
    truth.append(("sni", "starttls.example.com"))

    # 5. TLS on another port, capture started after the handshake (no SYN).
    conn = TcpConn(p, 50014, 8443, handshake=False, isn_c=777777)
    conn.send(True, records(client_hello("nosyn.example.com")))
    truth.append(("sni", "nosyn.example.com"))

    # 6. DNS over TCP: two messages in one segment, one across two segments,
    #    a length prefix split across segments, and the answers.
    q1, q2, q3, q4 = (dns_query(n, 0x200 + i) for i, n in enumerate(
        ["tcp1.example.com", "tcp2.example.com", "tcp3.example.com", "tcp4.example.com"]))
    framed = [struct.pack("!H", len(m)) + m for m in (q1, q2, q3, q4)]
    conn = TcpConn(p, 50015, 53)
    conn.send(True, framed[0] + framed[1])
    conn.send(True, framed[2][:10])
    conn.send(True, framed[2][10:] + framed[3][:1])
    conn.send(True, framed[3][1:])
    ans = dns_answer("tcp1.example.com", bytes([198, 18, 0, 9]), 0x200)
    conn.send(False, struct.pack("!H", len(ans)) + ans)
    for n in ("tcp1", "tcp2", "tcp3", "tcp4"):
        truth.append(("dns", n + ".example.com"))

    # 7. IPv6 with a hop-by-hop and a destination-options header, DNS over UDP.
    hbh = bytes([60, 0]) + b"\x01\x04\0\0\0\0"           # next: dest opts; PadN
    dst = bytes([17, 0]) + b"\x01\x04\0\0\0\0"           # next: UDP
    p.add(eth(ipv6(CLIENT6, SERVER6, 0, udp(40100, 53, dns_query("v6.example.com")), ext=hbh + dst), 0x86DD))
    truth.append(("dns", "v6.example.com"))

    # 8. QinQ (802.1ad outer, 802.1Q inner) and IPv4 options.
    frame = eth(ipv4(CLIENT, SERVER, 17, udp(40101, 53, dns_query("qinq.example.com")), ihl_words=7),
                0x0800, vlans=((0x88A8, 100), (0x8100, 200)))
    p.add(frame)
    truth.append(("dns", "qinq.example.com"))

    # 9. Ethernet padding after a short IP datagram must not reach the parser.
    frame = eth(ipv4(CLIENT, SERVER, 17, udp(40102, 53, dns_query("pad.example.com"))))
    p.add(frame + b"\xff" * 30)
    truth.append(("dns", "pad.example.com"))

    # 10. TLS 1.3 hello over IPv6 TCP.
    conn = TcpConn(p, 50016, 443, v6=True)
    conn.send(True, records(client_hello("v6tls.example.com")))
    truth.append(("sni", "v6tls.example.com"))

    # 11. The same 5-tuple reused by a new connection (new ISN) after the first.
    conn = TcpConn(p, 50017, 443, isn_c=100)
    conn.send(True, records(client_hello("first.example.com")))
    conn = TcpConn(p, 50017, 443, isn_c=900000)
    conn.send(True, records(client_hello("second.example.com")))
    truth += [("sni", "first.example.com"), ("sni", "second.example.com")]
    # 12. TLS on TCP port 53 (a way round firewalls): found by content there too,
    #     to the server port and from a client source port 53; DNS over TCP
    #     on the same port still read.
    conn = TcpConn(p, 50018, 53)
    conn.send(True, records(client_hello("tls-on-53.example.com")))
    conn = TcpConn(p, 53, 8443)
    conn.send(True, records(client_hello("from-53.example.com")))
    truth += [("sni", "tls-on-53.example.com"), ("sni", "from-53.example.com")]

    # 13. A ClientHello in 9 segments sent 2,4,6,8 then 1,3,5,7,9: more
    #     pieces ahead of the gap than the reassembler keeps ranges for.
    rec = records(client_hello("nine-pieces.example.com", pad=1200))
    cut = [len(rec) * i // 9 for i in range(10)]
    conn = TcpConn(p, 50019, 443)
    for i in (1, 3, 5, 7, 0, 2, 4, 6, 8):
        conn.send(True, rec[cut[i]:cut[i + 1]], offset=cut[i], advance=False)
    truth.append(("sni", "nine-pieces.example.com"))
    p.close()
    write_truth(os.path.join(out, "streams.truth"), truth)


def make_malformed(out):
    p = Pcap(os.path.join(out, "malformed.pcap"))
    truth = []
    good = dns_query("ok.example.com")
    # truncated link, IP and transport headers
    p.add(b"\x02\x00")
    p.add(eth(b"\x45\x00"))
    p.add(eth(ipv4(CLIENT, SERVER, 17, b"\x00\x35")))
    p.add(eth(ipv4(CLIENT, SERVER, 6, b"\x00\x35\x01")))
    # IHL smaller than 5, total length smaller than the header, version 7
    bad = bytearray(eth(ipv4(CLIENT, SERVER, 17, udp(1, 53, good))))
    bad[14] = 0x44
    p.add(bytes(bad))
    p.add(eth(ipv4(CLIENT, SERVER, 17, udp(1, 53, good), total=10)))
    bad = bytearray(eth(ipv4(CLIENT, SERVER, 17, udp(1, 53, good))))
    bad[14] = 0x75
    p.add(bytes(bad))
    # UDP length below 8 and beyond the packet
    p.add(eth(ipv4(CLIENT, SERVER, 17, struct.pack("!HHHH", 1, 53, 4, 0) + good)))
    # TCP data offset below 5 and beyond the segment
    seg = bytearray(tcp(1, 443, 1, 0x18, b"x" * 10))
    seg[12] = 0x30
    p.add(eth(ipv4(CLIENT, SERVER, 6, bytes(seg))))
    seg[12] = 0xF0
    p.add(eth(ipv4(CLIENT, SERVER, 6, bytes(seg))))
    # IPv6 extension header chain that runs off the end, and one that never ends
    p.add(eth(ipv6(CLIENT6, SERVER6, 0, b"", ext=bytes([0, 200]) + b"\0" * 6), 0x86DD))
    p.add(eth(ipv6(CLIENT6, SERVER6, 60, b"", ext=(bytes([60, 0]) + b"\0" * 6) * 12), 0x86DD))
    # IP-in-IP nested deeper than the limit
    inner = ipv4(CLIENT, SERVER, 17, udp(1, 53, dns_query("deep.example.com")))
    for _ in range(6):
        inner = ipv4(CLIENT, SERVER, 4, inner)
    p.add(eth(inner))
    # DNS: pointer to itself, forward pointer, pointer beyond the end, two pointers in a loop
    hdr = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0)
    for q in (b"\xc0\x0c", b"\xc0\x20" + b"\0" * 30, b"\xc0\xff", b"\x01a\xc0\x0e\xc0\x0c"):
        p.add(eth(ipv4(CLIENT, SERVER, 17, udp(1, 53, hdr + q + b"\0\x01\0\x01"))))
    # DNS: a label of 64, a name over 255 octets, an extended label type, qdcount lying high
    p.add(eth(ipv4(CLIENT, SERVER, 17, udp(1, 53, hdr + b"\x40" + b"a" * 64 + b"\0\0\x01\0\x01"))))
    p.add(eth(ipv4(CLIENT, SERVER, 17, udp(1, 53, hdr + (b"\x3f" + b"b" * 63) * 5 + b"\0\0\x01\0\x01"))))
    p.add(eth(ipv4(CLIENT, SERVER, 17, udp(1, 53, hdr + b"\x41abc\0\0\x01\0\x01"))))
    p.add(eth(ipv4(CLIENT, SERVER, 17, udp(1, 53, struct.pack("!HHHHHH", 1, 0x0100, 60000, 0, 0, 0)
                                              + dns_name("many.example.com") + b"\0\x01\0\x01"))))
    truth.append(("dns", "many.example.com"))
    # DNS: 1000 questions in one message, all pointing at the first name
    q = dns_name("flood.example.com") + b"\0\x01\0\x01" + b"\xc0\x0c\0\x01\0\x01" * 999
    p.add(eth(ipv4(CLIENT, SERVER, 17, udp(40300, 53, struct.pack("!HHHHHH", 9, 0x0100, 1000, 0, 0, 0) + q))))
    truth.append(("dns", "flood.example.com"))
    # TLS: ClientHello whose extension lengths overrun, a record length of 0, a
    # handshake length far beyond the records, and a hello cut by the capture
    ch = bytearray(records(client_hello("liar.example.com")))
    at = ch.index(b"liar.example.com")
    ch[at - 2:at] = b"\xff\xff"                            # HostName length beyond everything
    conn = TcpConn(p, 50100, 443)
    conn.send(True, bytes(ch))
    conn = TcpConn(p, 50101, 443)
    conn.send(True, b"\x16\x03\x01\x00\x00")
    conn = TcpConn(p, 50102, 443)
    conn.send(True, b"\x16\x03\x01\x00\x08\x01\xff\xff\xff\x03\x03\x00\x00")
    frame = eth(ipv4(CLIENT, SERVER, 6, tcp(50103, 443, 1, 0x18, records(client_hello("cut.example.com")))))
    p.add(frame, caplen=80)
    # a frame claiming more bytes than were captured, carrying a good query
    frame = eth(ipv4(CLIENT, SERVER, 17, udp(40200, 53, dns_query("snap.example.com"))))
    p.add(frame + b"\0" * 200, caplen=len(frame))
    truth.append(("dns", "snap.example.com"))
    p.close()
    write_truth(os.path.join(out, "malformed.truth"), truth)


def make_frag(out):
    """IP fragments: DNS queries and responses fragmented over IPv4 and IPv6,
    out of order, and the ways a datagram is given up.  Only the names of
    datagrams that can be made whole are in the truth."""
    p = Pcap(os.path.join(out, "frag.pcap"))
    truth = []
    C6, S6 = CLIENT6, SERVER6

    # 1. A query for a listed C2 name in 16-byte fragments, sent last first.
    q = udp(41000, 53, dns_query("frag-query.backuprabbit.com", 0x501))
    for f in reversed(frag4(CLIENT, SERVER, 17, q, 16, 0x501)):
        p.add(eth(f))
    truth.append(("dns", "frag-query.backuprabbit.com"))

    # 2. A 1700-byte response over IPv4 in three fragments: the last one
    #    first, the first one twice (an exact duplicate, as a mirror port
    #    may show it), then the middle one.
    r = udp(53, 41000, dns_big_answer("frag-answer4.example.com", 100, 0x502))
    fs = frag4(SERVER, CLIENT, 17, r, 576, 0x502)
    for f in (fs[2], fs[0], fs[0], fs[1]):
        p.add(eth(f))
    truth.append(("dns", "frag-answer4.example.com"))

    # 3. An IPv6 query with a destination-options header before the fragment
    #    header, first fragment 16 bytes, sent last first; 4. a 1700-byte
    #    IPv6 response in 1232-byte fragments, interleaved with 3.
    q6 = frag6(C6, S6, 17, udp(41001, 53, dns_query("frag-query6.example.net", 0x503)), 16, 0x503,
               dstopts=True)
    r6 = frag6(S6, C6, 17, udp(53, 41001, dns_big_answer("frag-answer6.example.net", 100, 0x504)),
               1232, 0x504)
    for f in (r6[1], q6[-1], r6[0]) + tuple(reversed(q6[:-1])):
        p.add(eth(f, 0x86DD))
    truth += [("dns", "frag-query6.example.net"), ("dns", "frag-answer6.example.net")]

    # 5. A tiny first fragment: the UDP header alone, then the message.
    q = udp(41002, 53, dns_query("tiny-first.example.org", 0x505))
    for f in frag4(CLIENT, SERVER, 17, q, 0, 0x505, cuts=[(0, q[:8], True), (8, q[8:], False)]):
        p.add(eth(f))
    truth.append(("dns", "tiny-first.example.org"))

    # 6. Fragments of a query inside IP-in-IP: reassembled, the tunnel kept.
    q = udp(41003, 53, dns_query("frag-tunnel.example.org", 0x506))
    for f in frag4(CLIENT, SERVER, 17, q, 24, 0x506):
        p.add(eth(ipv4(bytes([203, 0, 113, 1]), bytes([203, 0, 113, 2]), 4, f)))
    truth.append(("dns", "frag-tunnel.example.org"))

    # 7. Overlapping fragments that read as two different names: dropped.
    q = udp(41004, 53, dns_query("overlap-one.example.com", 0x507))
    q2 = udp(41004, 53, dns_query("overlap-two.example.com", 0x507))
    for f in frag4(CLIENT, SERVER, 17, q, 0, 0x507, cuts=[(0, q[:32], True), (24, q2[24:], False)]):
        p.add(eth(f))

    # 8. A fragment reaching past 65535 bytes: the datagram is dropped, and
    #    its real end alone never completes.
    q = udp(41005, 53, dns_query("too-big.example.com", 0x508))
    for f in frag4(CLIENT, SERVER, 17, q, 0, 0x508,
                   cuts=[(0, q[:16], True), (65520, b"x" * 24, True), (16, q[16:], False)]):
        p.add(eth(f))

    # 9. A first fragment whose rest comes after the timeout (30 s): given
    #    up; the rest alone never completes.  Then one that never completes
    #    at all (given up at the end of the input).
    q = udp(41006, 53, dns_query("late.example.com", 0x509))
    fs = frag4(CLIENT, SERVER, 17, q, 16, 0x509)
    p.add(eth(fs[0]))
    p.t += 31
    for f in fs[1:]:
        p.add(eth(f))
    q = udp(41007, 53, dns_query("never.example.com", 0x50a))
    p.add(eth(frag4(CLIENT, SERVER, 17, q, 16, 0x50a)[0]))

    # 10. After all that, reassembly still works.
    q = udp(41008, 53, dns_query("after.example.com", 0x50b))
    for f in frag4(CLIENT, SERVER, 17, q, 24, 0x50b):
        p.add(eth(f))
    truth.append(("dns", "after.example.com"))
    p.close()
    write_truth(os.path.join(out, "frag.truth"), truth)

    # More datagrams at once than a table of 16 holds (frag.max-datagrams:
    # 16): the first fragments of 20 queries, then their other halves, the
    # newest first.  The oldest 4 were evicted to make room; the other 16
    # are read.  (Halves sent oldest first would each evict the next
    # datagram to complete: oldest-first eviction keeps the newest.)
    os.makedirs(os.path.join(out, "fragtable"), exist_ok=True)
    p = Pcap(os.path.join(out, "fragtable", "evict.pcap"))
    halves = []
    for i in range(20):
        q = udp(42000 + i, 53, dns_query("evict%02d.example.com" % i, 0x600 + i))
        fs = frag4(CLIENT, SERVER, 17, q, 24, 0x600 + i)
        p.add(eth(fs[0]))
        halves.append(fs[1:])
    for rest in reversed(halves):
        for f in rest:
            p.add(eth(f))
    p.close()
    write_truth(os.path.join(out, "fragtable", "evict.truth"),
                [("dns", "evict%02d.example.com" % i) for i in range(4, 20)])


def make_pinning(out):
    os.makedirs(os.path.join(out, "pinning"), exist_ok=True)
    p = Pcap(os.path.join(out, "pinning", "pin.pcap"))
    for i in range(64):
        conn = TcpConn(p, 51000 + i, 443)
        conn.send(True, b"\x16\x03\x01\x02\x00\x01")   # a hello that never goes on
    rec = records(client_hello("after-pinning.example.com", pad=600))
    conn = TcpConn(p, 52000, 443)
    conn.send(True, rec[:300])
    conn.send(True, rec[300:])
    p.close()
    write_truth(os.path.join(out, "pinning", "pin.truth"), [("sni", "after-pinning.example.com")])


def make_big_frame(out):
    """One 9 MiB frame of link type D-Bus (231), which libpcap allows up to
    128 MiB: larger than a replay worker's ring."""
    os.makedirs(os.path.join(out, "big"), exist_ok=True)
    p = Pcap(os.path.join(out, "big", "dbus.pcap"), linktype=231)
    p.add(b"\0" * (9 << 20))
    p.close()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    make_big_frame(out)
    make_c2(out)
    make_streams(out)
    make_malformed(out)
    make_pinning(out)
    make_frag(out)


if __name__ == "__main__":
    main()
