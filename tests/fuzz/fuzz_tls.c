/* fuzz_tls.c — TLS stream bytes from a record boundary through
 * tls_scan_client_hello() (records joined, RFC 8446 §5.1; ClientHello and
 * its extensions incl. server_name and ECH), whole and as a prefix cut by a
 * buffer limit; and the same bytes as a bare ClientHello body. */
#include <stdint.h>
#include <string.h>

#include "tls.h"

#include "fuzz.h"

static size_t sink_bytes;

static void on_sni(void *ctx, const struct tls_hello_info *info, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sink_bytes += (unsigned char)name[i];
	sink_bytes += info->ech;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[1 << 16];
	struct tls_hello_info info;
	size_t need, consumed;

	for (int partial = 0; partial < 2; partial++) {
		memset(&info, 0, sizeof info);
		tls_scan_client_hello(data, size, partial, scratch, sizeof scratch, on_sni, NULL,
				      &info, &need, &consumed);
	}
	/* A small scratch buffer: hellos spread over records that do not fit */
	memset(&info, 0, sizeof info);
	tls_scan_client_hello(data, size, true, scratch, 512, on_sni, NULL, &info, &need, &consumed);
	/* The bytes as a handshake body, whole and cut in half */
	memset(&info, 0, sizeof info);
	tls_parse_client_hello(data, size, &info, on_sni, NULL);
	memset(&info, 0, sizeof info);
	tls_parse_client_hello_prefix(data, size / 2, size, &info, on_sni, NULL);
	return 0;
}
