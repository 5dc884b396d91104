/* resolvers.c — the well-known public encrypted-DNS resolvers, by name.
 *
 * Each entry also covers the names below it (profiles such as
 * <id>.dns.nextdns.io, filtered variants such as family.cloudflare-dns.com).
 * The entries are the DoH/DoT host names the providers document:
 *   Google      https://developers.google.com/speed/public-dns/docs/secure-transports
 *   Cloudflare  https://developers.cloudflare.com/1.1.1.1/encryption/
 *               https://developers.cloudflare.com/1.1.1.1/setup/ (1.1.1.1 for Families)
 *   Quad9       https://www.quad9.net/service/service-addresses-and-features
 *   OpenDNS     https://support.opendns.com/hc/en-us/articles/360038086532
 *   NextDNS     https://my.nextdns.io (setup page: dns.nextdns.io/<id>, <id>.dns.nextdns.io)
 *   AdGuard     https://adguard-dns.io/kb/general/dns-providers/
 *   Mullvad     https://mullvad.net/en/help/dns-over-https-and-dns-over-tls
 *   CleanBrowsing https://cleanbrowsing.org/filters/
 *   Control D   https://docs.controld.com/docs/free-dns
 *   Comcast, and the list above, in Chromium's DoH provider list
 *               (net/dns/public/doh_provider_entry.cc)
 *   Apple       doh.dns.apple.com: no provider page; the name Apple devices use.
 * A resolver's own web page on the same name (dns.google, one.one.one.one)
 * is counted too: the name is all there is to go by. */
#include "resolvers.h"

/* The names, with their lengths worked out at compile time. */
#define R(s) { s, sizeof s - 1 }
static const struct { const char *name; size_t len; } resolvers[] = {
	R("dns.google"), R("dns.google.com"),
	R("cloudflare-dns.com"), R("one.one.one.one"),
	R("dns.quad9.net"), R("dns9.quad9.net"), R("dns10.quad9.net"), R("dns11.quad9.net"),
	R("dns12.quad9.net"),
	R("doh.opendns.com"), R("doh.familyshield.opendns.com"),
	R("dns.nextdns.io"),
	R("dns.adguard-dns.com"), R("unfiltered.adguard-dns.com"), R("family.adguard-dns.com"),
	R("d.adguard-dns.com"), R("dns.adguard.com"), R("dns-family.adguard.com"),
	R("dns-unfiltered.adguard.com"),
	R("doh.dns.apple.com"),
	R("dns.mullvad.net"),
	R("doh.cleanbrowsing.org"), R("family-filter-dns.cleanbrowsing.org"),
	R("adult-filter-dns.cleanbrowsing.org"), R("security-filter-dns.cleanbrowsing.org"),
	R("freedns.controld.com"), R("dns.controld.com"),
	R("doh.xfinity.com"),
};
#undef R

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* name ends with the label sequence e: equal, or with a '.' before it. */
/* Compared from the end: every ClientHello asks, and names differ soonest
 * in their last labels. */
static bool in_subtree(const char *name, size_t len, const char *e, size_t elen)
{
	if (len < elen || (len > elen && name[len - elen - 1] != '.'))
		return false;
	for (size_t i = elen; i-- > 0;)
		if (lower(name[len - elen + i]) != e[i])
			return false;
	return true;
}

bool dns_encrypted_resolver(const char *name, size_t len)
{
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < sizeof resolvers / sizeof resolvers[0]; i++)
		if (in_subtree(name, len, resolvers[i].name, resolvers[i].len))
			return true;
	return false;
}

const char *dns_encrypted_kind(const char *sni, size_t len, uint16_t server_port, bool quic)
{
	if (server_port == DOT_PORT)
		return quic ? "doq" : "dot";
	if (quic && server_port == DOQ_DRAFT_PORT)
		return "doq";
	if (len > 0 && dns_encrypted_resolver(sni, len))
		return "doh";
	return NULL;
}
