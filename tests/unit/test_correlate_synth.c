/*
 * test_correlate_synth.c - the correlation engine on traces built by hand,
 * for what the lab captures do not show: a PMTU black hole, bytes changed
 * in transit, a path without routers (equal TTLs), clock drift.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "suites.h"
#include "synth.h"

typedef struct scenario {
	double offset_s;     /* b's clock - a's clock */
	double drift;        /* b's clock rate error (1e-4 = 100 ppm) */
	double delay_s;
	uint8_t ttl_sent, ttl_received;
	uint32_t drop_above; /* a->b packets bigger than this never arrive */
	uint32_t modify_seq; /* this a->b packet arrives with other bytes (0: none) */
	unsigned n;          /* packets each way */
	double gap_s;
} scenario;

static iks_correlation *run(const scenario *sc)
{
	iks_trace *ta = iks_trace_new(NULL), *tb = iks_trace_new(NULL);
	ck_assert(ta && tb);
	synth s;
	for (unsigned i = 1; i <= sc->n; i++) {
		double t = 1800000000.0 + i * sc->gap_s;
		uint32_t size = 200 + (i * 37) % 1300; /* 200 .. 1499 bytes */
		double tb_send = t + sc->offset_s + sc->drift * (t - 1800000000.0);
		/* a sends, b receives */
		synth_esp(&s, true, 0x1000, i, size, sc->ttl_sent, t, 0xaa);
		ck_assert_int_eq(iks_trace_add_packet(ta, &s.p), IKS_OK);
		if (!(sc->drop_above && size > sc->drop_above)) {
			synth_esp(&s, true, 0x1000, i, size, sc->ttl_received, tb_send + sc->delay_s,
				   i == sc->modify_seq ? 0x55 : 0xaa);
			ck_assert_int_eq(iks_trace_add_packet(tb, &s.p), IKS_OK);
		}
		/* b answers 1 ms later, small */
		synth_esp(&s, false, 0x2000, i, 120, sc->ttl_sent, tb_send + sc->delay_s + 0.001, 0xbb);
		ck_assert_int_eq(iks_trace_add_packet(tb, &s.p), IKS_OK);
		synth_esp(&s, false, 0x2000, i, 120, sc->ttl_received, t + 2 * sc->delay_s + 0.001, 0xbb);
		ck_assert_int_eq(iks_trace_add_packet(ta, &s.p), IKS_OK);
	}
	iks_correlation *c = NULL;
	ck_assert_int_eq(iks_correlate(ta, tb, NULL, &c), IKS_OK);
	iks_trace_free(ta);
	iks_trace_free(tb);
	return c;
}

static const iks_finding *find(const iks_correlation *c, int kind, size_t *count)
{
	const iks_finding *f, *first = NULL;
	size_t n = iks_correlation_findings(c, &f);
	*count = 0;
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == kind) {
			if (!first)
				first = &f[i];
			(*count)++;
		}
	return first;
}

