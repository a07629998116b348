/* test_charonlog.c - strongSwan charon logs joined to the captures of the
 * same negotiations (captures/NAME_charon_{a,b}.log with NAME_{a,b}.pcap). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "logtest.h"
#include "suites.h"

/* The log-join records of a capture's packets, made while each packet's
 * bytes are still there (iks_log_pkt_from_packet reads them: the digest of
 * the message; a record kept after the capture moved on points at freed
 * bytes). */
size_t logtest_pkts(const char *capture, iks_log_pkt **out)
{
	char path[1024], err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(fixture_path(capture, path, sizeof(path)), NULL, err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_decoder *dec = iks_decoder_new(NULL);
	ck_assert_ptr_nonnull(dec);
	size_t n = 0, room = 256;
	iks_log_pkt *v = calloc(room, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	iks_frame f;
	iks_packet p;
	while (iks_capture_next(cap, &f) == 1) {
		ck_assert_int_eq(iks_decode(dec, &f, &p), IKS_OK);
		if (n == room) {
			room *= 2;
			v = realloc(v, room * sizeof(*v));
			ck_assert_ptr_nonnull(v);
		}
		if (iks_log_pkt_from_packet(&p, &v[n]))
			n++;
	}
	iks_decoder_free(dec);
	iks_capture_close(cap);
	*out = v;
	return n;
}

iks_log *logtest_read(int format, const char *const *names, size_t n)
{
	char paths[8][1024], err[IKS_ERRBUF_SIZE];
	const char *p[8];
	ck_assert_uint_le(n, 8);
	for (size_t i = 0; i < n; i++)
		p[i] = fixture_path(names[i], paths[i], sizeof(paths[i]));
	iks_log *log = iks_log_new(format, NULL);
	ck_assert_ptr_nonnull(log);
	iks_status st = iks_log_read_files(log, p, n, err);
	ck_assert_msg(st == IKS_OK, "%s (%d)", err, st);
	return log;
}

/* Every scenario, both sides: what the log says it sent/received. */
static const struct scenario {
	const char *name;
	char side;
	size_t messages;     /* send/receive message records in the log */
	size_t ike_packets;  /* IKE packets in that side's capture */
} scenarios[] = {
	{ "ikev2_cert_fragdrop", 'a', 7, 7 },
	{ "ikev2_cert_fragdrop", 'b', 2, 2 },
	{ "ikev1_cert_ikefrag_ok_nftdrop", 'a', 13, 13 },
	{ "ikev1_cert_ikefrag_ok_nftdrop", 'b', 13, 13 },
	{ "ikev1_psk_natt", 'a', 19, 19 },
	{ "ikev1_psk_natt", 'b', 19, 19 },
	{ "ikev2_psk_natt", 'a', 10, 10 },
	{ "ikev2_psk_natt", 'b', 10, 10 },
};

static void join_scenario(const struct scenario *s, int64_t shift_sec)
{
	char cap[128], logname[128];
	snprintf(cap, sizeof(cap), "%s_%c.pcap", s->name, s->side);
	snprintf(logname, sizeof(logname), "%s_charon_%c.log", s->name, s->side);
	const char *names[1] = { logname };
	iks_log *log = logtest_read(IKS_LOG_AUTO, names, 1);
	ck_assert_int_eq(iks_log_format_of(log), IKS_LOG_CHARON);
	iks_log_pkt *pk;
	size_t n = logtest_pkts(cap, &pk);
	for (size_t i = 0; i < n; i++)
		pk[i].ts_sec += shift_sec; /* as editcap -t shift_sec */
	ck_assert_uint_eq(n, s->ike_packets);
	ck_assert_uint_eq(iks_log_nmessages(log), s->messages);
	iks_log_join *j;
	ck_assert_int_eq(iks_log_join_run(log, pk, n, NULL, &j), IKS_OK);
	ck_assert_msg(j->matched == s->messages, "%s: matched %u of %zu", logname, j->matched,
		      s->messages);
	ck_assert_uint_eq(j->unmatched_log, 0);
	ck_assert_uint_eq(j->unmatched_capture, 0);
	ck_assert(j->has_offset);
	/* both ends share the lab host's clock: the true offset is the shift */
	int64_t err = j->offset_ns - shift_sec * 1000000000LL;
	ck_assert_msg(err > -1000000000LL && err < 1000000000LL, "%s: offset %lld ns", logname,
		      (long long)j->offset_ns);
	/* each match agrees on every key the log gives */
	for (size_t i = 0; i < j->nmsgs; i++) {
		const iks_log_msg *m = iks_log_message_at(log, i);
		const iks_log_pkt *p = &pk[j->msg_pkt[i]];
		ck_assert_uint_eq(m->length, p->length);
		ck_assert_uint_eq(m->msgid, p->msgid);
		ck_assert_uint_eq(m->exchange, p->exchange);
		ck_assert_uint_eq(j->pkt_msg[j->msg_pkt[i]], i);
		ck_assert(m->dir == IKS_LOG_SENT ? memcmp(m->local.bytes, p->src.bytes, 4) == 0
						 : memcmp(m->local.bytes, p->dst.bytes, 4) == 0);
	}
	iks_log_join_free(j);
	free(pk);
	iks_log_free(log);
}

START_TEST(charon_joins_every_scenario)
{
	join_scenario(&scenarios[_i], 0);
}
END_TEST

START_TEST(charon_joins_shifted_capture)
{
	/* editcap -t 3600 and -t -7200: the offset follows the shift */
	join_scenario(&scenarios[_i], _i % 2 ? -7200 : 3600);
}
END_TEST

/* ikev2_cert_fragdrop: the IKE_AUTH request (2096 bytes, IP-fragmented)
 * is sent once and retransmitted 4 times; r drops the second fragments. */
START_TEST(charon_fragdrop_retransmits)
{
	const char *names[1] = { "ikev2_cert_fragdrop_charon_a.log" };
	iks_log *log = logtest_read(IKS_LOG_CHARON, names, 1);
	iks_log_pkt *pk;
	size_t n = logtest_pkts("ikev2_cert_fragdrop_a.pcap", &pk);
	iks_log_join *j;
	ck_assert_int_eq(iks_log_join_run(log, pk, n, NULL, &j), IKS_OK);
	ck_assert_uint_eq(j->retransmits, 4);
	static const struct { uint32_t line, rexmit; uint64_t frame; } want[] = {
		{ 262, 0, 9 }, { 286, 0, 10 }, { 970, 0, 12 }, { 975, 1, 17 },
		{ 978, 2, 20 }, { 981, 3, 23 }, { 984, 4, 28 },
	};
	for (size_t i = 0; i < 7; i++) {
		const iks_log_msg *m = iks_log_message_at(log, i);
		ck_assert_uint_eq(m->line, want[i].line);
		ck_assert_uint_eq(m->retransmit, want[i].rexmit);
		ck_assert_uint_eq(pk[j->msg_pkt[i]].frame, want[i].frame);
		if (i >= 2) {
			ck_assert_uint_eq(m->exchange, 35); /* IKE_AUTH */
			ck_assert_uint_eq(m->msgid, 1);
			ck_assert_uint_eq(m->length, 2096);
			ck_assert(!m->response);
		}
	}
	/* the give-up line is a record with its count */
	bool gave_up = false;
	for (size_t i = 0; i < iks_log_nrecords(log); i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		if (r->kind == IKS_LK_GIVE_UP) {
			ck_assert_uint_eq(r->line, 986);
			ck_assert_uint_eq(r->num, 4);
			gave_up = true;
		}
	}
	ck_assert(gave_up);
	iks_log_join_free(j);
	free(pk);
	iks_log_free(log);
}
END_TEST

/* IKEv1 fragments: two FRAG messages each way; charon's line for the
 * message it reassembled itself is not a wire packet. */
/* The IKEv1 form of charon's retransmit line ("sending retransmit N of
 * request message ID M, seq S") counts as the IKEv2 one does: the fragdrop
 * log with its four retransmit lines rewritten so joins the same frames. */
START_TEST(charon_v1_retransmit_lines)
{
	char path[1024];
	fixture_path("ikev2_cert_fragdrop_charon_a.log", path, sizeof(path));
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *out = malloc(1 << 22), line[4096];
	ck_assert_ptr_nonnull(out);
	size_t len = 0;
	unsigned rewritten = 0;
	while (fgets(line, sizeof(line), f)) {
		char *r = strstr(line, "retransmit ");
		unsigned n, mid;
		if (r && sscanf(r, "retransmit %u of request with message ID %u", &n, &mid) == 2) {
			len += (size_t)snprintf(out + len, (1 << 22) - len, "%.*ssending retransmit %u of "
						"request message ID %u, seq 3\n", (int)(r - line), line, n, mid);
			rewritten++;
		} else {
			len += (size_t)snprintf(out + len, (1 << 22) - len, "%s", line);
		}
	}
	fclose(f);
	ck_assert_uint_eq(rewritten, 4);
	iks_log *log = iks_log_new(IKS_LOG_CHARON, NULL);
	ck_assert_int_eq(iks_log_parse_buffer(log, "v1-form.log", (const uint8_t *)out, len), IKS_OK);
	free(out);
	iks_log_pkt *pk;
	size_t n = logtest_pkts("ikev2_cert_fragdrop_a.pcap", &pk);
	iks_log_join *j;
	ck_assert_int_eq(iks_log_join_run(log, pk, n, NULL, &j), IKS_OK);
	ck_assert_uint_eq(j->retransmits, 4);
	static const uint64_t frames[] = { 17, 20, 23, 28 };
	for (uint32_t i = 0; i < 4; i++) {
		const iks_log_msg *m = iks_log_message_at(log, 3 + i);
		ck_assert_uint_eq(m->retransmit, i + 1);
		ck_assert_uint_eq(pk[j->msg_pkt[3 + i]].frame, frames[i]);
	}
	iks_log_join_free(j);
	free(pk);
	iks_log_free(log);
}
END_TEST

START_TEST(charon_ike_fragments)
{
	const char *names[1] = { "ikev1_cert_ikefrag_ok_nftdrop_charon_a.log" };
	iks_log *log = logtest_read(IKS_LOG_CHARON, names, 1);
	const iks_log_record *r = iks_log_record_at(log, 976); /* line 977 */
	ck_assert_uint_eq(r->line, 977);
	ck_assert_int_eq(r->kind, IKS_LK_RECV_INTERNAL);
	ck_assert_uint_eq(r->num, 1868);
	ck_assert_uint_eq(r->msg, IKS_LOG_NONE);
	const iks_log_msg *m = iks_log_message_at(log, 4);
	ck_assert_uint_eq(m->line, 871);
	ck_assert(m->fragment);
	ck_assert_uint_eq(m->length, 1248);
	ck_assert_uint_eq(m->local_port, 4500);
	/* quick mode message IDs as charon prints them (decimal) */
	m = iks_log_message_at(log, 8);
	ck_assert_uint_eq(m->exchange, 32);
	ck_assert_uint_eq(m->msgid, 0x3ef8cc94u);
	iks_log_free(log);
}
END_TEST

/* CHILD_SA SPIs logged by a are the ESP SPIs in a's capture. */
START_TEST(charon_child_spis)
{
	const char *names[1] = { "ikev2_psk_natt_charon_a.log" };
	iks_log *log = logtest_read(IKS_LOG_CHARON, names, 1);
	uint32_t spis[3][2];
	size_t n = 0;
	for (size_t i = 0; i < iks_log_nrecords(log); i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		if (r->kind == IKS_LK_CHILD_SPIS && n < 3) {
			spis[n][0] = r->spi[0];
			spis[n][1] = r->spi[1];
			n++;
		}
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(spis[0][0], 0x6a1e352au);
	ck_assert_uint_eq(spis[0][1], 0xfe7eaf53u);
	ck_assert_uint_eq(spis[2][1], 0x46392ebdu);
	fixture_capture fc;
	fixture_load("ikev2_psk_natt_a.pcap", &fc);
	size_t out = 0, in = 0;
	for (size_t i = 0; i < fc.npkts; i++) {
		const iks_esp_info *e = &fc.pkts[i].l.esp;
		if (!e->present)
			continue;
		for (size_t k = 0; k < 3; k++) {
			out += e->spi == spis[k][1];
			in += e->spi == spis[k][0];
		}
	}
	ck_assert_uint_gt(out, 0);
	ck_assert_uint_gt(in, 0);
	fixture_free(&fc);
	iks_log_free(log);
}
END_TEST

/* iks_log_join_trace: the join fed from a trace (what pcapcorrelate holds)
 * equals the join fed from the decoded packets, message by message, on
 * every scenario; the trace is loaded with the scenario's key files where
 * it has them, as pcapcorrelate -k does. */
START_TEST(charon_join_from_trace)
{
	const struct scenario *s = &scenarios[_i];
	char cap[128], logname[128], path[1024], kpath[1024], err[IKS_ERRBUF_SIZE] = "";
	snprintf(cap, sizeof(cap), "%s_%c.pcap", s->name, s->side);
	snprintf(logname, sizeof(logname), "%s_charon_%c.log", s->name, s->side);
	const char *names[1] = { logname };
	iks_log *log = logtest_read(IKS_LOG_AUTO, names, 1);
	iks_log_pkt *pk;
	size_t n = logtest_pkts(cap, &pk);
	iks_log_join *want, *got;
	ck_assert_int_eq(iks_log_join_run(log, pk, n, NULL, &want), IKS_OK);

	iks_keys *keys = iks_keys_new(NULL);
	ck_assert_ptr_nonnull(keys);
	static const char *const kinds[] = { "esp_sa", "ikev1_decryption_table",
					     "ikev2_decryption_table" };
	for (size_t k = 0; k < 3; k++) {
		char kname[128];
		snprintf(kname, sizeof(kname), "%s_%s", s->name, kinds[k]);
		FILE *kf = fopen(fixture_path(kname, kpath, sizeof(kpath)), "rb");
		if (!kf)
			continue;
		fclose(kf);
		ck_assert_msg(iks_keys_load_file(keys, kpath, err) == IKS_OK, "%s", err);
	}
	iks_trace *t;
	ck_assert_int_eq(iks_trace_load_keys(fixture_path(cap, path, sizeof(path)), NULL, keys, &t, err),
			 IKS_OK);
	ck_assert_int_eq(iks_log_join_trace(log, t, NULL, &got), IKS_OK);
	ck_assert_uint_eq(got->npkts, n);
	ck_assert_uint_eq(got->nmsgs, want->nmsgs);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(got->pkt_frame[i], pk[i].frame);
		ck_assert_uint_eq(want->pkt_frame[i], pk[i].frame);
		ck_assert_uint_eq(got->pkt_msg[i], want->pkt_msg[i]);
	}
	for (size_t i = 0; i < want->nmsgs; i++)
		ck_assert_uint_eq(got->msg_pkt[i], want->msg_pkt[i]);
	ck_assert_uint_eq(got->matched, s->messages);
	ck_assert_uint_eq(got->unmatched_capture, want->unmatched_capture);
	ck_assert_uint_eq(got->retransmits, want->retransmits);
	ck_assert(got->has_offset && got->offset_ns == want->offset_ns);
	ck_assert_int_eq(got->capture_day0, want->capture_day0);

	iks_log_join *none = NULL;
	ck_assert_int_eq(iks_log_join_trace(NULL, t, NULL, &none), IKS_E_INVALID);
	ck_assert_int_eq(iks_log_join_trace(log, NULL, NULL, &none), IKS_E_INVALID);
	ck_assert_ptr_null(none);
	iks_log_join_free(got);
	iks_log_join_free(want);
	iks_trace_free(t);
	iks_keys_free(keys);
	free(pk);
	iks_log_free(log);
}
END_TEST

Suite *suite_charonlog(void)
{
	Suite *s = suite_create("charonlog");
	TCase *tc = tcase_create("join");
	tcase_set_timeout(tc, 60);
	size_t n = sizeof(scenarios) / sizeof(scenarios[0]);
	tcase_add_loop_test(tc, charon_joins_every_scenario, 0, (int)n);
	tcase_add_loop_test(tc, charon_joins_shifted_capture, 0, (int)n);
	tcase_add_loop_test(tc, charon_join_from_trace, 0, (int)n);
	tcase_add_test(tc, charon_fragdrop_retransmits);
	tcase_add_test(tc, charon_v1_retransmit_lines);
	tcase_add_test(tc, charon_ike_fragments);
	tcase_add_test(tc, charon_child_spis);
	suite_add_tcase(s, tc);
	return s;
}
