/* eve.c — EVE-style JSON lines for names and alerts.  Time is the packet's,
 * so a replay writes the same bytes every time. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "eve.h"
#include "json.h"
#include "quic.h"

void eve_timestamp(uint64_t ts_ns, char *buf, size_t cap)
{
	time_t sec = (time_t)(ts_ns / 1000000000ull);
	unsigned usec = (unsigned)(ts_ns % 1000000000ull / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	/* The moduli tell the compiler each field's width (no truncation). */
	snprintf(buf, cap, "%04u-%02u-%02uT%02u:%02u:%02u.%06u+0000",
		 (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
		 (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
		 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u, usec % 1000000u);
}

static void put_addr(struct jbuf *j, const char *key, const struct packet *p, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];
	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, a, s, sizeof s);
	jb_kstr(j, key, s);
}

static const char *kind_name(enum name_kind k)
{
	return k == NAME_DNS ? "dns" : k == NAME_QUIC ? "quic" : "tls";
}

/* The fields every event starts with. */
static void put_header(struct jbuf *j, const struct sighting *s, const char *event_type)
{
	const struct packet *p = s->pkt;
	char ts[40];

	eve_timestamp(p->ts_ns, ts, sizeof ts);
	jb_obj_open(j);
	jb_kstr(j, "timestamp", ts);
	jb_ku64(j, "flow_id", s->flow ? s->flow->id : 0);
	jb_kstr(j, "event_type", event_type);
	put_addr(j, "src_ip", p, p->src);
	jb_ku64(j, "src_port", p->sport);
	put_addr(j, "dest_ip", p, p->dst);
	jb_ku64(j, "dest_port", p->dport);
	jb_kstr(j, "proto", p->proto == IPPROTO_NUM_TCP ? "TCP" : "UDP");
	jb_kstr(j, "app_proto", kind_name(s->kind));
	jb_kstr(j, "direction", s->dir == 0 ? "to_server" : "to_client");
	if (p->nencap) {
		/* the layers this packet came through, outermost first */
		jb_key(j, "encapsulation");
		jb_arr_open(j);
		for (unsigned i = 0; i < p->nencap; i++)
			jb_vstr(j, decode_encap_name((enum encap)p->encap[i]));
		jb_arr_close(j);
	}
}

static const char *tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	default: return NULL;
	}
}

static void put_rrtype(struct jbuf *j, uint16_t type)
{
	const char *t = dns_rrtype_name(type);
	if (t) {
		jb_kstr(j, "rrtype", t);
	} else {
		char num[16];
		snprintf(num, sizeof num, "TYPE%u", type);
		jb_kstr(j, "rrtype", num);
	}
}

static void put_ip(struct jbuf *j, int af, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];
	inet_ntop(af, a, s, sizeof s);
	jb_vstr(j, s);
}

/* A name from RDATA: the root as ".", since "" reads as nothing at all. */
static void put_target(struct jbuf *j, const char *key, const char *name, size_t len)
{
	jb_key(j, key);
	if (len)
		jb_vstrn(j, name, len);
	else
		jb_vstr(j, ".");
}

static void put_svcb(struct jbuf *j, const struct dns_svcb *sv)
{
	jb_key(j, "svcb");
	jb_obj_open(j);
	jb_ku64(j, "priority", sv->priority);
	if (sv->alpn) {
		jb_key(j, "alpn");
		jb_arr_open(j);
		for (size_t i = 0; i < sv->alpn_len; i += 1 + (size_t)sv->alpn[i])
			jb_vstrn(j, (const char *)sv->alpn + i + 1, sv->alpn[i]);
		jb_arr_close(j);
	}
	if (sv->no_default_alpn)
		jb_kbool(j, "no_default_alpn", true);
	if (sv->has_port)
		jb_ku64(j, "port", sv->port);
	if (sv->ipv4hint) {
		jb_key(j, "ipv4hint");
		jb_arr_open(j);
		for (size_t i = 0; i < sv->ipv4hint_len; i += 4)
			put_ip(j, AF_INET, sv->ipv4hint + i);
		jb_arr_close(j);
	}
	if (sv->ipv6hint) {
		jb_key(j, "ipv6hint");
		jb_arr_open(j);
		for (size_t i = 0; i < sv->ipv6hint_len; i += 16)
			put_ip(j, AF_INET6, sv->ipv6hint + i);
		jb_arr_close(j);
	}
	if (sv->ech)
		jb_kbool(j, "ech", true);
	jb_obj_close(j);
}

