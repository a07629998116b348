/* test_logbounds.c - issue 19, "no silent cap", for the log parsers' fixed
 * state bounds and the log join's bounds: each test reaches one bound
 * with input built in memory and checks its counter, and that one short of
 * it counts nothing. (The charon bounds are also driven through ikedump
 * in tests/cli/log_state_bounds.py.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "suites.h"

#define DAY0 1709251200LL /* 2024-03-01 00:00:00 UTC */
#define OFFSETS_MAX 4194304u

static iks_log *parse(int format, const char *text)
{
	iks_log *log = iks_log_new(format, NULL);
	ck_assert_ptr_nonnull(log);
	ck_assert_int_eq(iks_log_parse_buffer(log, "mem.log", (const uint8_t *)text, strlen(text)),
			 IKS_OK);
	return log;
}

static void addr4(iks_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->bytes[0] = x;
	a->bytes[1] = y;
	a->bytes[2] = z;
	a->bytes[3] = w;
}

/* n charon sends of 100 bytes from 192.0.2.1 to 198.51.100.1, no
 * generating lines (only the length and direction are keys), one a second
 * from 10:00:00; and npkts packets of 100 bytes that way, 1 ms apart from
 * 10:00:00.5: each message has npkts candidates. */
static iks_log *sends(size_t n)
{
	size_t room = n * 120 + 1;
	char *text = malloc(room), *p = text;
	ck_assert_ptr_nonnull(text);
	for (size_t k = 0; k < n; k++) {
		unsigned s = 36000 + (unsigned)k;
		p += snprintf(p, room - (size_t)(p - text),
			      "%02u:%02u:%02u 11[NET] sending packet: from 192.0.2.1[500] to "
			      "198.51.100.1[500] (100 bytes)\n", s / 3600, s / 60 % 60, s % 60);
	}
	iks_log *log = parse(IKS_LOG_CHARON, text);
	free(text);
	ck_assert_uint_eq(iks_log_nmessages(log), n);
	return log;
}

static iks_log_pkt *pkts_of(size_t npkts, uint32_t length)
{
	iks_log_pkt *v = calloc(npkts, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < npkts; i++) {
		v[i].frame = i + 1;
		int64_t ns = 500000000LL + (int64_t)i * 1000000;
		v[i].ts_sec = DAY0 + 36000 + ns / 1000000000;
		v[i].ts_nsec = (uint32_t)(ns % 1000000000);
		addr4(&v[i].src, 192, 0, 2, 1);
		addr4(&v[i].dst, 198, 51, 100, 1);
		v[i].sport = v[i].dport = 500;
		v[i].version = 2;
		v[i].exchange = 37;
		v[i].length = length;
		v[i].ispi[0] = (uint8_t)(i + 1);
	}
	return v;
}

/* OFFSETS_MAX: 1100 messages with 4096 candidates each (candidates_max
 * 4096, so all of them propose) make 4,505,600 proposals: 311,296 are past
 * the bound; 1000 messages make 4,096,000, none past it. */
START_TEST(join_offsets_dropped)
{
	static const size_t nmsgs[] = { 1100, 1000 };
	static const uint64_t dropped[] = { 1100ull * 4096 - OFFSETS_MAX, 0 };
	iks_log *log = sends(nmsgs[_i]);
	iks_log_pkt *pkts = pkts_of(4096, 100);
	iks_log_join_options opt = { 0, 4096 };
	iks_log_join *j = NULL;
	ck_assert_int_eq(iks_log_join_run(log, pkts, 4096, &opt, &j), IKS_OK);
	ck_assert_uint_eq(j->offsets_dropped, dropped[_i]);
	ck_assert_uint_eq(j->order_unvoted, 0); /* charon has no byte order to vote on */
	iks_log_join_free(j);
	free(pkts);
	iks_log_free(log);
}
END_TEST

/* The byte-order vote of an Oakley message without cookie lines: its
 * first 64 packets of its length go the other way (backward), its own is
 * the 65th (71 in all): it cannot vote, counted; with its own among the
 * first 64 it votes. */
START_TEST(join_order_unvoted)
{
	static const char text[] =
		"3-1: 10:00:00:000:1a4 Sending: SA = 0x000E3A10 to 198.51.100.1:Type 2.500\n"
		"3-1: 10:00:00:000:1a4 ISAKMP Header: (V1.0), len = 100\n"
		"3-1: 10:00:00:000:1a4 Ports S:f401 D:f401\n";
	iks_log *log = parse(IKS_LOG_OAKLEY, text);
	ck_assert_uint_eq(iks_log_nmessages(log), 1);
	const iks_log_msg *m = iks_log_message_at(log, 0);
	ck_assert(!m->has_cookies);
	iks_log_pkt *pkts = pkts_of(71, 100);
	size_t own = _i == 0 ? 64 : 10;
	for (size_t i = 0; i < 71; i++) {
		pkts[i].version = 1;
		pkts[i].exchange = 2;
		if (i != own) { /* from the peer: the other direction */
			addr4(&pkts[i].src, 198, 51, 100, 1);
			addr4(&pkts[i].dst, 192, 0, 2, 1);
		}
	}
	iks_log_join *j = NULL;
	ck_assert_int_eq(iks_log_join_run(log, pkts, 71, NULL, &j), IKS_OK);
	ck_assert_uint_eq(j->order_unvoted, _i == 0 ? 1 : 0);
	ck_assert_uint_eq(j->offsets_dropped, 0);
	iks_log_join_free(j);
	free(pkts);
	iks_log_free(log);
}
END_TEST

/* The thread table holds 64 threads: 65 Oakley threads each open a
 * message and give its header up to the length; the 65th gives away the
 * first, before its "Ports" line (counted). The same with each message
 * complete (its "Ports" line read) counts nothing. */
START_TEST(oakley_threads_evicted)
{
	bool complete = _i == 1;
	size_t room = 65 * 3 * 100 + 1;
	char *text = malloc(room), *p = text;
	ck_assert_ptr_nonnull(text);
	for (unsigned t = 0; t < 65; t++) {
		p += snprintf(p, room - (size_t)(p - text),
			      "3-1: 10:00:00:000:%x Sending: SA = 0x000E3A10 to 198.51.100.1:Type 2.500\n"
			      "3-1: 10:00:00:000:%x ISAKMP Header: (V1.0), len = 100\n",
			      0x100 + t, 0x100 + t);
		if (complete)
			p += snprintf(p, room - (size_t)(p - text),
				      "3-1: 10:00:00:000:%x Ports S:f401 D:f401\n", 0x100 + t);
	}
	iks_log *log = parse(IKS_LOG_OAKLEY, text);
	free(text);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.threads_evicted, complete ? 0 : 1);
	ck_assert_ptr_null(st.limit); /* a state bound is not a cap of iks_log_limits */
	iks_log_free(log);
}
END_TEST

Suite *suite_logbounds(void)
{
	Suite *s = suite_create("logbounds");
	TCase *tc = tcase_create("bounds");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, join_offsets_dropped, 0, 2);
	tcase_add_loop_test(tc, join_order_unvoted, 0, 2);
	tcase_add_loop_test(tc, oakley_threads_evicted, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
