/* test_ah.c - AH ICV verification (RFC 4302 section 3.3.3) on the frames of
 * captures/scapy_ah_shapes.pcap (tests/gen/ahgen.py), as captured and with
 * bytes changed where the ICV input must or must not notice. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"

/* Decode one frame of scapy_ah_shapes.pcap with the scapy keys, after
 * `patch` (may be NULL) changed its bytes; returns the AH crypto result
 * and fills *pkt. */
static int ah_result(uint64_t frame, void (*patch)(uint8_t *, size_t), iks_packet *pkt)
{
	char path[512];
	iks_keys *keys = iks_keys_new(NULL);
	ck_assert_ptr_nonnull(keys);
	char err[IKS_ERRBUF_SIZE];
	ck_assert_int_eq(iks_keys_load_file(keys, fixture_path("scapy_keys.tcpdump", path,
								 sizeof(path)), err),
			 IKS_OK);
	uint8_t *raw;
	int lt;
	size_t n = fixture_raw_frame("scapy_ah_shapes.pcap", frame, &raw, &lt);
	if (patch)
		patch(raw, n);
	iks_decoder *dec = iks_decoder_new(NULL);
	ck_assert_ptr_nonnull(dec);
	ck_assert_int_eq(iks_decoder_set_keys(dec, keys), IKS_OK);
	iks_frame f;
	memset(&f, 0, sizeof(f));
	f.number = frame;
	f.linktype = lt;
	f.caplen = f.wirelen = (uint32_t)n;
	f.data = raw;
	ck_assert_int_eq(iks_decode(dec, &f, pkt), IKS_OK);
	int r = pkt->l.ah.crypto;
	iks_decoder_free(dec);
	iks_keys_free(keys);
	free(raw);
	return r;
}

/* Ethernet 14 + IPv6 40: the routing header of frame 12 (type 0,
 * segments left 1, one address) */
#define RH 54

static void routing_type3(uint8_t *p, size_t n)
{
	ck_assert_uint_gt(n, RH + 4);
	ck_assert_uint_eq(p[RH + 2], 0);
	p[RH + 2] = 3;
}

static void routing_left_too_many(uint8_t *p, size_t n)
{
	ck_assert_uint_gt(n, RH + 4);
	ck_assert_uint_eq(p[RH + 3], 1);
	p[RH + 3] = 2; /* more segments left than addresses */
}

static void ipv4_tos_ttl(uint8_t *p, size_t n)
{
	ck_assert_uint_gt(n, 34);
	p[14 + 1] = 0xfc; /* DS field and ECN: mutable */
	p[14 + 8] = 3;    /* TTL: mutable */
}

static void ipv4_src(uint8_t *p, size_t n)
{
	ck_assert_uint_gt(n, 34);
	p[14 + 12] ^= 1;  /* source address: immutable */
}

static void ipv4_record_route_data(uint8_t *p, size_t n)
{
	/* frame 2: 20-byte header + Router Alert (4) + Record Route (15) +
	 * end of list; change the second recorded address */
	ck_assert_uint_gt(n, 14 + 40);
	ck_assert_uint_eq(p[14 + 24], 7);
	p[14 + 24 + 7] = 10;
}

START_TEST(ah_shapes_verify_as_captured)
{
	iks_packet pkt;
	ck_assert_int_eq(ah_result(1, NULL, &pkt), IKS_ESP_OK);
	ck_assert_uint_eq(pkt.l.ip.options_len, 20);
	ck_assert_uint_eq(pkt.l.ah.spi, 0x3001);
	ck_assert_int_eq(ah_result(2, NULL, &pkt), IKS_ESP_OK);
	ck_assert_uint_eq(pkt.l.ip.ttl, 63);
	ck_assert_int_eq(ah_result(5, NULL, &pkt), IKS_ESP_ICV_MISMATCH);
	ck_assert_int_eq(ah_result(6, NULL, &pkt), IKS_ESP_OK);
	ck_assert_uint_eq(pkt.l.ah.icv_len, 16);
	ck_assert_int_eq(ah_result(10, NULL, &pkt), IKS_ESP_OK);
	ck_assert_uint_eq(pkt.l.ip.ttl, 63);
	ck_assert_uint_eq(pkt.l.ip.header_len, 64); /* 40 + hop-by-hop 16 + destination options 8 */
	ck_assert_int_eq(ah_result(12, NULL, &pkt), IKS_ESP_OK);
	ck_assert_int_eq(ah_result(13, NULL, &pkt), IKS_ESP_OK);
	ck_assert_int_eq(ah_result(15, NULL, &pkt), IKS_ESP_OK);
	ck_assert(pkt.has_ah_inner);
	ck_assert_uint_eq(pkt.ah_inner.icmp.echo_seq, 5);
	ck_assert_int_eq(ah_result(16, NULL, &pkt), IKS_ESP_ICV_MISMATCH);
}
END_TEST

START_TEST(ah_mutable_fields_do_not_count_immutable_ones_do)
{
	iks_packet pkt;
	ck_assert_int_eq(ah_result(1, ipv4_tos_ttl, &pkt), IKS_ESP_OK);
	ck_assert_int_eq(ah_result(1, ipv4_src, &pkt), IKS_ESP_ICV_MISMATCH);
	ck_assert_int_eq(ah_result(2, ipv4_record_route_data, &pkt), IKS_ESP_OK);
}
END_TEST

START_TEST(ah_routing_header_it_cannot_predict)
{
	iks_packet pkt;
	ck_assert_int_eq(ah_result(12, routing_type3, &pkt), IKS_ESP_UNSUPPORTED);
	ck_assert_int_eq(ah_result(12, routing_left_too_many, &pkt), IKS_ESP_BAD_LENGTH);
}
END_TEST

Suite *suite_ah(void)
{
	Suite *s = suite_create("ah");
	TCase *tc = tcase_create("icv");
	tcase_add_test(tc, ah_shapes_verify_as_captured);
	tcase_add_test(tc, ah_mutable_fields_do_not_count_immutable_ones_do);
	tcase_add_test(tc, ah_routing_header_it_cannot_predict);
	suite_add_tcase(s, tc);
	return s;
}
