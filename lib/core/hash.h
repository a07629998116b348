/* hash.h - 64-bit hashing for identities and digests (internal): FNV-1a
 * (Fowler/Noll/Vo, public domain algorithm) for short byte strings, word
 * mixing for values and long contents, a final avalanche mix. */
#ifndef IKS_HASH_H
#define IKS_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IKS_FNV_OFFSET 0xcbf29ce484222325ULL
#define IKS_FNV_PRIME 0x100000001b3ULL

static inline uint64_t h_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= IKS_FNV_PRIME;
	}
	return h;
}

/* One 64-bit value into h: a multiply and two shifts (was FNV over its
 * eight bytes: eight multiplies in a chain). Values are only compared
 * within one process. */
static inline uint64_t h_u64(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 32;
	return h ^ h >> 17;
}

/* Content digests of whole packets: 32 bytes at a time in four independent
 * lanes (a multiply and a shift per word; the lanes keep the multiplier
 * busy where one chain would wait on it), then eight bytes at a time, the
 * tail byte by byte. Not FNV, and not stable across machines of different
 * byte order: digests are only compared within one process. */
#define IKS_HASH_MUL 0x9e3779b97f4a7c15ULL

static inline uint64_t h_word(uint64_t h, const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	h = (h ^ w) * IKS_HASH_MUL;
	return h ^ h >> 29;
}

static inline uint64_t h_bytes_fast(uint64_t h, const uint8_t *p, size_t n)
{
	if (n >= 32) {
		uint64_t l1 = h ^ 0x243f6a8885a308d3ULL, l2 = h ^ 0x13198a2e03707344ULL,
			 l3 = h ^ 0xa4093822299f31d0ULL;
		while (n >= 32) {
			h = h_word(h, p);
			l1 = h_word(l1, p + 8);
			l2 = h_word(l2, p + 16);
			l3 = h_word(l3, p + 24);
			p += 32;
			n -= 32;
		}
		h = (h ^ (l1 << 21 | l1 >> 43)) * IKS_HASH_MUL;
		h = (h ^ (l2 << 42 | l2 >> 22)) * IKS_HASH_MUL;
		h = (h ^ l3) * IKS_HASH_MUL;
	}
	while (n >= 8) {
		h = h_word(h, p);
		p += 8;
		n -= 8;
	}
	return h_bytes(h, p, n);
}

/* final mix (splitmix64 finaliser) so that close inputs spread */
static inline uint64_t h_final(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h ? h : 1;
}

#endif
