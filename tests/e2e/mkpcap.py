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
  answers.pcap       DNS responses with answers: a CNAME chain ending at a C2 name,
                     an HTTPS record whose TargetName is a C2 name, malformed answers
                     (RDLENGTH 5 for an A, a compression loop in an owner name, RDLENGTH
                     beyond the message, an SVCB TargetName pointing forward, 3000
                     answers), a response padded to crowd out its own alert; and
                     ClientHellos to DoT (853) and a DoH resolver name
  mdns/mdns.pcap     mDNS (a query with the unicast-response bit, a response with no
                     question) and LLMNR queries: ignored unless configured; no truth
                     (the corpus truth counts port 53 only)
  pinning/pin.pcap   64 connections that each start a ClientHello record and
                     stall (pinning reassembly buffers), then one whole
                     ClientHello split over two segments; run with
                     stream.buffers: 16 its SNI must still be read
  tunnels.pcap       DNS and TLS inside GRE (key, sequence, TEB), ERSPAN II and
                     III, PPTP, VXLAN, GENEVE, Teredo and tunnels in tunnels,
                     and broken tunnels whose names must not be seen;
                     tunnels.encap says which encapsulation each name is under
  quic.pcap          QUIC client Initials, encrypted here (RFC 9001 §5, RFC 9369
                     §3; AES from the cryptography module): v1, v2, a ClientHello
                     over two Initials sent out of order, coalesced packets, a
                     short DCID, ECH; and bad ones: a bad tag, a CRYPTO frame
                     beyond the window, cut packets, a packet too short for its
                     packet number, a DCID over 20 bytes, the server's side
  multi.pcapng       two sections (little-, then big-endian) with interfaces of
                     link types Ethernet, raw IP, Linux SLL and USER0 (not
                     decoded: its DNS query must not be seen), nanosecond time,
                     a Simple Packet Block, blocks to skip, a packet of an
                     interface that is not described
  badng/*.pcapng     pcapng files broken on purpose (no truth): cut in a
                     packet block, a trailer that disagrees, no interface, no
                     byte-order magic
  frag.pcap          DNS queries and responses in IP fragments (IPv4, IPv6,
                     out of order, duplicated, tiny, in a tunnel) and the
                     ways a datagram is given up (overlap, past 65535, timeout)
  fragtable/evict.pcap  20 fragmented queries at once, for a table of 16
  wifi-radiotap.pcap a monitor-mode capture (radiotap + 802.11): every address
                     order, QoS, HT Control, data pad, FCS, radiotap namespaces,
                     A-MSDU, IPv6, TLS; encrypted frames of two BSSIDs; frames
                     with nothing to decode; bad FCS; malformed radio headers.
                     wifi-radiotap.expect.json: the stats a replay must show
  wifi-ppi.pcap      PPI around 802.11 (FCS flags) and around Ethernet
  wifi-80211.pcap    802.11 without a radio header (DLT 105)
  capwap.pcap        CAPWAP data from access points: 802.11 in RFC and in Cisco
                     byte order, 802.3, over IPv4 and IPv6; keep-alive,
                     fragment and DTLS skipped
Each NAME.pcap has NAME.truth: "KIND<TAB>NAME" lines, sorted, like the corpus.
"""
import json
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
    """Frames of one TCP connection, client port cport, server port sport.
    wrap(ip_packet, v6) makes the frame (a tunnel around it), else
    link(ip_packet, ethertype, from_client) does (default: Ethernet)."""
    def __init__(self, pcap, cport, sport, isn_c=1000, isn_s=5000, v6=False, handshake=True, wrap=None,
                 link=None):
        self.p, self.cport, self.sport = pcap, cport, sport
        self.c_seq, self.s_seq, self.v6 = isn_c, isn_s, v6
        self.link = link or (lambda ip, ethertype, from_client: eth(ip, ethertype))
        self.wrap = wrap or (lambda ip, v6: self.link(ip, 0x86DD if v6 else 0x0800, self._from_client))
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
            self._from_client = from_client
            self.p.add(self.wrap(ipv6(s, d, 6, seg), True))
        else:
            s, d = (CLIENT, SERVER) if from_client else (SERVER, CLIENT)
            self._from_client = from_client
            self.p.add(self.wrap(ipv4(s, d, 6, seg), False))

    def send(self, from_client, data, offset=0, advance=True):
        """Send data at `offset` bytes past the current sequence number."""
        seq = (self.c_seq if from_client else self.s_seq) + offset
        self.frame(from_client, 0x18, data, seq)
        if advance:
            if from_client:
                self.c_seq += len(data)
            else:
                self.s_seq += len(data)


class PcapNG:
    """pcapng (draft-ietf-opsawg-pcapng): sections in either byte order,
    interfaces, Enhanced and Simple Packet Blocks, any other block."""
    def __init__(self, path):
        self.f = open(path, "wb")
        self.bo = "<"
        self.t = 1700000000 * 10**6

    def block(self, btype, body, trailer=None):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        self.f.write(struct.pack(self.bo + "II", btype, n) + body +
                     struct.pack(self.bo + "I", n if trailer is None else trailer))

    def section(self, big=False):
        self.bo = ">" if big else "<"
        self.block(0x0A0D0D0A, struct.pack(self.bo + "IHHq", 0x1A2B3C4D, 1, 0, -1))

    def interface(self, linktype, tsresol=None):
        opts = b"" if tsresol is None else struct.pack(self.bo + "HHB3x", 9, 1, tsresol)
        self.block(1, struct.pack(self.bo + "HHI", linktype, 0, 65535) + opts + b"\0" * 4)

    def packet(self, ifid, frame, units_per_us=1, trailer=None):
        self.t += 1000
        ts = self.t * units_per_us
        self.block(6, struct.pack(self.bo + "IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF,
                                  len(frame), len(frame)) + frame, trailer)

    def simple(self, frame):
        self.block(3, struct.pack(self.bo + "I", len(frame)) + frame)

    def close(self):
        self.f.close()


class OnInterface:
    """The Pcap interface (add) over one pcapng interface, for TcpConn."""
    def __init__(self, ng, ifid):
        self.ng, self.ifid = ng, ifid

    def add(self, frame):
        self.ng.packet(self.ifid, frame)


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


def rr(owner, rtype, rdata, ttl=300, rclass=1):
    """One resource record: owner is wire bytes (a name or a pointer)."""
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def dns_response(qname, answers, qid=0x4242, qtype=1, ancount=None, flags=0x8180):
    """A response to one question (at offset 12, so b"\xc0\x0c" points at it)."""
    an = len(answers) if ancount is None else ancount
    return (struct.pack("!HHHHHH", qid, flags, 1, an, 0, 0) + dns_name(qname)
            + struct.pack("!HH", qtype, 1) + b"".join(answers))


def svcb_param(key, value):
    return struct.pack("!HH", key, len(value)) + value


def make_answers(out):
    p = Pcap(os.path.join(out, "answers.pcap"))
    truth = []
    port = [41000]

    def exchange(qname, answers, qtype=1, **kw):
        port[0] += 1
        p.add(eth(ipv4(CLIENT, SERVER, 17, udp(port[0], 53, dns_query(qname, 0x4242, qtype)))))
        p.add(eth(ipv4(SERVER, CLIENT, 17, udp(53, port[0], dns_response(qname, answers, qtype=qtype, **kw)))))
        truth.append(("dns", qname))

    Q = b"\xc0\x0c"                          # pointer to the question name
    # 1. A benign name behind a CNAME chain that ends at a C2 name.
    edge = dns_name("edge.example.net")
    at = 12 + len(dns_name("cdn-start.example.org")) + 4 + 2 + 10   # where edge's RDATA starts
    c2 = b"\x06static" + dns_name("backuprabbit.com")
    exchange("cdn-start.example.org", [
        rr(Q, 5, edge, ttl=3600),
        rr(struct.pack("!H", 0xC000 | at), 5, c2, ttl=600),
        rr(struct.pack("!H", 0xC000 | (at + len(edge) + 12)), 1, bytes([198, 18, 0, 77]), ttl=60),
    ])
    # 2. An HTTPS record whose TargetName is a C2 name, every parameter decoded.
    params = (svcb_param(1, b"\x02h2\x02h3") + svcb_param(3, struct.pack("!H", 8443))
              + svcb_param(4, bytes([198, 18, 0, 78, 198, 18, 0, 79]))
              + svcb_param(5, b"\x00\x04\xfe\x0d\x00\x00")
              + svcb_param(6, bytes.fromhex("20010db8000000000000000000000078")))
    exchange("svc.example.org", [rr(Q, 65, struct.pack("!H", 1) + dns_name("img.web-trackers.com") + params)],
             qtype=65)
    # 3. Malformed answers, each after a good A record (or before it).
    good = rr(Q, 1, bytes([198, 18, 0, 80]))
    exchange("rdlen5.example.org", [rr(Q, 1, b"\x01\x02\x03\x04\x05"), good])
    loop_at = 12 + len(dns_name("loop.example.org")) + 4 + len(good)
    exchange("loop.example.org", [good, struct.pack("!HH", 0xC000 | (loop_at + 2), 0xC000 | loop_at)
                                  + struct.pack("!HHIH", 1, 1, 1, 4) + b"\x01\x02\x03\x04"])
    exchange("rdlen-beyond.example.org", [good, Q + struct.pack("!HHIH", 1, 1, 1, 0xFFFF) + b"\x01\x02\x03\x04"])
    fwd_at = 12 + len(dns_name("svcb-forward.example.org")) + 4 + 2 + 10 + 2
    exchange("svcb-forward.example.org",
             [rr(Q, 64, struct.pack("!HH", 1, 0xC000 | (fwd_at + 2)) + dns_name("ahead.backuprabbit.com")), good],
             qtype=64)
    exchange("thousands.example.org", [rr(Q, 1, struct.pack("!I", 0xC6120000 + i), ttl=i) for i in range(3000)])
    # 4. A C2 name whose response is padded with CNAMEs of long names of
    #    control bytes (escaped to 6 bytes each): its alert must still fit.
    junk = b"".join(bytes([63]) + bytes([1]) * 63 for _ in range(3)) + bytes([61]) + bytes([1]) * 61 + b"\0"
    exchange("pad.backuprabbit.com", [rr(Q, 5, junk) for _ in range(20)])
    # 5. Encrypted DNS: DoT to 853 and DoH to a resolver's name, then plain TLS.
    for cport, sport, sni in ((50200, 853, "dns.google"), (50201, 443, "cloudflare-dns.com"),
                              (50202, 443, "www.example.org")):
        conn = TcpConn(p, cport, sport)
        conn.send(True, records(client_hello(sni)))
        truth.append(("sni", sni))
    p.close()
    write_truth(os.path.join(out, "answers.truth"), truth)


def make_mdns(out):
    os.makedirs(os.path.join(out, "mdns"), exist_ok=True)
    p = Pcap(os.path.join(out, "mdns", "mdns.pcap"))
    group = bytes([224, 0, 0, 251])
    # A query asking for a unicast response (top bit of qclass, RFC 6762 §5.4).
    q = struct.pack("!HHHHHH", 0, 0, 1, 0, 0, 0) + dns_name("printer.local") + struct.pack("!HH", 1, 0x8001)
    p.add(eth(ipv4(CLIENT, group, 17, udp(5353, 5353, q))))
    # A response with no question: an A record with the cache-flush bit.
    a = (struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + dns_name("printer.local")
         + struct.pack("!HHIH", 1, 0x8001, 120, 4) + bytes([198, 18, 0, 90]))
    p.add(eth(ipv4(SERVER, group, 17, udp(5353, 5353, a))))
    # LLMNR (RFC 4795) to its multicast group.
    q = dns_query("fileserver", 0x77)
    p.add(eth(ipv4(CLIENT, bytes([224, 0, 0, 252]), 17, udp(40500, 5355, q))))
    p.close()


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


# Tunnel endpoints: a documentation range apart from the hosts inside.
TUN_A, TUN_B = bytes([203, 0, 113, 1]), bytes([203, 0, 113, 2])
TUN_A6 = bytes.fromhex("20010db8ffff00000000000000000001")
TUN_B6 = bytes.fromhex("20010db8ffff00000000000000000002")


def gre(payload, proto, key=None, seq=None, csum=False, version=0, ack=None):
    """GRE (RFC 2784, RFC 2890); version 1 is PPTP's (RFC 2637 4.1)."""
    flags = (0x8000 if csum else 0) | (0x2000 if key is not None else 0) | \
            (0x1000 if seq is not None else 0) | (0x0080 if ack is not None else 0) | version
    h = struct.pack("!HH", flags, proto)
    if csum:
        h += struct.pack("!HH", 0, 0)
    for field in (key, seq, ack):
        if field is not None:
            h += struct.pack("!I", field)
    return h + payload


def over_gre(inner, proto, v6=False, **kw):
    """An Ethernet frame of IPv4 (or IPv6) GRE between the tunnel endpoints."""
    g = gre(inner, proto, **kw)
    if v6:
        return eth(ipv6(TUN_A6, TUN_B6, 47, g), 0x86DD)
    return eth(ipv4(TUN_A, TUN_B, 47, g))


def over_udp(payload, sport, dport, v6=False):
    if v6:
        return eth(ipv6(TUN_A6, TUN_B6, 17, udp(sport, dport, payload)), 0x86DD)
    return eth(ipv4(TUN_A, TUN_B, 17, udp(sport, dport, payload)))


def erspan2(frame, session=3):
    """ERSPAN type II header, version 1 (draft-foschiano-erspan-03 4.2)."""
    return struct.pack("!HHI", 1 << 12 | 10, session, 0x12345) + frame


def erspan3(frame, sub=False, ft=0):
    """ERSPAN type III header, version 2 (4.3), optional platform subheader."""
    h = struct.pack("!HHIHBB", 2 << 12 | 10, 3, 0x11223344, 5, ft << 2, 1 if sub else 0)
    return h + (b"\x03platfrm" if sub else b"") + frame


def vxlan(frame, vni=0xabc):
    """VXLAN (RFC 7348 5): I flag, VNI."""
    return struct.pack("!II", 0x08000000, vni << 8) + frame


def geneve(payload, proto=0x6558, optwords=0, ver=0):
    """GENEVE (RFC 8926 3.4) with one critical option of optwords words."""
    h = struct.pack("!BBHI", ver << 6 | optwords, 0x40 if optwords else 0, proto, 0x1092 << 8)
    if optwords:
        h += struct.pack("!HBB", 0x0102, 0x80, optwords - 1) + b"\0" * (4 * (optwords - 1))
    return h + payload


def teredo(ip6, auth=False, origin=False):
    """Teredo (RFC 4380 5.1.1): optional authentication, origin indication."""
    h = b""
    if auth:
        h += b"\x00\x01\x04\x08" + b"clidauthvalu" + b"noncenon" + b"\x00"
    if origin:
        h += struct.pack("!HHI", 0, 0xFFFF ^ 40000, 0xFFFFFFFF ^ 0xC6120002)
    return h + ip6


def make_tunnels(out):
    p = Pcap(os.path.join(out, "tunnels.pcap"))
    truth, encap = [], {}

    def dns_in(name, wrap, qid=0x300, v6=False):
        if v6:
            ip = ipv6(CLIENT6, SERVER6, 17, udp(40400 + qid % 100, 53, dns_query(name, qid)))
        else:
            ip = ipv4(CLIENT, SERVER, 17, udp(40400 + qid % 100, 53, dns_query(name, qid)))
        p.add(wrap(ip, v6))

    def seen(kind, name, layers):
        truth.append((kind, name))
        encap[name] = layers

    # 1. GRE with a key (the C2 name: an alert), and with key, sequence number
    #    and checksum over IPv6 carrying IPv6.
    dns_in("backuprabbit.com", lambda ip, v6: over_gre(ip, 0x0800, key=7), 0x301)
    seen("dns", "backuprabbit.com", ["gre"])
    dns_in("gre6.example.com", lambda ip, v6: over_gre(ip, 0x86DD, v6=True, key=7, seq=1, csum=True),
           0x302, v6=True)
    seen("dns", "gre6.example.com", ["gre"])

    # 2. A TLS connection bridged over GRE (TEB: Ethernet inside), a VLAN tag
    #    on the inner frame.
    teb = lambda ip, v6: over_gre(eth(ip, 0x0800, vlans=((0x8100, 42),)), 0x6558, seq=9)
    conn = TcpConn(p, 50200, 443, wrap=teb)
    conn.send(True, records(client_hello("gre-teb.example.com")))
    seen("sni", "gre-teb.example.com", ["gre", "vlan"])

    # 3. ERSPAN II and III (with a platform subheader) mirror sessions.
    dns_in("erspan2.example.com", lambda ip, v6: over_gre(erspan2(eth(ip)), 0x88BE, seq=1), 0x303)
    seen("dns", "erspan2.example.com", ["gre", "erspan"])
    conn = TcpConn(p, 50201, 443, wrap=lambda ip, v6: over_gre(erspan3(eth(ip), sub=True), 0x22EB, seq=2))
    conn.send(True, records(client_hello("erspan3.example.com")))
    seen("sni", "erspan3.example.com", ["gre", "erspan"])

    # 4. PPTP: enhanced GRE carrying PPP.
    pptp = lambda ip, v6: over_gre(b"\xff\x03\x00\x21" + ip, 0x880B, version=1,
                                   key=len(ip) + 4 << 16 | 0x77, seq=5, ack=4)
    dns_in("pptp.example.com", pptp, 0x304)
    seen("dns", "pptp.example.com", ["gre"])

    # 5. VXLAN: a TLS connection to the other C2 name (an alert), and DNS.
    vx = lambda ip, v6: over_udp(vxlan(eth(ip, 0x86DD if v6 else 0x0800)), 51000, 4789)
    conn = TcpConn(p, 50202, 443, wrap=vx)
    conn.send(True, records(client_hello("web-trackers.com")))
    seen("sni", "web-trackers.com", ["vxlan"])
    dns_in("vxlan.example.com", vx, 0x305, v6=True)
    seen("dns", "vxlan.example.com", ["vxlan"])

    # 6. GENEVE (over IPv6) with options, carrying Ethernet; and IPv4 directly.
    gen = lambda ip, v6: over_udp(geneve(eth(ip), optwords=3), 47101, 6081, v6=True)
    conn = TcpConn(p, 50203, 443, wrap=gen)
    conn.send(True, records(client_hello("geneve.example.net")))
    seen("sni", "geneve.example.net", ["geneve"])
    dns_in("geneve-ip.example.net", lambda ip, v6: over_udp(geneve(ip, proto=0x0800), 47102, 6081), 0x306)
    seen("dns", "geneve-ip.example.net", ["geneve"])

    # 7. Teredo: DNS over IPv6 with an origin indication from the server's
    #    port, and a TLS connection with an authentication header.
    dns_in("teredo.example.org", lambda ip, v6: over_udp(teredo(ip, origin=True), 3544, 40000),
           0x307, v6=True)
    seen("dns", "teredo.example.org", ["teredo"])
    conn = TcpConn(p, 50204, 443, v6=True,
                   wrap=lambda ip, v6: over_udp(teredo(ip, auth=True), 40001, 3544))
    conn.send(True, records(client_hello("teredo.example.org")))
    seen("sni", "teredo.example.org", ["teredo"])

    # 8. Tunnels in tunnels: VXLAN in GRE, and 4 layers (GENEVE in 6in4 in
    #    GRE, VXLAN inside), the most walked.
    dns_in("nested.example.com", lambda ip, v6: over_gre(
        ipv4(TUN_A, TUN_B, 17, udp(51001, 4789, vxlan(eth(ip)))), 0x0800), 0x308)
    seen("dns", "nested.example.com", ["gre", "vxlan"])

    def four(ip, v6):
        a = ipv4(TUN_A, TUN_B, 17, udp(51002, 4789, vxlan(eth(ip))))
        a = ipv6(TUN_A6, TUN_B6, 17, udp(51003, 6081, geneve(a, proto=0x0800)))
        return over_gre(ipv4(TUN_A, TUN_B, 41, a), 0x0800)
    dns_in("four-deep.example.com", four, 0x309)
    seen("dns", "four-deep.example.com", ["gre", "6in4", "geneve", "vxlan"])

    # 9. Broken tunnels: none of these names may be seen.
    def loop(ip, v6):                                 # GRE in GRE ... 8 deep
        for _ in range(8):
            ip = ipv4(TUN_A, TUN_B, 47, gre(ip, 0x0800))
        return eth(ip)
    dns_in("too-deep.example.com", loop, 0x310)
    dns_in("gre-v3.example.com", lambda ip, v6: over_gre(ip, 0x0800, version=3), 0x311)
    dns_in("routing.example.com", lambda ip, v6: eth(ipv4(TUN_A, TUN_B, 47,
           struct.pack("!HH", 0x4000, 0x0800) + b"\0" * 4 + ip)), 0x312)
    dns_in("erspan-v7.example.com", lambda ip, v6: over_gre(
        struct.pack("!HHI", 7 << 12, 3, 0) + eth(ip), 0x88BE, seq=1), 0x313)
    dns_in("erspan-cut.example.com", lambda ip, v6: over_gre(b"\x10\x00\x00", 0x88BE, seq=1), 0x314)
    dns_in("geneve-liar.example.com", lambda ip, v6: over_udp(
        bytes([63]) + geneve(eth(ip))[1:], 47104, 6081), 0x315)
    dns_in("geneve-nsh.example.com", lambda ip, v6: over_udp(geneve(eth(ip), proto=0x894F), 47105, 6081), 0x316)
    dns_in("vxlan-cut.example.com", lambda ip, v6: over_udp(vxlan(eth(ip)[:13]), 51004, 4789), 0x317)
    def teredo_liar(ip, v6):                          # IPv6 payload length one beyond
        ip = ip[:4] + struct.pack("!H", len(ip) - 40 + 1) + ip[6:]
        return over_udp(teredo(ip), 40002, 3544)
    dns_in("teredo-liar.example.org", teredo_liar, 0x318, v6=True)
    # A GRE header cut by the IP total length: the IPv4 length says 24 bytes.
    frame = bytearray(over_gre(ipv4(CLIENT, SERVER, 17, udp(40499, 53, dns_query("ip-liar.example.com"))),
                               0x0800, key=1))
    frame[16:18] = struct.pack("!H", 24)
    p.add(bytes(frame))
    # 10. A DNS answer to a client whose port is VXLAN's stays DNS.
    p.add(eth(ipv4(SERVER, CLIENT, 17, udp(53, 4789, dns_answer("dns-to-4789.example.com",
                                                                bytes([198, 18, 0, 9]), 0x0800)))))
    truth.append(("dns", "dns-to-4789.example.com"))
    p.close()
    write_truth(os.path.join(out, "tunnels.truth"), truth)
    with open(os.path.join(out, "tunnels.encap"), "w") as f:
        for name in sorted(encap):
            f.write("%s\t%s\n" % (name, ",".join(encap[name])))
def dns_frame(name, sport=40400):
    return eth(ipv4(CLIENT, SERVER, 17, udp(sport, 53, dns_query(name))))


def make_pcapng(out):
    ng = PcapNG(os.path.join(out, "multi.pcapng"))
    truth = []
    ng.section()
    ng.interface(1)                    # 0: Ethernet
    ng.interface(101)                  # 1: raw IP
    ng.interface(113)                  # 2: Linux cooked capture
    ng.interface(147)                  # 3: USER0, not decoded
    ng.block(4, b"\0" * 4)             # name resolution: skipped
    ng.block(0xBAD, b"\0" * 8)         # custom: skipped
    ng.packet(0, dns_frame("ng-eth.example.com"))
    ng.packet(1, ipv4(CLIENT, SERVER, 17, udp(40401, 53, dns_query("ng-raw.example.com"))))
    sll = struct.pack("!HHH8sH", 0, 1, 6, MAC_C + b"\0\0", 0x0800)
    ng.packet(2, sll + ipv4(CLIENT, SERVER, 17, udp(40402, 53, dns_query("ng-sll.example.com"))))
    ng.packet(3, dns_frame("ng-hidden.example.com"))
    conn = TcpConn(OnInterface(ng, 0), 50200, 443)
    conn.send(True, records(client_hello("ng-tls.example.com")))
    ng.block(5, b"\0" * 12)            # interface statistics: skipped
    truth += [("dns", "ng-eth.example.com"), ("dns", "ng-raw.example.com"),
              ("dns", "ng-sll.example.com"), ("sni", "ng-tls.example.com")]
    ng.section(big=True)               # interfaces numbered anew
    ng.interface(1, tsresol=9)
    ng.packet(0, eth(ipv6(CLIENT6, SERVER6, 17, udp(40403, 53, dns_query("ng-section2.example.com"))),
                     0x86DD), units_per_us=1000)
    ng.simple(dns_frame("ng-simple.example.com"))
    ng.packet(5, dns_frame("ng-nowhere.example.com"))
    truth += [("dns", "ng-section2.example.com"), ("dns", "ng-simple.example.com")]
    ng.close()
    write_truth(os.path.join(out, "multi.truth"), truth)

    bad = os.path.join(out, "badng")
    os.makedirs(bad, exist_ok=True)
    ng = PcapNG(os.path.join(bad, "cut.pcapng"))
    ng.section()
    ng.interface(1)
    ng.packet(0, dns_frame("cut-before.example.com"))
    ng.packet(0, dns_frame("cut-after.example.com"))
    ng.close()
    with open(os.path.join(bad, "cut.pcapng"), "r+b") as f:
        f.truncate(os.path.getsize(f.name) - 30)
    ng = PcapNG(os.path.join(bad, "trailer.pcapng"))
    ng.section()
    ng.interface(1)
    ng.packet(0, dns_frame("trailer-before.example.com"))
    ng.packet(0, dns_frame("trailer-liar.example.com"), trailer=4096)
    ng.packet(0, dns_frame("trailer-after.example.com"))
    ng.close()
    ng = PcapNG(os.path.join(bad, "noif.pcapng"))
    ng.section()
    ng.block(4, b"\0" * 4)
    ng.close()
    with open(os.path.join(bad, "nobom.pcapng"), "wb") as f:
        f.write(struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4E, 1, 0, -1) + struct.pack("<I", 28))
# --- 802.11 (IEEE 802.11-2020 §9), radiotap (radiotap.org), PPI, CAPWAP (RFC 5415)

AP = bytes.fromhex("0200000000a0")           # the access point (BSSID) of the clear network
STA = bytes.fromhex("0200000000c1")
BSSID_A = bytes.fromhex("0200000000a1")      # networks whose frames are encrypted
BSSID_B = bytes.fromhex("0200000000a2")
DATA, QOS_DATA, NULL_DATA, QOS_NULL, BEACON, ACK = 0x08, 0x88, 0x48, 0xC8, 0x80, 0xD4
TO_DS, FROM_DS, MORE_FRAG, PROTECTED, ORDER = 0x01, 0x02, 0x04, 0x40, 0x80
SERVER_MAC = MAC_S


def noise(n, seed=1):
    """n bytes that look random (ciphertext), the same on every run."""
    return bytes((i * 167 + seed * 13 + (i >> 3) * 29) & 0xFF for i in range(n))


def dot11(fc0, fc1, body=b"", qos=0, frag=0, bssid=AP, seq=100, swap=False):
    """An 802.11 frame: addresses in the order To DS / From DS ask for."""
    ds = fc1 & 3
    a1, a2, a3 = {0: (SERVER_MAC, STA, bssid), TO_DS: (bssid, STA, SERVER_MAC),
                  FROM_DS: (STA, bssid, SERVER_MAC), 3: (bssid, AP, SERVER_MAC)}[ds]
    fc = bytes([fc1, fc0]) if swap else bytes([fc0, fc1])
    sc = struct.pack(">H" if swap else "<H", seq << 4 | frag)
    h = fc + struct.pack("<H", 44) + a1 + a2 + a3 + sc
    if ds == 3:
        h += STA
    if fc0 & 0x8C == 0x88:                       # QoS subtypes of data
        h += bytes([qos, 0])
        if fc1 & ORDER:
            h += b"\x78\x56\x34\x12"           # HT Control
    return h + body


def snap(ethertype):
    return b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", ethertype)


def dns4(name, qid=0x4242, answer=False, sport=40500):
    msg = dns_answer(name, bytes([198, 18, 0, 9]), qid) if answer else dns_query(name, qid)
    if answer:
        return ipv4(SERVER, CLIENT, 17, udp(53, sport, msg))
    return ipv4(CLIENT, SERVER, 17, udp(sport, 53, msg))


def radiotap(flags=0):
    """TSFT, Flags, Channel, antenna signal."""
    body = struct.pack("<Q", 1234567) + bytes([flags, 0]) + struct.pack("<HH", 2437, 0x00A0) + b"\xc4"
    return struct.pack("<BBHI", 0, 0, 8 + len(body), 0x2B) + body


def radiotap_namespaces(flags=0):
    """Extended bitmaps: a second radiotap namespace (per-antenna fields), a
    vendor namespace and a third radiotap namespace, each field aligned."""
    words = [1 | 2 | 1 << 29 | 1 << 31, 1 << 5 | 1 << 11 | 1 << 30 | 1 << 31,
             1 | 2 | 1 << 29 | 1 << 31, 1 << 3 | 1 << 11 | 1 << 18]
    h = bytearray(struct.pack("<BBH", 0, 0, 0) + b"".join(struct.pack("<I", w) for w in words))

    def pad(a):
        while len(h) % a:
            h.append(0)
    pad(8)
    h += struct.pack("<Q", 7) + bytes([flags, 0xC4, 1])
    pad(2)
    h += b"\x00\x11\x22\x07" + struct.pack("<H", 5) + b"vvvvv"
    pad(2)
    h += struct.pack("<HH", 5180, 0x0140) + b"\x02"
    pad(4)
    h += struct.pack("<IHBB", 0x0140, 5180, 36, 20)
    h[2:4] = struct.pack("<H", len(h))
    return bytes(h)


def amsdu(*msdus):
    out = b""
    for i, m in enumerate(msdus):
        sub = SERVER_MAC + STA + struct.pack("!H", len(m)) + m
        if i < len(msdus) - 1:
            sub += b"\0" * (-len(sub) % 4)
        out += sub
    return out


def make_wifi_radiotap(out):
    p = Pcap(os.path.join(out, "wifi-radiotap.pcap"), linktype=127)
    truth = []
    fcs = b"\xde\xad\xbe\xef"
    # Clear data frames, each a DNS query or answer, in every layout.
    p.add(radiotap(0x10) + dot11(QOS_DATA, TO_DS, snap(0x0800) + dns4("wifi-query.example.com")) + fcs)
    p.add(radiotap() + dot11(DATA, FROM_DS, snap(0x0800) + dns4("wifi-query.example.com", answer=True)))
    truth.append(("dns", "wifi-query.example.com"))
    p.add(radiotap_namespaces(0x10) + dot11(QOS_DATA, TO_DS | ORDER, snap(0x0800) + dns4("wifi-ns.example.com"))
          + fcs)
    truth.append(("dns", "wifi-ns.example.com"))
    hdr = dot11(QOS_DATA, TO_DS)                    # 26 bytes, padded to 28
    p.add(radiotap(0x20) + hdr + b"\0\0" + snap(0x0800) + dns4("wifi-pad.example.com"))
    truth.append(("dns", "wifi-pad.example.com"))
    p.add(radiotap() + dot11(DATA, TO_DS | FROM_DS, snap(0x0800) + dns4("wifi-wds.example.com")))
    truth.append(("dns", "wifi-wds.example.com"))
    p.add(radiotap() + dot11(DATA, 0, snap(0x0800) + dns4("wifi-adhoc.example.com")))
    truth.append(("dns", "wifi-adhoc.example.com"))
    p.add(radiotap() + dot11(QOS_DATA, TO_DS, snap(0x86DD) + ipv6(CLIENT6, SERVER6, 17, udp(40501, 53, dns_query(
        "wifi-v6.example.com")))))
    truth.append(("dns", "wifi-v6.example.com"))
    p.add(radiotap() + dot11(DATA, TO_DS | MORE_FRAG, snap(0x0800) + dns4("wifi-firstfrag.example.com")))
    truth.append(("dns", "wifi-firstfrag.example.com"))
    # A-MSDU of two: only the first subframe is decoded (the second counted).
    p.add(radiotap(0x10) + dot11(QOS_DATA, FROM_DS, amsdu(
        snap(0x0800) + dns4("amsdu-first.example.com", sport=40502),
        snap(0x0800) + dns4("amsdu-second.example.com", sport=40503)), qos=0x80) + fcs)
    truth.append(("dns", "amsdu-first.example.com"))
    # TLS over 802.11, client to AP and back.
    link = (lambda ip, et, from_client: radiotap() + dot11(QOS_DATA, TO_DS if from_client else FROM_DS,
                                                            snap(et) + ip))
    conn = TcpConn(p, 50200, 443, link=link)
    conn.send(True, records(client_hello("wifi-tls.example.com")))
    truth.append(("sni", "wifi-tls.example.com"))

    # Encrypted: 3 frames of BSSID_A (to the AP), 2 of BSSID_B (from it).
    # The last is a cleartext query with the Protected bit set: not read.
    bssids = {}
    for bssid, fc1, n in ((BSSID_A, TO_DS, 3), (BSSID_B, FROM_DS, 2)):
        for i in range(n):
            frame = radiotap() + dot11(QOS_DATA, fc1 | PROTECTED, bytes(range(8)) + noise(40 + i * 10, i)
                                       if i < n - 1 else snap(0x0800) + dns4("encrypted.example.com"),
                                       bssid=bssid)
            p.add(frame)
            e = bssids.setdefault(bssid.hex(":"), [0, 0])
            e[0] += 1
            e[1] += len(frame)
    # Nothing to decode: a beacon, an ACK, null and QoS null; a later fragment.
    p.add(radiotap() + dot11(BEACON, 0, b"\0" * 10 + b"\x64\0\x01\0\0\0"))   # SSID ""
    p.add(radiotap() + bytes([ACK, 0]) + b"\0\0" + STA)
    p.add(radiotap() + dot11(NULL_DATA, TO_DS | 0x10))
    p.add(radiotap() + dot11(QOS_NULL, TO_DS))
    p.add(radiotap() + dot11(DATA, TO_DS, snap(0x0800) + dns4("wifi-frag2.example.com"), frag=1,
                             seq=200))
    # The radio says the FCS is bad: not read, though it looks fine.
    p.add(radiotap(0x10 | 0x40) + dot11(DATA, TO_DS, snap(0x0800) + dns4("badfcs.example.com")) + fcs)
    # Malformed: radiotap cut short, it_len beyond the frame, it_len short of
    # its fields, present bitmaps that never end, protocol version 1; an
    # A-MSDU subframe longer than the frame.
    good = dot11(DATA, TO_DS, snap(0x0800) + dns4("liar.example.com"))
    p.add(radiotap()[:5])
    rt = bytearray(radiotap())
    rt[2:4] = struct.pack("<H", 5000)
    p.add(bytes(rt) + good)
    rt = bytearray(radiotap_namespaces())
    rt[2:4] = struct.pack("<H", len(rt) - 1)
    p.add(bytes(rt) + good)
    p.add(struct.pack("<BBH", 0, 0, 8 + 4 * 40) + struct.pack("<I", 1 << 31) * 41 + good)
    p.add(radiotap() + bytes([DATA | 1]) + good[1:])
    sub = SERVER_MAC + STA + struct.pack("!H", 3000) + snap(0x0800) + dns4("amsdu-liar.example.com")
    p.add(radiotap() + dot11(QOS_DATA, FROM_DS, sub, qos=0x80))
    p.close()
    write_truth(os.path.join(out, "wifi-radiotap.truth"), truth)
    expect = {
        "wifi_encrypted": [{"bssid": b, "frames": v[0], "bytes": v[1]} for b, v in sorted(bssids.items())],
        "decode": {"wifi_encrypted": 5, "wifi_management": 1, "wifi_control": 1, "wifi_null_data": 2,
                   "wifi_fragment": 1, "wifi_bad_fcs": 1, "wifi_truncated": 3, "wifi_malformed": 3,
                   "wifi_amsdu_subframes": 1, "link_unsupported": 0, "not_ip": 0},
    }
    with open(os.path.join(out, "wifi-radiotap.expect.json"), "w") as f:
        json.dump(expect, f, indent=1)


def ppi(dlt, common_flags=None, aligned=True):
    # A field of a type not known, of a length that keeps the next aligned
    # when the header says so (tshark misreads padding after an odd one).
    data = b"abcd" if aligned else b"abc"
    fields = struct.pack("<HH", 40000, len(data)) + data
    if common_flags is not None:
        fields += struct.pack("<HH", 2, 20) + struct.pack("<QHHHHBBbb", 0, common_flags, 12, 2437, 0xA0,
                                                            0, 0, -40, -90)
    return struct.pack("<BBHI", 0, 1 if aligned else 0, 8 + len(fields), dlt) + fields


def make_wifi_ppi(out):
    p = Pcap(os.path.join(out, "wifi-ppi.pcap"), linktype=192)
    truth = []
    p.add(ppi(105, 0x0001) + dot11(QOS_DATA, TO_DS, snap(0x0800) + dns4("ppi-fcs.example.com")) + b"\x01\x02\x03\x04")
    p.add(ppi(105, None, aligned=False) + dot11(DATA, FROM_DS, snap(0x0800) + dns4("ppi-nofcs.example.com")))
    p.add(ppi(105, 0x0001 | 0x0004) + dot11(DATA, TO_DS, snap(0x0800) + dns4("ppi-badfcs.example.com")) + b"\0" * 4)
    p.add(ppi(1) + eth(dns4("ppi-eth.example.com")))
    truth += [("dns", "ppi-fcs.example.com"), ("dns", "ppi-nofcs.example.com"), ("dns", "ppi-eth.example.com")]
    p.close()
    write_truth(os.path.join(out, "wifi-ppi.truth"), truth)


def make_wifi_80211(out):
    p = Pcap(os.path.join(out, "wifi-80211.pcap"), linktype=105)
    p.add(dot11(BEACON, 0, b"\0" * 10 + b"\x64\0\x01\0\0\0"))
    p.add(dot11(QOS_DATA, TO_DS, snap(0x0800) + dns4("dot11.example.com")))
    p.add(dot11(DATA, FROM_DS | PROTECTED, noise(60), bssid=BSSID_A))
    p.close()
    write_truth(os.path.join(out, "wifi-80211.truth"), [("dns", "dot11.example.com")])


AP_IP, WLC_IP = bytes([198, 18, 1, 2]), bytes([198, 18, 1, 1])


def capwap(payload, wbid=1, t=True, f=False, k=False, preamble=0, wsi=True):
    """CAPWAP data header (RFC 5415 §4.3) with wireless specific information
    (RFC 5416 §4.1) when wsi, in front of payload."""
    opt = b"\x04\xbf\x23\x00\x00\0\0\0" if wsi else b""
    hlen = (8 + len(opt)) // 4
    flags = (0x100 if t else 0) | (0x80 if f else 0) | (0x20 if wsi else 0) | (0x08 if k else 0)
    word = hlen << 19 | wbid << 9 | flags
    return bytes([preamble]) + struct.pack("!I", word)[1:] + struct.pack("!HH", 0, 0) + opt + payload


def to_wlc(capwap_msg, v6=False, sport=41264):
    seg = struct.pack("!HHHH", sport, 5247, 8 + len(capwap_msg), 0) + capwap_msg
    if v6:
        return eth(ipv6(CLIENT6, SERVER6, 17, seg), 0x86DD, vlans=((0x8100, 10),))
    return eth(ipv4(AP_IP, WLC_IP, 17, seg), vlans=((0x8100, 10),))


def make_capwap(out):
    p = Pcap(os.path.join(out, "capwap.pcap"))
    truth = []
    p.add(to_wlc(capwap(dot11(DATA, TO_DS, snap(0x0800) + dns4("capwap-rfc.example.com")))))
    p.add(to_wlc(capwap(dot11(DATA, TO_DS, snap(0x0800) + dns4("capwap-cisco.example.com"), seq=0x307,
                              swap=True))))
    p.add(to_wlc(capwap(dot11(QOS_DATA, FROM_DS, snap(0x0800) + dns4("capwap-qos.example.com"), swap=True))))
    p.add(to_wlc(capwap(eth(dns4("capwap-8023.example.com")), t=False, wsi=False)))
    p.add(to_wlc(capwap(dot11(DATA, TO_DS, snap(0x0800) + dns4("capwap-v6.example.com"))), v6=True))
    truth += [("dns", "capwap-%s.example.com" % n) for n in ("rfc", "cisco", "qos", "8023", "v6")]
    link = (lambda ip, et, from_client: to_wlc(capwap(dot11(DATA, TO_DS if from_client else FROM_DS,
                                                            snap(et) + ip, swap=True))))
    conn = TcpConn(p, 50300, 443, link=link)
    conn.send(True, records(client_hello("capwap-tls.example.com")))
    truth.append(("sni", "capwap-tls.example.com"))
    # Skipped: keep-alive, fragment, DTLS, encrypted 802.11.
    p.add(to_wlc(capwap(b"\0\0\0\0", t=False, k=True, wsi=False)))
    p.add(to_wlc(capwap(dot11(DATA, TO_DS, snap(0x0800) + dns4("capwap-frag.example.com")), f=True)))
    p.add(to_wlc(capwap(b"\x16\xfe\xfd" + noise(40), preamble=1, wsi=False)))
    p.add(to_wlc(capwap(dot11(DATA, TO_DS | PROTECTED, noise(50), bssid=BSSID_B))))
    p.close()
    write_truth(os.path.join(out, "capwap.truth"), truth)


def make_big_frame(out):
    """One 9 MiB frame of link type D-Bus (231), which libpcap allows up to
    128 MiB: larger than a replay worker's ring."""
    os.makedirs(os.path.join(out, "big"), exist_ok=True)
    p = Pcap(os.path.join(out, "big", "dbus.pcap"), linktype=231)
    p.add(b"\0" * (9 << 20))
    p.close()


# QUIC Initial protection (RFC 9001 §5.2-5.4, RFC 9369 §3.3): HKDF from the
# standard library, AES from `cryptography`.
QUIC_V1, QUIC_V2 = 0x00000001, 0x6B3343CF
QUIC_SALT = {QUIC_V1: bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"),
             QUIC_V2: bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9")}


def hkdf_expand_label(secret, label, length):
    import hashlib
    import hmac
    info = struct.pack("!HB", length, 6 + len(label)) + b"tls13 " + label + b"\0"
    return hmac.new(secret, info + b"\x01", hashlib.sha256).digest()[:length]


def quic_varint(v):
    if v < 0x40:
        return bytes([v])
    if v < 0x4000:
        return struct.pack("!H", 0x4000 | v)
    if v < 0x40000000:
        return struct.pack("!I", 0x80000000 | v)
    return struct.pack("!Q", 0xC000000000000000 | v)


def quic_crypto(offset, data):
    return b"\x06" + quic_varint(offset) + quic_varint(len(data)) + data


def quic_initial(dcid, frames, version=QUIC_V1, pn=0, pn_len=1, pad_to=1200, length_delta=0):
    """A client Initial carrying frames, PADDING to a pad_to-byte packet."""
    import hashlib
    import hmac
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    v2 = version == QUIC_V2
    initial = hmac.new(QUIC_SALT[version], dcid, hashlib.sha256).digest()
    client = hkdf_expand_label(initial, b"client in", 32)
    pre = b"quicv2 " if v2 else b"quic "
    key, iv, hp = (hkdf_expand_label(client, pre + b"key", 16), hkdf_expand_label(client, pre + b"iv", 12),
                   hkdf_expand_label(client, pre + b"hp", 16))
    head = 1 + 4 + 1 + len(dcid) + 1 + 1 + 2 + pn_len
    payload = frames + b"\0" * max(0, pad_to - head - len(frames) - 16)
    length = pn_len + len(payload) + 16
    hdr = (bytes([0xC0 | (1 if v2 else 0) << 4 | (pn_len - 1)]) + struct.pack("!I", version)
           + bytes([len(dcid)]) + dcid + b"\0" + b"\0" + struct.pack("!H", 0x4000 | (length + length_delta))
           + pn.to_bytes(pn_len, "big"))
    nonce = (int.from_bytes(iv, "big") ^ pn).to_bytes(12, "big")
    sealed = AESGCM(key).encrypt(nonce, payload, hdr)
    pn_off = len(hdr) - pn_len
    sample = sealed[4 - pn_len:4 - pn_len + 16]
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    prot = bytearray(hdr)
    prot[0] ^= mask[0] & 0x0F
    for i in range(pn_len):
        prot[pn_off + i] ^= mask[1 + i]
    return bytes(prot) + sealed


def ech_outer(config_id=0x2A, enc=32, payload=176):
    """An outer encrypted_client_hello extension (draft-ietf-tls-esni §5)."""
    body = b"\0" + struct.pack("!HHB", 1, 1, config_id) + struct.pack("!H", enc) + b"\x11" * enc
    body += struct.pack("!H", payload) + b"\x22" * payload
    return struct.pack("!HH", 0xFE0D, len(body)) + body


def make_quic(out):
    p = Pcap(os.path.join(out, "quic.pcap"))
    truth = []

    def send(sport, datagram, from_client=True, v6=False):
        if v6:
            s, d = (CLIENT6, SERVER6) if from_client else (SERVER6, CLIENT6)
            sp, dp = (sport, 443) if from_client else (443, sport)
            p.add(eth(ipv6(s, d, 17, udp(sp, dp, datagram)), 0x86DD))
        else:
            s, d = (CLIENT, SERVER) if from_client else (SERVER, CLIENT)
            sp, dp = (sport, 443) if from_client else (443, sport)
            p.add(eth(ipv4(s, d, 17, udp(sp, dp, datagram))))

    def dcid(i):
        return bytes([0x83, 0x94, i, 0xF0, 0x3E, 0x51, 0x57, 0x08])

    # 1. v1, the ClientHello in one Initial; the server's Initial is not read.
    send(41000, quic_initial(dcid(1), quic_crypto(0, client_hello("quic-one.example.com"))))
    send(41000, quic_initial(dcid(1), quic_crypto(0, client_hello("server-side.example.com"))), False)
    truth.append(("quic-sni", "quic-one.example.com"))
    # 2. v2 (RFC 9369), over IPv6.
    send(41001, quic_initial(dcid(2), quic_crypto(0, client_hello("quic-v2.example.org")), QUIC_V2), v6=True)
    truth.append(("quic-sni", "quic-v2.example.org"))
    # 3. A post-quantum-sized ClientHello (1800 bytes) over two Initials, the
    #    second sent first; its name is on the bundled C2 list.
    ch = client_hello("backuprabbit.com", pad=1700)
    cut = 1100
    send(41002, quic_initial(dcid(3), quic_crypto(cut, ch[cut:]), pn=1))
    send(41002, quic_initial(dcid(3), quic_crypto(0, ch[:cut]), pn=0, pad_to=1250))
    truth.append(("quic-sni", "backuprabbit.com"))
    # 4. Coalesced: the Initial, then a Handshake packet, in one datagram;
    #    then a 0-RTT datagram that is not read.
    hs = bytes([0xE0]) + struct.pack("!I", QUIC_V1) + b"\x08" + dcid(4) + b"\0" + quic_varint(30) + b"\x55" * 30
    send(41003, quic_initial(dcid(4), quic_crypto(0, client_hello("coalesced.example.com")), pad_to=600) + hs)
    truth.append(("quic-sni", "coalesced.example.com"))
    # 5. A 4-byte DCID (one a server chose in a Retry) is read.
    send(41004, quic_initial(dcid(5)[:4], quic_crypto(0, client_hello("short-dcid.example.com"))))
    truth.append(("quic-sni", "short-dcid.example.com"))
    # 6. ECH: the outer SNI is logged, and alerts (the ech object marks it).
    send(41005, quic_initial(dcid(6), quic_crypto(0, client_hello("ech-public.example.com", extra_first=ech_outer()))))
    truth.append(("quic-sni", "ech-public.example.com"))
    # 7. A bad tag: no name.
    bad = bytearray(quic_initial(dcid(7), quic_crypto(0, client_hello("bad-tag.example.com"))))
    bad[300] ^= 0x40
    send(41006, bytes(bad))
    # 8. A CRYPTO frame beyond the stream window: not read.
    send(41007, quic_initial(dcid(8), quic_crypto(200000, client_hello("beyond.example.com"))))
    # 9. Cut by the capture (a snaplen) and a Length beyond the datagram.
    whole = quic_initial(dcid(9), quic_crypto(0, client_hello("cut.example.com")))
    p.add(eth(ipv4(CLIENT, SERVER, 17, udp(41008, 443, whole))), caplen=200)
    send(41009, quic_initial(dcid(10), quic_crypto(0, client_hello("lying-length.example.com")), length_delta=40))
    # 10. Too short for its packet number and sample; a DCID over 20 bytes;
    #     Google QUIC; a UDP payload that only looks like a long header.
    send(41010, bytes([0xC0]) + struct.pack("!I", QUIC_V1) + b"\x08" + dcid(11) + b"\0\0\x13" + b"\x5a" * 19)
    send(41011, bytes([0xC0]) + struct.pack("!I", QUIC_V1) + b"\x15" + b"\x11" * 21 + b"\0\0" + b"\x44\x00" + b"\0" * 1100)
    send(41012, b"\xc0Q050\x08" + b"\0" * 1200)
    send(41013, b"\xc0\x12\x34\x56\x78" + b"\0" * 200)
    p.close()
    write_truth(os.path.join(out, "quic.truth"), truth)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    make_big_frame(out)
    make_c2(out)
    make_streams(out)
    make_malformed(out)
    make_pinning(out)
    make_tunnels(out)
    make_quic(out)
    make_pcapng(out)
    make_frag(out)
    make_wifi_radiotap(out)
    make_wifi_ppi(out)
    make_wifi_80211(out)
    make_capwap(out)
    make_answers(out)
    make_mdns(out)


if __name__ == "__main__":
    main()
