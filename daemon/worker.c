/* worker.c — per-packet inspection: which parser reads which bytes, and what
 * happens to a name once it is read (names log, matcher, alerts). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "eve.h"
#include "name.h"
#include "quic.h"
#include "resolvers.h"
#include "tls.h"
#include "worker.h"

#define DNS_PORT 53
#define MDNS_PORT 5353            /* RFC 6762 */
#define LLMNR_PORT 5355           /* RFC 4795 */
#define DNS_MAX_QUESTIONS 16      /* questions read per DNS message */
#define TLS_PROBE_SEGMENTS 16     /* client segments tried for a ClientHello before giving up */
#define QUIC_PROBE_DATAGRAMS 16   /* client QUIC datagrams read for a ClientHello before giving up */
#define EXPIRE_BUDGET 4            /* flows expired per packet at most: bounded work */

static void release_flow(void *ctx, struct flow *f)
{
	struct worker *w = ctx;
	stream_release(w->streams, &f->dir[0]);
	stream_release(w->streams, &f->dir[1]);
}

int worker_init(struct worker *w, const struct config *c, const struct ruleset *rs,
		struct sink *sink, unsigned index, unsigned count)
{
	struct flow_config fc = {
		.max = c->flow_max,
		.timeout_s = { [FC_TCP] = c->timeout_tcp, [FC_UDP] = c->timeout_udp,
			       [FC_OTHER] = c->timeout_other },
		.id_first = index + 1,
		.id_step = count,
	};
	memset(&w->stats, 0, sizeof w->stats);
	w->rules = rs;
	w->rules_current = NULL;
	atomic_init(&w->rules_in_use, rs);
	w->sink = sink;
	w->recent = sink->recent && index < sink->recent->nrings ? &sink->recent->rings[index] : NULL;
	w->names_len = 0;
	w->now_ns = 0;
	w->mdns_on = c->dns_mdns;
	w->llmnr_on = c->dns_llmnr;
	w->streams = stream_pool_new(c->stream_buffers, c->stream_depth, &w->stats);
	w->flows = flow_table_new(&fc, &w->stats, release_flow, w);
	w->memo = match_memo_new();
	w->quic = quic_new();
	struct frag_config gc = { c->frag_max, c->frag_bytes, c->frag_timeout };
	w->frag = frag_table_new(&gc, &w->stats);
	if (!w->streams || !w->flows || !w->memo || !w->quic || !w->frag) {
		worker_free(w);
		return -1;
	}
	return 0;
}

void worker_free(struct worker *w)
{
	flow_table_free(w->flows);
	stream_pool_free(w->streams);
	match_memo_free(w->memo);
	quic_free(w->quic);
	w->quic = NULL;
	frag_table_free(w->frag);
	w->frag = NULL;
	w->memo = NULL;
	w->flows = NULL;
	w->streams = NULL;
}

/* f is read under the lock: SIGHUP may have replaced it. */
static void write_line(struct worker *w, FILE **f, const char *line, size_t len, bool flush)
{
	if (!len) {
		stat_inc(&w->stats, ST_output_truncated);
		return;
	}
	pthread_mutex_lock(&w->sink->lock);
	if (*f && (fwrite(line, 1, len, *f) != len || (flush && fflush(*f) != 0)))
		stat_inc(&w->stats, ST_output_errors);
	pthread_mutex_unlock(&w->sink->lock);
}

static void flush_names(struct worker *w)
{
	if (!w->names_len)
		return;
	write_line(w, &w->sink->names, w->names_out, w->names_len, false);
	w->names_len = 0;
}

static void gather_name(struct worker *w, size_t len)
{
	if (!len) {
		stat_inc(&w->stats, ST_output_truncated);
		return;
	}
	if (sizeof w->names_out - w->names_len < len)
		flush_names(w);
	memcpy(w->names_out + w->names_len, w->line, len);
	w->names_len += len;
}

struct alert_ctx {
	const struct sighting *s;
	const struct rule *rule;
	const struct match_hit *hit;
};

