/*
 * test_malformed.c - the hand-built malformed IKE fixtures of
 * captures/regress/ (written by tests/fuzz/make_regress.py; byte layouts
 * there) and the regression fixtures of bugs found by fuzzing. Each test
 * asserts the precise status, reason and offsets, from the ISAKMP header
 * (ike.err_offset) and from the frame (err.offset: +28 after IPv4/UDP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"

static void assert_ispi(const iks_ike_info *ike, const char *want)
{
	char s[17];
	for (int i = 0; i < 8; i++)
		snprintf(s + 2 * i, 3, "%02x", ike->ispi[i]);
	ck_assert_str_eq(s, want);
}

/* The record's IKE failure, and the same from iks_ike_decode() on the
 * UDP payload alone (the entry point fuzzers use). */
static void assert_ike_fail(const char *name, const iks_packet *p, iks_status st,
			    const char *reason, uint32_t rel, uint32_t frame_off, uint16_t npayloads)
{
	const iks_ike_info *ike = &p->l.ike;
	ck_assert(ike->present);
	ck_assert_int_eq(ike->status, st);
	ck_assert_str_eq(ike->reason, reason);
	ck_assert_uint_eq(ike->err_offset, rel);
	ck_assert_uint_eq(ike->npayloads, npayloads);
	ck_assert_int_eq(p->err.status, st);
	ck_assert_str_eq(p->err.layer, "ike");
	ck_assert_str_eq(p->err.reason, reason);
	ck_assert_uint_eq(p->err.offset, frame_off);
	ck_assert(!p->err.in_datagram);

	/* the record's spans pointed into the closed capture: read the frame again */
	uint8_t *raw;
	int lt;
	size_t len = fixture_raw_frame(name, p->frame, &raw, &lt);
	size_t at = p->link.l3_offset + p->l.ip.header_len + 8;
	ck_assert_uint_ge(len, at);
	iks_ike_info again;
	ck_assert_int_eq(iks_ike_decode(raw + at, len - at, &again), st);
	ck_assert_uint_eq(again.err_offset, rel);
	ck_assert_str_eq(again.reason, reason);
	ck_assert_uint_eq(again.npayloads, npayloads);
	free(raw);
}

START_TEST(payload_length_overrun)
{
	fixture_capture fc;
	fixture_load("regress/ike_payload_overrun.pcap", &fc);
	ck_assert_uint_eq(fc.npkts, 1);
	const iks_packet *p = fixture_frame(&fc, 1);
	assert_ispi(&p->l.ike, "5245475245530001");
	ck_assert_uint_eq(p->l.ike.length, 44);
	assert_ike_fail("regress/ike_payload_overrun.pcap", p, IKS_E_MALFORMED,
			"payload length runs past the message length", 28, 56, 1);
	ck_assert_uint_eq(p->l.ike.payloads[0].type, 33);
	ck_assert_uint_eq(p->l.ike.payloads[0].length, 200);
	fixture_free(&fc);
}
END_TEST

