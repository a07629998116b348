/* test_logjoin.c - the log join on a gateway with many peers: more IKE
 * messages share one key (exchange, message ID, length, direction) than the
 * join's candidates_max, as charon logs at the default level give no
 * cookies. Built in memory, so every message's own packet is known. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "suites.h"

#define DAY0 1709251200LL   /* 2024-03-01 00:00:00 UTC */
#define SA_INIT_LEN 456

/* A gateway sending IKE_SA_INIT requests (message ID 0, 456 bytes) to n
 * peers, per_sec of them in each whole second of its log from `start`
 * (seconds after DAY0 on the log clock): request k is on the wire at
 * start + k / per_sec + (k % per_sec + 1) / 10 s plus `shift` (the
 * capture clock minus the log clock, whole seconds), so each second's
 * messages are on the wire in log order. With `anchors`, each peer's
 * response follows 50 ms after its request with a length of its own
 * (500 + k bytes), so those messages have one candidate each. */
struct gw {
	size_t n, nmsgs, npkts;
	iks_log *log;
	iks_log_pkt *pkts;
};

struct gw_spec {
	size_t n, per_sec;
	unsigned start;
	int64_t shift;
	bool anchors;
};

/* frame number of request k's packet, and of its response: not their
 * indices, so a test that mixed the two up would fail */
static uint64_t frame_of(size_t k)
{
	return 7 + 3 * (uint64_t)k;
}

static uint64_t response_frame_of(size_t k)
{
	return 8 + 3 * (uint64_t)k;
}

static void peer_addr(size_t k, iks_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->bytes[0] = 198;
	a->bytes[1] = 51;
	a->bytes[2] = (uint8_t)(100 + k / 250);
	a->bytes[3] = (uint8_t)(1 + k % 250);
}

/* the log's own time of day (charon: no date; past midnight it restarts) */
static void tod(unsigned sec, char *t, size_t len)
{
	sec %= 86400;
	snprintf(t, len, "%02u:%02u:%02u", sec / 3600, sec / 60 % 60, sec % 60);
}

/* charon's two lines for one message: the generating/parsed line and the
 * packet line, in one thread */
static size_t log_lines(char *out, size_t room, size_t k, unsigned sec, bool response)
{
	iks_addr peer;
	peer_addr(k, &peer);
	char t[16];
	tod(sec, t, sizeof(t));
	if (!response)
		return (size_t)snprintf(out, room,
					"%s 11[ENC] generating IKE_SA_INIT request 0 [ SA KE No "
					"N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]\n"
					"%s 11[NET] sending packet: from 192.0.2.1[500] to "
					"%u.%u.%u.%u[500] (%u bytes)\n",
					t, t, peer.bytes[0], peer.bytes[1], peer.bytes[2],
					peer.bytes[3], SA_INIT_LEN);
	return (size_t)snprintf(out, room,
				"%s 12[NET] received packet: from %u.%u.%u.%u[500] to "
				"192.0.2.1[500] (%u bytes)\n"
				"%s 12[ENC] parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) "
				"N(NATD_D_IP) CERTREQ ]\n",
				t, peer.bytes[0], peer.bytes[1], peer.bytes[2], peer.bytes[3],
				500 + (unsigned)k, t);
}

