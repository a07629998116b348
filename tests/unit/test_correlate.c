/*
 * test_correlate.c - pcapcorrelate's engine on the two-sided captures in
 * captures/: findings, outcomes and clock offsets, also with b's clock
 * shifted and with b's capture started late / stopped early.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"

static iks_correlation *correlate(const char *scenario, double shift_s, double from_s, double to_s)
{
	char a[256], b[256];
	snprintf(a, sizeof(a), "%s_a.pcap", scenario);
	snprintf(b, sizeof(b), "%s_b.pcap", scenario);
	iks_trace *ta = fixture_trace(a, 0, 0, 0), *tb = fixture_trace(b, shift_s, from_s, to_s);
	iks_correlation *c = NULL;
	ck_assert_int_eq(iks_correlate(ta, tb, NULL, &c), IKS_OK);
	iks_trace_free(ta);
	iks_trace_free(tb);
	ck_assert(iks_correlation_endpoints(c)->known);
	ck_assert(iks_correlation_clock(c)->known);
	return c;
}

static size_t count(const iks_correlation *c, int kind, int dir)
{
	const iks_finding *f;
	size_t n = iks_correlation_findings(c, &f), k = 0;
	for (size_t i = 0; i < n; i++)
		k += f[i].kind == kind && (dir < 0 || f[i].direction == dir);
	return k;
}

static const iks_finding *first(const iks_correlation *c, int kind)
{
	const iks_finding *f;
	size_t n = iks_correlation_findings(c, &f);
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == kind)
			return &f[i];
	return NULL;
}

static void assert_hex8(const uint8_t *got, const char *want)
{
	char s[17];
	for (int i = 0; i < 8; i++)
		snprintf(s + 2 * i, 3, "%02x", got[i]);
	ck_assert_str_eq(s, want);
}

static void check_fragdrop(const iks_correlation *c, double shift)
{
	ck_assert_double_eq_tol(iks_correlation_clock(c)->offset_s, shift, 0.005);
	const iks_negotiation *n;
	ck_assert_uint_eq(iks_correlation_negotiations(c, &n), 1);
	assert_hex8(n->ispi, "fcab69e516bc4732");
	ck_assert_int_eq(n->initiator, IKS_DIR_A_TO_B);
	ck_assert_int_eq(n->outcome, IKS_OUTCOME_FAILED);
	ck_assert_uint_eq(n->failed_exchange, 35);
	ck_assert_uint_eq(n->failed_msgid, 1);

	const iks_finding *r = first(c, IKS_FIND_IKE_RETRANSMIT);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->direction, IKS_DIR_A_TO_B);
	ck_assert_uint_eq(r->msgid, 1);
	ck_assert_uint_eq(r->count, 4);
	/* strongSwan's retransmission back-off: 1, 1.5, 2.25, 3.375 s */
	static const double gaps[] = { 1.0, 1.5, 2.25, 3.375 };
	for (int k = 0; k < 4; k++)
		ck_assert_double_eq_tol(r->intervals_s[k], gaps[k], 0.01);

	const iks_finding *u = first(c, IKS_FIND_IKE_UNANSWERED);
	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(u->exchange, 35);
	ck_assert_uint_eq(u->frame_a, 11);
	ck_assert_uint_eq(u->frame_b, 0);

	/* every copy lost its second fragment; the first ones arrived */
	static const uint32_t ids[] = { 0xf87f, 0xf927, 0xf934, 0xfa28, 0xfbd9 };
	ck_assert_uint_eq(count(c, IKS_FIND_FRAGMENT_LOSS, IKS_DIR_A_TO_B), 5);
	ck_assert_uint_eq(count(c, IKS_FIND_PACKET_LOSS, -1), 0);
	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f), k = 0;
	for (size_t i = 0; i < nf; i++) {
		if (f[i].kind != IKS_FIND_FRAGMENT_LOSS)
			continue;
		ck_assert_uint_eq(f[i].ip_id, ids[k++]);
		ck_assert(f[i].has_ike);
		ck_assert_uint_eq(f[i].msgid, 1);
		ck_assert_uint_eq(f[i].nranges, 1);
		ck_assert_uint_eq(f[i].missing[0].start, 1480);
		ck_assert_uint_eq(f[i].missing[0].end, IKS_LEN_UNKNOWN);
		ck_assert_str_eq(f[i].pattern, "only-first-fragments-pass");
		ck_assert_uint_eq(f[i].pattern_lost, 5);
		ck_assert_uint_eq(f[i].pattern_total, 5);
	}
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(st.lost_ab, 5);
	ck_assert_uint_eq(st.lost_ba, 0);
}

