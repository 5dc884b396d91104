/* cursor.h — the one reader of wire bytes: bounds-checked, with a sticky error.
 *
 * Every read checks the bytes left before touching memory.  After the first
 * failed read the cursor is "bad": later reads return zero and do nothing, so a
 * parser reads a record in a straight line and checks cur_ok() once. */
#ifndef C2W_CURSOR_H
#define C2W_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *base;
	size_t len;
	size_t off;
	bool err;
};

static inline void cur_init(struct cursor *c, const void *base, size_t len)
{
	c->base = base;
	c->len = len;
	c->off = 0;
	c->err = false;
}

static inline size_t cur_left(const struct cursor *c)
{
	return c->err ? 0 : c->len - c->off;
}

static inline bool cur_ok(const struct cursor *c) { return !c->err; }

/* True when n more bytes can be read; marks the cursor bad otherwise. */
static inline bool cur_need(struct cursor *c, size_t n)
{
	if (c->err || c->len - c->off < n) {
		c->err = true;
		return false;
	}
	return true;
}

static inline uint8_t cur_u8(struct cursor *c)
{
	if (!cur_need(c, 1))
		return 0;
	return c->base[c->off++];
}

static inline uint16_t cur_be16(struct cursor *c)
{
	if (!cur_need(c, 2))
		return 0;
	const uint8_t *p = c->base + c->off;
	c->off += 2;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t cur_be24(struct cursor *c)
{
	if (!cur_need(c, 3))
		return 0;
	const uint8_t *p = c->base + c->off;
	c->off += 3;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t cur_be32(struct cursor *c)
{
	if (!cur_need(c, 4))
		return 0;
	const uint8_t *p = c->base + c->off;
	c->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t cur_le32(struct cursor *c)
{
	if (!cur_need(c, 4))
		return 0;
	const uint8_t *p = c->base + c->off;
	c->off += 4;
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Pointer to the next n bytes (and step over them), or NULL. */
static inline const uint8_t *cur_bytes(struct cursor *c, size_t n)
{
	if (!cur_need(c, n))
		return NULL;
	const uint8_t *p = c->base + c->off;
	c->off += n;
	return p;
}

static inline void cur_skip(struct cursor *c, size_t n)
{
	if (cur_need(c, n))
		c->off += n;
}

/* Peek without moving; 0 when out of range (does not mark the cursor bad). */
static inline uint8_t cur_peek(const struct cursor *c, size_t ahead)
{
	if (c->err || c->len - c->off <= ahead)
		return 0;
	return c->base[c->off + ahead];
}

static inline const uint8_t *cur_pos(const struct cursor *c) { return c->base + c->off; }

#endif