START_TEST(pmtu_black_hole)
{
	scenario sc = { 7.25, 0, 0.002, 64, 62, 1400, 0, 300, 0.01 };
	iks_correlation *c = run(&sc);
	ck_assert_double_eq_tol(iks_correlation_clock(c)->offset_s, 7.25, 1e-6);
	ck_assert_double_eq_tol(iks_correlation_clock(c)->delay_ab_s, 0.002, 1e-6);
	size_t n;
	const iks_finding *f = find(c, IKS_FIND_PMTU_BLACKHOLE, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(f->direction, IKS_DIR_A_TO_B);
	/* sizes 200 + (37 i mod 1300): those above 1400 are lost. Coverage by
	 * evidence (issue 15; this test had a fixed 0.5 s end margin): a loss
	 * is judged when b's capture holds packets from before and after the
	 * expected arrival, each within cover_margin_s of it. b's last packet is the
	 * answer to the last one, at t_300 + delay + 1 ms on a's clock. */
	unsigned lost = 0, ok_max = 0, lost_min = UINT32_MAX;
	double end = 300 * 0.01 + 0.002 + 0.001;
	double win = iks_correlation_clock(c)->cover_margin_s;
	ck_assert(win >= 0.001 && win < 0.01);
	for (unsigned i = 1; i <= 300; i++) {
		unsigned size = 200 + (i * 37) % 1300;
		if (size > 1400 && i * 0.01 + 0.002 - win > end)
			continue;
		if (size > 1400) {
			lost++;
			if (size < lost_min)
				lost_min = size;
		} else if (size > ok_max) {
			ok_max = size;
		}
	}
	ck_assert_uint_eq(f->size_ok_max, ok_max);
	ck_assert_uint_eq(f->size_lost_min, lost_min);
	ck_assert_uint_eq(f->count, lost);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(st.lost_ab, lost);
	ck_assert_uint_eq(st.lost_ba, 0);
	iks_correlation_free(c);
}
END_TEST

START_TEST(bytes_changed_in_transit)
{
	scenario sc = { -3.5, 0, 0.0005, 64, 63, 0, 42, 100, 0.05 };
	iks_correlation *c = run(&sc);
	size_t n;
	const iks_finding *f = find(c, IKS_FIND_MODIFIED_IN_TRANSIT, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(f->spi, 0x1000);
	ck_assert_uint_eq(f->seq, 42);
	ck_assert_uint_eq(f->frame_a, 42);
	find(c, IKS_FIND_PACKET_LOSS, &n);
	ck_assert_uint_eq(n, 0);
	iks_correlation_free(c);
}
END_TEST

START_TEST(no_router_equal_ttls)
{
	scenario sc = { 0.75, 0, 0.0003, 64, 64, 0, 0, 100, 0.02 };
	iks_correlation *c = run(&sc);
	const iks_endpoints *e = iks_correlation_endpoints(c);
	ck_assert(e->known);
	ck_assert_str_eq(e->method, "timing");
	char s[IKS_ADDRSTRLEN];
	ck_assert_str_eq(iks_addr_format(&e->a_in_a, s, sizeof(s)), "192.0.2.1");
	ck_assert_double_eq_tol(iks_correlation_clock(c)->offset_s, 0.75, 1e-6);
	iks_correlation_free(c);
}
END_TEST

START_TEST(drifting_clock)
{
	/* b's clock gains 200 ppm over 10 minutes: 120 ms by the end, far
	 * more than the matching window, so matching must follow the drift */
	scenario sc = { 100.0, 200e-6, 0.001, 64, 63, 0, 0, 2000, 0.3 };
	iks_correlation *c = run(&sc);
	const iks_clock_estimate *ce = iks_correlation_clock(c);
	ck_assert_double_eq_tol(ce->drift_ppm, 200.0, 5.0);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(st.lost_ab + st.lost_ba, 0);
	ck_assert_uint_eq(st.matched_ab, 2000);
	iks_correlation_free(c);
}
END_TEST

/* 20 s of ESP both ways, 100 packets each, delays 2 ms plus a jitter of up
 * to 3 ms (a fixed LCG, so the test is the same every run), b's clock
 * running `ppm` fast: issue 15 wants the drift kept whenever the data
 * shows one beyond its scatter, also on a 20 s capture. */
static const iks_clock_estimate *short_drift(double ppm, iks_correlation **out)
{
	iks_trace *ta = iks_trace_new(NULL), *tb = iks_trace_new(NULL);
	ck_assert(ta && tb);
	synth s;
	uint32_t lcg = 12345;
	for (unsigned i = 1; i <= 100; i++) {
		double t = 1800000000.0 + i * 0.2;
		lcg = lcg * 1103515245u + 12345u;
		double j1 = (double)(lcg >> 16 & 0x7fff) / 32768.0 * 0.003;
		lcg = lcg * 1103515245u + 12345u;
		double j2 = (double)(lcg >> 16 & 0x7fff) / 32768.0 * 0.003;
		double ob = 3.0 + ppm * 1e-6 * (t - 1800000000.0); /* b - a at t */
		synth_esp(&s, true, 0x1000, i, 300, 64, t, 0xaa);
		ck_assert_int_eq(iks_trace_add_packet(ta, &s.p), IKS_OK);
		synth_esp(&s, true, 0x1000, i, 300, 63, t + ob + 0.002 + j1, 0xaa);
		ck_assert_int_eq(iks_trace_add_packet(tb, &s.p), IKS_OK);
		double tb_send = t + 0.1 + ob;
		synth_esp(&s, false, 0x2000, i, 120, 64, tb_send, 0xbb);
		ck_assert_int_eq(iks_trace_add_packet(tb, &s.p), IKS_OK);
		synth_esp(&s, false, 0x2000, i, 120, 63, t + 0.1 + 0.002 + j2, 0xbb);
		ck_assert_int_eq(iks_trace_add_packet(ta, &s.p), IKS_OK);
	}
	ck_assert_int_eq(iks_correlate(ta, tb, NULL, out), IKS_OK);
	iks_trace_free(ta);
	iks_trace_free(tb);
	return iks_correlation_clock(*out);
}

START_TEST(drift_on_20_seconds)
{
	iks_correlation *c;
	const iks_clock_estimate *ce = short_drift(80, &c);
	/* 80 ppm over 20 s is 1.6 ms, under the 3 ms jitter: the envelopes
	 * still show it */
	ck_assert_double_eq_tol(ce->drift_ppm, 80.0, 10.0);
	ck_assert_double_eq_tol(ce->offset_s, 3.0, 0.001);
	ck_assert(isfinite(ce->error_s) && ce->error_s < 0.005);
	ck_assert(fabs(ce->offset_s - 3.0) <= ce->error_s);
	iks_correlation_free(c);
	ce = short_drift(0, &c);
	ck_assert_double_eq_tol(ce->drift_ppm, 0.0, 10.0);
	ck_assert_double_eq_tol(ce->offset_s, 3.0, 0.001);
	iks_correlation_free(c);
}
END_TEST

START_TEST(fragment_units_capped)
{
	iks_trace_limits lim = { .units_max = 2 };
	iks_trace *t = iks_trace_new(&lim);
	ck_assert(t);
	synth s;
	for (uint32_t i = 1; i <= 3; i++) {
		synth_esp(&s, true, 0x1000, i, 300, 64, 1800000000.0 + i, 0xaa);
		s.p.l.ip.is_fragment = true;
		s.p.l.ip.mf = true;
		s.p.l.ip.payload.p = s.bytes;
		s.p.l.ip.payload.len = sizeof(s.bytes);
		ck_assert_int_eq(iks_trace_add_packet(t, &s.p), IKS_OK);
	}
	iks_trace_info info;
	iks_trace_get_info(t, &info);
	ck_assert_uint_eq(info.units, 0);   /* held fragments are not units */
	ck_assert_uint_eq(info.dropped, 1); /* the third fragment past the cap of 2 */
	ck_assert_uint_eq(info.frames_dropped, 1); /* its frame */
	iks_trace_free(t);
}
END_TEST

/* A trace keeps frame numbers in 32 bits: a packet or an incomplete
 * datagram numbered past that is not kept, and says so (IKS_E_LIMIT,
 * counted in info.dropped), like one past units_max. */
START_TEST(frame_numbers_capped)
{
	iks_trace *t = iks_trace_new(NULL);
	ck_assert(t);
	synth s;
	synth_esp(&s, true, 0x1000, 1, 300, 64, 1800000000.0, 0xaa);
	s.p.frame = UINT32_MAX;
	ck_assert_int_eq(iks_trace_add_packet(t, &s.p), IKS_OK);
	synth_esp(&s, true, 0x1000, 2, 300, 64, 1800000000.5, 0xaa);
	s.p.frame = (uint64_t)UINT32_MAX + 1;
	ck_assert_int_eq(iks_trace_add_packet(t, &s.p), IKS_E_LIMIT);
	iks_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = IKS_EV_DATAGRAM_INCOMPLETE;
	ev.first_frame = 7;
	ev.last_frame = (uint64_t)UINT32_MAX + 2;
	ck_assert_int_eq(iks_trace_add_event(t, &ev), IKS_E_LIMIT);
	iks_trace_info info;
	iks_trace_get_info(t, &info);
	ck_assert_uint_eq(info.frames, 2);
	ck_assert_uint_eq(info.units, 1);
	ck_assert_uint_eq(info.dropped, 2);
	ck_assert_uint_eq(info.frames_dropped, 1); /* the packet; the datagram has no frame */
	iks_trace_free(t);
}
END_TEST

/* The limit findings on capture a of a trace diagnosed alone: how many,
 * and the count of the last. */
static size_t limits_alone(const iks_trace *t, uint32_t *count)
{
	iks_correlation *c = NULL;
	ck_assert_int_eq(iks_diagnose(t, NULL, &c), IKS_OK);
	const iks_finding *f;
	size_t n = iks_correlation_findings(c, &f), hits = 0;
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == IKS_FIND_LIMIT && f[i].side == 'a') {
			hits++;
			*count = f[i].count;
		}
	iks_correlation_free(c);
	return hits;
}

/* A fragmented ESP packet of datagram `id`, held (first piece) or
 * completing it, at `frame`. */
static void frag_piece(synth *s, uint64_t id, bool completes, uint64_t frame, double t)
{
	synth_esp(s, true, 0x1000, (uint32_t)id, 300, completes ? 60 : 64, t, 0xaa);
	s->p.frame = frame;
	s->p.l.ip.is_fragment = true;
	s->p.l.ip.mf = !completes;
	s->p.l.ip.payload.p = s->bytes;
	s->p.l.ip.payload.len = sizeof(s->bytes);
	s->p.frag.datagram_id = id;
	s->p.frag.result = completes ? IKS_FRAG_COMPLETED : IKS_FRAG_HELD;
	s->p.frag.fragment_count = 2;
	s->p.frag.datagram_len = 280;
}

/* Datagrams under reassembly are remembered in 65,536 slots by datagram id
 * (given in turn by the decoder): datagram 1 held while datagram 65,537
 * starts lost its first fragment's frame, time and TTL without a word. Now
 * counted (info.pending_overwritten) and a limit finding; datagram 2, in
 * a slot of its own, is not. */
START_TEST(pending_slot_reuse_counted)
{
	iks_trace *t = iks_trace_new(NULL);
	ck_assert(t);
	synth s;
	frag_piece(&s, 1, false, 1, 1800000000.0);
	ck_assert_int_eq(iks_trace_add_packet(t, &s.p), IKS_OK);
	frag_piece(&s, 2, false, 2, 1800000000.1);
	ck_assert_int_eq(iks_trace_add_packet(t, &s.p), IKS_OK);
	frag_piece(&s, 2, true, 3, 1800000000.2);
	ck_assert_int_eq(iks_trace_add_packet(t, &s.p), IKS_OK);
	iks_trace_info info;
	iks_trace_get_info(t, &info);
	ck_assert_uint_eq(info.pending_overwritten, 0);
	uint32_t count = 0;
	ck_assert_uint_eq(limits_alone(t, &count), 0);
	frag_piece(&s, 1 + 65536, false, 4, 1800000000.3);
	ck_assert_int_eq(iks_trace_add_packet(t, &s.p), IKS_OK);
	frag_piece(&s, 1, true, 5, 1800000000.4);
	ck_assert_int_eq(iks_trace_add_packet(t, &s.p), IKS_OK);
	iks_trace_get_info(t, &info);
	ck_assert_uint_eq(info.pending_overwritten, 1);
	ck_assert_uint_eq(limits_alone(t, &count), 1);
	ck_assert_uint_eq(count, 1);
	iks_trace_free(t);
}
END_TEST

Suite *suite_correlate_synth(void)
{
	Suite *s = suite_create("correlate_synth");
	TCase *tc = tcase_create("built traces");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, pmtu_black_hole);
	tcase_add_test(tc, bytes_changed_in_transit);
	tcase_add_test(tc, no_router_equal_ttls);
	tcase_add_test(tc, drifting_clock);
	tcase_add_test(tc, drift_on_20_seconds);
	tcase_add_test(tc, fragment_units_capped);
	tcase_add_test(tc, frame_numbers_capped);
	tcase_add_test(tc, pending_slot_reuse_counted);
	suite_add_tcase(s, tc);
	return s;
}