START_TEST(ikev2_fragments_dropped_in_path)
{
	iks_correlation *c = correlate("ikev2_cert_fragdrop", 0, 0, 0);
	check_fragdrop(c, 0);
	iks_correlation_free(c);
	c = correlate("ikev2_cert_fragdrop", 3600.25, 0, 0);
	check_fragdrop(c, 3600.25);
	iks_correlation_free(c);
}
END_TEST

static void check_nftdrop(const iks_correlation *c, double shift)
{
	ck_assert_double_eq_tol(iks_correlation_clock(c)->offset_s, shift, 0.005);
	const iks_negotiation *n;
	ck_assert_uint_eq(iks_correlation_negotiations(c, &n), 1);
	ck_assert_uint_eq(n->version, 1);
	ck_assert_int_eq(n->outcome, IKS_OUTCOME_COMPLETE);
	/* main mode (6 messages, MM5/MM6 in IKE fragments) and one quick mode */
	ck_assert_uint_eq(n->exchanges[0].type, 2);
	ck_assert_uint_ge(n->exchanges[0].nmessages, 6);
	ck_assert_uint_eq(count(c, IKS_FIND_IKE_UNANSWERED, -1), 0);
	ck_assert_uint_eq(count(c, IKS_FIND_FRAGMENT_LOSS, IKS_DIR_A_TO_B), 8);
	ck_assert_uint_eq(count(c, IKS_FIND_FRAGMENT_LOSS, IKS_DIR_B_TO_A), 0);
	const iks_finding *f = first(c, IKS_FIND_FRAGMENT_LOSS);
	ck_assert_str_eq(f->pattern, "no-fragment-passes");
	ck_assert_uint_eq(f->spi, 0xba767878);
	ck_assert_uint_eq(f->seq, 2);
	ck_assert_uint_eq(f->count, 0);
	const iks_finding *i = first(c, IKS_FIND_ICMP_FRAG_NEEDED);
	ck_assert_ptr_nonnull(i);
	ck_assert_uint_eq(i->mtu, 1300);
	ck_assert(i->reached_sender);
	ck_assert_uint_eq(i->seq, 1);
}

START_TEST(ikev1_esp_fragments_black_holed)
{
	iks_correlation *c = correlate("ikev1_cert_ikefrag_ok_nftdrop", 0, 0, 0);
	check_nftdrop(c, 0);
	iks_correlation_free(c);
	c = correlate("ikev1_cert_ikefrag_ok_nftdrop", 3600.25, 0, 0);
	check_nftdrop(c, 3600.25);
	iks_correlation_free(c);
}
END_TEST

static void check_clean(const char *scenario, double shift, double from, double to)
{
	iks_correlation *c = correlate(scenario, shift, from, to);
	ck_assert_double_eq_tol(iks_correlation_clock(c)->offset_s, shift, 0.005);
	const iks_negotiation *n;
	size_t nn = iks_correlation_negotiations(c, &n);
	ck_assert_uint_eq(nn, 1);
	ck_assert_int_eq(n->outcome, IKS_OUTCOME_COMPLETE);
	ck_assert_uint_eq(count(c, IKS_FIND_PACKET_LOSS, -1), 0);
	ck_assert_uint_eq(count(c, IKS_FIND_FRAGMENT_LOSS, -1), 0);
	ck_assert_uint_eq(count(c, IKS_FIND_IKE_UNANSWERED, -1), 0);
	ck_assert_uint_eq(count(c, IKS_FIND_IKE_RETRANSMIT, -1), 0);
	ck_assert_uint_eq(count(c, IKS_FIND_NAT_DETECTED, -1), 0);
	ck_assert_uint_eq(count(c, IKS_FIND_CLOCK_OFFSET, -1), 1);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(st.lost_ab + st.lost_ba, 0);
	iks_correlation_free(c);
}