static size_t format_alert(void *ctx, uint64_t id, char *buf, size_t cap)
{
	const struct alert_ctx *a = ctx;
	return eve_format_alert(a->s, a->rule, a->hit, id, buf, cap);
}

/* What the alert store keeps beside an alert's text, for queries. */
static void alert_meta_of(const struct sighting *s, const struct rule *r, struct alert_meta *m)
{
	const struct packet *p = s->pkt;
	m->ts_ns = p->ts_ns;
	m->rule_id = r->id;
	m->severity = (uint8_t)r->severity;
	if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->src, m->src, sizeof m->src))
		m->src[0] = '\0';
	size_t n = s->len < sizeof m->name - 1 ? s->len : sizeof m->name - 1;
	memcpy(m->name, s->name, n);
	m->name[n] = '\0';
	m->signature = r->name;
	m->throttle_s = r->throttle_s;
}

/* A name was read: log it, match it, alert on every rule it hits. */
static void sighted(struct worker *w, struct sighting *s)
{
	if (s->len == 0)
		return;                          /* the root: nothing to match */
	if (s->kind == NAME_DNS)
		stat_inc(&w->stats, s->via == VIA_QUESTION ? ST_names_dns : ST_names_dns_targets);
	else
		stat_inc(&w->stats, s->kind == NAME_QUIC ? ST_names_quic : ST_names_tls);

	/* A target in the answers is in its question's line already. */
	if (w->sink->names_on && s->via == VIA_QUESTION)
		gather_name(w, eve_format_name(s, w->line, sizeof w->line));
	if (w->recent && s->via == VIA_QUESTION) {
		const struct packet *p = s->pkt;
		recent_put(w->recent, p->ts_ns, s->flow ? s->flow->id : 0, s->kind, p->family, (unsigned)s->dir,
			   p->src, p->dst, p->sport, p->dport, s->name, s->len);
	}

	struct match_hit hits[WORKER_LOOKUP_HITS];
	size_t n = matcher_lookup_memo(w->rules->matcher, w->memo, s->name, s->len,
					hits, WORKER_LOOKUP_HITS);
	if (n > WORKER_MAX_HITS) {
		stat_add(&w->stats, ST_alerts_capped, n - WORKER_MAX_HITS);
		n = WORKER_MAX_HITS;
	}
	for (size_t i = 0; i < n; i++) {
		struct alert_ctx a = { s, &w->rules->rules[hits[i].rule], &hits[i] };
		struct alert_meta meta;
		size_t len;
		alert_meta_of(s, a.rule, &meta);
		if (!alert_store_add(w->sink->store, &meta, format_alert, &a, w->line, sizeof w->line, &len))
			continue;                /* a repeat, folded into its first (alert store dedup) */
		stat_inc(&w->stats, ST_alerts);
		if (s->via != VIA_QUESTION)
			stat_inc(&w->stats, ST_dns_target_alerts);
		if (w->sink->alerts_on) {
			/* The names gathered so far go first: a single worker's
			 * events come out in packet order even in one file. */
			flush_names(w);
			write_line(w, &w->sink->alerts, w->line, len, false);
			w->alerts_unflushed = true;  /* flushed once the packet is done */
		}
	}
}

static bool same_name(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i], y = b[i];
		if ((x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) != (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y))
			return false;
	}
	return true;
}

/* The CNAME targets and SVCB/HTTPS TargetNames of the answers are matched as
 * names of their own: a C2 behind a CNAME chain is still C2.  Each once per
 * message, and not when it is the question again.  Their events are those
 * of the (first) question, which lists them in its answers. */
