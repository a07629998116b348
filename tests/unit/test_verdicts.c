/*
 * test_verdicts.c - the verdict rules on traces built by hand, where the
 * answer is known by construction: loss plus retransmits plus a clock
 * offset, only responses lost, loss near both ends of the captures.
 */
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"
#include "synth.h"

#define T0 1800000000.0
#define IKE_SA_INIT 34
#define IKE_AUTH 35

/* Both traces, filled by the scenario, then correlated. */
typedef struct pair_traces {
	iks_trace *t[2];
} pair_traces;

static void pt_init(pair_traces *pt)
{
	pt->t[0] = iks_trace_new(NULL);
	pt->t[1] = iks_trace_new(NULL);
	ck_assert(pt->t[0] && pt->t[1]);
}

static void add(pair_traces *pt, int side, const synth *s)
{
	ck_assert_int_eq(iks_trace_add_packet(pt->t[side], &s->p), IKS_OK);
}

static iks_correlation *pt_correlate(pair_traces *pt)
{
	iks_correlation *c = NULL;
	ck_assert_int_eq(iks_correlate(pt->t[0], pt->t[1], NULL, &c), IKS_OK);
	iks_trace_free(pt->t[0]);
	iks_trace_free(pt->t[1]);
	return c;
}

/* ESP both ways every `gap` seconds in [from, to) of a's clock; b's clock
 * is a's + offset; a->b packets numbered in `lose_ab` never arrive. */
static void esp_flow(pair_traces *pt, double from, double to, double gap, double offset,
		     const uint32_t *lose_ab, size_t nlose, double b_from, double b_to)
{
	synth s;
	uint32_t seq = 1;
	for (double t = from; t < to; t += gap, seq++) {
		bool lost = false;
		for (size_t k = 0; k < nlose; k++)
			lost |= lose_ab[k] == seq;
		double tb = t + offset + 0.002;
		synth_esp(&s, true, 0x1000, seq, 300, 64, t, 0xaa);
		add(pt, 0, &s);
		if (!lost && tb - offset >= b_from && tb - offset < b_to) {
			synth_esp(&s, true, 0x1000, seq, 300, 62, tb, 0xaa);
			add(pt, 1, &s);
		}
		double tr = tb + 0.001; /* b answers */
		if (tr - offset >= b_from && tr - offset < b_to) {
			synth_esp(&s, false, 0x2000, seq, 120, 64, tr, 0xbb);
			add(pt, 1, &s);
			synth_esp(&s, false, 0x2000, seq, 120, 62, tr - offset + 0.002, 0xbb);
			add(pt, 0, &s);
		}
	}
}

static const iks_verdict *first_verdict(const iks_correlation *c, size_t *n)
{
	const iks_verdict *v;
	*n = iks_correlation_verdicts(c, &v);
	ck_assert_uint_ge(*n, 1);
	return v;
}

static size_t count_kind(const iks_correlation *c, int kind, int dir)
{
	const iks_finding *f;
	size_t n = iks_correlation_findings(c, &f), k = 0;
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == kind && (dir < 0 || f[i].direction == dir))
			k++;
	return k;
}

/* Every evidence index points at a finding of the verdict's direction (or
 * at one without direction). */
static void evidence_sane(const iks_correlation *c, const iks_verdict *v)
{
	const iks_finding *f;
	size_t n = iks_correlation_findings(c, &f);
	for (uint32_t i = 0; i < v->nevidence; i++) {
		ck_assert_uint_lt(v->evidence[i], n);
		const iks_finding *e = &f[v->evidence[i]];
		if (v->direction == IKS_DIR_A_TO_B || v->direction == IKS_DIR_B_TO_A)
			ck_assert(e->direction == v->direction || e->direction == IKS_DIR_UNKNOWN);
	}
}

/* IKE_SA_INIT answered; the IKE_AUTH request sent three times, the first
 * two copies lost in the path, the third answered; ESP both ways without
 * loss; b's clock 5 s ahead. The one cause: loss a->b (two IKE packets). */