START_TEST(clean_negotiations)
{
	check_clean("ikev1_psk_natt", 0, 0, 0);
	check_clean("ikev2_psk_natt", 0, 0, 0);
	check_clean("ikev1_psk_natt", 3600.25, 0, 0);
	check_clean("ikev2_psk_natt", -3600.25, 0, 0);
	/* b's capture starts after IKE_AUTH and stops before the delete */
	check_clean("ikev2_psk_natt", 0, 1795352715.0, 1795352716.5);
	check_clean("ikev2_psk_natt", 3600.25, 1795352715.0, 1795352716.5);
	/* b's capture starts in the middle of main mode and stops early */
	check_clean("ikev1_psk_natt", 0, 1795352511.425, 1795352513.0);
}
END_TEST

START_TEST(icmp_frag_needed_is_not_loss)
{
	iks_correlation *c = correlate("ikev2_psk_natt", 0, 0, 0);
	const iks_finding *i = first(c, IKS_FIND_ICMP_FRAG_NEEDED);
	ck_assert_ptr_nonnull(i);
	ck_assert_int_eq(i->direction, IKS_DIR_A_TO_B);
	ck_assert_uint_eq(i->mtu, 1300);
	ck_assert_uint_eq(i->spi, 0xfe7eaf53);
	ck_assert_uint_eq(i->seq, 4);
	ck_assert_uint_eq(i->frame_a, 21);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(st.dropped_with_icmp, 1);
	const iks_endpoints *e = iks_correlation_endpoints(c);
	char s[IKS_ADDRSTRLEN];
	ck_assert_str_eq(iks_addr_format(&e->a_in_a, s, sizeof(s)), "192.0.2.1");
	ck_assert_str_eq(iks_addr_format(&e->b_in_b, s, sizeof(s)), "198.51.100.1");
	ck_assert_str_eq(e->method, "ttl");
	iks_correlation_free(c);
}
END_TEST

START_TEST(real_nat_on_a_side)
{
	static const char *scenarios[] = { "ikev1_psk_realnat", "ikev2_psk_realnat" };
	for (int k = 0; k < 2; k++) {
		iks_correlation *c = correlate(scenarios[k], 0, 0, 0);
		const iks_finding *f = first(c, IKS_FIND_NAT_DETECTED);
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(f->side, 'a');
		/* both mappings: IKE's UDP 500 and NAT-T's 4500, each its own public port */
		ck_assert_uint_eq(count(c, IKS_FIND_NAT_DETECTED, -1), 2);
		char s[IKS_ADDRSTRLEN];
		ck_assert_str_eq(iks_addr_format(&f->addr_before, s, sizeof(s)), "192.0.2.1");
		ck_assert_str_eq(iks_addr_format(&f->addr_after, s, sizeof(s)), "198.51.100.254");
		ck_assert_uint_eq(f->port_before, 500);
		ck_assert_uint_ge(f->port_after, 40000);
		ck_assert_uint_le(f->port_after, 50000);
		const iks_finding *g = f + 1;
		ck_assert_int_eq(g->kind, IKS_FIND_NAT_DETECTED);
		ck_assert_int_eq(g->side, 'a');
		ck_assert_uint_eq(g->port_before, 4500);
		ck_assert_uint_ne(g->port_after, f->port_after);
		ck_assert_str_eq(iks_addr_format(&g->addr_after, s, sizeof(s)), "198.51.100.254");
		const iks_negotiation *n;
		ck_assert_uint_eq(iks_correlation_negotiations(c, &n), 1);
		ck_assert_int_eq(n->outcome, IKS_OUTCOME_COMPLETE);
		ck_assert_uint_eq(count(c, IKS_FIND_PACKET_LOSS, -1) + count(c, IKS_FIND_FRAGMENT_LOSS, -1), 0);
		iks_correlation_free(c);
	}
}
END_TEST