static void dns_targets(struct worker *w, const struct dns_question *q)
{
	const struct dns_answers *ans = &w->answers;
	for (size_t i = 0; i < ans->n; i++) {
		const struct dns_answer *a = &ans->a[i];
		bool again = q && same_name(a->target, a->target_len, q->name, q->name_len);
		if (a->rdata != DNS_RDATA_NAME && a->rdata != DNS_RDATA_SVCB)
			continue;
		for (size_t k = 0; k < i && !again; k++)
			again = (ans->a[k].rdata == DNS_RDATA_NAME || ans->a[k].rdata == DNS_RDATA_SVCB) &&
				same_name(a->target, a->target_len, ans->a[k].target, ans->a[k].target_len);
		if (again)
			continue;
		struct sighting s = {
			.kind = NAME_DNS, .pkt = &w->pkt, .flow = w->flow, .dir = w->dir,
			.name = a->target, .len = a->target_len, .dns = &ans->h, .q = q,
			.answers = ans, .via = a->rdata == DNS_RDATA_NAME ? VIA_CNAME : VIA_SVCB,
			.via_owner = a->name, .via_owner_len = a->name_len,
		};
		sighted(w, &s);
	}
}

static void dns_question(void *ctx, const struct dns_header *h, const struct dns_question *q)
{
	struct worker *w = ctx;
	/* Real messages ask one question; a message asking thousands must not
	 * turn one packet into thousands of lookups and alerts. */
	if (++w->questions > DNS_MAX_QUESTIONS) {
		stat_inc(&w->stats, ST_dns_questions_capped);
		return;
	}
	struct sighting s = {
		.kind = NAME_DNS, .pkt = &w->pkt, .flow = w->flow, .dir = w->dir,
		.name = q->name, .len = q->name_len, .dns = h, .q = q, .answers = &w->answers,
	};
	sighted(w, &s);
	/* The answers were read before the questions: their targets go with
	 * the first question. */
	if (w->questions == 1)
		dns_targets(w, q);
}

static void count_answers(struct worker *w, const struct dns_answers *ans)
{
	stat_add(&w->stats, ST_dns_answers, ans->n);
	stat_add(&w->stats, ST_dns_answer_other_type, ans->other_type);
	stat_add(&w->stats, ST_dns_answers_capped, ans->capped);
	stat_add(&w->stats, ST_dns_answer_rdata_malformed, ans->rdata_malformed);
	stat_add(&w->stats, ST_dns_answers_not_query, ans->not_query);
	if (ans->result == PARSE_TRUNCATED)
		stat_inc(&w->stats, ST_dns_answer_truncated);
	else if (ans->result != PARSE_OK)
		stat_inc(&w->stats, ST_dns_answer_malformed);
}

static void dns_message(struct worker *w, const uint8_t *msg, size_t len, unsigned flags)
{
	w->questions = 0;
	enum parse_result r = dns_parse(msg, len, flags, &w->answers, dns_question, w);
	stat_inc(&w->stats, ST_dns_messages);
	if (r == PARSE_TRUNCATED)
		stat_inc(&w->stats, ST_dns_truncated);
	else if (r != PARSE_OK)
		stat_inc(&w->stats, ST_dns_malformed);
	if (!w->answers.h.ancount)
		return;
	count_answers(w, &w->answers);
	if (!w->answers.n)
		return;
	if (w->questions)
		return;                          /* targets went with the first question */
	if (w->sink->names_on) {
		/* No question (mDNS answers come so): the answers get a line
		 * of their own, without rrname. */
		struct sighting s = {
			.kind = NAME_DNS, .pkt = &w->pkt, .flow = w->flow, .dir = w->dir,
			.name = "", .dns = &w->answers.h, .answers = &w->answers,
		};
		gather_name(w, eve_format_name(&s, w->line, sizeof w->line));
	}
	dns_targets(w, NULL);
}

/* Names point into the stream bytes, which stay put until the parser returns. */
static void tls_sni(void *ctx, const struct tls_hello_info *info, const char *name, size_t len)
{
	struct worker *w = ctx;
	if (w->nsni < WORKER_MAX_SNI) {
		w->sni[w->nsni].name = name;
		w->sni[w->nsni].len = len;
		w->nsni++;
	}
}

