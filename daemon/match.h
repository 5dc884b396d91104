/* match.h — the compiled domain matcher.
 *
 * An entry "evil.com" matches "evil.com" and every name below it
 * ("a.b.evil.com"), never "notevil.com" or "evil.com.other.net".  Lookup walks
 * the name's label suffixes and does one hash probe per suffix: the cost grows
 * with the number of labels, never with the size of the lists.  A built matcher
 * is immutable, so readers need no lock; reload builds a new one. */
#ifndef C2W_MATCH_H
#define C2W_MATCH_H

#include <stddef.h>
#include <stdint.h>

struct matcher;

struct match_hit {
	uint32_t rule;       /* index into the rule set */
	const char *entry;   /* the list entry that matched (normalised, NUL-terminated) */
	size_t entry_len;
};

/* Builder: add normalised entries, then compile.  Duplicates are kept once per
 * rule.  Returns NULL on allocation failure. */
struct matcher *matcher_new(void);
int matcher_add(struct matcher *m, const char *name, size_t len, uint32_t rule);

/* Make room for about `names` more names now (a list's size tells), so that
 * adding them grows nothing.  A hint: 0 on success or when it cannot. */
int matcher_reserve(struct matcher *m, size_t names);
int matcher_compile(struct matcher *m);

/* Look a name up (it is normalised here: case, one trailing dot).  Writes at
 * most max hits, at most one per rule, most specific entry first; returns the
 * number written. */
size_t matcher_lookup(const struct matcher *m, const char *name, size_t len,
		      struct match_hit *hits, size_t max);

/* A worker's memory of names that matched nothing.  A tap sees the same few
 * thousand names again and again (the benchmark: 606k names, 44k distinct),
 * and with a list of millions every lookup is a miss to memory: a name
 * remembered costs one cache line instead.  Exact: names are kept whole
 * (those up to MATCH_MEMO_NAME bytes; longer ones are always looked up),
 * and a memo serves one matcher only, starting afresh when handed another.
 * Fixed size: MATCH_MEMO_SLOTS lines of 64 bytes, whatever the traffic. */
#define MATCH_MEMO_NAME 55
#define MATCH_MEMO_SLOTS (1u << 16)

struct match_memo;
struct match_memo *match_memo_new(void);
void match_memo_free(struct match_memo *memo);

/* matcher_lookup() through a memo (NULL: none).  The memo is the caller's
 * own: one thread at a time. */
size_t matcher_lookup_memo(const struct matcher *m, struct match_memo *memo, const char *name,
			   size_t len, struct match_hit *hits, size_t max);

size_t matcher_entries(struct matcher *m);         /* distinct (entry, rule) pairs so far */
size_t matcher_memory(const struct matcher *m);    /* bytes held */
void matcher_free(struct matcher *m);

#endif
