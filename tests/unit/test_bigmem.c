/* test_bigmem.c - arrays of many megabytes: reserved address space and the
 * huge-page allocations (core/bigmem). */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "suites.h"

/* A reservation reads as zeroes wherever it is first touched, keeps what
 * is written at both ends, and is released whole. */
START_TEST(reserve_touch_release)
{
	size_t count = (size_t)3 << 20, size = 24; /* 72 MiB: past the small-page head */
	uint8_t *p = big_reserve(count, size);
#if defined(__linux__)
	ck_assert_ptr_nonnull(p);
#endif
	if (!p)
		return; /* elsewhere: the callers grow by big_realloc */
	ck_assert_uint_eq((uintptr_t)p % ((uintptr_t)2 << 20), 0); /* starts on a huge page */
	size_t n = count * size;
	ck_assert_uint_eq(p[0], 0);
	ck_assert_uint_eq(p[n / 2], 0);
	ck_assert_uint_eq(p[n - 1], 0);
	memset(p, 0xa5, 4096);
	memset(p + n - 4096, 0x5a, 4096);
	ck_assert_uint_eq(p[0], 0xa5);
	ck_assert_uint_eq(p[4095], 0xa5);
	ck_assert_uint_eq(p[4096], 0);
	ck_assert_uint_eq(p[n - 1], 0x5a);
	big_unreserve(p, count, size);
	big_unreserve(NULL, count, size); /* harmless */
}
END_TEST

/* What is refused: too small to be worth it, too large, or a product that
 * overflows; the caller then allocates as before. */
START_TEST(reserve_refuses)
{
	ck_assert_ptr_null(big_reserve(1000, 72));         /* under 4 MiB */
	ck_assert_ptr_null(big_reserve(SIZE_MAX / 8, 72)); /* past 1 TiB, and overflowing */
	ck_assert_ptr_null(big_reserve((size_t)1 << 38, 8)); /* 2 TiB */
}
END_TEST

/* big_realloc keeps the contents, large or small, growing or shrinking. */
START_TEST(realloc_keeps_contents)
{
	size_t small = 1000, large = (size_t)6 << 20;
	uint8_t *p = big_malloc(small);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < small; i++)
		p[i] = (uint8_t)i;
	p = big_realloc(p, small, large);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < small; i++)
		ck_assert_uint_eq(p[i], (uint8_t)i);
	p[large - 1] = 7;
	p = big_realloc(p, large, small);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p[small - 1], (uint8_t)(small - 1));
	free(p);
	uint8_t *z = big_calloc(large, 1);
	ck_assert_ptr_nonnull(z);
	ck_assert_uint_eq(z[0] | z[large / 2] | z[large - 1], 0);
	free(z);
	ck_assert_ptr_null(big_calloc(SIZE_MAX / 2, 4)); /* the product overflows */
}
END_TEST

Suite *suite_bigmem(void)
{
	Suite *s = suite_create("bigmem");
	TCase *tc = tcase_create("arrays");
	tcase_add_test(tc, reserve_touch_release);
	tcase_add_test(tc, reserve_refuses);
	tcase_add_test(tc, realloc_keeps_contents);
	suite_add_tcase(s, tc);
	return s;
}