static void hello_report(struct worker *w, const struct tls_hello_info *info, enum name_kind kind)
{
	if (info->ech != TLS_ECH_NONE)
		stat_inc(&w->stats, ST_tls_ech);
	if (info->ech == TLS_ECH_MALFORMED)
		stat_inc(&w->stats, ST_tls_ech_malformed);
	for (size_t i = 0; i < w->nsni; i++) {
		/* A ClientHello goes to the server: this packet's destination. */
		const char *edns = dns_encrypted_kind(w->sni[i].name, w->sni[i].len, w->pkt.dport,
						      kind == NAME_QUIC);
		struct sighting s = {
			.kind = kind, .pkt = &w->pkt, .flow = w->flow, .dir = w->dir,
			.name = w->sni[i].name, .len = w->sni[i].len,
			.tls_version = info->max_version ? info->max_version : info->hello_version,
			.hello = info, .quic_version = w->quic_version, .encrypted_dns = edns,
		};
		if (edns && s.len)
			stat_inc(&w->stats, ST_names_encrypted_dns);
		sighted(w, &s);
	}
	w->nsni = 0;
}

static void tls_report(struct worker *w, const struct tls_hello_info *info)
{
	hello_report(w, info, NAME_TLS);
}

static size_t tls_parser(void *ctx, const uint8_t *p, size_t len, bool full, bool *done);

/* A direction of a port-53 TCP flow that starts with a TLS handshake record
 * carrying a ClientHello is TLS, not DNS: TLS on 53/tcp gets round firewalls.
 * (A DNS message of 0x16 0x03.. bytes followed by an id with 0x01 at the
 * handshake type's place is possible, but not plausible.) */
enum { MODE_AS_FLOW = 0, MODE_DNS, MODE_TLS };

static bool starts_like_client_hello(const uint8_t *p, size_t len)
{
	return len >= 6 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04 && p[5] == 0x01;
}

/* Stream parser for TCP port 53 (RFC 1035 §4.2.2, RFC 7766): 2-byte length,
 * then the message.  A message larger than the window is read as far as it
 * was buffered, then skipped. */
static size_t dns_tcp_parser(void *ctx, const uint8_t *p, size_t len, bool full, bool *done)
{
	struct worker *w = ctx;
	struct stream_dir *sd = &w->flow->dir[w->dir];
	if (!p) {                                /* gap: the framing is lost */
		*done = true;
		return 0;
	}
	if (sd->mode == MODE_AS_FLOW) {
		if (len < 6 && !full)
			return 0;                /* too early to tell */
		sd->mode = starts_like_client_hello(p, len) ? MODE_TLS : MODE_DNS;
	}
	if (sd->mode == MODE_TLS)
		return tls_parser(ctx, p, len, full, done);
	if (len < 2)
		return 0;
	size_t mlen = (size_t)p[0] << 8 | p[1];
	if (mlen == 0)
		return 2;
	if (len - 2 < mlen) {
		if (!full)
			return 0;
		dns_message(w, p + 2, len - 2, 0);
		return 2 + mlen;
	}
	dns_message(w, p + 2, mlen, 0);
	return 2 + mlen;
}

/* Stream parser for every other TCP port: a ClientHello is found by its
 * content at the start of a segment (which may follow a cleartext preamble
 * such as STARTTLS or CONNECT); other data is passed over segment by
 * segment, for a bounded number of segments. */
static size_t tls_parser(void *ctx, const uint8_t *p, size_t len, bool full, bool *done)
{
	struct worker *w = ctx;
	struct stream_dir *sd = &w->flow->dir[w->dir];
	size_t need = 0, used = 0;
	struct tls_hello_info info;

	if (!p)
		return 0;                        /* after a gap: keep probing */
	w->nsni = 0;
	enum tls_scan r = tls_scan_client_hello(p, len, full, w->scratch, sizeof w->scratch,
						tls_sni, w, &info, &need, &used);
	switch (r) {
	case TLS_NEED_MORE:
		w->nsni = 0;
		if (full) {
			stat_inc(&w->stats, ST_tls_too_large);
			*done = true;
		}
		return 0;
	case TLS_HELLO_DONE:
		tls_report(w, &info);
		stat_inc(&w->stats, ST_tls_client_hellos);
		if (full)       /* read from a prefix: the hello outgrew the window */
			stat_inc(&w->stats, ST_tls_too_large);
		*done = true;
		return 0;
	case TLS_HELLO_BAD:
		tls_report(w, &info);            /* names met before the fault stand */
		stat_inc(&w->stats, ST_tls_malformed);
		*done = true;
		return 0;
	case TLS_NOT_HELLO:
	default:
		if (++sd->probes >= TLS_PROBE_SEGMENTS)
			*done = true;
		return len;
	}
}

