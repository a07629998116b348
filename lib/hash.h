/* hash.h - 64-bit hashing for identities and digests (internal). FNV-1a
 * (Fowler/Noll/Vo, public domain algorithm) plus a final avalanche mix. */
#ifndef IKS_HASH_H
#define IKS_HASH_H

#include <stddef.h>
#include <stdint.h>

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

static inline uint64_t h_u64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (uint8_t)(v >> (8 * i));
		h *= IKS_FNV_PRIME;
	}
	return h;
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
