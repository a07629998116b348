/* test_logparse.c - the log parsers on hand-made and hostile input:
 * Oakley line patterns, grouping, UTF-16LE, CRLF, cut lines, junk, caps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "suites.h"

/* One Oakley exchange as the reconstructed format prints it (two threads,
 * the second one's lines interleaved with the first one's header). */
static const char oakley_sample[] =
	"11-22: 13:03:42:484:1a4 Acquire from driver: op=0000001C src=192.0.2.1.0 dst=198.51.100.1.0 proto = 0, SrcMask=255.255.255.255\r\n"
	"11-22: 13:03:42:484:1a4 Filter to match: Src 192.0.2.1 Dst 198.51.100.1\r\n"
	"11-22: 13:03:42:484:1a4 MM PolicyName: IPsec test policy\r\n"
	"11-22: 13:03:42:485:1a4 Sending: SA = 0x000E3A10 to 198.51.100.1:Type 2.500\r\n"
	"11-22: 13:03:42:485:1a4 ISAKMP Header: (V1.0), len = 180\r\n"
	"11-22: 13:03:42:485:1a4   I_COOKIE 966ad94dec6f58d6\r\n"
	"11-22: 13:03:42:485:2b8 Some line this parser has never seen\r\n"
	"11-22: 13:03:42:485:1a4   R_COOKIE 0000000000000000\r\n"
	"11-22: 13:03:42:485:1a4   exchange: Oakley Main Mode\r\n"
	"11-22: 13:03:42:485:1a4   flags: 0\r\n"
	"11-22: 13:03:42:485:1a4   next payload: SA\r\n"
	"11-22: 13:03:42:485:1a4   message ID: 00000000\r\n"
	"11-22: 13:03:42:485:1a4 Ports S:f401 D:f401\r\n"
	"11-22: 13:03:42:488:2b8 Receive: (get) SA = 0x000E3A10 from 198.51.100.1.4500\r\n"
	"11-22: 13:03:42:488:2b8 ISAKMP Header: (V1.0), len = 188\r\n"
	"11-22: 13:03:42:488:2b8   I_COOKIE 966ad94dec6f58d6\r\n"
	"11-22: 13:03:42:488:2b8   R_COOKIE 9bc0db51dc7af7da\r\n"
	"11-22: 13:03:42:488:2b8   exchange: Oakley Quick Mode\r\n"
	"11-22: 13:03:42:488:2b8   flags: 1\r\n"
	"11-22: 13:03:42:488:2b8   message ID: 3ef8cc94\r\n"
	"11-22: 13:03:42:488:2b8 Ports S:9411 D:9411\r\n"
	"11-22: 13:04:45:001:1a4 ProcessFailure: sa:000E3A10 centry:00000000 status:35f5\r\n"
	"11-22: 13:04:45:001:1a4 isadb_set_status sa:000E3A10 centry:00000000 status 35ed\r\n"
	"11-22: 13:04:45:002:1a4 SA Dead. sa:000E3A10 status:35f5\r\n"
	"11-22: 13:04:45:003:1a4 Sending: SA = 0x000E3A";

static iks_log *parse(int format, const void *data, size_t len, const iks_log_limits *lim)
{
	iks_log *log = iks_log_new(format, lim);
	ck_assert_ptr_nonnull(log);
	iks_status st = iks_log_parse_buffer(log, "Oakley.log", data, len);
	ck_assert(st == IKS_OK || st == IKS_E_LIMIT);
	return log;
}