static void inspect_tcp(struct worker *w, struct flow *f, int dir)
{
	struct packet *p = &w->pkt;
	struct stream_dir *sd = &f->dir[dir];
	uint32_t seq = p->seq;

	if (p->tcp_flags & TCPF_SYN) {
		stream_syn(w->streams, sd, p->seq);
		seq++;
	}
	if (!p->payload_len || sd->done)
		return;
	stream_parser_fn fn = f->app == APP_DNS ? dns_tcp_parser : tls_parser;
	stream_segment(w->streams, sd, seq, p->payload, p->payload_len, fn, w);
}

/* Stream parser for the client's Initial CRYPTO stream: one ClientHello. */
static size_t quic_parser(void *ctx, const uint8_t *p, size_t len, bool full, bool *done)
{
	struct worker *w = ctx;
	struct tls_hello_info info;
	bool cut;

	*done = true;
	if (!p)
		return 0;                        /* a gap: offset 0 is lost */
	w->nsni = 0;
	switch (quic_scan_hello(p, len, full, &info, tls_sni, w, &cut)) {
	case TLS_NEED_MORE:
		w->nsni = 0;
		*done = false;
		break;
	case TLS_HELLO_DONE:
		hello_report(w, &info, NAME_QUIC);
		stat_inc(&w->stats, ST_quic_client_hellos);
		if (cut)
			stat_inc(&w->stats, ST_tls_too_large);
		break;
	case TLS_HELLO_BAD:
		hello_report(w, &info, NAME_QUIC);  /* names met before the fault stand */
		stat_inc(&w->stats, ST_quic_malformed);
		break;
	case TLS_NOT_HELLO:
	default:
		stat_inc(&w->stats, ST_quic_malformed);
		break;
	}
	return 0;
}

/* A CRYPTO frame of a client Initial: into the flow's client stream, where
 * the offset is the sequence number (the stream starts at 0). */
static void quic_crypto(void *ctx, uint32_t version, uint64_t off, const uint8_t *data, size_t len)
{
	struct worker *w = ctx;
	struct flow *f = w->flow;
	struct stream_dir *sd = &f->dir[0];
	uint32_t depth = stream_pool_depth(w->streams);

	if (f->app != APP_QUIC) {
		f->app = APP_QUIC;
		stream_syn(w->streams, sd, UINT32_MAX);
	}
	if (sd->done)
		return;
	if (off >= depth || len > depth - off) {
		stat_inc(&w->stats, ST_quic_crypto_beyond_window);
		if (off >= depth)
			return;
		len = depth - (size_t)off;
	}
	w->quic_version = version;
	stream_segment(w->streams, sd, (uint32_t)off, data, len, quic_parser, w);
}

/* A UDP payload with the long-header bit: QUIC Initials are read from the
 * client until its ClientHello is (server packets are keyed otherwise). */
static void inspect_quic(struct worker *w, struct flow *f)
{
	struct stream_dir *sd = &f->dir[0];
	struct packet *p = &w->pkt;

	if (w->dir != 0 || sd->done)
		return;
	if (quic_client_datagram(w->quic, p->payload, p->payload_len, &w->stats,
				 quic_crypto, w) == QUIC_NOT_QUIC)
		return;
	if (!sd->done && ++sd->probes >= QUIC_PROBE_DATAGRAMS) {
		stat_inc(&w->stats, ST_quic_gave_up);
		stream_release(w->streams, sd);
		sd->done = 1;
	}
}

