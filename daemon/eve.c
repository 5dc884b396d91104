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

static void put_app(struct jbuf *j, const struct sighting *s)
{
	if (s->kind == NAME_DNS) {
		jb_key(j, "dns");
		jb_obj_open(j);
		jb_kstr(j, "type", s->dns->response ? "answer" : "query");
		jb_ku64(j, "id", s->dns->id);
		jb_kstrn(j, "rrname", s->name, s->len);
		const char *t = dns_rrtype_name(s->q->qtype);
		if (t) {
			jb_kstr(j, "rrtype", t);
		} else {
			char num[16];
			snprintf(num, sizeof num, "TYPE%u", s->q->qtype);
			jb_kstr(j, "rrtype", num);
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
		jb_obj_close(j);
	} else if (s->kind == NAME_QUIC) {
		char v[16];
		jb_key(j, "quic");
		jb_obj_open(j);
		jb_kstrn(j, "sni", s->name, s->len);
		jb_kstr(j, "version", quic_version_name(s->quic_version, v, sizeof v));
		put_ech(j, s->hello);
		jb_obj_close(j);
	} else {
		jb_key(j, "tls");
		jb_obj_open(j);
		jb_kstrn(j, "sni", s->name, s->len);
		const char *v = tls_version_name(s->tls_version);
		if (v)
			jb_kstr(j, "version", v);
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
	jb_obj_close(&j);
	put_app(&j, s);
	return finish_line(&j);
}
