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
 * chain walk accept these messages (the record has no error); the payload
 * decoders report each lie with its own status, offset (from the ISAKMP
 * header) and reason, both in the decoder's record (ike.detail) and from
 * iks_ike_msg_decode() on the UDP payload alone.
 */
static void assert_lie(const char *name, uint64_t frame, uint8_t type, uint16_t plen,
		       iks_status st, uint32_t off, const char *reason)
{
	uint8_t *raw;
	int lt;
	size_t len = fixture_raw_frame(name, frame, &raw, &lt);
	iks_decoder *dec = iks_decoder_new(NULL);
	ck_assert_ptr_nonnull(dec);
	iks_frame f;
	memset(&f, 0, sizeof(f));
	f.number = frame;
	f.linktype = lt;
	f.caplen = f.wirelen = (uint32_t)len;
	f.data = raw;
	iks_packet p;
	ck_assert_int_eq(iks_decode(dec, &f, &p), IKS_OK);
	ck_assert_int_eq(p.err.status, IKS_OK);
	ck_assert_int_eq(p.l.ike.status, IKS_OK);
	ck_assert_uint_eq(p.l.ike.npayloads, 1);
	ck_assert_uint_eq(p.l.ike.payloads[0].type, type);
	ck_assert_uint_eq(p.l.ike.payloads[0].offset, 28);
	ck_assert_uint_eq(p.l.ike.payloads[0].length, plen);
	ck_assert_ptr_nonnull(p.l.ike.detail);
	const iks_ike_payload *pl = &p.l.ike.detail->msg->payloads[0];
	ck_assert_int_eq(pl->status, st);
	ck_assert_uint_eq(pl->err_offset, off);
	ck_assert_str_eq(pl->reason, reason);

	size_t at = p.link.l3_offset + p.l.ip.header_len + 8;
	iks_ike_msg *m = malloc(sizeof(*m));
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(iks_ike_msg_decode(raw + at, len - at, m), IKS_OK);
	ck_assert_uint_eq(m->npayloads, 1);
	ck_assert_int_eq(m->payloads[0].status, st);
	ck_assert_uint_eq(m->payloads[0].err_offset, off);
	ck_assert_str_eq(m->payloads[0].reason, reason);
	free(m);
	iks_decoder_free(dec);
	free(raw);
}

START_TEST(attribute_overrun)
{
	/* SA at 28, proposal at 32, transform at 40: its TLV attribute at 48
	 * claims 1024 value bytes in a 12-byte transform */
	assert_lie("regress/ike_attr_overrun.pcap", 1, 33, 24, IKS_E_MALFORMED, 48,
		   "attribute value runs past its container");
}
END_TEST

START_TEST(spi_size_lie)
{
	/* proposal at 32, its SPI Size field (at 38) says 200 bytes in 8 */
	assert_lie("regress/ike_spi_size_lie.pcap", 1, 33, 12, IKS_E_MALFORMED, 38,
		   "SPI size runs past the proposal");
	/* Notify at 28, SPI Size field at 33 says 16 with 4 bytes left */
	assert_lie("regress/ike_spi_size_lie.pcap", 2, 41, 12, IKS_E_MALFORMED, 33,
		   "SPI size runs past the notification");
}
END_TEST

START_TEST(id_lie)
{
	/* IPV4_ADDR identification with 0 of 4 address bytes, at 36 */
	assert_lie("regress/ike_id_lie.pcap", 1, 5, 8, IKS_E_MALFORMED, 36,
		   "address identification of the wrong length for its type");
	/* IPV6_ADDR identification with 4 of 16 bytes, at 36 */
	assert_lie("regress/ike_id_lie.pcap", 2, 5, 12, IKS_E_MALFORMED, 36,
		   "address identification of the wrong length for its type");
}
END_TEST

START_TEST(delete_lie)
{
	/* Delete at 28: DOI 32, protocol ESP 36, SPI size 4 at 37, count at
	 * 38 says 10 SPIs where the payload holds 1 */
	assert_lie("regress/ike_delete_lie.pcap", 1, 12, 16, IKS_E_MALFORMED, 38,
		   "SPI count differs from the SPIs the payload holds");
	/* ESP delete whose SPI size (at 37) is 0: ESP SPIs are 4 bytes */
	assert_lie("regress/ike_delete_lie.pcap", 2, 12, 12, IKS_E_MALFORMED, 37,
		   "AH/ESP delete with an SPI size other than 4");
}
END_TEST

/* Found by fuzz_stateful: an IKE message whose SKF fragments are numbered
 * above the 255 the decoder tracks was reported incomplete with 0
 * fragments. Three SKF of 300 (299, 300, then 1) in frames 1..3. */
START_TEST(ike_frag_untracked)
{
	fixture_capture fc;
	fixture_load("regress/ike_frag_untracked.pcap", &fc);
	ck_assert_uint_eq(fc.npkts, 3);
	int limits = 0, incomplete = 0;
	for (size_t i = 0; i < fc.nevents; i++) {
		const iks_event *ev = &fc.events[i];
		if (ev->kind == IKS_EV_LIMIT) {
			ck_assert_str_eq(ev->limit, "ike_frag_numbers_tracked");
			ck_assert_uint_eq(ev->frame, 1);
			limits++;
		}
		if (ev->kind != IKS_EV_IKE_FRAGS_INCOMPLETE)
			continue;
		incomplete++;
		ck_assert_int_eq(ev->reason, IKS_INCOMPLETE_END);
		ck_assert_uint_eq(ev->ike_version, 2);
		ck_assert_uint_eq(ev->ike_msgid, 1);
		ck_assert_uint_eq(ev->ike_ispi[7], 0x0e);
		ck_assert_uint_eq(ev->fragments, 3);
		ck_assert_uint_eq(ev->first_frame, 1);
		ck_assert_uint_eq(ev->last_frame, 3);
	}
	ck_assert_int_eq(limits, 1);
	ck_assert_int_eq(incomplete, 1);
	fixture_free(&fc);

	/* the same frames handed over out of order (3, 1, 2): first <= last */
	iks_decoder *dec = iks_decoder_new(NULL);
	uint64_t order[] = { 3, 1, 2 };
	for (int i = 0; i < 3; i++) {
		uint8_t *raw;
		int lt;
		size_t len = fixture_raw_frame("regress/ike_frag_untracked.pcap", order[i], &raw, &lt);
		iks_frame f;
		memset(&f, 0, sizeof(f));
		f.number = order[i];
		f.linktype = lt;
		f.caplen = f.wirelen = (uint32_t)len;
		f.data = raw;
		iks_packet p;
		iks_decode(dec, &f, &p);
		free(raw);
	}
	iks_decoder_finish(dec);
	iks_event ev;
	incomplete = 0;
	while (iks_decoder_next_event(dec, &ev) == 1)
		if (ev.kind == IKS_EV_IKE_FRAGS_INCOMPLETE) {
			incomplete++;
			ck_assert_uint_eq(ev.fragments, 3);
			ck_assert_uint_eq(ev.first_frame, 1);
			ck_assert_uint_eq(ev.last_frame, 3);
		}
	ck_assert_int_eq(incomplete, 1);
	iks_decoder_free(dec);
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
	tcase_add_test(tc, ike_frag_untracked);
	suite_add_tcase(s, tc);
	return s;
}