static void put_answer(struct jbuf *j, const struct dns_answer *a)
{
	jb_obj_open(j);
	jb_kstrn(j, "rrname", a->name, a->name_len);
	put_rrtype(j, a->type);
	jb_ku64(j, "ttl", a->ttl);
	switch (a->rdata) {
	case DNS_RDATA_ADDR4:
	case DNS_RDATA_ADDR6:
		jb_key(j, "rdata");
		put_ip(j, a->rdata == DNS_RDATA_ADDR4 ? AF_INET : AF_INET6, a->addr);
		break;
	case DNS_RDATA_NAME:
		put_target(j, "rdata", a->target, a->target_len);
		break;
	case DNS_RDATA_SVCB:
		put_target(j, "rdata", a->target, a->target_len);
		put_svcb(j, &a->svcb);
		break;
	case DNS_RDATA_NONE:
		break;
	}
	jb_obj_close(j);
}

/* What the ClientHello's encrypted_client_hello extension shows.  With an
 * outer one that is not proved unreal, the SNI is the public name of the
 * ECH configuration (the real name encrypted) whenever ECH is real; GREASE
 * ECH (draft-ietf-tls-esni §6.2), which browsers send when they have no ECH
 * configuration, cannot be told from it on the wire: hence "may be", and
 * "grease" is true or null, never false. */
static void put_ech(struct jbuf *j, const struct tls_hello_info *h)
{
	static const char *const types[] = { "none", "outer", "inner", "malformed" };
	if (!h || h->ech == TLS_ECH_NONE)
		return;
	jb_kbool(j, "sni_may_be_public_name", h->ech == TLS_ECH_OUTER && !h->ech_not_real);
	jb_key(j, "ech");
	jb_obj_open(j);
	jb_kstr(j, "type", types[h->ech & 3]);
	if (h->ech == TLS_ECH_OUTER) {
		jb_ku64(j, "config_id", h->ech_config_id);
		jb_ku64(j, "kdf_id", h->ech_kdf_id);
		jb_ku64(j, "aead_id", h->ech_aead_id);
		jb_ku64(j, "enc_len", h->ech_enc_len);
		jb_ku64(j, "payload_len", h->ech_payload_len);
		jb_key(j, "grease");
		if (h->ech_not_real)
			jb_vbool(j, true);
		else
			jb_vnull(j);
	}
	jb_obj_close(j);
}

/* Answers are written while they fit in ANSWERS_MAX bytes and leave
 * LINE_RESERVE bytes of the line for what closes it; the rest are left out
 * (answers_incomplete).  So a response padded with answers can neither push
 * its own event or alert out of the line buffer nor make every alert fill
 * the alert ring 15 times faster.  The largest answers array in the corpus
 * takes 1.6 KB. */
#define ANSWERS_MAX 4096
#define LINE_RESERVE 64

static void put_answers(struct jbuf *j, const struct dns_answers *ans)
{
	bool incomplete = ans->capped || ans->rdata_malformed || ans->result != PARSE_OK;

	if (ans->n) {
		jb_key(j, "answers");
		jb_arr_open(j);
		size_t start = j->len;
		for (size_t i = 0; i < ans->n; i++) {
			struct jb_mark m = jb_mark(j);
			put_answer(j, &ans->a[i]);
			if (j->overflow || j->cap - j->len < LINE_RESERVE || j->len - start > ANSWERS_MAX) {
				jb_rewind(j, m);
				incomplete = true;
				break;
			}
		}
		jb_arr_close(j);
	}
	if (incomplete)
		jb_kbool(j, "answers_incomplete", true);
}

