/* stats.h — named counters.  Every outcome that is not "decoded and inspected"
 * has a counter here with a stable name; /api/v1/stats shows them all.
 *
 * One writer per struct stats (the worker that owns it); readers on other
 * threads (HTTP) load with relaxed atomics, so the hot path pays a plain add. */
#ifndef C2W_STATS_H
#define C2W_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#include "bssid.h"

/* X(name, group, help) — group is "capture", "decode", "flow", "stream",
 * "app" or "output"; names are stable, they are the API. */
#define STATS_COUNTERS(X) \
	X(packets,              capture, "packets read from the capture") \
	X(bytes,                capture, "bytes on the wire of those packets") \
	X(file_truncated,       capture, "capture files that end in the middle of a record (what came before is read)") \
	X(pcapng_blocks_skipped, capture, "pcapng blocks of kinds not read: name resolution, interface statistics, decryption secrets, custom, unknown") \
	X(pcapng_unsupported_interface, capture, "pcapng interfaces of a link type not decoded (their packets are counted in link_unsupported)") \
	X(pcapng_interfaces_capped, capture, "pcapng interface descriptions beyond the 65535 kept per section") \
	X(pcapng_no_interface,  capture, "pcapng packets whose interface is not described (no description, an unreadable one, or one beyond those kept): skipped") \
	X(pcapng_malformed,     capture, "pcapng blocks that break the format within their length (a packet longer than its block, a short interface description, a bad option): skipped, or the options' defaults kept") \
	X(link_down,            capture, "times the live interface went down (not up, or no carrier): logged once, the capture resumes by itself when it is back") \
	X(ipv4,                 decode,  "IPv4 packets decoded") \
	X(ipv6,                 decode,  "IPv6 packets decoded") \
	X(tcp,                  decode,  "TCP segments decoded") \
	X(udp,                  decode,  "UDP datagrams decoded") \
	X(other_ip_proto,       decode,  "IP packets of other protocols (ICMP, ESP, ...): counted in flows, not inspected") \
	X(not_ip,               decode,  "frames that carry no IP (ARP, LLDP, ...)") \
	X(link_truncated,       decode,  "frames shorter than their link-layer header") \
	X(link_unsupported,     decode,  "frames of a link type or encapsulation not decoded") \
	X(vlan_too_deep,        decode,  "frames with more than 4 VLAN/MPLS/PPPoE layers") \
	X(ipv4_truncated,       decode,  "IPv4 headers cut short by the capture") \
	X(ipv4_malformed,       decode,  "IPv4 headers with a bad version, header length or total length") \
	X(ipv4_fragment,        decode,  "IPv4 fragments seen (reassembled; a first fragment cut short by the snaplen is inspected as far as it goes instead)") \
	X(ipv6_truncated,       decode,  "IPv6 headers or extension headers cut short") \
	X(ipv6_malformed,       decode,  "IPv6 headers with a bad version or payload length") \
	X(ipv6_fragment,        decode,  "IPv6 fragments seen (reassembled; a first fragment cut short by the snaplen is inspected as far as it goes instead)") \
	X(ipv6_ext_too_many,    decode,  "IPv6 packets with more than 8 extension headers") \
	X(ip_payload_cut,       decode,  "IP packets whose payload the capture cut short (snaplen); inspected as far as captured") \
	X(tunnel_too_deep,      decode,  "tunnels inside tunnels beyond 4 layers (IP-in-IP, GRE, VXLAN, GENEVE and Teredo share the bound)") \
	X(tunnel_truncated,     decode,  "GENEVE options, or the frame or packet header inside a tunnel, cut short") \
	X(gre,                  decode,  "GRE packets decapsulated (ERSPAN and PPTP included)") \
	X(gre_truncated,        decode,  "GRE headers, or the ERSPAN header after one, cut short") \
	X(gre_unsupported,      decode,  "GRE packets of a version, RFC 1701 routing flag or protocol type not decoded") \
	X(erspan,               decode,  "ERSPAN type I, II and III packets decapsulated") \
	X(erspan_unsupported,   decode,  "ERSPAN packets of a version or frame type not decoded") \
	X(vxlan,                decode,  "VXLAN packets (UDP 4789) decapsulated") \
	X(geneve,               decode,  "GENEVE packets (UDP 6081) decapsulated") \
	X(geneve_unsupported,   decode,  "GENEVE packets carrying a protocol other than Ethernet, IPv4 or IPv6") \
	X(teredo,               decode,  "Teredo packets (IPv6 in UDP 3544) decapsulated") \
	X(tcp_truncated,        decode,  "TCP headers cut short") \
	X(tcp_malformed,        decode,  "TCP headers with a bad data offset") \
	X(udp_truncated,        decode,  "UDP headers cut short") \
	X(udp_malformed,        decode,  "UDP headers with a bad length") \
	X(frag_datagrams,       decode,  "IP datagrams reassembled from fragments (then decoded and inspected)") \
	X(frag_overlap,         decode,  "fragmented datagrams dropped because two fragments overlapped, other than as exact duplicates (RFC 5722)") \
	X(frag_duplicate,       decode,  "fragments ignored because the same bytes were already held (exact duplicates)") \
	X(frag_too_big,         decode,  "fragmented datagrams dropped because a fragment reached past 65535 bytes") \
	X(frag_malformed,       decode,  "fragmented datagrams dropped for an empty fragment, a fragment not a multiple of 8 bytes before the last, or fragments disagreeing on the end") \
	X(frag_truncated,       decode,  "fragmented datagrams dropped because a later fragment was cut short by the snaplen") \
	X(frag_timeout,         decode,  "fragmented datagrams given up incomplete: timed out, or the input ended") \
	X(frag_evicted,         decode,  "fragmented datagrams dropped incomplete to make room (table or buffer pool full, oldest first)") \
	X(frag_no_buffer,       decode,  "fragmented datagrams dropped because the buffer pool could not hold them") \
	X(frag_too_deep,        decode,  "reassembled datagrams that were a fragment again, beyond 2 levels: not reassembled") \
	X(wifi_truncated,       decode,  "802.11 frames, radiotap or PPI headers cut short, and A-MSDUs whose first subframe runs past the frame") \
	X(wifi_malformed,       decode,  "radiotap or PPI headers that lie about their length or whose present bitmaps never end, 802.11 frames of a protocol version other than 0") \
	X(wifi_bad_fcs,         decode,  "802.11 frames the capturing radio marked as failing their FCS check") \
	X(wifi_management,      decode,  "802.11 management and extension frames (beacons, probes, ...): nothing to inspect") \
	X(wifi_control,         decode,  "802.11 control frames (ACK, RTS, block ack, ...): nothing to inspect") \
	X(wifi_null_data,       decode,  "802.11 data frames that carry no data (null, QoS null, CF-Poll)") \
	X(wifi_encrypted,       decode,  "protected 802.11 data frames: encrypted, not decoded (by BSSID in the stats' wifi_encrypted list)") \
	X(wifi_fragment,        decode,  "802.11 fragments after the first (not reassembled)") \
	X(wifi_amsdu_subframes, decode,  "A-MSDU subframes after the first of their frame, not decoded") \
	X(wifi_bssids_replaced, decode,  "BSSIDs dropped from a worker's table of encrypted frames (64) for a newer one, least recently seen first") \
	X(capwap_truncated,     decode,  "CAPWAP headers cut short") \
	X(capwap_malformed,     decode,  "CAPWAP headers with a bad version, type or header length") \
	X(capwap_fragment,      decode,  "CAPWAP data fragments (not reassembled)") \
	X(capwap_keepalive,     decode,  "CAPWAP data channel keep-alives: nothing to inspect") \
	X(capwap_dtls,          decode,  "CAPWAP data channel packets encrypted with DTLS") \
	X(flows_created,        flow,    "flows created") \
	X(flows_expired,        flow,    "flows ended by their idle timeout") \
	X(flows_evicted,        flow,    "flows evicted because the table was full (oldest first)") \
	X(stream_retransmitted, stream,  "TCP segments whose bytes were all seen before") \
	X(stream_out_of_order,  stream,  "TCP segments that arrived ahead of a gap and were held") \
	X(stream_gap,           stream,  "gaps in a TCP stream given up on (bytes never seen)") \
	X(stream_overflow,      stream,  "TCP bytes beyond the per-stream depth, not inspected") \
	X(stream_no_buffer,     stream,  "TCP streams that needed a buffer when the pool was empty") \
	X(stream_evicted,       stream,  "stream buffers taken from the stream idle longest when the pool ran out (its held bytes lost)") \
	X(dns_messages,         app,     "DNS messages parsed") \
	X(dns_truncated,        app,     "DNS messages cut short (questions before the cut still read)") \
	X(dns_malformed,        app,     "DNS messages that break the format") \
	X(dns_questions_capped, app,     "DNS questions not read because their message asked more than 16") \
	X(dns_answers,          app,     "DNS answer records read (listed in dns.answers)") \
	X(dns_answer_other_type, app,    "DNS answer records of a type whose RDATA is not decoded (listed without rdata)") \
	X(dns_answers_capped,   app,     "DNS answer records not read because their message had more than 32") \
	X(dns_answer_rdata_malformed, app, "DNS answer records skipped because their RDATA breaks their type's format") \
	X(dns_answer_truncated, app,     "DNS answer sections cut short: a record runs past the message (records before still read)") \
	X(dns_answer_malformed, app,     "DNS answer sections abandoned at an owner name that breaks the format (records before still read)") \
	X(dns_answers_not_query, app,    "DNS answer-section records not read because the opcode is not QUERY (UPDATE, NOTIFY, ...)") \
	X(dns_mdns_ignored,     app,     "mDNS messages (UDP 5353) not parsed because dns.mdns is off") \
	X(dns_llmnr_ignored,    app,     "LLMNR messages (UDP 5355) not parsed because dns.llmnr is off") \
	X(tls_client_hellos,    app,     "TLS ClientHello messages parsed") \
	X(tls_malformed,        app,     "TLS ClientHello messages that break the format") \
	X(tls_too_large,        app,     "TLS ClientHello messages, over TCP or QUIC, larger than the stream depth (parsed as far as buffered)") \
	X(tls_ech,              app,     "ClientHellos (TLS or QUIC) with an encrypted_client_hello extension") \
	X(tls_ech_malformed,    app,     "encrypted_client_hello extensions that break the format (the hello is still read)") \
	X(quic_initials,        app,     "QUIC client Initial packets decrypted") \
	X(quic_client_hellos,   app,     "ClientHellos read from QUIC Initial CRYPTO frames") \
	X(quic_decrypt_failed,  app,     "QUIC client Initial packets whose AEAD tag did not verify under their connection ID's keys") \
	X(quic_malformed,       app,     "QUIC client Initials that break the format: connection ID over 20 bytes, too short for header protection, a bad frame, no ClientHello") \
	X(quic_truncated,       app,     "QUIC packets whose header or Length runs past the datagram") \
	X(quic_unsupported_version, app, "QUIC long-header packets of a version whose Initial keys are not known (Google QUIC, old drafts)") \
	X(quic_not_initial,     app,     "QUIC 0-RTT, Handshake and Retry packets from clients before their ClientHello was read (not decryptable)") \
	X(quic_coalesced_capped, app,    "QUIC packets not read because their datagram coalesced more than 8") \
	X(quic_crypto_beyond_window, app, "QUIC CRYPTO frames, or their ends, beyond the stream depth") \
	X(quic_gave_up,         app,     "QUIC connections given up on: 16 client datagrams without a whole ClientHello") \
	X(names_dns,            app,     "DNS question names seen") \
	X(names_tls,            app,     "TLS SNI names seen") \
	X(names_quic,           app,     "QUIC SNI names seen") \
	X(names_dns_targets,    app,     "CNAME and SVCB/HTTPS target names matched (not logged as names of their own)") \
	X(names_encrypted_dns,  app,     "TLS and QUIC SNI names of encrypted DNS: to port 853 or a well-known DoH/DoT resolver") \
	X(alerts,               output,  "alerts raised") \
	X(alerts_capped,        output,  "matches not alerted because a name matched more than 8 rules") \
	X(dns_target_alerts,    output,  "alerts raised by a CNAME or SVCB/HTTPS target name (also counted in alerts)") \
	X(output_errors,        output,  "JSON lines that could not be written (disk full, closed pipe)") \
	X(output_truncated,     output,  "JSON lines cut because they outgrew the line buffer")

