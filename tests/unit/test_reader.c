/* test_reader.c - the bounds-checked reader never reads past its end. */
#include <string.h>

#include "core/reader.h"
#include "suites.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

START_TEST(reads_big_and_little_endian)
{
	iks_reader r = rd_init(bytes, sizeof(bytes), 100);
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	ck_assert(rd_u8(&r, &u8));
	ck_assert_uint_eq(u8, 0x01);
	ck_assert(rd_be16(&r, &u16));
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert(rd_le32(&r, &u32));
	ck_assert_uint_eq(u32, 0x07060504);
	ck_assert_uint_eq(rd_offset(&r), 107);
	ck_assert_uint_eq(rd_left(&r), 0);
}
END_TEST

START_TEST(short_read_fails_and_leaves_reader_unchanged)
{
	iks_reader r = rd_init(bytes, 3, 0);
	uint32_t u32;
	uint16_t u16;
	iks_span s;
	ck_assert(!rd_be32(&r, &u32));
	ck_assert_uint_eq(r.pos, 0);
	ck_assert(rd_skip(&r, 2));
	ck_assert(!rd_be16(&r, &u16));
	ck_assert(!rd_span(&r, 2, &s));
	ck_assert(!rd_skip(&r, 2));
	ck_assert(!rd_skip(&r, SIZE_MAX));
	ck_assert_uint_eq(r.pos, 2);
}
END_TEST

START_TEST(sub_readers_carry_absolute_offsets)
{
	iks_reader r = rd_init(bytes, sizeof(bytes), 14);
	iks_reader sub;
	ck_assert(rd_skip(&r, 2));
	ck_assert(rd_sub(&r, 3, &sub));
	ck_assert_uint_eq(rd_offset(&sub), 16);
	ck_assert_uint_eq(rd_left(&sub), 3);
	ck_assert_uint_eq(rd_offset(&r), 19);
	ck_assert(!rd_sub(&r, 3, &sub));
	uint8_t v;
	ck_assert(rd_peek_u8(&r, 1, &v));
	ck_assert_uint_eq(v, 0x07);
	ck_assert(!rd_peek_u8(&r, 2, &v));
}
END_TEST

START_TEST(tail_and_limit)
{
	iks_reader r = rd_init(bytes, sizeof(bytes), 0);
	iks_span tail;
	ck_assert(rd_take_tail(&r, 2, &tail));
	ck_assert_uint_eq(tail.len, 2);
	ck_assert_uint_eq(tail.p[0], 0x06);
	ck_assert_uint_eq(rd_left(&r), 5);
	ck_assert(!rd_take_tail(&r, 6, &tail));
	ck_assert(rd_limit(&r, 3));
	ck_assert_uint_eq(rd_left(&r), 3);
	ck_assert(!rd_limit(&r, 4));
	iks_reader rest = rd_rest(&r);
	ck_assert_uint_eq(rd_left(&rest), 3);
	ck_assert_uint_eq(rd_left(&r), 0);
}
END_TEST

Suite *suite_reader(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("bounds");
	tcase_add_test(tc, reads_big_and_little_endian);
	tcase_add_test(tc, short_read_fails_and_leaves_reader_unchanged);
	tcase_add_test(tc, sub_readers_carry_absolute_offsets);
	tcase_add_test(tc, tail_and_limit);
	suite_add_tcase(s, tc);
	return s;
}