/* Before a packet is inspected: its counters, the clock, bounded expiry. */
static void account(struct worker *w, uint64_t ts_ns, uint32_t wirelen)
{
	stat_inc(&w->stats, ST_packets);
	stat_add(&w->stats, ST_bytes, wirelen);
	if (ts_ns > w->now_ns)
		w->now_ns = ts_ns;
	flow_expire(w->flows, w->now_ns, EXPIRE_BUDGET);
	if (w->frag)
		frag_expire(w->frag, w->now_ns, EXPIRE_BUDGET);
}

/* What a new flow carries, by its ports (decided once, when it is created):
 * port 53 first; mDNS and LLMNR over UDP; the rest is probed for TLS or QUIC. */
static uint8_t flow_app_of(const struct packet *p)
{
	if (p->sport == DNS_PORT || p->dport == DNS_PORT)
		return APP_DNS;
	if (p->proto == IPPROTO_NUM_UDP) {
		if (p->sport == MDNS_PORT || p->dport == MDNS_PORT)
			return APP_MDNS;
		if (p->sport == LLMNR_PORT || p->dport == LLMNR_PORT)
			return APP_LLMNR;
	}
	return APP_TLS;
}

/* w->pkt is decoded and ref prepared: find its flow and read its payload. */
static void inspect(struct worker *w, const struct flow_ref *ref)
{
	struct packet *p = &w->pkt;
	bool created;
	struct flow *f = flow_get_ref(w->flows, p, ref, &w->dir, &created);
	if (!f)
		return;
	w->flow = f;
	if (created && (p->proto == IPPROTO_NUM_TCP || p->proto == IPPROTO_NUM_UDP))
		f->app = flow_app_of(p);

	if (p->proto == IPPROTO_NUM_UDP) {
		if (!p->payload_len)
			return;
		if (f->app == APP_DNS)
			dns_message(w, p->payload, p->payload_len, 0);
		else if (f->app == APP_MDNS && w->mdns_on)
			dns_message(w, p->payload, p->payload_len, DNS_F_MDNS);
		else if (f->app == APP_MDNS)
			stat_inc(&w->stats, ST_dns_mdns_ignored);
		else if (f->app == APP_LLMNR && w->llmnr_on)
			dns_message(w, p->payload, p->payload_len, 0);
		else if (f->app == APP_LLMNR)
			stat_inc(&w->stats, ST_dns_llmnr_ignored);
		else if (p->payload[0] & 0x80)
			inspect_quic(w, f);
	} else if (p->proto == IPPROTO_NUM_TCP) {
		inspect_tcp(w, f, w->dir);
	}
}

static void flush_alerts(struct worker *w)
{
	if (w->alerts_unflushed) {
		/* Alerts are rare and must not wait in a buffer. */
		pthread_mutex_lock(&w->sink->lock);
		if (w->sink->alerts && fflush(w->sink->alerts) != 0)
			stat_inc(&w->stats, ST_output_errors);
		pthread_mutex_unlock(&w->sink->lock);
		w->alerts_unflushed = false;
	}
}

/* w->pkt is a fragment: into the table; a datagram it makes whole is
 * decoded and inspected now, in packet order.  One that is a fragment
 * again (a fragmented tunnel carrying fragments) goes round once more. */
static void reassemble(struct worker *w)
{
	struct frag_datagram d;
	struct flow_ref ref;
	enum decode_result r = DECODE_FRAGMENT;
	for (int n = 0; r == DECODE_FRAGMENT; n++) {
		if (!w->frag)
			return;                  /* counted; reassembled upstream */
		if (n == FRAG_MAX_NEST) {
			stat_inc(&w->stats, ST_frag_too_deep);
			return;
		}
		if (!frag_add(w->frag, &w->pkt, &d))
			return;
		r = frag_decode(&d, w->pkt.ts_ns, &w->pkt, &w->stats);
	}
	if (r == DECODE_PACKET) {
		flow_prepare(w->flows, &w->pkt, &ref);
		inspect(w, &ref);
	}
}

/* A frame not decoded because it is encrypted 802.11: counted by BSSID, so
 * that the operator sees which networks a monitor-mode tap cannot read. */
static void count_encrypted(struct worker *w, const struct packet *p, uint32_t wirelen)
{
	if (p->wifi_protected && bssid_count(&w->stats.wifi_encrypted, p->bssid, wirelen))
		stat_inc(&w->stats, ST_wifi_bssids_replaced);
}

