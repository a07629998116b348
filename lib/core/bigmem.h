/*
 * bigmem.h - arrays of many megabytes (internal).
 *
 * A long capture makes per-packet arrays of hundreds of megabytes, and
 * each 4 KiB page of them costs a page fault when first touched: on a
 * 2x500k-packet correlation the faults took a third of the time. These
 * calls allocate as malloc does and then ask the kernel (Linux
 * madvise MADV_HUGEPAGE, where the system lets a program ask) to back the
 * array with 2 MiB pages: a five-hundredth of the faults. Elsewhere, or
 * for small sizes, they are plain malloc/calloc. Free with free(), except
 * what big_reserve returned.
 * Thread-safe as malloc is; no state.
 */
#ifndef IKS_BIGMEM_H
#define IKS_BIGMEM_H

#include <stddef.h>

/* malloc(n) (n 0: a block of 1 byte); NULL when out of memory. */
void *big_malloc(size_t n);
/* calloc(count, size): zeroed (a product of 0: 1 byte); NULL when out
 * of memory or the product overflows. */
void *big_calloc(size_t count, size_t size);
/* Grow (or shrink) p, of `old` bytes in use, to n bytes: like realloc,
 * the first min(old, n) bytes kept; NULL when out of memory (p is then
 * still valid, unchanged). p may be NULL (old 0). */
void *big_realloc(void *p, size_t old, size_t n);

/* Address space for an array that grows up to count elements of size
 * bytes, a cap known in advance: pages are backed (zeroed) only when
 * first touched, past the first 4 MiB in 2 MiB pages where the system
 * allows (a short capture stays small), and the block never moves. It
 * spares the copies of growing by realloc, and the moment when the old
 * and the new block are both resident. Returns NULL where it cannot be
 * had (not Linux, under 4 MiB or over 1 TiB in all, or the system
 * refuses the address space): the caller then grows with big_realloc.
 * Release with big_unreserve(p, count, size), the same count and size,
 * never with free(). */
void *big_reserve(size_t count, size_t size);
void big_unreserve(void *p, size_t count, size_t size);

#endif