static void pkt_fill(iks_log_pkt *p, const struct gw_spec *sp, size_t k, bool response)
{
	unsigned sec = sp->start + (unsigned)(k / sp->per_sec);
	uint32_t ns = (uint32_t)(k % sp->per_sec + 1) * 100000000u + (response ? 50000000u : 0);
	iks_addr gw = { 0 };
	gw.family = 4;
	memcpy(gw.bytes, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memset(p, 0, sizeof(*p));
	p->frame = response ? response_frame_of(k) : frame_of(k);
	p->ts_sec = DAY0 + sec + sp->shift;
	p->ts_nsec = ns;
	p->src = gw;
	peer_addr(k, &p->dst);
	if (response) {
		p->dst = gw;
		peer_addr(k, &p->src);
	}
	p->sport = p->dport = 500;
	p->version = 2;
	p->exchange = 34;                  /* IKE_SA_INIT */
	p->flags = response ? 0x20 : 0x08; /* response / initiator */
	memset(p->ispi, 0x11, 8);
	p->ispi[0] = (uint8_t)k; /* the capture has cookies; the log does not */
	p->msgid = 0;
	p->length = response ? 500 + (uint32_t)k : SA_INIT_LEN;
}

static void gw_build(struct gw *g, const struct gw_spec *sp)
{
	size_t per = sp->anchors ? 2 : 1;
	g->n = sp->n;
	g->nmsgs = g->npkts = sp->n * per;
	size_t room = g->nmsgs * 256 + 1;
	char *text = malloc(room);
	g->pkts = calloc(g->npkts, sizeof(*g->pkts));
	ck_assert(text && g->pkts);
	size_t len = 0;
	for (size_t k = 0; k < sp->n; k++) {
		unsigned sec = sp->start + (unsigned)(k / sp->per_sec);
		for (size_t r = 0; r < per; r++) {
			len += log_lines(text + len, room - len, k, sec, r == 1);
			ck_assert_uint_lt(len, room);
			pkt_fill(&g->pkts[k * per + r], sp, k, r == 1);
		}
	}
	g->log = iks_log_new(IKS_LOG_CHARON, NULL);
	ck_assert_ptr_nonnull(g->log);
	ck_assert_int_eq(iks_log_parse_buffer(g->log, "gw.log", (const uint8_t *)text, len), IKS_OK);
	free(text);
	/* the construction itself: the requests all have the one key */
	ck_assert_uint_eq(iks_log_nmessages(g->log), g->nmsgs);
	for (size_t k = 0; k < sp->n; k++) {
		const iks_log_msg *m = iks_log_message_at(g->log, k * per);
		ck_assert(m->dir == IKS_LOG_SENT && m->has_exchange && m->exchange == 34);
		ck_assert(m->has_msgid && m->msgid == 0 && m->length == SA_INIT_LEN);
		ck_assert(m->has_response && !m->response && !m->has_cookies);
		if (sp->anchors) {
			m = iks_log_message_at(g->log, k * per + 1);
			ck_assert(m->dir == IKS_LOG_RECEIVED && m->length == 500 + k);
		}
	}
}

static void gw_free(struct gw *g)
{
	iks_log_free(g->log);
	free(g->pkts);
}

/* Every message joined its own packet. */
static void assert_all_own(const struct gw *g, const iks_log_join *j, bool anchors)
{
	size_t per = anchors ? 2 : 1;
	for (size_t i = 0; i < g->nmsgs; i++) {
		uint64_t want = i % per ? response_frame_of(i / per) : frame_of(i / per);
		ck_assert_msg(j->msg_pkt[i] != IKS_LOG_NONE, "message %zu not joined (offset %lld ns)",
			      i, (long long)j->offset_ns);
		ck_assert_msg(g->pkts[j->msg_pkt[i]].frame == want,
			      "message %zu joined frame %llu, not %llu (offset %lld ns)", i,
			      (unsigned long long)g->pkts[j->msg_pkt[i]].frame,
			      (unsigned long long)want, (long long)j->offset_ns);
	}
	ck_assert_uint_eq(j->matched, g->nmsgs);
	ck_assert_uint_eq(j->unmatched_log, 0);
	ck_assert_uint_eq(j->unmatched_capture, 0);
}

/* 100 peers at 1 s intervals, each request followed by a response of a
 * length of its own: the responses fix the clock, and every request must
 * still find its own packet among 100 of its key (before the fix the
 * search stopped at the first 64 of them in capture order, so requests
 * 64 to 99 came out "not in the capture"). */
START_TEST(join_anchored_peers)
{
	struct gw g;
	struct gw_spec sp = { 100, 1, 10 * 3600, 0, true };
	gw_build(&g, &sp);
	iks_log_join *j;
	ck_assert_int_eq(iks_log_join_run(g.log, g.pkts, g.npkts, NULL, &j), IKS_OK);
	assert_all_own(&g, j, true);
	ck_assert_uint_eq(j->candidates_capped, 0);
	iks_log_join_free(j);
	gw_free(&g);
}
END_TEST

/* Requests only (100 peers that never answer): no message has fewer
 * candidates than candidates_max, so the clock comes from every pair
 * (before the fix the first 64 packets in capture order pulled it to
 * -33.4 s, and 64 requests joined another peer's packet). Run at 10:00,
 * across midnight, and with the capture clock an hour behind the log
 * across midnight (the capture on the day before the log's day). */
static const struct gw_spec one_key[] = {
	{ 100, 1, 10 * 3600, 0, false },
	{ 100, 1, 86400 - 50, 0, false },
	{ 100, 1, 86400 + 1200, -3600, false },
};

START_TEST(join_one_key_only)
{
	struct gw g;
	const struct gw_spec *sp = &one_key[_i];
	gw_build(&g, sp);
	iks_log_join *j;
	ck_assert_int_eq(iks_log_join_run(g.log, g.pkts, g.npkts, NULL, &j), IKS_OK);
	assert_all_own(&g, j, false);
	ck_assert_uint_eq(j->candidates_capped, 0);
	/* request k at .1 s past its log second, whose middle is .5 */
	ck_assert(j->has_offset);
	ck_assert_int_eq(j->offset_ns, sp->shift * 1000000000LL - 400000000LL);
	iks_log_join_free(j);
	gw_free(&g);
}
END_TEST

/* 100 requests, 4 in each log second (on the wire at .1 .2 .3 .4), with
 * candidates_max 2: the k-th message of a second looks at the k-1 packets
 * its earlier ones took before its own, so the first two of each second
 * join their own packets and the last two stop at the cap: exactly 50
 * capped, none of them "not in the capture". With the default cap all
 * 100 join their own. */
START_TEST(join_capped_counted)
{
	struct gw g;
	struct gw_spec sp = { 100, 4, 10 * 3600, 0, false };
	gw_build(&g, &sp);
	iks_log_join *j;
	ck_assert_int_eq(iks_log_join_run(g.log, g.pkts, g.npkts, NULL, &j), IKS_OK);
	assert_all_own(&g, j, false);
	ck_assert_uint_eq(j->candidates_capped, 0);
	iks_log_join_free(j);

	iks_log_join_options opt = { 0, 2 };
	ck_assert_int_eq(iks_log_join_run(g.log, g.pkts, g.npkts, &opt, &j), IKS_OK);
	for (size_t k = 0; k < g.n; k++) {
		bool capped = k % 4 >= 2;
		ck_assert_msg(j->msg_capped[k] == capped, "message %zu capped %d", k, j->msg_capped[k]);
		if (capped) {
			ck_assert_uint_eq(j->msg_pkt[k], IKS_LOG_NONE);
			continue;
		}
		ck_assert_msg(j->msg_pkt[k] != IKS_LOG_NONE, "message %zu not joined", k);
		ck_assert_uint_eq(g.pkts[j->msg_pkt[k]].frame, frame_of(k));
	}
	ck_assert_uint_eq(j->candidates_capped, 50);
	ck_assert_uint_eq(j->matched, 50);
	ck_assert_uint_eq(j->unmatched_log, 0);
	ck_assert_uint_eq(j->unmatched_capture, 50);
	/* the joined ones are at .1 and .2 past their second's middle .5 */
	ck_assert_int_eq(j->offset_ns, -350000000LL);
	iks_log_join_free(j);
	gw_free(&g);
}
END_TEST

Suite *suite_logjoin(void)
{
	Suite *s = suite_create("logjoin");
	TCase *tc = tcase_create("candidates");
	tcase_add_test(tc, join_anchored_peers);
	tcase_add_loop_test(tc, join_one_key_only, 0, (int)(sizeof(one_key) / sizeof(one_key[0])));
	tcase_add_test(tc, join_capped_counted);
	suite_add_tcase(s, tc);
	return s;
}
