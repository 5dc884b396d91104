/* fuzz_dns.c — one DNS message (RFC 1035 §4.1) through dns_parse(): header,
 * questions and the answer section (A, AAAA, CNAME, SVCB/HTTPS), as unicast
 * DNS and as mDNS (the class's top bit a flag). */
#include <stdint.h>
#include <string.h>

#include "dns.h"

#include "fuzz.h"

static size_t sink_bytes;

/* Read every byte the parser hands back, so that ASan checks them. */
static void on_question(void *ctx, const struct dns_header *h, const struct dns_question *q)
{
	struct dns_answers *ans = ctx;
	sink_bytes += strlen(q->name) + q->name_len + q->qtype + h->qdcount;
	for (size_t i = 0; i < ans->n; i++) {
		const struct dns_answer *a = &ans->a[i];
		sink_bytes += strlen(a->name) + strlen(a->target) + a->target_len;
		if (a->rdata == DNS_RDATA_SVCB) {
			const struct dns_svcb *s = &a->svcb;
			for (size_t j = 0; j < s->alpn_len; j++)
				sink_bytes += s->alpn[j];
			for (size_t j = 0; j < s->ipv4hint_len; j++)
				sink_bytes += s->ipv4hint[j];
			for (size_t j = 0; j < s->ipv6hint_len; j++)
				sink_bytes += s->ipv6hint[j];
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_answers ans;
	dns_parse(data, size, 0, &ans, on_question, &ans);
	dns_parse(data, size, DNS_F_MDNS, &ans, on_question, &ans);
	dns_parse_message(data, size, on_question, &(struct dns_answers){ .n = 0 });
	return 0;
}
