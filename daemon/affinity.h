/* affinity.h — which CPUs the capture's workers and the daemon's other
 * threads (HTTP API, alert log, list loading) may run on, so that a busy
 * API cannot take the workers' cores (cpu-affinity in the config). */
#ifndef C2W_AFFINITY_H
#define C2W_AFFINITY_H

#include <stddef.h>
#include <stdint.h>

#define CPUS_MAX 1024           /* glibc's CPU_SETSIZE */

struct cpus {
	uint16_t n;                 /* 0: no pinning, threads run anywhere */
	uint16_t cpu[CPUS_MAX];     /* in the order written, no repeats */
};

/* Parse a Linux cpulist ("0", "0-3,8", "" for none) into *out.  Every CPU
 * must be one this process may run on, as it could at the first call (before
 * any thread was pinned).  Returns 0, or -1 with a message in err saying
 * which item is wrong. */
int cpus_parse(const char *text, struct cpus *out, char *err, size_t errlen);

/* Pin the calling thread to the i-th CPU of the set (wrapping), or to the
 * whole set; nothing when the set is empty.  Returns 0 or -errno. */
int cpus_pin_one(const struct cpus *c, unsigned i);
int cpus_pin_all(const struct cpus *c);

/* Name the calling thread "PREFIX" or "PREFIXi" (i >= 0) for top -H,
 * ps -L and /proc/PID/task/TID/comm; 15 bytes are kept. */
void thread_name(const char *prefix, int i);

#endif
