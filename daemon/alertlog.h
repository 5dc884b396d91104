/* alertlog.h — the durable alert log: the store's alerts appended to a JSON
 * lines file by a writer thread of its own, rotated and gzip-compressed, and
 * read back at start so that ids and pollers' cursors survive a restart.
 *
 * The writer takes the lines from the store's ring (alert_store_lines()), in
 * id order: the ring is the bounded queue between the workers and the disk.
 * Workers never wait for the disk; an alert that leaves the ring before the
 * writer took it (a disk slower than the alerts, or failing for long) is
 * counted in log_missed. */
#ifndef C2W_ALERTLOG_H
#define C2W_ALERTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"

#define ALERT_LOG_ERR_MAX 256
#define ALERT_LOG_LINE_MAX 65536   /* longer lines are skipped at load (torn) */

enum alert_fsync { ALERT_FSYNC_NEVER, ALERT_FSYNC_INTERVAL, ALERT_FSYNC_ALWAYS };

struct alert_log_config {
	const char *path;            /* NULL or "": no file (dedup windows still close) */
	enum alert_fsync fsync;
	uint32_t fsync_interval_s;   /* ALERT_FSYNC_INTERVAL */
	uint64_t rotate_size;        /* bytes; 0: no rotation by size */
	uint32_t rotate_age_s;       /* seconds since the file was opened; 0: none by age */
	uint32_t keep;               /* rotated files kept (FILE.1.gz newest); 0: none */
	bool live;                   /* dedup windows also close on wall time */
	uint32_t load;               /* alerts loaded back at start: the ring's capacity */
};

struct alert_log;

/* Load the newest alerts back into the store (at most its capacity), then
 * start the writer.  A log that cannot be opened is not fatal: it is
 * reported in the store's health and retried.  NULL only when out of
 * memory or the thread cannot start (err set). */
struct alert_log *alert_log_start(struct alert_store *s, const struct alert_log_config *c,
				  char err[ALERT_LOG_ERR_MAX]);

/* Close every dedup window, write what is left, fsync, stop the thread. */
void alert_log_stop(struct alert_log *l);

/* ---- the reader, exposed for tests ---- */

/* One log line (without its newline): true when it is a whole JSON object
 * with an "alert_id" from 1; *id and the meta filled from its fields. */
bool alert_log_parse(const char *line, size_t len, uint64_t *id, struct alert_meta *meta);

/* Read FILE, FILE.1.gz ... FILE.keep.gz and restore the newest `max` alerts
 * into s, oldest first.  Returns the alerts restored; *torn: lines skipped
 * (cut short by a crash, not JSON, ids out of order). */
uint64_t alert_log_load(struct alert_store *s, const char *path, uint32_t keep, uint64_t max,
			uint64_t *torn);

#endif