static void check_sample(iks_log *log)
{
	ck_assert_int_eq(iks_log_format_of(log), IKS_LOG_OAKLEY);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.lines, 25);
	ck_assert_uint_eq(st.known, 23);
	ck_assert_uint_eq(st.unknown, 1);
	ck_assert_uint_eq(st.cut, 1);
	ck_assert_uint_eq(iks_log_nrecords(log), 25);
	ck_assert_uint_eq(iks_log_nmessages(log), 2);

	const iks_log_record *r = iks_log_record_at(log, 0);
	ck_assert_int_eq(r->kind, IKS_LK_ACQUIRE);
	ck_assert_uint_eq(r->thread, 0x1a4);
	ck_assert_uint_eq(r->month, 11);
	ck_assert_uint_eq(r->day, 22);
	ck_assert_uint_eq(r->tod_ms, ((13 * 60 + 3) * 60 + 42) * 1000 + 484);
	ck_assert_uint_eq(r->addr[1].bytes[0], 198);
	ck_assert_int_eq(iks_log_record_at(log, 1)->kind, IKS_LK_FILTER);
	ck_assert_int_eq(iks_log_record_at(log, 2)->kind, IKS_LK_POLICY);
	r = iks_log_record_at(log, 6);
	ck_assert_int_eq(r->kind, IKS_LK_UNKNOWN);
	ck_assert_uint_eq(r->line, 7);
	ck_assert_str_eq(r->text, "11-22: 13:03:42:485:2b8 Some line this parser has never seen");

	const iks_log_msg *m = iks_log_message_at(log, 0);
	ck_assert_int_eq(m->dir, IKS_LOG_SENT);
	ck_assert_uint_eq(m->line, 4);
	ck_assert_uint_eq(m->sa, 0xe3a10);
	ck_assert_uint_eq(m->peer.bytes[3], 1);
	ck_assert_uint_eq(m->peer_port, 500);
	ck_assert_uint_eq(m->local_port, 500);
	ck_assert_uint_eq(m->length, 180);
	ck_assert(m->has_cookies);
	static const uint8_t ic[8] = { 0x96, 0x6a, 0xd9, 0x4d, 0xec, 0x6f, 0x58, 0xd6 };
	ck_assert_mem_eq(m->icookie, ic, 8);
	ck_assert(m->has_exchange);
	ck_assert_uint_eq(m->exchange, 2);
	ck_assert(m->has_msgid);
	ck_assert_uint_eq(m->msgid, 0);

	m = iks_log_message_at(log, 1);
	ck_assert_int_eq(m->dir, IKS_LOG_RECEIVED);
	ck_assert_uint_eq(m->peer_port, 4500);
	ck_assert_uint_eq(m->local_port, 4500);
	ck_assert_uint_eq(m->exchange, 32);
	ck_assert_uint_eq(m->msgid, 0x3ef8cc94u);
	ck_assert_uint_eq(m->flags, 1);
	ck_assert_uint_eq(m->length, 188);
	ck_assert_uint_eq(m->rcookie[0], 0x9b);

	r = iks_log_record_at(log, 21);
	ck_assert_int_eq(r->kind, IKS_LK_FAILURE);
	ck_assert_uint_eq(r->status, 13813);
	ck_assert_str_eq(iks_ike_error_name(r->status), "ERROR_IPSEC_IKE_DROP_NO_RESPONSE");
	ck_assert_str_eq(iks_ike_error_text(r->status), "No response from peer");
	ck_assert_uint_eq(iks_log_record_at(log, 22)->status, 13805);
	ck_assert_int_eq(iks_log_record_at(log, 23)->kind, IKS_LK_DEAD);
	ck_assert_uint_eq(iks_log_record_at(log, 23)->sa, 0xe3a10);
	r = iks_log_record_at(log, 24);
	ck_assert(r->cut);
	ck_assert_int_eq(r->kind, IKS_LK_UNKNOWN);
	ck_assert_uint_eq(r->msg, IKS_LOG_NONE);
}

START_TEST(oakley_patterns_and_grouping)
{
	iks_log *log = parse(IKS_LOG_AUTO, oakley_sample, strlen(oakley_sample), NULL);
	check_sample(log);
	iks_log_free(log);
}
END_TEST

START_TEST(oakley_utf16le_with_bom)
{
	size_t n = strlen(oakley_sample);
	uint8_t *u = malloc(2 + 2 * n);
	ck_assert_ptr_nonnull(u);
	u[0] = 0xff;
	u[1] = 0xfe;
	for (size_t i = 0; i < n; i++) {
		u[2 + 2 * i] = (uint8_t)oakley_sample[i];
		u[3 + 2 * i] = 0;
	}
	iks_log *log = parse(IKS_LOG_AUTO, u, 2 + 2 * n, NULL);
	check_sample(log);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.utf16_files, 1);
	iks_log_free(log);
	/* an odd trailing byte is part of the cut line */
	log = parse(IKS_LOG_AUTO, u, 1 + 2 * n, NULL);
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.cut, 1);
	ck_assert_uint_eq(iks_log_nmessages(log), 2);
	iks_log_free(log);
	free(u);
}
END_TEST

