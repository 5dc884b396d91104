/* khash.h — the keyed hash of the tables whose keys come off the wire (flows,
 * fragmented datagrams) and the seed it is keyed with.  Not a MAC, but with a
 * random 128-bit seed an outsider cannot aim packets at one bucket. */
#ifndef C2W_KHASH_H
#define C2W_KHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

static inline uint64_t khash_mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* A key of len bytes, a multiple of 8 (keys are padded structs). */
static inline uint64_t khash(const uint64_t seed[2], const void *key, size_t len)
{
	const uint8_t *b = key;
	uint64_t h = seed[0];
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		h = khash_mix(h ^ w, seed[1] ^ 0x9e3779b97f4a7c15ull);
	}
	return khash_mix(h, seed[0] ^ 0xd6e8feb86659fd93ull);
}

/* A random seed; without getrandom(2), addresses (ASLR) are the best left. */
static inline void khash_seed(uint64_t seed[2], const void *salt)
{
	if (getrandom(seed, 2 * sizeof *seed, 0) != (ssize_t)(2 * sizeof *seed)) {
		seed[0] = (uint64_t)(uintptr_t)salt ^ 0x9e3779b97f4a7c15ull;
		seed[1] = (uint64_t)(uintptr_t)&seed ^ 0xc2b2ae3d27d4eb4full;
	}
}

#endif