/* Gauges: current values, set by their owner. */
#define STATS_GAUGES(X) \
	X(flows_active,         flow,    "flows in the table now") \
	X(stream_buffers_used,  stream,  "stream buffers in use now") \
	X(frag_pending,         decode,  "fragmented datagrams being reassembled now")

enum stat_id {
#define STAT_ENUM(n, g, h) ST_##n,
	STATS_COUNTERS(STAT_ENUM)
	STATS_GAUGES(STAT_ENUM)
#undef STAT_ENUM
	ST__COUNT
};

struct stats {
	_Atomic uint64_t v[ST__COUNT];
	struct bssid_table wifi_encrypted;   /* encrypted 802.11 frames by BSSID */
};

static inline void stat_add(struct stats *s, enum stat_id id, uint64_t n)
{
	uint64_t cur = atomic_load_explicit(&s->v[id], memory_order_relaxed);
	atomic_store_explicit(&s->v[id], cur + n, memory_order_relaxed);
}

static inline void stat_inc(struct stats *s, enum stat_id id) { stat_add(s, id, 1); }

static inline void stat_set(struct stats *s, enum stat_id id, uint64_t v)
{
	atomic_store_explicit(&s->v[id], v, memory_order_relaxed);
}

static inline uint64_t stat_get(const struct stats *s, enum stat_id id)
{
	return atomic_load_explicit(&s->v[id], memory_order_relaxed);
}

struct stat_info {
	const char *name;
	const char *group;
	const char *help;
	int gauge;
};

extern const struct stat_info stat_info[ST__COUNT];

#endif
