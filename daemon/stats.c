/* stats.c — the names and descriptions of the counters in stats.h. */
#include "stats.h"

const struct stat_info stat_info[ST__COUNT] = {
#define STAT_C(n, g, h) [ST_##n] = { #n, #g, h, 0 },
#define STAT_G(n, g, h) [ST_##n] = { #n, #g, h, 1 },
	STATS_COUNTERS(STAT_C)
	STATS_GAUGES(STAT_G)
#undef STAT_C
#undef STAT_G
};