static void put_app(struct jbuf *j, const struct sighting *s)
{
	if (s->kind == NAME_DNS) {
		jb_key(j, "dns");
		jb_obj_open(j);
		jb_kstr(j, "type", s->dns->response ? "answer" : "query");
		jb_ku64(j, "id", s->dns->id);
		/* rrname is the question, whatever name raised the event */
		if (s->q) {
			jb_kstrn(j, "rrname", s->q->name, s->q->name_len);
			put_rrtype(j, s->q->qtype);
		}
		if (s->dns->response) {
			static const char *const rcodes[] = {
				"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
			};
			if (s->dns->rcode < sizeof rcodes / sizeof rcodes[0])
				jb_kstr(j, "rcode", rcodes[s->dns->rcode]);
			else
				jb_ku64(j, "rcode", s->dns->rcode);
		}
		if (s->answers)
			put_answers(j, s->answers);
		jb_obj_close(j);
	} else if (s->kind == NAME_QUIC) {
		char v[16];
		jb_key(j, "quic");
		jb_obj_open(j);
		jb_kstrn(j, "sni", s->name, s->len);
		jb_kstr(j, "version", quic_version_name(s->quic_version, v, sizeof v));
		if (s->encrypted_dns)
			jb_kstr(j, "encrypted_dns", s->encrypted_dns);
		put_ech(j, s->hello);
		jb_obj_close(j);
	} else {
		jb_key(j, "tls");
		jb_obj_open(j);
		jb_kstrn(j, "sni", s->name, s->len);
		const char *v = tls_version_name(s->tls_version);
		if (v)
			jb_kstr(j, "version", v);
		if (s->encrypted_dns)
			jb_kstr(j, "encrypted_dns", s->encrypted_dns);
		put_ech(j, s->hello);
		jb_obj_close(j);
	}
}

static size_t finish_line(struct jbuf *j)
{
	jb_obj_close(j);
	jb_raw(j, "\n", 1);
	return j->overflow ? 0 : j->len;
}

size_t eve_format_name(const struct sighting *s, char *buf, size_t cap)
{
	struct jbuf j;
	jb_init(&j, buf, cap);
	put_header(&j, s, kind_name(s->kind));
	put_app(&j, s);
	return finish_line(&j);
}

size_t eve_format_alert(const struct sighting *s, const struct rule *r,
			const struct match_hit *hit, uint64_t alert_id,
			char *buf, size_t cap)
{
	struct jbuf j;
	jb_init(&j, buf, cap);
	put_header(&j, s, "alert");
	jb_ku64(&j, "alert_id", alert_id);
	jb_key(&j, "alert");
	jb_obj_open(&j);
	jb_kstr(&j, "action", "allowed");
	jb_ku64(&j, "gid", 1);
	jb_ku64(&j, "signature_id", r->id);
	jb_ku64(&j, "rev", 1);
	jb_kstr(&j, "signature", r->name);
	jb_kstr(&j, "category", r->category ? r->category : "");
	jb_ku64(&j, "severity", (uint64_t)r->severity);
	jb_kstr(&j, "severity_name", severity_name(r->severity));
	jb_kstrn(&j, "matched", hit->entry, hit->entry_len);
	jb_kstr(&j, "source", r->source ? r->source : "");
	if (s->via != VIA_QUESTION) {
		/* raised by a name in the answers, not by the question */
		jb_kstr(&j, "via", s->via == VIA_CNAME ? "cname" : "svcb");
		jb_kstrn(&j, "target", s->name, s->len);
		jb_kstrn(&j, "target_of", s->via_owner, s->via_owner_len);
	}
	jb_obj_close(&j);
	put_app(&j, s);
	return finish_line(&j);
}
