/* test_resolvers.c — encrypted-DNS resolvers by name and port. */
#include <string.h>

#include "check.h"
#include "resolvers.h"

static bool is_resolver(const char *s)
{
	return dns_encrypted_resolver(s, strlen(s));
}

static const char *kind(const char *sni, unsigned port, bool quic)
{
	const char *k = dns_encrypted_kind(sni, sni ? strlen(sni) : 0, (uint16_t)port, quic);

	return k ? k : "-";
}

int main(void)
{
	/* the names the providers document */
	CHECK(is_resolver("dns.google"));
	CHECK(is_resolver("cloudflare-dns.com"));
	CHECK(is_resolver("one.one.one.one"));
	CHECK(is_resolver("1dot1dot1dot1.cloudflare-dns.com"));
	CHECK(is_resolver("mozilla.cloudflare-dns.com"));
	CHECK(is_resolver("dns.quad9.net"));
	CHECK(is_resolver("dns11.quad9.net"));
	CHECK(is_resolver("doh.opendns.com"));
	CHECK(is_resolver("dns.nextdns.io"));
	CHECK(is_resolver("doh.dns.apple.com"));
	CHECK(is_resolver("dns.adguard-dns.com"));
	/* below an entry: profiles, variants; case and one trailing dot */
	CHECK(is_resolver("abc123.dns.nextdns.io"));
	CHECK(is_resolver("dns64.dns.google"));
	CHECK(is_resolver("DNS.Google."));
	CHECK(is_resolver("Family.Cloudflare-DNS.com"));
	/* not: look-alikes, parents, siblings, empty */
	CHECK(!is_resolver("notdns.google"));
	CHECK(!is_resolver("google"));
	CHECK(!is_resolver("quad9.net"));
	CHECK(!is_resolver("dns13.quad9.net"));
	CHECK(!is_resolver("www.google.com"));
	CHECK(!is_resolver("dns.google.evil.com"));
	CHECK(!is_resolver("xcloudflare-dns.com"));
	CHECK(!is_resolver(""));
	CHECK(!is_resolver("."));
	CHECK(!dns_encrypted_resolver("dns.google", 9));  /* a prefix of a name */

	CHECK_STR(kind("dns.google", 853, false), "dot");
	CHECK_STR(kind("anything.example", 853, false), "dot");
	CHECK_STR(kind(NULL, 853, false), "dot");
	CHECK_STR(kind("dns.adguard-dns.com", 853, true), "doq");
	CHECK_STR(kind("dns.adguard.com", 784, true), "doq");	/* the drafts' port */
	CHECK_STR(kind("www.example.com", 784, false), "-");
	CHECK_STR(kind("dns.google", 443, false), "doh");
	CHECK_STR(kind("dns.google", 443, true), "doh");
	CHECK_STR(kind("www.example.com", 443, false), "-");
	CHECK_STR(kind(NULL, 443, false), "-");
	return check_report("resolvers");
}
