/* capture.h — libpcap: live capture (TPACKET_V3 ring on Linux), or replay of
 * a pcap/pcapng file, gzip-compressed or not, or standard input, streamed
 * through zlib without a temporary file. */
#ifndef C2W_CAPTURE_H
#define C2W_CAPTURE_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dispatch.h"
#include "stats.h"
#include "worker.h"

#define CAPTURE_ERR_MAX 512

struct capture;

struct capture *capture_open_live(const struct config *c, char err[CAPTURE_ERR_MAX]);
struct capture *capture_open_file(const char *path, const char *bpf, char err[CAPTURE_ERR_MAX]);
void capture_close(struct capture *cap);

int capture_datalink(const struct capture *cap);

/* Does each interface of the input have its link type (pcapng)?  Then
 * capture_datalink() is the first interface's, and every interface whose
 * link type is not decoded is named as it is read. */
bool capture_link_per_interface(const struct capture *cap);

/* Counters of the reading thread (the capture group's pcapng_*): one writer,
 * the thread in capture_run(). */
const struct stats *capture_stats(const struct capture *cap);
bool capture_is_live(const struct capture *cap);

/* Live: this capture follows the interface's state for all that share it:
 * logs once when it goes down and when it is back, counts link_down.  The
 * others wait as quietly.  A deleted interface ends capture_run() (-1). */
void capture_report_link(struct capture *cap);

/* Called from the packet loop about once a second (wall clock), between
 * packets: the place for housekeeping that must not race the worker. */
typedef void (*capture_tick_fn)(void *ctx);

/* Where a run's packets go: straight to workers[0], or through a dispatcher
 * to all of them (replay over several workers).  Progress sums them all. */
struct capture_target {
	struct worker *workers;
	unsigned nworkers;
	struct dispatch *dispatch;
};

/* Read packets until the input ends (replay), *stop is set, or a capture
 * error occurs (-1, message in err). */
int capture_run(struct capture *cap, const struct capture_target *t, atomic_int *stop,
		bool progress, capture_tick_fn tick, void *tick_ctx, char err[CAPTURE_ERR_MAX]);

/* Did the replayed file end in the middle of a record (read up to there)? */
bool capture_was_cut(const struct capture *cap);

/* Live: share the interface's packets with the other captures that join the
 * same group, by a symmetric flow hash in the kernel (PACKET_FANOUT_HASH), so
 * both directions of a flow reach the same worker. */
int capture_join_fanout(struct capture *cap, uint16_t group, char err[CAPTURE_ERR_MAX]);

/* Kernel counters of a live capture, refreshed by the capture loop about once
 * a second; safe to read from another thread.  Zero for replay. */
struct capture_counters {
	uint64_t received;
	uint64_t dropped;        /* dropped by the kernel: buffer full */
	uint64_t if_dropped;     /* dropped by the interface/driver */
};
void capture_counters(const struct capture *cap, struct capture_counters *out);

#endif
