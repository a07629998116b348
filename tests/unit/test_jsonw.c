/*
 * test_jsonw.c - the tools' JSON writer (tools/common/jsonw.c): its fast
 * paths (plain ASCII strings copied eight bytes at a time, numbers written
 * in place) give what the slow ones give, at every boundary.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/jsonw.h"
#include "suites.h"

static void put_sb(void *ctx, const char *p, size_t n)
{
	sb_putn(ctx, p, n);
}

/* jw_str(s) must equal json_escape(s), the writer every string had before */
static void assert_str_as_escaper(const char *s)
{
	strbuf a, b;
	jsonw w;
	sb_init(&a);
	sb_init(&b);
	jw_init(&w, &a);
	jw_str(&w, s);
	json_escape(put_sb, &b, s, 0);
	ck_assert_str_eq(sb_cstr(&a), sb_cstr(&b));
	sb_free(&a);
	sb_free(&b);
}

START_TEST(strings_fast_and_escaped_agree)
{
	assert_str_as_escaper("");
	assert_str_as_escaper("IKE_SA_INIT");
	assert_str_as_escaper("a note of more than eight bytes, (with) punctuation: ~!@#$%^&*");
	/* each byte that needs an escape, at every position of an 8-byte word
	 * and in the tail */
	static const char *special[] = { "\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9",
					 "\xff", "\xe2\x80\xa8" };
	for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++) {
		for (size_t pos = 0; pos < 20; pos++) {
			char s[64];
			memset(s, 'x', pos);
			strcpy(s + pos, special[k]);
			strcat(s, "0123456789");
			assert_str_as_escaper(s);
		}
	}
	strbuf b;
	jsonw w;
	sb_init(&b);
	jw_init(&w, &b);
	jw_arr_begin(&w);
	jw_str(&w, "plain");
	jw_str(&w, "q\"b\\");
	jw_str(&w, NULL);
	jw_arr_end(&w);
	ck_assert_str_eq(sb_cstr(&b), "[\"plain\",\"q\\\"b\\\\\",null]");
	sb_free(&b);
}
END_TEST

START_TEST(numbers_at_every_digit_boundary)
{
	char want[32];
	uint64_t p = 1;
	for (int digits = 1; digits <= 20; digits++) {
		uint64_t v[3] = { p - 1, p, p + 1 };
		for (int i = 0; i < 3; i++) {
			strbuf b;
			sb_init(&b);
			sb_putu(&b, v[i]);
			snprintf(want, sizeof(want), "%" PRIu64, v[i]);
			ck_assert_str_eq(sb_cstr(&b), want);
			sb_free(&b);
		}
		if (digits < 20)
			p *= 10;
	}
	uint64_t edge[] = { UINT32_MAX, (uint64_t)UINT32_MAX + 1, UINT64_MAX, 99, 100 };
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		strbuf b;
		jsonw w;
		sb_init(&b);
		jw_init(&w, &b);
		jw_uint(&w, edge[i]);
		snprintf(want, sizeof(want), "%" PRIu64, edge[i]);
		ck_assert_str_eq(sb_cstr(&b), want);
		sb_free(&b);
	}
}
END_TEST

START_TEST(keys_values_and_commas)
{
	strbuf b;
	jsonw w;
	sb_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w);
	jw_key(&w, "a");
	jw_uint(&w, 7);
	jw_key(&w, "b");
	jw_bool(&w, false);
	jw_key(&w, "c");
	jw_arr_begin(&w);
	jw_uint(&w, 0);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	ck_assert_str_eq(sb_cstr(&b), "{\"a\":7,\"b\":false,\"c\":[0,{}]}");
	sb_free(&b);
}
END_TEST

Suite *suite_jsonw(void)
{
	Suite *s = suite_create("jsonw");
	TCase *tc = tcase_create("writer");
	tcase_add_test(tc, strings_fast_and_escaped_agree);
	tcase_add_test(tc, numbers_at_every_digit_boundary);
	tcase_add_test(tc, keys_values_and_commas);
	suite_add_tcase(s, tc);
	return s;
}