START_TEST(oakley_lf_only_and_no_thread)
{
	const char *t = "1-2: 0:00:01:002 Sending: SA = 0x1 to 10.0.0.2:Type 2.500\n"
			"1-2: 0:00:01:002   message ID: 0000ab00\n";
	iks_log *log = parse(IKS_LOG_OAKLEY, t, strlen(t), NULL);
	ck_assert_uint_eq(iks_log_nmessages(log), 1);
	const iks_log_msg *m = iks_log_message_at(log, 0);
	ck_assert_uint_eq(m->msgid, 0xab00);
	ck_assert_uint_eq(m->tod_ms, 1002);
	ck_assert_uint_eq(m->month, 1);
	ck_assert(!iks_log_record_at(log, 0)->has_thread);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.cut, 0);
	iks_log_free(log);
}
END_TEST

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

/* Random bytes, random bytes with line breaks, Oakley prefixes followed by
 * junk: no crash, every line counted exactly once. */
START_TEST(junk_never_crashes)
{
	uint32_t seed = 0x1b5u + (uint32_t)_i;
	size_t n = 1 << 18;
	uint8_t *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < n; i++) {
		uint32_t v = lcg(&seed);
		buf[i] = (uint8_t)(_i == 1 && v % 40 == 0 ? '\n' : v);
	}
	if (_i == 2) /* valid prefixes, junk after them */
		for (size_t i = 0; i + 64 < n; i += 64)
			memcpy(buf + i, "\n11-22: 13:03:42:485:1a4 Sending: SA = 0x", 41);
	iks_log *log = parse(_i == 2 ? IKS_LOG_OAKLEY : IKS_LOG_AUTO, buf, n, NULL);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.lines, st.known + st.unknown + st.cut);
	ck_assert_uint_eq(iks_log_nrecords(log), st.lines);
	for (size_t i = 0; i < iks_log_nrecords(log); i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		ck_assert_ptr_nonnull(r->text);
		for (const char *c = r->text; *c; c++)
			ck_assert(*c == '\t' || (*c >= 0x20 && *c < 0x7f));
	}
	iks_log_free(log);
	/* the same as charon */
	log = parse(IKS_LOG_CHARON, buf, n, NULL);
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.lines, st.known + st.unknown + st.cut);
	iks_log_free(log);
	free(buf);
}
END_TEST

/* One million lines no pattern knows, with a cut last line: counted, kept
 * up to the record cap, memory bounded by the caps. */
START_TEST(million_unknown_lines_bounded)
{
#define BIGLINE "11-22: 13:03:42:485:1a4 IKE whatever this is %07u\r\n"
	size_t per = sizeof(BIGLINE) + 8, n = 1000000;
	char *buf = malloc(per * n);
	ck_assert_ptr_nonnull(buf);
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, BIGLINE, (unsigned)i);
	len -= 10; /* cut the last line */
	iks_log_limits lim = { 0 };
	lim.records_max = 10000;
	lim.text_max = 1 << 20;
	iks_log *log = iks_log_new(IKS_LOG_AUTO, &lim);
	ck_assert_int_eq(iks_log_parse_buffer(log, "big.log", (const uint8_t *)buf, len), IKS_E_LIMIT);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.lines, 1000000);
	ck_assert_uint_eq(st.unknown, 999999);
	ck_assert_uint_eq(st.cut, 1);
	ck_assert_uint_eq(st.known, 0);
	ck_assert_uint_eq(iks_log_nrecords(log), 10000);
	ck_assert_uint_eq(st.records_dropped, 990000);
	ck_assert_str_eq(st.limit, "records_max");
	ck_assert_uint_eq(iks_log_record_at(log, 9999)->line, 10000);
	ck_assert_ptr_nonnull(iks_log_record_at(log, 9999)->text);
	iks_log_free(log);
	/* a text cap smaller than the kept records: records without text */
	lim.records_max = 0;
	lim.text_max = 4096;
	log = iks_log_new(IKS_LOG_AUTO, &lim);
	ck_assert_int_eq(iks_log_parse_buffer(log, "big.log", (const uint8_t *)buf, 200 * per),
			 IKS_E_LIMIT);
	iks_log_get_stats(log, &st);
	ck_assert_str_eq(st.limit, "text_max");
	ck_assert_uint_gt(st.text_dropped, 0);
	ck_assert_ptr_null(iks_log_record_at(log, 150)->text);
	ck_assert_ptr_nonnull(iks_log_record_at(log, 0)->text);
	iks_log_free(log);
	free(buf);
}
END_TEST