START_TEST(unrelated_captures_share_nothing)
{
	iks_trace *ta = fixture_trace("ikev2_psk_natt_a.pcap", 0, 0, 0);
	iks_trace *tb = fixture_trace("ikev1_psk_natt_b.pcap", 0, 0, 0);
	iks_correlation *c = NULL;
	ck_assert_int_eq(iks_correlate(ta, tb, NULL, &c), IKS_OK);
	ck_assert(!iks_correlation_endpoints(c)->known || !iks_correlation_clock(c)->known);
	iks_correlation_free(c);
	iks_trace_free(ta);
	iks_trace_free(tb);
	ck_assert_int_eq(iks_correlate(NULL, NULL, NULL, &c), IKS_E_INVALID);
}
END_TEST

/* Issue 19: a trace that reached its cap is never silent: one limit
 * finding per capped capture, naming it, with the trace's own count of
 * what it did not keep; none for a capture under its cap. */
static size_t limit_findings(const iks_correlation *c, char side, uint32_t *count)
{
	const iks_finding *f;
	size_t n = iks_correlation_findings(c, &f), hits = 0;
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == IKS_FIND_LIMIT && f[i].side == side) {
			hits++;
			*count = f[i].count;
		}
	return hits;
}

/* findings_max: the first findings kept, every one turned away counted in
 * one limit finding past the cap, none overwritten, in both modes. The
 * truth: the same correlation uncapped (27 findings for the pair, 8 for a
 * alone). */
START_TEST(findings_cap_is_counted)
{
	char pa[512], pb[512], err[IKS_ERRBUF_SIZE];
	fixture_path("ikev2_psk_randomloss_a.pcap", pa, sizeof(pa));
	fixture_path("ikev2_psk_randomloss_b.pcap", pb, sizeof(pb));
	iks_trace *ta = NULL, *tb = NULL;
	ck_assert_int_eq(iks_trace_load(pa, NULL, &ta, err), IKS_OK);
	ck_assert_int_eq(iks_trace_load(pb, NULL, &tb, err), IKS_OK);
	for (int one = 0; one < 2; one++) {
		iks_correlation *c = NULL;
		const iks_finding *f;
		ck_assert_int_eq(one ? iks_diagnose(ta, NULL, &c) : iks_correlate(ta, tb, NULL, &c), IKS_OK);
		size_t all = iks_correlation_findings(c, &f);
		uint32_t count = 0;
		ck_assert_uint_eq(limit_findings(c, 0, &count), 0);
		iks_correlation_free(c);
		ck_assert_uint_gt(all, 4);
		iks_correlate_options o;
		iks_correlate_options_default(&o);
		o.findings_max = 3;
		ck_assert_int_eq(one ? iks_diagnose(ta, &o, &c) : iks_correlate(ta, tb, &o, &c), IKS_OK);
		size_t kept = iks_correlation_findings(c, &f);
		ck_assert_uint_eq(kept, 4);
		ck_assert_uint_eq(limit_findings(c, 0, &count), 1);
		ck_assert_uint_eq(count, all - 3);
		iks_correlation_free(c);
	}
	iks_trace_free(ta);
	iks_trace_free(tb);
}
END_TEST

