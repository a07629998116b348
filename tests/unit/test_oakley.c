/* test_oakley.c - Oakley.log joins with logs written by the generator
 * (tests/unit/oakgen.c) from each side of the real two-sided captures: every
 * join has a known answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "logtest.h"
#include "oakgen.h"
#include "suites.h"

static const struct side {
	const char *capture;
	uint8_t local[4];
} sides[] = {
	{ "ikev2_cert_fragdrop_a.pcap", { 192, 0, 2, 1 } },
	{ "ikev2_cert_fragdrop_b.pcap", { 198, 51, 100, 1 } },
	{ "ikev1_cert_ikefrag_ok_nftdrop_a.pcap", { 192, 0, 2, 1 } },
	{ "ikev1_cert_ikefrag_ok_nftdrop_b.pcap", { 198, 51, 100, 1 } },
	{ "ikev1_psk_natt_a.pcap", { 192, 0, 2, 1 } },
	{ "ikev1_psk_natt_b.pcap", { 198, 51, 100, 1 } },
	{ "ikev2_psk_natt_a.pcap", { 192, 0, 2, 1 } },
	{ "ikev2_psk_natt_b.pcap", { 198, 51, 100, 1 } },
};

static void opts_for(const struct side *s, oakgen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->local.family = 4;
	memcpy(o->local.bytes, s->local, 4);
}

/* Parse generated files (given newest first, to check the ordering) and
 * join them to the packets; check the known answer. */
static iks_log_join *check_join(const iks_log_pkt *pk, size_t n, oakgen_out *g, int64_t offset_ms,
				int order, const uint8_t *local, iks_log **logp)
{
	char dir[] = "/tmp/iks-oakley-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char paths[OAKGEN_MAX_FILES][256];
	const char *p[OAKGEN_MAX_FILES];
	for (size_t f = 0; f < g->nfiles; f++) {
		snprintf(paths[f], sizeof(paths[f]), "%s/%s", dir, g->name[f]);
		FILE *out = fopen(paths[f], "wb");
		ck_assert_ptr_nonnull(out);
		ck_assert_uint_eq(fwrite(g->data[f], 1, g->len[f], out), g->len[f]);
		fclose(out);
		p[g->nfiles - 1 - f] = paths[f];
	}
	char err[IKS_ERRBUF_SIZE];
	iks_log *log = iks_log_new(IKS_LOG_AUTO, NULL);
	ck_assert_int_eq(iks_log_read_files(log, p, g->nfiles, err), IKS_OK);
	for (size_t f = 0; f < g->nfiles; f++) {
		ck_assert_str_eq(iks_log_file_name(log, (uint32_t)f), paths[f]); /* chronological */
		unlink(paths[f]);
	}
	rmdir(dir);
	ck_assert_int_eq(iks_log_format_of(log), IKS_LOG_OAKLEY);
	ck_assert_uint_eq(iks_log_nmessages(log), g->messages);
	iks_log_join *j;
	ck_assert_int_eq(iks_log_join_run(log, pk, n, NULL, &j), IKS_OK);
	ck_assert_uint_eq(j->matched, g->messages);
	ck_assert_uint_eq(j->unmatched_log, 0);
	ck_assert_uint_eq(j->unmatched_capture, n - g->messages);
	ck_assert_int_eq(j->byte_order, order);
	ck_assert(j->has_offset);
	/* Oakley prints milliseconds: the offset within 5 ms */
	int64_t err_ns = j->offset_ns + offset_ms * 1000000;
	ck_assert_msg(err_ns > -5000000 && err_ns < 5000000, "offset %lld ns", (long long)j->offset_ns);
	/* the known answer: each message's packet has its cookies, ID, length */
	for (size_t i = 0; i < j->nmsgs; i++) {
		const iks_log_msg *m = iks_log_message_at(log, i);
		const iks_log_pkt *q = &pk[j->msg_pkt[i]];
		bool rev = order == IKS_LOG_ORDER_REVERSED;
		ck_assert_uint_eq(m->length, q->length);
		ck_assert_uint_eq(m->icookie[rev ? 7 : 0], q->ispi[0]);
		ck_assert_uint_eq(m->rcookie[rev ? 0 : 7], q->rspi[7]);
		uint32_t id = rev ? __builtin_bswap32(m->msgid) : m->msgid;
		ck_assert_uint_eq(id, q->msgid);
		ck_assert_int_eq(m->dir, memcmp(q->src.bytes, local, 4) == 0 ? IKS_LOG_SENT
									      : IKS_LOG_RECEIVED);
		ck_assert(m->has_msgid && m->has_cookies && m->has_exchange);
	}
	*logp = log;
	return j;
}

