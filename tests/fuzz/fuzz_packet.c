/* fuzz_packet.c — frames of one link type through the whole packet path:
 * decode → flow → stream → DNS/TLS/QUIC → match → alert (worker_packet).
 *
 * Input: one byte, then frames.  The byte's low 5 bits pick the link type
 * (modulo the table below, every type decode.c reads), its top bit sends the
 * frames through the batched path (worker_packets) instead of one by one.
 * Each frame is [length: 2 bytes big-endian][clock step: 1 byte, in 100 ms]
 * then its bytes (cut at the end of the input).  Several frames per input let
 * flows, TCP reassembly, fragments and expiry happen. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <string.h>

#include "worker.h"

#include "fuzz.h"

/* decode_linktype_supported(), in an order the seeds rely on: do not reorder,
 * append. */
static const int dlts[] = {
	DLT_EN10MB, DLT_RAW, 101, DLT_LINUX_SLL, 276 /* LINUX_SLL2 */, DLT_NULL, DLT_LOOP,
	DLT_IEEE802_11, DLT_IEEE802_11_RADIO, 192 /* PPI */, DLT_PPP, DLT_PPP_SERIAL,
	DLT_PPP_ETHER, 228 /* IPV4 */, 229 /* IPV6 */, 239 /* NFLOG */, 258 /* PKTAP */,
};
#define NDLTS (sizeof dlts / sizeof dlts[0])
#define MAX_FRAMES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame f[MAX_FRAMES];
	uint64_t ts = 1700000000ull * 1000000000ull;
	size_t n = 0, off = 1;

	if (size < 1)
		return 0;
	int dlt = dlts[(data[0] & 0x1f) % NDLTS];
	bool batch = data[0] & 0x80;
	while (n < MAX_FRAMES && size - off >= 3) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		ts += (uint64_t)data[off + 2] * 100000000ull;
		off += 3;
		if (len > size - off)
			len = size - off;
		f[n++] = (struct frame){ ts, data + off, (uint32_t)len, (uint32_t)len };
		off += len;
	}
	fuzz_worker_begin();
	if (batch) {
		fuzz_worker_frames(dlt, f, n);
	} else {
		for (size_t i = 0; i < n; i++)
			fuzz_worker_frame(dlt, f[i].ts_ns, f[i].data, f[i].caplen);
	}
	fuzz_worker_end();
	return 0;
}
