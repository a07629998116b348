/* zero.h - clearing a block of known size through the C library (internal).
 *
 * With a constant size GCC inlines memset as `rep stos`, which on the AMD
 * EPYC the benchmarks run on took 13% of ikedump --count (1 KB per frame in
 * iks_decode); the library's vector memset does the same in a few cycles.
 * The size is passed through an empty asm statement so that it is no
 * longer a compile-time constant. Use it only on hot paths. */
#ifndef IKS_ZERO_H
#define IKS_ZERO_H

#include <stddef.h>
#include <string.h>

static inline void iks_zero(void *p, size_t n)
{
	__asm__("" : "+r"(n));
	memset(p, 0, n);
}

#endif