START_TEST(oakley_joins_as_printed)
{
	iks_log_pkt *pk;
	size_t n = logtest_pkts(sides[_i].capture, &pk);
	oakgen_opts o;
	opts_for(&sides[_i], &o);
	oakgen_out g;
	ck_assert(oakgen_write(pk, n, &o, &g));
	ck_assert_uint_eq(g.messages, n); /* each capture holds only its side's traffic */
	iks_log *log;
	iks_log_join *j = check_join(pk, n, &g, 0, IKS_LOG_ORDER_AS_PRINTED, sides[_i].local, &log);
	iks_log_join_free(j);
	iks_log_free(log);
	oakgen_free(&g);
	free(pk);
}
END_TEST

START_TEST(oakley_joins_reversed_two_hours)
{
	iks_log_pkt *pk;
	size_t n = logtest_pkts(sides[_i].capture, &pk);
	oakgen_opts o;
	opts_for(&sides[_i], &o);
	o.reversed = true;
	o.offset_ms = _i % 2 ? -7200000 : 7200000;
	o.utf16 = _i % 3 == 0;
	o.lf_only = _i % 3 == 1;
	oakgen_out g;
	ck_assert(oakgen_write(pk, n, &o, &g));
	iks_log *log;
	iks_log_join *j =
		check_join(pk, n, &g, o.offset_ms, IKS_LOG_ORDER_REVERSED, sides[_i].local, &log);
	iks_log_join_free(j);
	iks_log_free(log);
	oakgen_free(&g);
	free(pk);
}
END_TEST

/* Four files, two interleaved threads, unknown lines, failure records and
 * a cut last line, all at once. */
START_TEST(oakley_rotation_set_of_four)
{
	iks_log_pkt *pk;
	size_t n = logtest_pkts(sides[_i].capture, &pk);
	oakgen_opts o;
	opts_for(&sides[_i], &o);
	o.offset_ms = 7200000 + 123;
	o.interleave = true;
	o.unknown_every = 2;
	o.fail_every = 3;
	o.cut_last = true;
	oakgen_out g;
	ck_assert(oakgen_write(pk, n, &o, &g));
	o.rotate_lines = (unsigned)((g.lines + 3) / 4);
	oakgen_free(&g);
	ck_assert(oakgen_write(pk, n, &o, &g));
	ck_assert_uint_eq(g.nfiles, 4);
	ck_assert_str_eq(g.name[0], "Oakley.log.bak.sav");
	iks_log *log;
	iks_log_join *j =
		check_join(pk, n, &g, o.offset_ms, IKS_LOG_ORDER_AS_PRINTED, sides[_i].local, &log);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ck_assert_uint_eq(st.lines, g.lines);
	ck_assert_uint_eq(st.cut, 1);
	/* the cut line is one of the generated unknown ones or a known one */
	ck_assert_uint_ge(st.unknown + 1, g.unknown_lines);
	ck_assert_uint_le(st.unknown, g.unknown_lines);
	size_t failures = 0, dead = 0;
	for (size_t i = 0; i < iks_log_nrecords(log); i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		if (r->kind == IKS_LK_FAILURE) {
			ck_assert_ptr_nonnull(iks_ike_error_name(r->status));
			failures++;
		}
		dead += r->kind == IKS_LK_DEAD;
	}
	ck_assert_uint_ge(failures + 2, 2 * g.failures);
	ck_assert_uint_ge(dead + 1, g.failures);
	iks_log_join_free(j);
	iks_log_free(log);
	oakgen_free(&g);
	free(pk);
}
END_TEST

