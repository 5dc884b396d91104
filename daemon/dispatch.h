/* dispatch.h — replay over several workers.  The reading thread hashes each
 * packet's flow (both directions alike) and hands the frame to the worker
 * that owns that flow, through a single-producer, single-consumer ring per
 * worker: no lock on the packet path, and a full ring makes the reader wait
 * (a file can be read more slowly; nothing is dropped). */
#ifndef C2W_DISPATCH_H
#define C2W_DISPATCH_H

#include <stdint.h>

#include "config.h"
#include "worker.h"

#define DISPATCH_ERR_MAX 256

struct cpus;
struct dispatch;

/* Start one thread per worker (each frame carries its own link type),
 * worker i on the i-th CPU of cpus (none: anywhere).  IP fragments are
 * reassembled by the reading thread (a table sized as c's frag section
 * says), which turns the workers' tables off. */
struct dispatch *dispatch_start(struct worker *workers, unsigned n, const struct config *c,
				const struct cpus *cpus, char err[DISPATCH_ERR_MAX]);

/* Hand one frame of link type dlt to its worker (copies it into that
 * worker's ring). */
void dispatch_packet(struct dispatch *d, int dlt, uint64_t ts_ns, const uint8_t *data,
		     uint32_t caplen, uint32_t wirelen);

/* Wait until every worker has read its ring dry, then join the threads. */
void dispatch_finish(struct dispatch *d);

#endif
