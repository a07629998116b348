/* bigmem.c - arrays of many megabytes backed by huge pages where asked. */
#include "config.h"

#include "core/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Below this an array is left to malloc alone: a huge page is 2 MiB. */
#define BIG_MIN ((size_t)4 << 20)
#define PAGE ((uintptr_t)4096)

/* Advise the whole pages inside [p, p + n) (failures are harmless: the
 * pages are then ordinary ones). */
static void advise(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	if (!p || n < BIG_MIN)
		return;
	uintptr_t from = ((uintptr_t)p + PAGE - 1) & ~(PAGE - 1);
	uintptr_t to = ((uintptr_t)p + n) & ~(PAGE - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

void *big_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	advise(p, n);
	return p;
}

void *big_calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	size_t n = count * size;
	if (n < BIG_MIN)
		return calloc(count ? count : 1, size ? size : 1);
	/* advised before the first touch: the zeroing then faults in huge
	 * pages */
	void *p = big_malloc(n);
	if (p)
		memset(p, 0, n);
	return p;
}

void *big_realloc(void *p, size_t old, size_t n)
{
	if (n < BIG_MIN)
		return realloc(p, n ? n : 1);
	/* a new advised block, then the copy: realloc would copy into
	 * unadvised pages */
	void *q = big_malloc(n);
	if (!q)
		return NULL;
	if (p)
		memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}

#define HUGE ((uintptr_t)2 << 20)
#define RESERVE_MAX ((uint64_t)1 << 40)

static size_t page_round(size_t n)
{
	return (n + PAGE - 1) & ~(size_t)(PAGE - 1);
}

void *big_reserve(size_t count, size_t size)
{
#if defined(__linux__) && defined(MAP_NORESERVE) && defined(MAP_ANONYMOUS)
	if (size && (uint64_t)count > RESERVE_MAX / size)
		return NULL;
	uint64_t bytes = (uint64_t)count * size;
	if (bytes > SIZE_MAX / 2)
		return NULL; /* a 32-bit address space */
	size_t len = page_round((size_t)bytes);
	if (len < BIG_MIN)
		return NULL;
	/* HUGE more than asked, so that the block can start on a 2 MiB
	 * boundary: a huge page must be aligned to be used */
	size_t span = len + HUGE;
	char *m = mmap(NULL, span, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	char *p = (char *)(((uintptr_t)m + HUGE - 1) & ~(HUGE - 1));
	size_t head = (size_t)(p - m), tail = span - head - len;
	if (head)
		(void)munmap(m, head);
	if (tail)
		(void)munmap(p + len, tail);
	/* the first BIG_MIN bytes in small pages: most captures are short */
	advise(p + BIG_MIN, len - BIG_MIN);
	return p;
#else
	(void)count;
	(void)size;
	return NULL;
#endif
}

void big_unreserve(void *p, size_t count, size_t size)
{
#if defined(__linux__) && defined(MAP_NORESERVE) && defined(MAP_ANONYMOUS)
	if (p)
		(void)munmap(p, page_round(count * size));
#else
	(void)p;
	(void)count;
	(void)size;
#endif
}
