/* bssid.h — encrypted 802.11 frames counted by BSSID: a fixed table per
 * worker, so that an operator tapping the air sees which networks hide their
 * traffic (WPA2/3 without keys shows no DNS at all).
 *
 * One writer (the worker that owns the table); the HTTP thread reads with
 * relaxed atomics and no lock, as it reads struct stats. */
#ifndef C2W_BSSID_H
#define C2W_BSSID_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BSSID_TABLE_SIZE 64

struct bssid_entry {
	_Atomic uint64_t key;     /* BSSID in the low 48 bits, bit 48 set; 0: free or changing */
	_Atomic uint64_t frames;
	_Atomic uint64_t bytes;
	uint64_t last;            /* writer only: when last counted, to replace the stalest */
};

struct bssid_table {
	struct bssid_entry e[BSSID_TABLE_SIZE];
	uint64_t clock;           /* writer only: frames counted, a clock for `last` */
	unsigned hint;            /* writer only: the slot counted last */
};

/* Count one frame of n bytes for bssid.  Returns true when the BSSID seen
 * least recently was replaced to make room for it. */
bool bssid_count(struct bssid_table *t, const uint8_t bssid[6], uint64_t n);

struct bssid_total {
	uint8_t bssid[6];
	uint64_t frames, bytes;
};

/* Merge n tables (their writers may be counting meanwhile) into out, which
 * has room for cap entries (n * BSSID_TABLE_SIZE holds them all): one entry
 * per BSSID, most frames first.  Returns how many were written. */
size_t bssid_merge(const struct bssid_table *const *t, size_t n, struct bssid_total *out,
		   size_t cap);

#endif