START_TEST(trace_caps_are_findings)
{
	char pa[512], pb[512], err[IKS_ERRBUF_SIZE];
	fixture_path("ikev2_psk_natt_a.pcap", pa, sizeof(pa));
	fixture_path("ikev2_psk_natt_b.pcap", pb, sizeof(pb));
	iks_trace *full = NULL, *ta = NULL, *tb = NULL;
	iks_trace_limits cap = { .units_max = 20 };
	ck_assert_int_eq(iks_trace_load(pa, NULL, &full, err), IKS_OK);
	ck_assert_int_eq(iks_trace_load(pa, &cap, &ta, err), IKS_OK);
	ck_assert_int_eq(iks_trace_load(pb, NULL, &tb, err), IKS_OK);
	iks_trace_info all, kept;
	iks_trace_get_info(full, &all);
	iks_trace_get_info(ta, &kept);
	ck_assert_uint_eq(all.dropped, 0);
	ck_assert_uint_eq(kept.units, 20);
	/* every unit of the whole capture past the first 20 is counted */
	ck_assert_uint_ge(kept.dropped, all.units - 20);
	/* the finding counts frames (143), never more than the capture holds
	 * (it counted 151 units and fragments) */
	ck_assert_uint_gt(kept.frames_dropped, 0);
	ck_assert_uint_le(kept.frames_dropped, all.frames - 20);
	iks_correlation *c = NULL;
	uint32_t count = 0;
	ck_assert_int_eq(iks_correlate(ta, tb, NULL, &c), IKS_OK);
	ck_assert_uint_eq(limit_findings(c, 'a', &count), 1);
	ck_assert_uint_eq(count, kept.frames_dropped);
	ck_assert_uint_eq(limit_findings(c, 'b', &count), 0);
	iks_correlation_free(c);
	/* the capped capture as b */
	ck_assert_int_eq(iks_correlate(tb, ta, NULL, &c), IKS_OK);
	ck_assert_uint_eq(limit_findings(c, 'b', &count), 1);
	ck_assert_uint_eq(count, kept.frames_dropped);
	ck_assert_uint_eq(limit_findings(c, 'a', &count), 0);
	iks_correlation_free(c);
	/* uncapped: no limit finding at all */
	ck_assert_int_eq(iks_correlate(full, tb, NULL, &c), IKS_OK);
	ck_assert_uint_eq(limit_findings(c, 'a', &count) + limit_findings(c, 'b', &count), 0);
	iks_correlation_free(c);
	/* one capture alone says it too */
	ck_assert_int_eq(iks_diagnose(ta, NULL, &c), IKS_OK);
	ck_assert_uint_eq(limit_findings(c, 'a', &count), 1);
	ck_assert_uint_eq(count, kept.frames_dropped);
	iks_correlation_free(c);
	iks_trace_free(full);
	iks_trace_free(ta);
	iks_trace_free(tb);
}
END_TEST

/* Issue 17: the router's two interfaces between the ends, each point's
 * clock shifted: loss and NAT on hop 1 only, offsets composed along the
 * hops, the order checked. */
static uint64_t hop_lost(const iks_path *p, size_t h)
{
	iks_correlation_stats st;
	iks_correlation_get_stats(iks_path_hop_correlation(p, h), &st);
	return st.lost_ab + st.lost_ba + st.other_lost_ab + st.other_lost_ba + st.dropped_with_icmp;
}

/* Threads and dropping the per-frame fates change nothing else: the same
 * findings, lost lists and clock, field by field; the fates are there by
 * default (a lost packet's frame is LOST) and refused when not kept. */
static iks_correlation *correlate_opt(iks_trace *ta, iks_trace *tb, uint32_t threads, bool no_fates)
{
	iks_correlate_options o;
	iks_correlate_options_default(&o);
	ck_assert_uint_eq(o.threads, 1);
	ck_assert(!o.no_frame_fates);
	o.threads = threads;
	o.no_frame_fates = no_fates;
	iks_correlation *c = NULL;
	ck_assert_int_eq(iks_correlate(ta, tb, &o, &c), IKS_OK);
	return c;
}

static void assert_same(const iks_correlation *x, const iks_correlation *y)
{
	const iks_finding *f, *g;
	size_t n = iks_correlation_findings(x, &f);
	ck_assert_uint_eq(iks_correlation_findings(y, &g), n);
	ck_assert_uint_gt(n, 2);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(f[i].kind, g[i].kind);
		ck_assert_int_eq(f[i].direction, g[i].direction);
		ck_assert_uint_eq(f[i].count, g[i].count);
		ck_assert_uint_eq(f[i].total, g[i].total);
		ck_assert_uint_eq(f[i].frame_a, g[i].frame_a);
		ck_assert_uint_eq(f[i].frame_b, g[i].frame_b);
		ck_assert(f[i].time_a_s == g[i].time_a_s && f[i].time_b_s == g[i].time_b_s);
	}
	for (int s = 0; s < 2; s++) {
		const iks_lost_packet *l, *m;
		size_t nl = iks_correlation_lost(x, s, &l);
		ck_assert_uint_eq(iks_correlation_lost(y, s, &m), nl);
		for (size_t i = 0; i < nl; i++)
			ck_assert(l[i].first_frame == m[i].first_frame && l[i].reason == m[i].reason);
	}
	ck_assert(iks_correlation_clock(x)->offset_s == iks_correlation_clock(y)->offset_s);
}

