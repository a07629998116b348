/*
 * test_groups.c - iks_correlation_groups() on the two-sided captures: the
 * path packet by packet as pcapcorrelate --html draws it. The groups must
 * add up to the loss statistics, carry the frames and fragments of what was
 * lost, the ICMP error a router sent, NAT rewrites, and times on a's clock
 * whatever b's clock says.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"

static iks_correlation *corr(const char *scenario, double shift_s, const iks_correlate_options *opt)
{
	char a[256], b[256];
	snprintf(a, sizeof(a), "%s_a.pcap", scenario);
	snprintf(b, sizeof(b), "%s_b.pcap", scenario);
	iks_trace *ta = fixture_trace(a, 0, 0, 0), *tb = fixture_trace(b, shift_s, 0, 0);
	iks_correlation *c = NULL;
	ck_assert_int_eq(iks_correlate(ta, tb, opt, &c), IKS_OK);
	iks_trace_free(ta);
	iks_trace_free(tb);
	return c;
}

/* Packets of the groups with this fate (0: any), direction (0: any). */
static uint64_t packets(const iks_packet_group *g, size_t n, int fate, int dir)
{
	uint64_t k = 0;
	for (size_t i = 0; i < n; i++)
		if ((!fate || g[i].fate == fate) && (!dir || g[i].dir == dir))
			k += g[i].count;
	return k;
}

/* The groups add up to the statistics, and come in time order. */
static void check_totals(const iks_correlation *c)
{
	const iks_packet_group *g;
	uint64_t dropped = 1;
	size_t n = iks_correlation_groups(c, &g, &dropped);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	ck_assert_uint_eq(dropped, 0);
	ck_assert_uint_eq(packets(g, n, IKS_FATE_ARRIVED, IKS_DIR_A_TO_B), st.matched_ab);
	ck_assert_uint_eq(packets(g, n, IKS_FATE_ARRIVED, IKS_DIR_B_TO_A), st.matched_ba);
	ck_assert_uint_eq(packets(g, n, IKS_FATE_LOST, IKS_DIR_A_TO_B), st.lost_ab);
	ck_assert_uint_eq(packets(g, n, IKS_FATE_LOST, IKS_DIR_B_TO_A), st.lost_ba);
	ck_assert_uint_eq(packets(g, n, IKS_FATE_DROPPED_ICMP, 0), st.dropped_with_icmp);
	ck_assert_uint_eq(packets(g, n, IKS_FATE_NOT_COVERED, 0), st.not_covered);
	for (size_t i = 1; i < n; i++) {
		double t0 = g[i - 1].sent_first_s ? g[i - 1].sent_first_on_a_s : g[i - 1].received_first_on_a_s;
		double t1 = g[i].sent_first_s ? g[i].sent_first_on_a_s : g[i].received_first_on_a_s;
		ck_assert(t0 <= t1);
	}
}

START_TEST(fragdrop_groups)
{
	iks_correlation *c = corr("ikev2_cert_fragdrop", 0, NULL);
	check_totals(c);
	const iks_packet_group *g;
	size_t n = iks_correlation_groups(c, &g, NULL);
	ck_assert_uint_eq(n, 7);
	/* IKE_SA_INIT request: frame 9 of a, frame 8 of b */
	ck_assert_int_eq(g[0].kind, IKS_GROUP_IKE);
	ck_assert_int_eq(g[0].exchange, 34);
	ck_assert_int_eq(g[0].fate, IKS_FATE_ARRIVED);
	ck_assert_uint_eq(g[0].frame_sent_first, 9);
	ck_assert_uint_eq(g[0].frame_received_first, 8);
	ck_assert_uint_eq(g[0].ike_length, 456);
	/* the IKE_AUTH request and its 4 retransmits: lost, each in 2 fragments */
	static const uint64_t frames[5] = { 11, 16, 19, 22, 27 };
	for (int k = 0; k < 5; k++) {
		const iks_packet_group *x = &g[2 + k];
		ck_assert_int_eq(x->dir, IKS_DIR_A_TO_B);
		ck_assert_int_eq(x->fate, IKS_FATE_LOST);
		ck_assert_int_eq(x->exchange, 35);
		ck_assert_uint_eq(x->msgid, 1);
		ck_assert_uint_eq(x->frame_sent_first, frames[k]);
		ck_assert_uint_eq(x->frame_sent_last, frames[k] + 1);
		ck_assert(x->fragmented);
		ck_assert_uint_eq(x->nfrags_sent, 2);
		ck_assert_uint_eq(x->size_min, 2128);
		ck_assert(x->received_first_s == 0);
		ck_assert_str_eq(iks_fate_name(x->fate), "lost");
	}
	iks_correlation_free(c);
}
END_TEST