/* The first failure injected is 13813, "No response from peer". */
START_TEST(oakley_failure_records)
{
	iks_log_pkt *pk;
	size_t n = logtest_pkts("ikev2_cert_fragdrop_a.pcap", &pk);
	oakgen_opts o;
	opts_for(&sides[0], &o);
	o.fail_every = 1;
	oakgen_out g;
	ck_assert(oakgen_write(pk, n, &o, &g));
	iks_log *log = iks_log_new(IKS_LOG_OAKLEY, NULL);
	ck_assert_int_eq(iks_log_parse_buffer(log, g.name[0], g.data[0], g.len[0]), IKS_OK);
	const iks_log_record *r = iks_log_record_at(log, 9); /* after the first message */
	ck_assert_int_eq(r->kind, IKS_LK_FAILURE);
	ck_assert_uint_eq(r->status, 13813);
	ck_assert_str_eq(iks_ike_error_text(r->status), "No response from peer");
	ck_assert_uint_eq(r->sa, iks_log_message_at(log, 0)->sa);
	iks_log_free(log);
	oakgen_free(&g);
	free(pk);
}
END_TEST

/* captures/oakley/: the generator's log of side a of ikev1_psk_natt as a
 * rotation set (used by tests/cli/ikedump_log.py). They must be exactly what
 * the generator writes; IKS_REGEN_FIXTURES=1 rewrites them. */
START_TEST(oakley_fixtures_are_generated)
{
	iks_log_pkt *pk;
	size_t n = logtest_pkts("ikev1_psk_natt_a.pcap", &pk);
	oakgen_opts o;
	opts_for(&sides[4], &o);
	o.reversed = true;
	o.offset_ms = -7200000;
	o.interleave = true;
	o.unknown_every = 4;
	o.fail_every = 7;
	o.cut_last = true;
	oakgen_out g;
	ck_assert(oakgen_write(pk, n, &o, &g));
	o.rotate_lines = (unsigned)((g.lines + 3) / 4);
	oakgen_free(&g);
	ck_assert(oakgen_write(pk, n, &o, &g));
	ck_assert_uint_eq(g.nfiles, 4);
	bool regen = getenv("IKS_REGEN_FIXTURES") != NULL;
	for (size_t f = 0; f < g.nfiles; f++) {
		char name[128], path[1024];
		snprintf(name, sizeof(name), "oakley/ikev1_psk_natt_a/%s", g.name[f]);
		fixture_path(name, path, sizeof(path));
		FILE *fp = fopen(path, regen ? "wb" : "rb");
		ck_assert_msg(fp != NULL, "%s", path);
		if (regen) {
			ck_assert_uint_eq(fwrite(g.data[f], 1, g.len[f], fp), g.len[f]);
		} else {
			uint8_t *buf = malloc(g.len[f] + 1);
			ck_assert_ptr_nonnull(buf);
			ck_assert_uint_eq(fread(buf, 1, g.len[f] + 1, fp), g.len[f]);
			ck_assert_mem_eq(buf, g.data[f], g.len[f]);
			free(buf);
		}
		fclose(fp);
	}
	oakgen_free(&g);
	free(pk);
}
END_TEST

Suite *suite_oakley(void)
{
	Suite *s = suite_create("oakley");
	TCase *tc = tcase_create("join");
	tcase_set_timeout(tc, 60);
	int n = (int)(sizeof(sides) / sizeof(sides[0]));
	tcase_add_loop_test(tc, oakley_joins_as_printed, 0, n);
	tcase_add_loop_test(tc, oakley_joins_reversed_two_hours, 0, n);
	tcase_add_loop_test(tc, oakley_rotation_set_of_four, 0, n);
	tcase_add_test(tc, oakley_failure_records);
	tcase_add_test(tc, oakley_fixtures_are_generated);
	suite_add_tcase(s, tc);
	return s;
}