START_TEST(threads_and_fates_change_nothing)
{
	iks_trace *ta = fixture_trace("ikev1_cert_ikefrag_ok_nftdrop_a.pcap", 0, 0, 0);
	iks_trace *tb = fixture_trace("ikev1_cert_ikefrag_ok_nftdrop_b.pcap", 0, 0, 0);
	iks_correlation *one = correlate_opt(ta, tb, 1, false);
	iks_correlation *two = correlate_opt(ta, tb, 2, false);
	iks_correlation *lean = correlate_opt(ta, tb, 4, true);
	assert_same(one, two);
	assert_same(one, lean);
	const iks_lost_packet *l;
	ck_assert_uint_gt(iks_correlation_lost(one, 0, &l) + iks_correlation_lost(one, 1, &l), 0);
	int side = iks_correlation_lost(one, 0, &l) ? 0 : 1;
	iks_correlation_lost(one, side, &l);
	iks_frame_fate ff;
	int want = l[0].reason == IKS_LOST_ICMP ? IKS_FF_DROPPED_ICMP : IKS_FF_LOST;
	ck_assert_int_eq(iks_correlation_frame_fate(one, side, l[0].first_frame, &ff), IKS_OK);
	ck_assert_int_eq(ff.fate, want);
	ck_assert_int_eq(iks_correlation_frame_fate(two, side, l[0].first_frame, &ff), IKS_OK);
	ck_assert_int_eq(ff.fate, want);
	ck_assert_int_eq(iks_correlation_frame_fate(lean, side, l[0].first_frame, &ff), IKS_E_INVALID);
	iks_correlation_free(one);
	iks_correlation_free(two);
	iks_correlation_free(lean);
	iks_trace_free(ta);
	iks_trace_free(tb);
}
END_TEST

/* The compact engine (issue 19, docs/dev/streaming.md step 1) folds
 * matched ESP/AH into counts: every result the library gives is the same,
 * field by field, down to what no report prints (the first and last time
 * sent of the loss profiles) and the fate of every frame. */
static void assert_same_run(const iks_loss_run *x, const iks_loss_run *y)
{
	ck_assert_uint_eq(x->count, y->count);
	ck_assert(x->from_s == y->from_s && x->to_s == y->to_s);
	ck_assert_int_eq(x->to_end, y->to_end);
}

static void assert_same_tally(const iks_loss_tally *x, const iks_loss_tally *y)
{
	ck_assert_uint_eq(x->sent, y->sent);
	ck_assert_uint_eq(x->lost, y->lost);
}

static void assert_same_profile(const iks_loss_profile *x, const iks_loss_profile *y)
{
	const iks_loss_tally *tx[] = { &x->all, &x->ike, &x->esp, &x->ah, &x->other, &x->whole,
				       &x->fragmented, &x->df };
	const iks_loss_tally *ty[] = { &y->all, &y->ike, &y->esp, &y->ah, &y->other, &y->whole,
				       &y->fragmented, &y->df };
	for (size_t k = 0; k < sizeof(tx) / sizeof(tx[0]); k++)
		assert_same_tally(tx[k], ty[k]);
	for (int k = 0; k < IKS_SIZE_BANDS; k++)
		assert_same_tally(&x->size[k], &y->size[k]);
	ck_assert_uint_eq(x->dropped_icmp, y->dropped_icmp);
	ck_assert_uint_eq(x->arrived_between, y->arrived_between);
	assert_same_run(&x->run_all, &y->run_all);
	assert_same_run(&x->run_ike, &y->run_ike);
	assert_same_run(&x->run_esp, &y->run_esp);
	ck_assert(x->first_lost_s == y->first_lost_s && x->last_lost_s == y->last_lost_s);
	ck_assert(x->first_sent_s == y->first_sent_s && x->last_sent_s == y->last_sent_s);
}