START_TEST(long_lines_and_empty_input)
{
	size_t n = 10000;
	char *buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 'x', n);
	buf[n - 1] = '\n';
	iks_log *log = parse(IKS_LOG_CHARON, buf, n, NULL);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.long_lines, 1);
	ck_assert_uint_eq(strlen(iks_log_record_at(log, 0)->text), 4096);
	iks_log_free(log);
	log = parse(IKS_LOG_AUTO, "", 0, NULL);
	ck_assert_uint_eq(iks_log_nrecords(log), 0);
	iks_log_free(log);
	free(buf);
	ck_assert_int_eq(iks_log_parse_buffer(NULL, "x", NULL, 0), IKS_E_INVALID);
	ck_assert_ptr_null(iks_log_new(7, NULL));
	iks_log_free(NULL);
	iks_log_join_free(NULL);
}
END_TEST

START_TEST(ike_error_table)
{
	ck_assert_str_eq(iks_ike_error_name(13801), "ERROR_IPSEC_IKE_AUTH_FAIL");
	ck_assert_str_eq(iks_ike_error_text(0x35ED), "Negotiation timed out");
	ck_assert_str_eq(iks_ike_error_text(13807), "IKE SA deleted by peer before establishment completed");
	ck_assert_str_eq(iks_ike_error_text(13808), "IKE SA deleted before establishment completed");
	ck_assert_str_eq(iks_ike_error_text(13825), "No policy configured");
	ck_assert_str_eq(iks_ike_error_text(13802), "IKE security attributes are unacceptable");
	ck_assert_str_eq(iks_ike_error_text(13827), "Failed to authenticate using Kerberos");
	ck_assert_ptr_null(iks_ike_error_name(13800));
	ck_assert_ptr_null(iks_ike_error_name(13897));
	ck_assert_ptr_null(iks_ike_error_text(0));
	/* no gaps in 13801..13896 */
	for (uint32_t c = 13801; c <= 13896; c++)
		ck_assert_msg(iks_ike_error_name(c) != NULL, "%u", c);
}
END_TEST

START_TEST(rotation_rank)
{
	ck_assert_int_eq(iks_log_rotation_rank("C:/x/Oakley.log.bak.sav"), 0);
	ck_assert_int_eq(iks_log_rotation_rank("Oakley.log.sav"), 1);
	ck_assert_int_eq(iks_log_rotation_rank("Oakley.log.bak"), 2);
	ck_assert_int_eq(iks_log_rotation_rank("Oakley.log"), 3);
}
END_TEST

Suite *suite_logparse(void)
{
	Suite *s = suite_create("logparse");
	TCase *tc = tcase_create("parse");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, oakley_patterns_and_grouping);
	tcase_add_test(tc, oakley_utf16le_with_bom);
	tcase_add_test(tc, oakley_lf_only_and_no_thread);
	tcase_add_loop_test(tc, junk_never_crashes, 0, 3);
	tcase_add_test(tc, million_unknown_lines_bounded);
	tcase_add_test(tc, long_lines_and_empty_input);
	tcase_add_test(tc, ike_error_table);
	tcase_add_test(tc, rotation_rank);
	suite_add_tcase(s, tc);
	return s;
}
