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
	X(ipv4_fragment,        decode,  "IPv4 fragments (not reassembled: skipped, but a first fragment cut short by the snaplen is inspected as far as it goes)") \
	X(ipv6_truncated,       decode,  "IPv6 headers or extension headers cut short") \
	X(ipv6_malformed,       decode,  "IPv6 headers with a bad version or payload length") \
	X(ipv6_fragment,        decode,  "IPv6 fragments (not reassembled: skipped, but a first fragment cut short by the snaplen is inspected as far as it goes)") \
	X(ipv6_ext_too_many,    decode,  "IPv6 packets with more than 8 extension headers") \
	X(ip_payload_cut,       decode,  "IP packets whose payload the capture cut short (snaplen); inspected as far as captured") \
	X(tunnel_too_deep,      decode,  "IP-in-IP nesting beyond the limit") \
	X(tcp_truncated,        decode,  "TCP headers cut short") \
	X(tcp_malformed,        decode,  "TCP headers with a bad data offset") \
	X(udp_truncated,        decode,  "UDP headers cut short") \
	X(udp_malformed,        decode,  "UDP headers with a bad length") \
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
	X(tls_client_hellos,    app,     "TLS ClientHello messages parsed") \
	X(tls_malformed,        app,     "TLS ClientHello messages that break the format") \
	X(tls_too_large,        app,     "TLS ClientHello messages larger than the stream depth (parsed as far as buffered)") \
	X(names_dns,            app,     "DNS question names seen") \
	X(names_tls,            app,     "TLS SNI names seen") \
	X(alerts,               output,  "alerts raised") \
	X(alerts_capped,        output,  "matches not alerted because a name matched more than 8 rules") \
	X(output_errors,        output,  "JSON lines that could not be written (disk full, closed pipe)") \
	X(output_truncated,     output,  "JSON lines cut because they outgrew the line buffer")

/* Gauges: current values, set by their owner. */
#define STATS_GAUGES(X) \
	X(flows_active,         flow,    "flows in the table now") \
	X(stream_buffers_used,  stream,  "stream buffers in use now")

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