START_TEST(compact_changes_nothing)
{
	static const char *const pairs[] = { "ikev2_psk_randomloss", "ikev2_psk_natloss",
					     "ikev2_psk_pmtubh", "ikev2_psk_deletelost",
					     "ikev2_psk_natrebind", "ikev2_bigsainit_allfrags" };
	uint64_t folded = 0;
	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		char na[128], nb[128];
		snprintf(na, sizeof(na), "%s_a.pcap", pairs[p]);
		snprintf(nb, sizeof(nb), "%s_b.pcap", pairs[p]);
		iks_trace *ta = fixture_trace(na, 0, 0, 0);
		iks_trace *tb = fixture_trace(nb, 0, 0, 0);
		iks_correlate_options o;
		iks_correlate_options_default(&o);
		ck_assert(!o.compact);
		iks_correlation *whole = NULL, *compact = NULL;
		ck_assert_int_eq(iks_correlate(ta, tb, &o, &whole), IKS_OK);
		o.compact = true;
		ck_assert_int_eq(iks_correlate(ta, tb, &o, &compact), IKS_OK);
		assert_same(whole, compact);
		iks_correlation_stats sw, sc;
		iks_correlation_get_stats(whole, &sw);
		iks_correlation_get_stats(compact, &sc);
		ck_assert_uint_eq(sw.folded_ab + sw.folded_ba, 0);
		folded += sc.folded_ab + sc.folded_ba;
		ck_assert_uint_le(sc.folded_ab, sc.matched_ab);
		ck_assert_uint_le(sc.folded_ba, sc.matched_ba);
		sc.folded_ab = sc.folded_ba = 0;
		ck_assert(memcmp(&sw, &sc, sizeof(sw)) == 0);
		for (int s = 0; s < 2; s++) {
			assert_same_profile(iks_correlation_loss_profile(whole, s),
					    iks_correlation_loss_profile(compact, s));
			iks_trace_info info;
			iks_trace_get_info(s ? tb : ta, &info);
			for (uint64_t fr = 1; fr <= info.frames; fr++) {
				iks_frame_fate x, y;
				memset(&x, 0, sizeof(x));
				memset(&y, 0, sizeof(y));
				ck_assert_int_eq(iks_correlation_frame_fate(whole, s, fr, &x),
						 iks_correlation_frame_fate(compact, s, fr, &y));
				ck_assert_int_eq(x.fate, y.fate);
				ck_assert_int_eq(x.dir, y.dir);
				ck_assert_uint_eq(x.other_frame, y.other_frame);
				ck_assert(x.delay_s == y.delay_s && x.first == y.first);
			}
		}
		iks_correlation_free(whole);
		iks_correlation_free(compact);
		iks_trace_free(ta);
		iks_trace_free(tb);
	}
	ck_assert_uint_gt(folded, 300);
}
END_TEST

