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
#include <string.h>

#include "resolvers.h"

static const char *const resolvers[] = {
	"dns.google", "dns.google.com",
	"cloudflare-dns.com", "one.one.one.one",
	"dns.quad9.net", "dns9.quad9.net", "dns10.quad9.net", "dns11.quad9.net",
	"dns12.quad9.net",
	"doh.opendns.com", "doh.familyshield.opendns.com",
	"dns.nextdns.io",
	"dns.adguard-dns.com", "unfiltered.adguard-dns.com", "family.adguard-dns.com",
	"d.adguard-dns.com", "dns.adguard.com", "dns-family.adguard.com",
	"dns-unfiltered.adguard.com",
	"doh.dns.apple.com",
	"dns.mullvad.net",
	"doh.cleanbrowsing.org", "family-filter-dns.cleanbrowsing.org",
	"adult-filter-dns.cleanbrowsing.org", "security-filter-dns.cleanbrowsing.org",
	"freedns.controld.com", "dns.controld.com",
	"doh.xfinity.com",
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* name ends with the label sequence e: equal, or with a '.' before it. */
static bool in_subtree(const char *name, size_t len, const char *e)
{
	size_t elen = strlen(e);

	if (len < elen || (len > elen && name[len - elen - 1] != '.'))
		return false;
	for (size_t i = 0; i < elen; i++)
		if (lower(name[len - elen + i]) != e[i])
			return false;
	return true;
}

bool dns_encrypted_resolver(const char *name, size_t len)
{
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < sizeof resolvers / sizeof resolvers[0]; i++)
		if (in_subtree(name, len, resolvers[i]))
			return true;
	return false;
}

const char *dns_encrypted_kind(const char *sni, size_t len, uint16_t server_port, bool quic)
{
	if (server_port == DOT_PORT)
		return quic ? "doq" : "dot";
	if (len > 0 && dns_encrypted_resolver(sni, len))
		return "doh";
	return NULL;
}
