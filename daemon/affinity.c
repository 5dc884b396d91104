/* affinity.c — CPU sets for threads: parse a cpulist, pin the caller. */
#include "affinity.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int number(const char **p, unsigned long *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno || end - *p > 5)
		return -1;
	*p = end;
	return 0;
}

/* The CPUs the process may run on, read once, at the first parse: startup,
 * before any thread is pinned.  A reload parses on a thread pinned to the
 * management CPUs, whose own mask would refuse the workers'. */
static cpu_set_t process_cpus;
static int process_cpus_err;

static void read_process_cpus(void)
{
	if (sched_getaffinity(0, sizeof process_cpus, &process_cpus) != 0)
		process_cpus_err = errno;
}

int cpus_parse(const char *text, struct cpus *out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const cpu_set_t *allowed = &process_cpus;
	cpu_set_t seen;
	const char *p = text;

	out->n = 0;
	CPU_ZERO(&seen);
	pthread_once(&once, read_process_cpus);
	if (process_cpus_err) {
		snprintf(err, errlen, "cannot read this process's CPUs: %s", strerror(process_cpus_err));
		return -1;
	}
	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	for (;;) {
		const char *item = p;
		unsigned long lo, hi;

		if (number(&p, &lo) < 0)
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (number(&p, &hi) < 0 || hi < lo)
				goto bad;
		}
		for (unsigned long c = lo; c <= hi; c++) {
			if (c >= CPUS_MAX || !CPU_ISSET((int)c, allowed)) {
				snprintf(err, errlen, "CPU %lu is not one this process may run on (allowed: %d CPUs)",
					 c, CPU_COUNT(allowed));
				return -1;
			}
			if (CPU_ISSET((int)c, &seen)) {
				snprintf(err, errlen, "CPU %lu is listed twice", c);
				return -1;
			}
			CPU_SET((int)c, &seen);
			out->cpu[out->n++] = (uint16_t)c;
		}
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (*p++ != ',')
			goto bad;
		while (*p == ' ')
			p++;
		continue;
bad:
		snprintf(err, errlen, "'%.32s' is not a CPU list item: expected N or N-M, "
			 "separated by commas (e.g. \"0-3,8\")", item);
		out->n = 0;
		return -1;
	}
}

static int pin(const cpu_set_t *set)
{
	int rc = pthread_setaffinity_np(pthread_self(), sizeof *set, set);
	return rc ? -rc : 0;
}

int cpus_pin_one(const struct cpus *c, unsigned i)
{
	cpu_set_t set;

	if (!c || !c->n)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(c->cpu[i % c->n], &set);
	return pin(&set);
}

int cpus_pin_all(const struct cpus *c)
{
	cpu_set_t set;

	if (!c || !c->n)
		return 0;
	CPU_ZERO(&set);
	for (unsigned i = 0; i < c->n; i++)
		CPU_SET(c->cpu[i], &set);
	return pin(&set);
}

void thread_name(const char *prefix, int i)
{
	char name[16];

	if (i >= 0)
		snprintf(name, sizeof name, "%s%d", prefix, i);
	else
		snprintf(name, sizeof name, "%s", prefix);
	pthread_setname_np(pthread_self(), name);
}