START_TEST(payload_length_zero)
{
	fixture_capture fc;
	fixture_load("regress/ike_payload_zero_len.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 1);
	assert_ispi(&p->l.ike, "5245475245530002");
	assert_ike_fail("regress/ike_payload_zero_len.pcap", p, IKS_E_MALFORMED,
			"payload length below the 4-byte generic header", 36, 64, 1);
	ck_assert_uint_eq(p->l.ike.payloads[0].type, 33);
	ck_assert_uint_eq(p->l.ike.payloads[0].length, 8);
	fixture_free(&fc);
}
END_TEST

/* A payload "loop" cannot be expressed: next-payload names a type, not a
 * position, and every step consumes at least 4 bytes, so a chain of N
 * bytes ends within N/4 steps. Frame 1: 40 chained empty payloads are all
 * walked (32 recorded); frame 2: a chain that never says "none" runs into
 * the message end. */
START_TEST(payload_chain_loop)
{
	fixture_capture fc;
	fixture_load("regress/ike_payload_chain_loop.pcap", &fc);
	ck_assert_uint_eq(fc.npkts, 2);
	const iks_packet *p = fixture_frame(&fc, 1);
	ck_assert_int_eq(p->err.status, IKS_OK);
	ck_assert_int_eq(p->l.ike.status, IKS_OK);
	ck_assert_uint_eq(p->l.ike.length, 188);
	ck_assert_uint_eq(p->l.ike.npayloads, 40);
	ck_assert_uint_eq(p->l.ike.payloads[31].type, 41);
	ck_assert_uint_eq(p->l.ike.payloads[31].offset, 152);
	ck_assert_uint_eq(p->l.ike.payloads[31].length, 4);

	p = fixture_frame(&fc, 2);
	assert_ispi(&p->l.ike, "5245475245530004");
	assert_ike_fail("regress/ike_payload_chain_loop.pcap", p, IKS_E_MALFORMED,
			"payload header runs past the message length", 52, 80, 3);
	fixture_free(&fc);
}
END_TEST

START_TEST(leftover_bytes)
{
	fixture_capture fc;
	fixture_load("regress/ike_leftover_bytes.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 1);
	ck_assert_uint_eq(p->l.ike.version, 1);
	ck_assert_uint_eq(p->l.ike.length, 48);
	assert_ike_fail("regress/ike_leftover_bytes.pcap", p, IKS_E_MALFORMED,
			"bytes after the last payload", 40, 68, 1);
	fixture_free(&fc);
}
END_TEST

START_TEST(natt_marker_short)
{
	fixture_capture fc;
	fixture_load("regress/natt_marker_short.pcap", &fc);
	ck_assert_uint_eq(fc.npkts, 3);
	/* marker + 8 bytes, and the marker alone: IKE at frame offset 32 */
	for (uint64_t n = 1; n <= 2; n++) {
		const iks_packet *p = fixture_frame(&fc, n);
		ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_NON_ESP_MARKER);
		ck_assert(!p->l.ike.present);
		ck_assert_int_eq(p->l.ike.status, IKS_E_MALFORMED);
		ck_assert_int_eq(p->err.status, IKS_E_MALFORMED);
		ck_assert_str_eq(p->err.layer, "ike");
		ck_assert_str_eq(p->err.reason, "message shorter than the 28-byte ISAKMP header");
		ck_assert_uint_eq(p->err.offset, 32);
	}
	/* three bytes: neither a marker nor an ESP header */
	const iks_packet *p = fixture_frame(&fc, 3);
	ck_assert_int_eq(p->err.status, IKS_E_MALFORMED);
	ck_assert_str_eq(p->err.layer, "udp");
	ck_assert_str_eq(p->err.reason, "NAT-T payload too short for ESP or IKE");
	ck_assert_uint_eq(p->err.offset, 28);
	ck_assert(!p->l.ike.present && !p->l.esp.present);
	fixture_free(&fc);

	/* the same 8 bytes cut by the capture (2 missing) are truncated, not malformed */
	uint8_t *raw;
	int lt;
	size_t len = fixture_raw_frame("regress/natt_marker_short.pcap", 1, &raw, &lt);
	ck_assert_uint_eq(len, 40);
	iks_packet q;
	ck_assert_int_eq(iks_decode_buffer(lt, raw, len - 2, &q), IKS_OK);
	ck_assert_int_eq(q.err.status, IKS_E_TRUNCATED);
	ck_assert_str_eq(q.err.layer, "ike");
	ck_assert_str_eq(q.err.reason, "ISAKMP header cut short by the capture");
	ck_assert_uint_eq(q.err.offset, 32);
	free(raw);
}
END_TEST

/*
 * Lies inside payload bodies. The chain is consistent, so the header and
 * chain decoder accepts these messages; the payload decoders (branch ike3)
 * must report them. What each must then assert is written next to it.
 */
static const iks_packet *lie(fixture_capture *fc, uint64_t frame, uint8_t type, uint16_t plen)
{
	const iks_packet *p = fixture_frame(fc, frame);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->err.status, IKS_OK);
	ck_assert_int_eq(p->l.ike.status, IKS_OK);
	ck_assert_uint_eq(p->l.ike.npayloads, 1);
	ck_assert_uint_eq(p->l.ike.payloads[0].type, type);
	ck_assert_uint_eq(p->l.ike.payloads[0].offset, 28);
	ck_assert_uint_eq(p->l.ike.payloads[0].length, plen);
	return p;
}

START_TEST(attribute_overrun)
{
	fixture_capture fc;
	fixture_load("regress/ike_attr_overrun.pcap", &fc);
	/* ike3: MALFORMED, TLV attribute at 48 (frame 76) claims 1024 bytes in a
	 * 12-byte transform */
	lie(&fc, 1, 33, 24);
	fixture_free(&fc);
}
END_TEST