START_TEST(natt_icmp_and_runs)
{
	iks_correlation *c = corr("ikev2_psk_natt", 0, NULL);
	check_totals(c);
	const iks_packet_group *g;
	size_t n = iks_correlation_groups(c, &g, NULL);
	ck_assert_uint_eq(n, 24);
	/* the first ESP run a sends: 3 packets of SPI fe7eaf53, seq 1-3 */
	ck_assert_int_eq(g[4].kind, IKS_GROUP_ESP);
	ck_assert_uint_eq(g[4].spi, 0xfe7eaf53);
	ck_assert_uint_eq(g[4].count, 3);
	ck_assert_uint_eq(g[4].seq_last - g[4].seq_first, 2);
	/* the 1472-byte packet a router refused, and the ICMP error it sent to a */
	ck_assert_int_eq(g[6].fate, IKS_FATE_DROPPED_ICMP);
	ck_assert_uint_eq(g[6].spi, 0xfe7eaf53);
	ck_assert_uint_eq(g[6].size_min, 1472);
	ck_assert_uint_eq(g[6].frame_sent_first, 20);
	ck_assert_int_eq(g[7].kind, IKS_GROUP_ICMP_ERROR);
	ck_assert_int_eq(g[7].fate, IKS_FATE_FROM_PATH);
	ck_assert_int_eq(g[7].dir, IKS_DIR_B_TO_A);   /* travels towards a */
	ck_assert_uint_eq(g[7].mtu, 1300);
	ck_assert_uint_eq(g[7].frame_received_first, 21);
	ck_assert_uint_eq(g[7].quoted_ip_id, g[6].ip_id);
	/* then a fragments: 8 packets of the same SPI, in 2 fragments each */
	ck_assert_uint_eq(g[8].spi, 0xfe7eaf53);
	ck_assert_uint_eq(g[8].count, 8);
	ck_assert(g[8].fragmented);
	for (size_t i = 0; i < n; i++)
		ck_assert(!g[i].nat);
	iks_correlation_free(c);
}
END_TEST

START_TEST(realnat_rewrites)
{
	iks_correlation *c = corr("ikev2_psk_realnat", 0, NULL);
	check_totals(c);
	const iks_packet_group *g;
	size_t n = iks_correlation_groups(c, &g, NULL), both = 0;
	char x[IKS_ADDRSTRLEN], y[IKS_ADDRSTRLEN];
	for (size_t i = 0; i < n; i++) {
		if (!g[i].sent_first_s || !g[i].received_first_s)
			continue;
		both++;
		ck_assert(g[i].nat);
		if (g[i].dir == IKS_DIR_A_TO_B) {
			ck_assert_str_eq(iks_addr_format(&g[i].src_sent, x, sizeof(x)), "192.0.2.1");
			ck_assert_str_eq(iks_addr_format(&g[i].src_received, y, sizeof(y)), "198.51.100.254");
		}
	}
	ck_assert_uint_eq(both, 22);
	iks_correlation_free(c);
}
END_TEST

START_TEST(common_clock)
{
	/* b's clock an hour and a bit ahead: times on a's clock do not move */
	iks_correlation *c0 = corr("ikev2_cert_fragdrop", 0, NULL);
	iks_correlation *c1 = corr("ikev2_cert_fragdrop", 3600.25, NULL);
	const iks_packet_group *g0, *g1;
	size_t n0 = iks_correlation_groups(c0, &g0, NULL), n1 = iks_correlation_groups(c1, &g1, NULL);
	ck_assert_uint_eq(n0, n1);
	for (size_t i = 0; i < n0; i++) {
		ck_assert(fabs(g0[i].sent_first_on_a_s - g1[i].sent_first_on_a_s) < 2e-6);
		ck_assert(fabs(g0[i].received_first_on_a_s - g1[i].received_first_on_a_s) < 2e-6);
		if (g1[i].received_first_s) {
			/* own clock differs by the shift; the one-way delay stays 38 us or so */
			ck_assert(fabs(g1[i].received_first_s - g0[i].received_first_s -
				       (g1[i].dir == IKS_DIR_A_TO_B ? 3600.25 : 0)) < 2e-6);
			ck_assert(fabs(g1[i].received_first_on_a_s - g1[i].sent_first_on_a_s) < 1e-4);
		}
	}
	iks_correlation_free(c0);
	iks_correlation_free(c1);
}
END_TEST

START_TEST(groups_cap)
{
	iks_correlate_options opt;
	iks_correlate_options_default(&opt);
	ck_assert_uint_eq(opt.groups_max, 200000);
	opt.groups_max = 5;
	iks_correlation *c = corr("ikev2_psk_natt", 0, &opt);
	const iks_packet_group *g;
	uint64_t dropped = 0;
	size_t n = iks_correlation_groups(c, &g, &dropped);
	ck_assert_uint_eq(n, 5);
	/* nothing vanishes: kept plus not kept is every packet (79 sent, 1 ICMP error) */
	ck_assert_uint_gt(dropped, 0);
	ck_assert_uint_eq(packets(g, n, 0, 0) + dropped, 80);
	iks_correlation_free(c);
}
END_TEST

Suite *suite_groups(void)
{
	Suite *s = suite_create("groups");
	TCase *tc = tcase_create("captures");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fragdrop_groups);
	tcase_add_test(tc, natt_icmp_and_runs);
	tcase_add_test(tc, realnat_rewrites);
	tcase_add_test(tc, common_clock);
	tcase_add_test(tc, groups_cap);
	suite_add_tcase(s, tc);
	return s;
}