START_TEST(loss_retransmit_offset)
{
	pair_traces pt;
	pt_init(&pt);
	const double off = 5.0;
	synth s;
	synth_ike(&s, true, 0x11, 0, IKE_SA_INIT, 0, false, 400, 100, 64, T0);
	add(&pt, 0, &s);
	synth_ike(&s, true, 0x11, 0, IKE_SA_INIT, 0, false, 400, 100, 62, T0 + off + 0.002);
	add(&pt, 1, &s);
	synth_ike(&s, false, 0x11, 0x22, IKE_SA_INIT, 0, true, 420, 200, 64, T0 + off + 0.010);
	add(&pt, 1, &s);
	synth_ike(&s, false, 0x11, 0x22, IKE_SA_INIT, 0, true, 420, 200, 62, T0 + 0.012);
	add(&pt, 0, &s);
	/* IKE_AUTH: copies at +1, +2, +4 s; only the last arrives */
	const double at[3] = { 1.0, 2.0, 4.0 };
	for (int k = 0; k < 3; k++) {
		synth_ike(&s, true, 0x11, 0x22, IKE_AUTH, 1, false, 300, (uint16_t)(101 + k), 64,
			  T0 + at[k]);
		add(&pt, 0, &s);
	}
	synth_ike(&s, true, 0x11, 0x22, IKE_AUTH, 1, false, 300, 103, 62, T0 + 4.0 + off + 0.002);
	add(&pt, 1, &s);
	synth_ike(&s, false, 0x11, 0x22, IKE_AUTH, 1, true, 250, 201, 64, T0 + 4.0 + off + 0.010);
	add(&pt, 1, &s);
	synth_ike(&s, false, 0x11, 0x22, IKE_AUTH, 1, true, 250, 201, 62, T0 + 4.012);
	add(&pt, 0, &s);
	esp_flow(&pt, T0 + 5, T0 + 15, 0.1, off, NULL, 0, 0, 1e12);
	iks_correlation *c = pt_correlate(&pt);

	ck_assert_double_eq_tol(iks_correlation_clock(c)->offset_s, off, 1e-3);
	const iks_negotiation *n;
	ck_assert_uint_eq(iks_correlation_negotiations(c, &n), 1);
	ck_assert_int_eq(n[0].outcome, IKS_OUTCOME_COMPLETE);
	ck_assert_uint_eq(count_kind(c, IKS_FIND_IKE_RETRANSMIT, IKS_DIR_A_TO_B), 1);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(st.lost_ab, 2);
	ck_assert_uint_eq(st.lost_ba, 0);

	size_t nv;
	const iks_verdict *v = first_verdict(c, &nv);
	ck_assert_uint_eq(nv, 1);
	ck_assert_int_eq(v->cause, IKS_CAUSE_RANDOM_LOSS);
	ck_assert_int_eq(v->direction, IKS_DIR_A_TO_B);
	ck_assert_uint_eq(v->count, 2);
	ck_assert(v->rate_ab > 0 && v->rate_ab < 0.05);
	ck_assert(v->rate_ba == 0);
	evidence_sane(c, v);
	ck_assert_uint_ge(v->nevidence, 2); /* the lost copies and the retransmit */
	const iks_loss_profile *p = iks_correlation_loss_profile(c, 0);
	ck_assert_uint_eq(p->ike.lost, 2);
	ck_assert_uint_eq(p->esp.lost, 0);
	ck_assert_uint_eq(p->run_ike.count, 2);
	ck_assert(!p->run_ike.to_end); /* the third copy arrived */
	iks_correlation_free(c);
}
END_TEST

/* A new IKE SA while an older SA's ESP flows both ways without loss: a's
 * IKE_SA_INIT request arrives every time (4 copies); each of b's four
 * answers is lost on the way back. Every IKE packet b->a is lost while ESP
 * passes: blocked (IKE) b->a, and nothing a->b is called lost. */