START_TEST(spi_size_lie)
{
	fixture_capture fc;
	fixture_load("regress/ike_spi_size_lie.pcap", &fc);
	/* ike3: MALFORMED, proposal at 32 claims a 200-byte SPI (from 40) in 8 bytes */
	lie(&fc, 1, 33, 12);
	/* ike3: MALFORMED, Notify SPI size 16 with 4 bytes from 36 */
	lie(&fc, 2, 41, 12);
	fixture_free(&fc);
}
END_TEST

START_TEST(id_lie)
{
	fixture_capture fc;
	fixture_load("regress/ike_id_lie.pcap", &fc);
	/* ike3: MALFORMED, IPV4_ADDR identification with 0 of 4 address bytes at 36 */
	const iks_packet *p = lie(&fc, 1, 5, 8);
	ck_assert_uint_eq(p->l.ike.version, 1);
	/* ike3: MALFORMED, IPV6_ADDR identification with 4 of 16 bytes at 36 */
	lie(&fc, 2, 5, 12);
	fixture_free(&fc);
}
END_TEST

START_TEST(delete_lie)
{
	fixture_capture fc;
	fixture_load("regress/ike_delete_lie.pcap", &fc);
	/* ike3: MALFORMED, 10 SPIs of 4 bytes announced, 1 present (the second at 44) */
	const iks_packet *p = lie(&fc, 1, 12, 16);
	ck_assert_uint_eq(p->l.ike.exchange, 5);
	/* ike3: MALFORMED, ESP delete with SPI size 0 (ESP SPIs are 4 bytes) */
	lie(&fc, 2, 12, 12);
	fixture_free(&fc);
}
END_TEST

/* Found by the replay of fuzz_packet over seeds from captures/: after a
 * NAT-T non-ESP marker, payload offsets counted the 4 marker bytes and
 * frame error offsets counted them twice. Frame 11 of
 * ikev2_psk_natt_a.pcap: IKE_AUTH over UDP 4500, its SK payload at 28. */
START_TEST(natt_payload_offsets)
{
	fixture_capture fc;
	fixture_load("regress/natt_ike_payload_offset.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 1);
	ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_NON_ESP_MARKER);
	assert_ispi(&p->l.ike, "5fa287abf4356660");
	ck_assert_uint_eq(p->l.ike.length, 272);
	ck_assert_uint_eq(p->l.ike.npayloads, 1);
	ck_assert_uint_eq(p->l.ike.payloads[0].type, 46);
	ck_assert_uint_eq(p->l.ike.payloads[0].offset, 28);
	ck_assert_uint_eq(p->l.ike.payloads[0].length, 244);
	fixture_free(&fc);

	/* a frame error inside that message: zero the SK payload length
	 * (IKE at frame 32, SK header at 60, its length at 62) */
	uint8_t *raw;
	int lt;
	size_t len = fixture_raw_frame("regress/natt_ike_payload_offset.pcap", 1, &raw, &lt);
	size_t l3 = len - 20 - 8 - 4 - 272;
	raw[l3 + 60 + 2] = 0;
	raw[l3 + 60 + 3] = 0;
	iks_packet q;
	iks_decode_buffer(lt, raw, len, &q);
	ck_assert_int_eq(q.err.status, IKS_E_MALFORMED);
	ck_assert_uint_eq(q.l.ike.err_offset, 28);
	ck_assert_uint_eq(q.err.offset, l3 + 60);
	free(raw);
}
END_TEST

Suite *suite_malformed(void)
{
	Suite *s = suite_create("malformed");
	TCase *tc = tcase_create("ike");
	tcase_add_test(tc, payload_length_overrun);
	tcase_add_test(tc, payload_length_zero);
	tcase_add_test(tc, payload_chain_loop);
	tcase_add_test(tc, leftover_bytes);
	tcase_add_test(tc, natt_marker_short);
	tcase_add_test(tc, attribute_overrun);
	tcase_add_test(tc, spi_size_lie);
	tcase_add_test(tc, id_lie);
	tcase_add_test(tc, delete_lie);
	tcase_add_test(tc, natt_payload_offsets);
	suite_add_tcase(s, tc);
	return s;
}