void worker_packet(struct worker *w, int dlt, uint64_t ts_ns,
		   const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct flow_ref ref;
	worker_rules_sync(w);
	account(w, ts_ns, wirelen);
	enum decode_result r = decode_packet(dlt, data, caplen, &w->pkt, &w->stats);
	if (r != DECODE_SKIPPED) {
		w->pkt.ts_ns = ts_ns;
		w->pkt.wirelen = wirelen;
	}
	if (r == DECODE_PACKET) {
		flow_prepare(w->flows, &w->pkt, &ref);
		inspect(w, &ref);
	} else if (r == DECODE_FRAGMENT) {
		reassemble(w);
	} else {
		count_encrypted(w, &w->pkt, wirelen);
	}
	flush_alerts(w);
}

void worker_reassembly_upstream(struct worker *w)
{
	frag_table_free(w->frag);
	w->frag = NULL;
}

void worker_datagram(struct worker *w, uint64_t ts_ns, const struct frag_datagram *d)
{
	struct flow_ref ref;
	worker_rules_sync(w);
	if (ts_ns > w->now_ns)
		w->now_ns = ts_ns;
	if (frag_decode(d, ts_ns, &w->pkt, &w->stats) == DECODE_PACKET) {
		flow_prepare(w->flows, &w->pkt, &ref);
		inspect(w, &ref);
	}
	flush_alerts(w);
}

/* Three passes over a batch: decode and hash (prefetching the buckets),
 * prefetch the flows the buckets lead to, then inspect in order.  perf put
 * a third of a replay's time in flow lookups waiting on memory, one miss
 * after another; this way a batch's misses are in flight together. */
static void inspect_batch(struct worker *w, int dlt, const struct frame *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct packet *p = &w->batch_pkt[i];
		w->batch_ok[i] = (uint8_t)decode_packet(dlt, f[i].data, f[i].caplen, p, &w->stats);
		p->ts_ns = f[i].ts_ns;
		p->wirelen = f[i].wirelen;
		if (w->batch_ok[i] == DECODE_PACKET)
			flow_prepare(w->flows, p, &w->batch_ref[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (w->batch_ok[i] == DECODE_PACKET)
			flow_prefetch(w->flows, &w->batch_ref[i]);
	for (size_t i = 0; i < n; i++) {
		account(w, f[i].ts_ns, f[i].wirelen);
		if (w->batch_ok[i] == DECODE_PACKET) {
			w->pkt = w->batch_pkt[i];
			inspect(w, &w->batch_ref[i]);
		} else if (w->batch_ok[i] == DECODE_FRAGMENT) {
			w->pkt = w->batch_pkt[i];
			reassemble(w);                   /* in packet order too */
		} else {
			count_encrypted(w, &w->batch_pkt[i], f[i].wirelen);
		}
	}
}

void worker_packets(struct worker *w, int dlt, const struct frame *f, size_t n)
{
	worker_rules_sync(w);
	for (size_t i = 0; i < n; i += WORKER_BATCH)
		inspect_batch(w, dlt, f + i, n - i < WORKER_BATCH ? n - i : WORKER_BATCH);
	flush_alerts(w);
}

void worker_tick(struct worker *w, uint64_t now_ns)
{
	worker_rules_sync(w);
	if (now_ns > w->now_ns)
		w->now_ns = now_ns;
	flow_expire(w->flows, w->now_ns, 4096);
	if (w->frag)
		frag_expire(w->frag, w->now_ns, 4096);
	flush_names(w);
}

void worker_finish(struct worker *w)
{
	/* Flows stay in the table: removing them one by one writes nothing
	 * (they have no events of their own) and cost 3% of a replay, a miss
	 * per flow; worker_free() gives the table back whole. */
	if (w->frag)
		frag_flush(w->frag);
	flush_names(w);
	/* done with the rules: a reload need not wait for this worker */
	atomic_store_explicit(&w->rules_in_use, NULL, memory_order_release);
}