START_TEST(points_place_loss_on_hops)
{
	static const char *pts[] = { "a", "r-ra", "r-rb", "b" };
	static const double shift[] = { 0, 2.5, 2.5, -7.25 };
	iks_trace *t[4];
	for (int i = 0; i < 4; i++) {
		char f[256];
		snprintf(f, sizeof(f), "ikev2_psk_natloss_%s.pcap", pts[i]);
		t[i] = fixture_trace(f, shift[i], 0, 0);
	}
	iks_path *p = NULL;
	ck_assert_int_eq(iks_correlate_points((const iks_trace *const *)t, 4, NULL, &p), IKS_OK);
	const size_t *order;
	ck_assert(iks_path_order(p, &order));
	ck_assert_uint_eq(iks_path_points(p), 4);
	for (size_t i = 0; i < 4; i++) {
		const iks_path_point *pt = iks_path_point_get(p, i);
		ck_assert(pt->clock_known && pt->hosts_known);
		ck_assert_double_eq_tol(pt->offset_s, shift[i], 0.001);
		ck_assert_uint_eq(pt->incomplete, 0);
	}
	/* truth (captures/README.md): r dropped 6 a->b and 4 b->a, the first DF
	   ESP packet with an ICMP error; r masquerades a */
	ck_assert_uint_eq(hop_lost(p, 0), 0);
	ck_assert_uint_gt(hop_lost(p, 1), 0);
	ck_assert_uint_eq(hop_lost(p, 2), 0);
	for (size_t h = 0; h < 3; h++) {
		const iks_path_hop *hp = iks_path_hop_get(p, h);
		ck_assert(hp->nat_a == (h == 1) && !hp->nat_b);
		ck_assert_int_eq(hp->ttl_drop_ab, h == 1 ? 1 : 0);
		ck_assert_uint_eq(count(iks_path_hop_correlation(p, h), IKS_FIND_NAT_DETECTED, -1),
				  h == 1 ? 2 : 0);
	}
	ck_assert_ptr_null(iks_path_hop_get(p, 3));
	ck_assert_ptr_nonnull(iks_path_end_to_end(p));
	/* each finding names its hop with nothing kept beside it: gathered
	   from all hops into one list, the loss findings answer hop 1 (the
	   truth above), NAT on hop 1, every one the hop it came from */
	const iks_finding *all[512];
	size_t nall = 0, on_hop[3] = { 0, 0, 0 };
	for (size_t h = 0; h < 3; h++) {
		const iks_finding *f;
		size_t nf = iks_correlation_findings(iks_path_hop_correlation(p, h), &f);
		for (size_t k = 0; k < nf && nall < 512; k++)
			all[nall++] = &f[k];
		on_hop[h] = nf;
	}
	ck_assert_uint_gt(nall, 3);
	size_t seen[3] = { 0, 0, 0 }, loss = 0;
	for (size_t k = 0; k < nall; k++) {
		int h = iks_path_finding_hop(p, all[k]);
		ck_assert_int_ge(h, 0);
		ck_assert_int_le(h, 2);
		seen[h]++;
		if (all[k]->kind == IKS_FIND_PACKET_LOSS || all[k]->kind == IKS_FIND_NAT_DETECTED) {
			ck_assert_int_eq(h, 1);
			loss++;
		}
	}
	ck_assert_uint_gt(loss, 0);
	for (size_t h = 0; h < 3; h++)
		ck_assert_uint_eq(seen[h], on_hop[h]);
	/* not a hop's finding: a copy, one of the end-to-end correlation, NULL */
	iks_finding copy = *all[0];
	ck_assert_int_eq(iks_path_finding_hop(p, &copy), -1);
	const iks_finding *e2e;
	size_t ne = iks_correlation_findings(iks_path_end_to_end(p), &e2e);
	ck_assert_uint_gt(ne, 0);
	ck_assert_int_eq(iks_path_finding_hop(p, &e2e[0]), -1);
	ck_assert_int_eq(iks_path_finding_hop(p, NULL), -1);
	ck_assert_int_eq(iks_path_finding_hop(NULL, all[0]), -1);
	iks_path_free(p);
	/* b given before r-rb: the order the captures show */
	const iks_trace *swapped[4] = { t[0], t[1], t[3], t[2] };
	ck_assert_int_eq(iks_correlate_points(swapped, 4, NULL, &p), IKS_OK);
	ck_assert(!iks_path_order(p, &order));
	ck_assert_uint_eq(order[0], 0);
	ck_assert_uint_eq(order[1], 1);
	ck_assert_uint_eq(order[2], 3);
	ck_assert_uint_eq(order[3], 2);
	iks_path_free(p);
	ck_assert_int_eq(iks_correlate_points((const iks_trace *const *)t, 1, NULL, &p), IKS_E_INVALID);
	ck_assert_int_eq(iks_correlate_points(NULL, 3, NULL, &p), IKS_E_INVALID);
	iks_path_free(NULL);
	for (int i = 0; i < 4; i++)
		iks_trace_free(t[i]);
}
END_TEST

Suite *suite_correlate(void)
{
	Suite *s = suite_create("correlate");
	TCase *tc = tcase_create("scenarios");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ikev2_fragments_dropped_in_path);
	tcase_add_test(tc, trace_caps_are_findings);
	tcase_add_test(tc, findings_cap_is_counted);
	tcase_add_test(tc, ikev1_esp_fragments_black_holed);
	tcase_add_test(tc, clean_negotiations);
	tcase_add_test(tc, icmp_frag_needed_is_not_loss);
	tcase_add_test(tc, real_nat_on_a_side);
	tcase_add_test(tc, unrelated_captures_share_nothing);
	tcase_add_test(tc, points_place_loss_on_hops);
	tcase_add_test(tc, threads_and_fates_change_nothing);
	tcase_add_test(tc, compact_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}
