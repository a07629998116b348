/*
 * bigmem.h - arrays of many megabytes (internal).
 *
 * A long capture makes per-packet arrays of hundreds of megabytes, and
 * each 4 KiB page of them costs a page fault when first touched: on a
 * 2x500k-packet correlation the faults took a third of the time. These
 * calls allocate as malloc does and then ask the kernel (Linux
 * madvise MADV_HUGEPAGE, where the system lets a program ask) to back the
 * array with 2 MiB pages: a five-hundredth of the faults. Elsewhere, or
 * for small sizes, they are plain malloc/calloc. Free with free().
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

#endif