START_TEST(only_responses_lost)
{
	pair_traces pt;
	pt_init(&pt);
	synth s;
	const double at[4] = { 0, 1, 3, 7 };
	for (int k = 0; k < 4; k++) {
		synth_ike(&s, true, 0x33, 0, IKE_SA_INIT, 0, false, 400, (uint16_t)(10 + k), 64, T0 + at[k]);
		add(&pt, 0, &s);
		synth_ike(&s, true, 0x33, 0, IKE_SA_INIT, 0, false, 400, (uint16_t)(10 + k), 62,
			  T0 + at[k] + 0.003);
		add(&pt, 1, &s);
		synth_ike(&s, false, 0x33, 0x44, IKE_SA_INIT, 0, true, 420, (uint16_t)(20 + k), 64,
			  T0 + at[k] + 0.010);
		add(&pt, 1, &s);
	}
	esp_flow(&pt, T0 - 1, T0 + 10, 0.1, 0, NULL, 0, 0, 1e12);
	iks_correlation *c = pt_correlate(&pt);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(st.lost_ab, 0);
	ck_assert_uint_eq(st.lost_ba, 4);
	/* the requester retransmits, the responder answers each copy again */
	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	bool resp_retx = false, req_retx = false;
	for (size_t i = 0; i < nf; i++)
		if (f[i].kind == IKS_FIND_IKE_RETRANSMIT) {
			if (f[i].response) {
				resp_retx = true;
				ck_assert_int_eq(f[i].direction, IKS_DIR_B_TO_A);
				ck_assert(strstr(f[i].explain, "responder") != NULL);
			} else {
				req_retx = true;
				ck_assert_int_eq(f[i].direction, IKS_DIR_A_TO_B);
				ck_assert(strstr(f[i].explain, "requester") != NULL);
			}
		}
	ck_assert(resp_retx && req_retx);
	size_t nv;
	const iks_verdict *v = first_verdict(c, &nv);
	ck_assert_int_eq(v->cause, IKS_CAUSE_BLOCKED);
	ck_assert_int_eq(v->direction, IKS_DIR_B_TO_A);
	ck_assert_str_eq(v->what, "IKE");
	ck_assert_uint_eq(v->count, 4);
	ck_assert_double_eq_tol(v->to_s - v->from_s, 7.0, 1e-3);
	ck_assert(strstr(v->summary, "Every IKE packet b->a") != NULL);
	evidence_sane(c, v);
	for (size_t k = 0; k < nv; k++)
		ck_assert(v[k].direction != IKS_DIR_A_TO_B); /* nothing blamed on a->b */
	iks_correlation_free(c);
}
END_TEST

/* a captures 0-20 s, b only 2-18 s; one a->b packet is lost at 10 s.
 * What a sent while b was not capturing is not judged; the one loss is. */
START_TEST(loss_at_both_ends)
{
	pair_traces pt;
	pt_init(&pt);
	const uint32_t lose[] = { 101 }; /* sent at 10.0 s */
	esp_flow(&pt, T0, T0 + 20, 0.1, -3.0, lose, 1, T0 + 2, T0 + 18);
	iks_correlation *c = pt_correlate(&pt);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(st.lost_ab, 1);
	ck_assert_uint_eq(st.lost_ba, 0);
	ck_assert_uint_ge(st.not_covered, 30); /* about 2 s at each end at 10 packets/s */
	ck_assert_double_eq_tol(iks_correlation_clock(c)->offset_s, -3.0, 1e-3);
	size_t nv;
	const iks_verdict *v = first_verdict(c, &nv);
	ck_assert_uint_eq(nv, 1);
	ck_assert_int_eq(v->cause, IKS_CAUSE_RANDOM_LOSS);
	ck_assert_int_eq(v->direction, IKS_DIR_A_TO_B);
	ck_assert_uint_eq(v->count, 1);
	evidence_sane(c, v);
	iks_correlation_free(c);
}
END_TEST

/* The same flow without the loss: exactly one verdict, no-path-problem. */
START_TEST(healthy_path)
{
	pair_traces pt;
	pt_init(&pt);
	esp_flow(&pt, T0, T0 + 10, 0.1, 1.5, NULL, 0, 0, 1e12);
	iks_correlation *c = pt_correlate(&pt);
	size_t nv;
	const iks_verdict *v = first_verdict(c, &nv);
	ck_assert_uint_eq(nv, 1);
	ck_assert_int_eq(v->cause, IKS_CAUSE_NO_PATH_PROBLEM);
	ck_assert_str_eq(iks_cause_name(v->cause), "no-path-problem");
	iks_correlation_free(c);
}
END_TEST

/* iks_correlation_use_log on the lab's pluto_nat_v2 run (captures/logs):
 * pluto a dropped charon's two Delete requests (a's log lines 3754 and
 * 3784, "no corresponding IKE SA"), unanswered. Without the log: only
 * no-path-problem; with it: daemon-dropped b->a first, then no-path-problem;
 * b's log (the sender's) adds nothing; bad arguments change nothing. */
START_TEST(log_daemon_dropped)
{
	iks_trace *ta = fixture_trace("logs/pluto_nat_v2_a.pcap", 0, 0, 0);
	iks_trace *tb = fixture_trace("logs/pluto_nat_v2_b.pcap", 0, 0, 0);
	iks_correlation *c = NULL;
	ck_assert_int_eq(iks_correlate(ta, tb, NULL, &c), IKS_OK);
	size_t nv;
	const iks_verdict *v = first_verdict(c, &nv);
	ck_assert_uint_eq(nv, 1);
	ck_assert_int_eq(v->cause, IKS_CAUSE_NO_PATH_PROBLEM);
	ck_assert_str_eq(v->log_note, "");

	char path[1024], err[IKS_ERRBUF_SIZE] = "";
	const char *files[2] = { fixture_path("logs/pluto_nat_v2_pluto_a.log", path, sizeof(path)), NULL };
	iks_log *la = iks_log_new(IKS_LOG_AUTO, NULL);
	ck_assert_int_eq(iks_log_read_files(la, files, 1, err), IKS_OK);
	iks_log_join *ja = NULL;
	ck_assert_int_eq(iks_log_join_trace(la, ta, NULL, &ja), IKS_OK);

	ck_assert_int_eq(iks_correlation_use_log(NULL, 0, la, ja), IKS_E_INVALID);
	ck_assert_int_eq(iks_correlation_use_log(c, 2, la, ja), IKS_E_INVALID);
	ck_assert_int_eq(iks_correlation_use_log(c, 0, NULL, ja), IKS_E_INVALID);
	ck_assert_uint_eq(iks_correlation_verdicts(c, &v), 1);

	for (int round = 0; round < 2; round++) { /* a second call replaces the first */
		ck_assert_int_eq(iks_correlation_use_log(c, 0, la, ja), IKS_OK);
		nv = iks_correlation_verdicts(c, &v);
		ck_assert_uint_eq(nv, 2);
		ck_assert_int_eq(v[0].cause, IKS_CAUSE_DAEMON_DROPPED);
		ck_assert_str_eq(iks_cause_name(v[0].cause), "daemon-dropped");
		ck_assert_int_eq(v[0].direction, IKS_DIR_B_TO_A);
		ck_assert_str_eq(v[0].confidence, "certain");
		ck_assert_uint_eq(v[0].count, 2);
		ck_assert_int_eq(v[0].log_side, 'a');
		ck_assert_uint_eq(v[0].log_line, 3754);
		ck_assert_str_eq(v[0].log_reason, "no-ike-sa");
		ck_assert_ptr_null(strstr(v[0].summary, "message dropped"));
		ck_assert_int_eq(v[1].cause, IKS_CAUSE_NO_PATH_PROBLEM);
		evidence_sane(c, &v[0]);
	}

	/* b's log: the sender of those requests proves no drop */
	files[0] = fixture_path("logs/pluto_nat_v2_charon_b.log", path, sizeof(path));
	iks_log *lb = iks_log_new(IKS_LOG_AUTO, NULL);
	ck_assert_int_eq(iks_log_read_files(lb, files, 1, err), IKS_OK);
	iks_log_join *jb = NULL;
	ck_assert_int_eq(iks_log_join_trace(lb, tb, NULL, &jb), IKS_OK);
	ck_assert_int_eq(iks_correlation_use_log(c, 1, lb, jb), IKS_OK);
	nv = iks_correlation_verdicts(c, &v);
	ck_assert_uint_eq(nv, 2);
	ck_assert_int_eq(v[0].cause, IKS_CAUSE_DAEMON_DROPPED);
	ck_assert_uint_eq(v[0].count, 2);

	/* one capture: not changed */
	iks_correlation *one = NULL;
	ck_assert_int_eq(iks_diagnose(ta, NULL, &one), IKS_OK);
	ck_assert_int_eq(iks_correlation_use_log(one, 0, la, ja), IKS_E_INVALID);
	iks_correlation_free(one);

	iks_log_join_free(ja);
	iks_log_join_free(jb);
	iks_log_free(la);
	iks_log_free(lb);
	iks_correlation_free(c);
	iks_trace_free(ta);
	iks_trace_free(tb);
}
END_TEST

Suite *suite_verdicts(void)
{
	Suite *s = suite_create("verdicts");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, loss_retransmit_offset);
	tcase_add_test(tc, only_responses_lost);
	tcase_add_test(tc, loss_at_both_ends);
	tcase_add_test(tc, healthy_path);
	tcase_add_test(tc, log_daemon_dropped);
	suite_add_tcase(s, tc);
	return s;
}
