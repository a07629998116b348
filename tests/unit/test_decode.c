/*
 * test_decode.c - packet records from the real captures in captures/
 * (values cross-checked against tshark's reference decode in
 * captures/refdecode/) and from frames built around their bytes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "decode/decoder_crypto.h"
#include "fixture.h"
#include "suites.h"

static void assert_hex8(const uint8_t *got, const char *want)
{
	char s[17];
	for (int i = 0; i < 8; i++)
		snprintf(s + 2 * i, 3, "%02x", got[i]);
	ck_assert_str_eq(s, want);
}

static void assert_addr(const iks_addr *a, const char *want)
{
	char s[IKS_ADDRSTRLEN];
	ck_assert_str_eq(iks_addr_format(a, s, sizeof(s)), want);
}

static void assert_payloads(const iks_ike_info *ike, const uint8_t *types, unsigned n)
{
	ck_assert_uint_eq(ike->npayloads, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(ike->payloads[i].type, types[i]);
}

START_TEST(ikev2_sa_init_pair)
{
	fixture_capture fc;
	fixture_load("ikev2_psk_natt_a.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 9);
	ck_assert_ptr_nonnull(p);
	ck_assert(p->flags & IKS_PKT_IPSEC);
	assert_addr(&p->l.ip.src, "192.0.2.1");
	assert_addr(&p->l.ip.dst, "198.51.100.1");
	ck_assert_uint_eq(p->l.ip.id, 0xd937);
	ck_assert(p->l.ip.df);
	ck_assert_uint_eq(p->l.udp.sport, 500);
	ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_NONE);
	const iks_ike_info *ike = &p->l.ike;
	ck_assert(ike->present);
	ck_assert_uint_eq(ike->version, 2);
	assert_hex8(ike->ispi, "5fa287abf4356660");
	assert_hex8(ike->rspi, "0000000000000000");
	ck_assert_uint_eq(ike->exchange, 34);
	ck_assert_str_eq(iks_ike_exchange_name(2, ike->exchange), "IKE_SA_INIT");
	ck_assert_uint_eq(ike->msgid, 0);
	ck_assert_uint_eq(ike->flags, IKS_IKEV2_FLAG_INITIATOR);
	ck_assert_uint_eq(ike->length, 456);
	static const uint8_t init[] = { 33, 34, 40, 41, 41, 41, 41 };
	assert_payloads(ike, init, sizeof(init));
	ck_assert_int_eq(p->err.status, IKS_OK);

	p = fixture_frame(&fc, 10);
	assert_hex8(p->l.ike.rspi, "42d451be538aea2b");
	ck_assert_uint_eq(p->l.ike.flags, IKS_IKEV2_FLAG_RESPONSE);
	static const uint8_t resp[] = { 33, 34, 40, 41, 41, 41, 41, 41 };
	assert_payloads(&p->l.ike, resp, sizeof(resp));
	fixture_free(&fc);
}
END_TEST

START_TEST(ikev2_auth_behind_non_esp_marker)
{
	fixture_capture fc;
	fixture_load("ikev2_psk_natt_a.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 11);
	ck_assert_uint_eq(p->l.udp.sport, 4500);
	ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_NON_ESP_MARKER);
	ck_assert_uint_eq(p->l.ike.exchange, 35);
	ck_assert_uint_eq(p->l.ike.msgid, 1);
	ck_assert_uint_eq(p->l.ike.length, 272);
	static const uint8_t sk[] = { 46 };
	assert_payloads(&p->l.ike, sk, 1);
	fixture_free(&fc);
}
END_TEST

START_TEST(esp_in_udp_and_icmp_frag_needed)
{
	fixture_capture fc;
	fixture_load("ikev2_psk_natt_a.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 13);
	ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_ESP);
	ck_assert(p->l.esp.present);
	ck_assert_uint_eq(p->l.esp.spi, 0xfe7eaf53);
	ck_assert_uint_eq(p->l.esp.seq, 1);

	/* r answers the DF 1486-byte ESP packet with fragmentation needed */
	p = fixture_frame(&fc, 21);
	ck_assert(p->flags & IKS_PKT_ICMP_ERROR);
	assert_addr(&p->l.ip.src, "192.0.2.254");
	ck_assert_uint_eq(p->l.icmp.type, 3);
	ck_assert_uint_eq(p->l.icmp.code, 4);
	ck_assert(p->l.icmp.has_mtu);
	ck_assert_uint_eq(p->l.icmp.mtu, 1300);
	ck_assert(p->has_inner);
	assert_addr(&p->inner.ip.src, "192.0.2.1");
	assert_addr(&p->inner.ip.dst, "198.51.100.1");
	ck_assert_uint_eq(p->inner.ip.id, 0xd94d);
	ck_assert_uint_eq(p->inner.udp.dport, 4500);
	ck_assert_uint_eq(p->inner.esp.spi, 0xfe7eaf53);
	ck_assert_uint_eq(p->inner.esp.seq, 4);
	ck_assert_int_eq(p->err.status, IKS_OK);

	/* after it the sender fragments: 22 is held, 23 completes */
	const iks_packet *a = fixture_frame(&fc, 22), *b = fixture_frame(&fc, 23);
	ck_assert_int_eq(a->frag.result, IKS_FRAG_HELD);
	ck_assert(a->flags & IKS_PKT_IPSEC);
	ck_assert(!a->l.upper_decoded);
	ck_assert_int_eq(b->frag.result, IKS_FRAG_COMPLETED);
	ck_assert_uint_eq(a->frag.datagram_id, b->frag.datagram_id);
	ck_assert_uint_eq(b->frag.offset, 1280);
	ck_assert_uint_eq(b->frag.fragment_count, 2);
	size_t i = (size_t)(b - fc.pkts);
	ck_assert_uint_eq(fc.frag_frames[i][0], 22);
	ck_assert_uint_eq(fc.frag_frames[i][1], 23);
	ck_assert_uint_eq(b->l.esp.spi, 0xfe7eaf53);
	ck_assert_uint_eq(b->l.esp.seq, 5);
	ck_assert_uint_eq(fc.nevents, 0);
	fixture_free(&fc);
}
END_TEST

START_TEST(ikev1_main_and_quick_mode)
{
	fixture_capture fc;
	fixture_load("ikev1_psk_natt_a.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 7);
	ck_assert_uint_eq(p->l.ike.version, 1);
	assert_hex8(p->l.ike.ispi, "6a457ac013315d33");
	ck_assert_uint_eq(p->l.ike.exchange, 2);
	ck_assert_uint_eq(p->l.ike.length, 156);
	static const uint8_t mm1[] = { 1, 13, 13, 13, 13 };
	assert_payloads(&p->l.ike, mm1, sizeof(mm1));
	p = fixture_frame(&fc, 9);
	static const uint8_t mm3[] = { 4, 10, 20, 20 };
	assert_payloads(&p->l.ike, mm3, sizeof(mm3));
	/* MM5 is encrypted: only the first payload type (ID) is known */
	p = fixture_frame(&fc, 11);
	ck_assert(p->l.ike.encrypted);
	ck_assert_uint_eq(p->l.ike.next_payload, 5);
	ck_assert_uint_eq(p->l.ike.npayloads, 0);
	ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_NON_ESP_MARKER);
	p = fixture_frame(&fc, 13);
	ck_assert_uint_eq(p->l.ike.exchange, 32);
	ck_assert_uint_eq(p->l.ike.msgid, 0x8e04809e);
	assert_hex8(p->l.ike.rspi, "24417d4f3369bd36");
	fixture_free(&fc);
}
END_TEST

START_TEST(plain_fragments_reassemble)
{
	fixture_capture fc;
	fixture_load("plain_frag_b.pcap", &fc);
	/* r re-fragmented a's 3 fragments into 5 */
	static const uint32_t offsets[] = { 0, 1280, 1480, 2760, 2960 };
	uint64_t id = 0;
	for (unsigned i = 0; i < 5; i++) {
		const iks_packet *p = fixture_frame(&fc, 8 + i);
		ck_assert_uint_eq(p->l.ip.id, 0x6347);
		ck_assert_uint_eq(p->frag.offset, offsets[i]);
		if (i == 0)
			id = p->frag.datagram_id;
		ck_assert_uint_eq(p->frag.datagram_id, id);
		ck_assert_int_eq(p->frag.result, i < 4 ? IKS_FRAG_HELD : IKS_FRAG_COMPLETED);
	}
	const iks_packet *p = fixture_frame(&fc, 12);
	ck_assert_uint_eq(p->frag.fragment_count, 5);
	ck_assert_uint_eq(p->frag.datagram_len, 4008);
	size_t at = (size_t)(p - fc.pkts);
	for (unsigned i = 0; i < 5; i++)
		ck_assert_uint_eq(fc.frag_frames[at][i], 8 + i);
	ck_assert(p->l.icmp.present);
	ck_assert_uint_eq(p->l.icmp.type, 8);
	ck_assert(!(p->flags & IKS_PKT_IPSEC));
	ck_assert_uint_eq(fc.stats.datagrams_incomplete, 0);
	fixture_free(&fc);
}
END_TEST

START_TEST(icmp_frag_needed_quotes_ping)
{
	fixture_capture fc;
	fixture_load("plain_frag_a.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 32);
	ck_assert_uint_eq(p->l.icmp.type, 3);
	ck_assert_uint_eq(p->l.icmp.code, 4);
	ck_assert_uint_eq(p->l.icmp.mtu, 1300);
	ck_assert(p->has_inner);
	assert_addr(&p->inner.ip.src, "192.0.2.1");
	assert_addr(&p->inner.ip.dst, "198.51.100.1");
	ck_assert_uint_eq(p->inner.ip.proto, 1);
	ck_assert(p->inner.ip.df);
	ck_assert_uint_eq(p->inner.icmp.echo_id, 18298);
	ck_assert_uint_eq(p->inner.icmp.echo_seq, 1);
	fixture_free(&fc);
}
END_TEST

START_TEST(two_interface_capture_sll2_nsec)
{
	fixture_capture fc;
	fixture_load("plain_frag_r-any-nsec.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 12);
	ck_assert_int_eq(p->linktype, IKS_LINK_LINUX_SLL2);
	ck_assert_int_eq(p->ts_sec, 1795352784);
	ck_assert_uint_eq(p->ts_nsec, 91580627);
	/* each fragment twice, cut differently on the two interfaces: the
	 * datagram completes once and the second copy is late */
	p = fixture_frame(&fc, 20);
	ck_assert_int_eq(p->frag.result, IKS_FRAG_COMPLETED);
	ck_assert_uint_eq(p->frag.fragment_count, 7);
	size_t at = (size_t)(p - fc.pkts);
	static const uint64_t frames[] = { 12, 15, 16, 17, 18, 19, 20 };
	for (unsigned i = 0; i < 7; i++)
		ck_assert_uint_eq(fc.frag_frames[at][i], frames[i]);
	const iks_packet *late = fixture_frame(&fc, 21);
	ck_assert_int_eq(late->frag.result, IKS_FRAG_LATE);
	ck_assert_uint_eq(late->frag.datagram_id, p->frag.datagram_id);
	ck_assert(fixture_frame(&fc, 15)->frag.overlap);
	ck_assert(!fixture_frame(&fc, 15)->frag.conflict);
	ck_assert_uint_eq(fc.stats.datagrams_incomplete, 0);
	ck_assert_uint_eq(fc.nevents, 0);
	fixture_free(&fc);
}
END_TEST

START_TEST(lost_tail_fragments_are_reported)
{
	fixture_capture fc;
	fixture_load("ikev2_cert_fragdrop_b.pcap", &fc);
	static const uint32_t ids[] = { 0xf87f, 0xf927, 0xf934, 0xfa28, 0xfbd9 };
	ck_assert_uint_eq(fc.nevents, 5);
	for (unsigned i = 0; i < 5; i++) {
		const iks_event *e = &fc.events[i];
		ck_assert_int_eq(e->kind, IKS_EV_DATAGRAM_INCOMPLETE);
		ck_assert_int_eq(e->reason, IKS_INCOMPLETE_END);
		ck_assert_uint_eq(e->ip_id, ids[i]);
		ck_assert_uint_eq(e->proto, 17);
		ck_assert_uint_eq(e->fragments, 2);
		ck_assert_uint_eq(e->received_bytes, 1480);
		ck_assert_uint_eq(e->datagram_len, IKS_LEN_UNKNOWN);
		ck_assert_uint_eq(e->nholes, 1);
		ck_assert_uint_eq(e->holes[0].start, 1480);
		ck_assert_uint_eq(e->holes[0].end, IKS_LEN_UNKNOWN);
	}
	ck_assert_uint_eq(fc.events[0].first_frame, 10);
	ck_assert_uint_eq(fc.events[0].last_frame, 11);
	/* the first fragment of the IKE_AUTH request names port 4500 */
	ck_assert(fixture_frame(&fc, 10)->flags & IKS_PKT_IPSEC);
	fixture_free(&fc);
}
END_TEST

START_TEST(natt_marker_keepalive_esp)
{
	fixture_capture fc;
	fixture_load("scapy_natt.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 1);
	ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_NON_ESP_MARKER);
	ck_assert_uint_eq(p->l.ike.version, 1);
	assert_hex8(p->l.ike.ispi, "1111111111111111");
	assert_hex8(p->l.ike.rspi, "2222222222222222");
	p = fixture_frame(&fc, 2);
	ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_KEEPALIVE);
	ck_assert(p->flags & IKS_PKT_IPSEC);
	ck_assert(!p->l.esp.present && !p->l.ike.present);
	p = fixture_frame(&fc, 3);
	ck_assert_int_eq(p->l.udp.encap, IKS_ENCAP_ESP);
	ck_assert_uint_eq(p->l.esp.spi, 0x1004);
	ck_assert_uint_eq(p->l.esp.seq, 1);
	fixture_free(&fc);
}
END_TEST

START_TEST(ah_and_raw_esp)
{
	fixture_capture fc;
	fixture_load("scapy_ah.pcap", &fc);
	const iks_packet *p = fixture_frame(&fc, 3);
	ck_assert(p->l.ah.present);
	ck_assert_uint_eq(p->l.ah.spi, 0x1002);
	ck_assert_uint_eq(p->l.ah.seq, 101);
	ck_assert_uint_eq(p->l.ah.icv_len, 12);
	ck_assert_uint_eq(p->l.ah.next_header, 17);
	ck_assert_uint_eq(p->l.udp.sport, 1234);
	ck_assert_uint_eq(p->l.udp.dport, 5678);
	fixture_free(&fc);

	fixture_load("scapy_esp_transport.pcap", &fc);
	p = fixture_frame(&fc, 9);
	ck_assert_int_eq(p->frag.result, IKS_FRAG_HELD);
	ck_assert(p->flags & IKS_PKT_IPSEC); /* protocol 50 says so already */
	p = fixture_frame(&fc, 11);
	ck_assert_int_eq(p->frag.result, IKS_FRAG_COMPLETED);
	ck_assert_uint_eq(p->frag.fragment_count, 3);
	ck_assert_uint_eq(p->l.esp.spi, 0x1000);
	ck_assert_uint_eq(p->l.esp.seq, 5);
	fixture_free(&fc);
}
END_TEST

/* ---- frames built around real bytes ---------------------------------- */

/* IP packet of ikev2_psk_natt_a.pcap frame 9 (IKE_SA_INIT), without Ethernet */
static uint8_t *sa_init_ip(size_t *len)
{
	uint8_t *raw;
	int lt;
	size_t n = fixture_raw_frame("ikev2_psk_natt_a.pcap", 9, &raw, &lt);
	ck_assert_int_eq(lt, IKS_LINK_ETHERNET);
	ck_assert_uint_gt(n, 14);
	memmove(raw, raw + 14, n - 14);
	*len = n - 14;
	return raw;
}

static uint8_t *prepend(const uint8_t *hdr, size_t hlen, const uint8_t *body, size_t blen)
{
	uint8_t *f = malloc(hlen + blen);
	ck_assert_ptr_nonnull(f);
	memcpy(f, hdr, hlen);
	memcpy(f + hlen, body, blen);
	return f;
}

static void assert_sa_init(const iks_packet *p)
{
	ck_assert_int_eq(p->err.status, IKS_OK);
	ck_assert(p->l.ike.present);
	assert_hex8(p->l.ike.ispi, "5fa287abf4356660");
	ck_assert_uint_eq(p->l.ike.length, 456);
}

START_TEST(every_link_type)
{
	size_t n;
	uint8_t *ip = sa_init_ip(&n);
	struct {
		int linktype;
		uint8_t hdr[24];
		size_t hlen;
		unsigned vlans;
	} cases[] = {
		{ IKS_LINK_ETHERNET, { 0,1,2,3,4,5, 6,7,8,9,10,11, 0x81,0x00, 0x00,0x64, 0x08,0x00 }, 18, 1 },
		{ IKS_LINK_ETHERNET, { 0,1,2,3,4,5, 6,7,8,9,10,11, 0x88,0xa8, 0x00,0xc8, 0x81,0x00,
				       0x00,0x64, 0x08,0x00 }, 22, 2 },
		{ IKS_LINK_LINUX_SLL, { 0,0, 0,1, 0,6, 1,2,3,4,5,6,0,0, 0x08,0x00 }, 16, 0 },
		{ IKS_LINK_LINUX_SLL2, { 0x08,0x00, 0,0, 0,0,0,2, 0,1, 0, 6, 1,2,3,4,5,6,0,0 }, 20, 0 },
		{ IKS_LINK_RAW, { 0 }, 0, 0 },
		{ IKS_LINK_RAW_DLT, { 0 }, 0, 0 },
		{ IKS_LINK_IPV4, { 0 }, 0, 0 },
		{ IKS_LINK_NULL, { 2, 0, 0, 0 }, 4, 0 },  /* little-endian AF_INET */
		{ IKS_LINK_NULL, { 0, 0, 0, 2 }, 4, 0 },  /* big-endian AF_INET */
		{ IKS_LINK_LOOP, { 0, 0, 0, 2 }, 4, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *f = prepend(cases[i].hdr, cases[i].hlen, ip, n);
		iks_packet p;
		ck_assert_int_eq(iks_decode_buffer(cases[i].linktype, f, cases[i].hlen + n, &p), IKS_OK);
		assert_sa_init(&p);
		ck_assert_uint_eq(p.link.l3_offset, cases[i].hlen);
		ck_assert_uint_eq(p.link.vlan_count, cases[i].vlans);
		if (cases[i].vlans)
			ck_assert_uint_eq(p.link.vlan_ids[cases[i].vlans - 1], 100);
		if (cases[i].vlans == 2)
			ck_assert_uint_eq(p.link.vlan_ids[0], 200);
		free(f);
	}
	iks_packet p;
	ck_assert_int_eq(iks_decode_buffer(9999, ip, n, &p), IKS_OK);
	ck_assert_int_eq(p.err.status, IKS_E_UNSUPPORTED);
	ck_assert_str_eq(p.err.layer, "link");
	free(ip);
}
END_TEST

START_TEST(snaplen_cut_is_truncated_not_malformed)
{
	uint8_t *raw;
	int lt;
	size_t n = fixture_raw_frame("ikev2_psk_natt_a.pcap", 9, &raw, &lt);
	iks_decoder *dec = iks_decoder_new(NULL);
	iks_frame f = { 1, 0, 0, lt, 100, (uint32_t)n, raw, { 0 } };
	iks_packet p;
	ck_assert_int_eq(iks_decode(dec, &f, &p), IKS_OK);
	ck_assert(p.flags & IKS_PKT_SNAPPED);
	ck_assert(p.l.ike.present); /* 14 + 20 + 8 + 28 = 70 bytes fit */
	assert_hex8(p.l.ike.ispi, "5fa287abf4356660");
	ck_assert_uint_eq(p.l.ike.captured, 100 - 42);
	ck_assert_int_eq(p.err.status, IKS_E_TRUNCATED);
	ck_assert_str_eq(p.err.layer, "ike");

	f.caplen = 50; /* inside the ISAKMP header */
	ck_assert_int_eq(iks_decode(dec, &f, &p), IKS_OK);
	ck_assert(p.l.udp.present);
	ck_assert(!p.l.ike.present);
	ck_assert_int_eq(p.err.status, IKS_E_TRUNCATED);
	ck_assert_uint_eq(p.err.offset, 42);

	f.caplen = 20; /* inside the IP header */
	ck_assert_int_eq(iks_decode(dec, &f, &p), IKS_OK);
	ck_assert(!p.l.ip.present);
	ck_assert_int_eq(p.err.status, IKS_E_TRUNCATED);
	ck_assert_str_eq(p.err.layer, "ipv4");
	iks_decoder_free(dec);
	free(raw);
}
END_TEST

/* IPv6 packet (fixed header + optional hop-by-hop) carrying UDP `body`. */
static size_t build_ipv6(uint8_t *out, const uint8_t *udp, size_t ulen, bool hbh,
			 const uint8_t *frag_hdr)
{
	size_t ext = (hbh ? 8 : 0) + (frag_hdr ? 8 : 0);
	size_t plen = ext + ulen;
	/* 2001:db8::1 > 2001:db8::2 */
	uint8_t h[40] = { 0x60, 0, 0, 0, (uint8_t)(plen >> 8), (uint8_t)plen, 0, 64 };
	static const uint8_t prefix[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	memcpy(h + 8, prefix, 4);
	h[23] = 1;
	memcpy(h + 24, prefix, 4);
	h[39] = 2;
	size_t n = 0;
	h[6] = hbh ? 0 : (frag_hdr ? 44 : 17);
	memcpy(out, h, 40);
	n = 40;
	if (hbh) {
		uint8_t hb[8] = { frag_hdr ? 44 : 17, 0, 1, 4, 0, 0, 0, 0 };
		memcpy(out + n, hb, 8);
		n += 8;
	}
	if (frag_hdr) {
		memcpy(out + n, frag_hdr, 8);
		n += 8;
	}
	if (ulen)
		memcpy(out + n, udp, ulen);
	return n + ulen;
}

START_TEST(ipv6_extension_headers_fragments_and_packet_too_big)
{
	size_t n;
	uint8_t *ip = sa_init_ip(&n);
	const uint8_t *udp = ip + 20;
	size_t ulen = n - 20; /* UDP header + IKE, checksum left as is */
	uint8_t pkt[4096];
	iks_packet p;

	size_t len = build_ipv6(pkt, udp, ulen, true, NULL);
	ck_assert_int_eq(iks_decode_buffer(IKS_LINK_IPV6, pkt, len, &p), IKS_OK);
	assert_sa_init(&p);
	assert_addr(&p.l.ip.src, "2001:db8::1");
	ck_assert_uint_eq(p.l.ip.ext_count, 1);
	ck_assert_uint_eq(p.l.ip.header_len, 48);

	/* the same UDP datagram in two IPv6 fragments (RFC 8200 4.5) */
	iks_decoder *dec = iks_decoder_new(NULL);
	uint8_t f1[8] = { 17, 0, 0x00, 0x01, 0xca, 0xfe, 0xba, 0xbe }; /* off 0, M */
	uint8_t f2[8] = { 17, 0, 0x01, 0x00, 0xca, 0xfe, 0xba, 0xbe }; /* off 256 (32 units) */
	uint8_t a[1024], b[1024];
	size_t la = build_ipv6(a, udp, 256, true, f1);
	size_t lb = build_ipv6(b, udp + 256, ulen - 256, false, f2);
	iks_frame fa = { 1, 10, 0, IKS_LINK_IPV6, (uint32_t)la, (uint32_t)la, a, { 0 } };
	iks_frame fb = { 2, 10, 5, IKS_LINK_IPV6, (uint32_t)lb, (uint32_t)lb, b, { 0 } };
	ck_assert_int_eq(iks_decode(dec, &fa, &p), IKS_OK);
	ck_assert_int_eq(p.frag.result, IKS_FRAG_HELD);
	ck_assert_uint_eq(p.l.ip.id, 0xcafebabe);
	ck_assert(p.flags & IKS_PKT_IPSEC); /* first fragment names port 500 */
	ck_assert_int_eq(iks_decode(dec, &fb, &p), IKS_OK);
	ck_assert_int_eq(p.frag.result, IKS_FRAG_COMPLETED);
	ck_assert_uint_eq(p.frag.offset, 256);
	assert_sa_init(&p);
	iks_decoder_free(dec);

	/* packet too big quoting the first fragment */
	uint8_t ptb[1280];
	uint8_t icmp[8] = { 2, 0, 0, 0, 0, 0, 0x05, 0x00 }; /* MTU 1280 */
	size_t qlen = 1280 - 48;
	uint8_t body[1280];
	memcpy(body, icmp, 8);
	memcpy(body + 8, a, qlen - 8 < la ? qlen - 8 : la);
	size_t blen = 8 + (qlen - 8 < la ? qlen - 8 : la);
	uint8_t hdr[40];
	build_ipv6(hdr, NULL, 0, false, NULL);
	hdr[4] = (uint8_t)(blen >> 8);
	hdr[5] = (uint8_t)blen;
	hdr[6] = 58;
	memcpy(ptb, hdr, 40);
	memcpy(ptb + 40, body, blen);
	ck_assert_int_eq(iks_decode_buffer(IKS_LINK_IPV6, ptb, 40 + blen, &p), IKS_OK);
	ck_assert(p.flags & IKS_PKT_ICMP_ERROR);
	ck_assert_uint_eq(p.l.icmp.type, 2);
	ck_assert_uint_eq(p.l.icmp.mtu, 1280);
	ck_assert(p.has_inner);
	ck_assert_uint_eq(p.inner.ip.id, 0xcafebabe);
	ck_assert_uint_eq(p.inner.udp.dport, 500);
	free(ip);
}
END_TEST

/* ---- malformed IKE --------------------------------------------------- */

static void ike_header(uint8_t *m, uint8_t np, uint8_t ver, uint32_t len)
{
	memset(m, 0, 28);
	memset(m, 0x11, 8);
	m[16] = np;
	m[17] = ver;
	m[18] = 34;
	m[24] = (uint8_t)(len >> 24);
	m[25] = (uint8_t)(len >> 16);
	m[26] = (uint8_t)(len >> 8);
	m[27] = (uint8_t)len;
}

START_TEST(malformed_ike_is_told_apart)
{
	uint8_t m[64];
	iks_ike_info ike;

	ike_header(m, 0, 0x20, 28);
	ck_assert_int_eq(iks_ike_decode(m, 28, &ike), IKS_OK);
	ck_assert_uint_eq(ike.npayloads, 0);

	ck_assert_int_eq(iks_ike_decode(m, 20, &ike), IKS_E_MALFORMED);
	ck_assert(!ike.present);

	ike_header(m, 0, 0x30, 28);
	ck_assert_int_eq(iks_ike_decode(m, 28, &ike), IKS_E_UNSUPPORTED);
	ck_assert(ike.present);

	ike_header(m, 0, 0x20, 1000);
	ck_assert_int_eq(iks_ike_decode(m, 28, &ike), IKS_E_MALFORMED);
	ck_assert_uint_eq(ike.err_offset, 24);

	ike_header(m, 0, 0x20, 20);
	ck_assert_int_eq(iks_ike_decode(m, 28, &ike), IKS_E_MALFORMED);

	/* a payload claiming length 2 (below its own header) */
	ike_header(m, 33, 0x20, 32);
	m[28] = 0; m[29] = 0; m[30] = 0; m[31] = 2;
	ck_assert_int_eq(iks_ike_decode(m, 32, &ike), IKS_E_MALFORMED);
	ck_assert_uint_eq(ike.err_offset, 28);

	/* a payload running past the message */
	ike_header(m, 33, 0x20, 32);
	m[30] = 0; m[31] = 40;
	ck_assert_int_eq(iks_ike_decode(m, 32, &ike), IKS_E_MALFORMED);

	/* the chain names a next payload but the message ends */
	ike_header(m, 33, 0x20, 32);
	m[28] = 34; m[30] = 0; m[31] = 4;
	ck_assert_int_eq(iks_ike_decode(m, 32, &ike), IKS_E_MALFORMED);
	ck_assert_uint_eq(ike.npayloads, 1);
	ck_assert_uint_eq(ike.err_offset, 32);

	/* IKEv2 stops at SK; what follows inside it is not walked */
	ike_header(m, 46, 0x20, 40);
	m[28] = 33; m[30] = 0; m[31] = 12;
	ck_assert_int_eq(iks_ike_decode(m, 40, &ike), IKS_OK);
	ck_assert_uint_eq(ike.npayloads, 1);
	ck_assert_uint_eq(ike.payloads[0].type, 46);

	ck_assert_int_eq(iks_ike_decode(NULL, 0, &ike), IKS_E_MALFORMED);
	ck_assert_int_eq(iks_ike_decode(m, 40, NULL), IKS_E_INVALID);
}
END_TEST

START_TEST(natt_port_edge_cases)
{
	size_t n;
	uint8_t *ip = sa_init_ip(&n);
	uint8_t pkt[64];
	iks_packet p;
	/* IPv4 + UDP 4500 with 3 payload bytes: neither keepalive, ESP nor IKE */
	memcpy(pkt, ip, 20);
	pkt[2] = 0; pkt[3] = 31; /* total length */
	uint8_t udp[11] = { 0x11, 0x94, 0x11, 0x94, 0, 11, 0, 0, 1, 2, 3 };
	memcpy(pkt + 20, udp, sizeof(udp));
	ck_assert_int_eq(iks_decode_buffer(IKS_LINK_IPV4, pkt, 31, &p), IKS_OK);
	ck_assert_int_eq(p.err.status, IKS_E_MALFORMED);
	ck_assert_str_eq(p.err.layer, "udp");
	/* a single byte other than 0xff */
	pkt[3] = 29; udp[5] = 9; udp[8] = 0xfe;
	memcpy(pkt + 20, udp, 9);
	ck_assert_int_eq(iks_decode_buffer(IKS_LINK_IPV4, pkt, 29, &p), IKS_OK);
	ck_assert_int_ne(p.l.udp.encap, IKS_ENCAP_KEEPALIVE);
	ck_assert_int_eq(p.err.status, IKS_E_MALFORMED);
	/* UDP length beyond the IP payload */
	udp[5] = 200;
	memcpy(pkt + 20, udp, 9);
	ck_assert_int_eq(iks_decode_buffer(IKS_LINK_IPV4, pkt, 29, &p), IKS_OK);
	ck_assert_int_eq(p.err.status, IKS_E_MALFORMED);
	ck_assert_uint_eq(p.err.offset, 24);
	free(ip);
}
END_TEST

/* Two decoders lend different memory: a span or pointer into it is the
 * same when both are set (spans: with the same bytes) or both NULL. */
static void same_span(iks_span *a, iks_span *b, uint64_t frame)
{
	ck_assert_msg(!a->p == !b->p && a->len == b->len &&
		      (!a->p || memcmp(a->p, b->p, a->len) == 0), "frame %llu: a span differs",
		      (unsigned long long)frame);
	a->p = b->p = NULL;
}

static void same_ptr(const void **a, const void **b, uint64_t frame)
{
	ck_assert_msg(!*a == !*b, "frame %llu: a pointer is set in one record only",
		      (unsigned long long)frame);
	*a = *b = NULL;
}

static void unlend_layers(iks_layers *a, iks_layers *b, uint64_t frame)
{
	same_span(&a->ip.payload, &b->ip.payload, frame);
	same_span(&a->esp.raw, &b->esp.raw, frame);
	same_span(&a->esp.plain, &b->esp.plain, frame);
	same_span(&a->ike.raw, &b->ike.raw, frame);
	same_ptr((const void **)&a->ike.detail, (const void **)&b->ike.detail, frame);
	same_ptr((const void **)&a->ike.decrypted, (const void **)&b->ike.decrypted, frame);
}

static void unlend_frag(iks_frag_info *a, iks_frag_info *b, uint64_t frame)
{
	ck_assert_msg(!a->frames == !b->frames && a->fragment_count == b->fragment_count &&
		      (!a->frames || memcmp(a->frames, b->frames,
					    a->fragment_count * sizeof(*a->frames)) == 0),
		      "frame %llu: fragment frames differ", (unsigned long long)frame);
	a->frames = b->frames = NULL;
}

/* Whether two records of the same frame agree on every field packet.h
 * documents as valid: the header, the layers every frame has, and each
 * optional layer set only when its has_ flag says it is there. Pointers
 * into each decoder's memory are compared by what they point at, then
 * cleared in both. */
static void assert_same_record(iks_packet *a, iks_packet *b, uint64_t frame)
{
	unlend_layers(&a->l, &b->l, frame);
	unlend_frag(&a->frag, &b->frag, frame);
	unlend_frag(&a->esp_inner_frag, &b->esp_inner_frag, frame);
	if (a->has_inner && b->has_inner)
		unlend_layers(&a->inner, &b->inner, frame);
	if (a->has_esp_inner && b->has_esp_inner)
		unlend_layers(&a->esp_inner, &b->esp_inner, frame);
	if (a->has_ah_inner && b->has_ah_inner)
		unlend_layers(&a->ah_inner, &b->ah_inner, frame);
	ck_assert_msg(a->frame == b->frame && a->ts_sec == b->ts_sec && a->ts_nsec == b->ts_nsec &&
		      a->linktype == b->linktype && a->caplen == b->caplen &&
		      a->wirelen == b->wirelen && a->flags == b->flags,
		      "frame %llu: header differs", (unsigned long long)frame);
	ck_assert_msg(memcmp(&a->meta, &b->meta, sizeof(a->meta)) == 0, "frame %llu: meta",
		      (unsigned long long)frame);
	/* link, l, frag and has_inner: one memset range in start_record */
	size_t from = offsetof(iks_packet, link), to = offsetof(iks_packet, inner);
	ck_assert_msg(memcmp((const char *)a + from, (const char *)b + from, to - from) == 0,
		      "frame %llu: a field of a previous frame is left in link, l or frag",
		      (unsigned long long)frame);
	ck_assert_msg(memcmp(&a->err, &b->err, sizeof(a->err)) == 0 &&
		      a->has_esp_inner == b->has_esp_inner && a->has_ah_inner == b->has_ah_inner &&
		      memcmp(&a->esp_inner_frag, &b->esp_inner_frag, sizeof(a->esp_inner_frag)) == 0,
		      "frame %llu: err, flags or esp_inner_frag differ", (unsigned long long)frame);
	ck_assert_msg(!a->has_inner || memcmp(&a->inner, &b->inner, sizeof(a->inner)) == 0,
		      "frame %llu: inner differs", (unsigned long long)frame);
	ck_assert_msg(!a->has_esp_inner ||
		      memcmp(&a->esp_inner, &b->esp_inner, sizeof(a->esp_inner)) == 0,
		      "frame %llu: esp_inner differs", (unsigned long long)frame);
	ck_assert_msg(!a->has_ah_inner || memcmp(&a->ah_inner, &b->ah_inner, sizeof(a->ah_inner)) == 0,
		      "frame %llu: ah_inner differs", (unsigned long long)frame);
}

/* Decode a capture twice, side by side: into one record reused for every
 * frame (filled with garbage before the first), and into a record zeroed
 * before each frame. They must agree on everything documented as valid,
 * so nothing of one frame (an IKE message, ESP, a fragment, an ICMP quote,
 * what ESP or AH carried) leaks into the next. Returns how many frames
 * followed one whose record had more in it: IKE before non-IKE, and one
 * with inner / esp_inner / ah_inner before one without. */
struct reuse_seen {
	unsigned ike_then_not, esp_then_frag, inner_then_not, esp_inner_then_not, ah_inner_then_not;
};

static void decode_reused_vs_fresh(const char *capname, const char *keyname, bool esp_null,
				   struct reuse_seen *seen)
{
	char path[512], err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(fixture_path(capname, path, sizeof(path)), NULL, err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_keys *keys = NULL;
	if (keyname) {
		keys = iks_keys_new(NULL);
		ck_assert_ptr_nonnull(keys);
		ck_assert_int_eq(iks_keys_load_file(keys, fixture_path(keyname, path, sizeof(path)),
						    err), IKS_OK);
	}
	iks_decoder *da = iks_decoder_new(NULL), *db = iks_decoder_new(NULL);
	ck_assert(da && db);
	if (keys) {
		ck_assert_int_eq(iks_decoder_set_keys(da, keys), IKS_OK);
		ck_assert_int_eq(iks_decoder_set_keys(db, keys), IKS_OK);
	}
	if (esp_null) {
		ck_assert_int_eq(iks_decoder_set_esp_null(da, true), IKS_OK);
		ck_assert_int_eq(iks_decoder_set_esp_null(db, true), IKS_OK);
	}
	iks_packet *reused = malloc(sizeof(*reused)), *fresh = malloc(sizeof(*fresh));
	ck_assert(reused && fresh);
	memset(reused, 0xa5, sizeof(*reused));
	bool prev_ike = false, prev_esp = false, prev_inner = false, prev_esp_inner = false,
	     prev_ah_inner = false;
	iks_frame f;
	while (iks_capture_next(cap, &f) == 1) {
		memset(fresh, 0, sizeof(*fresh));
		ck_assert_int_eq(iks_decode(da, &f, reused), IKS_OK);
		ck_assert_int_eq(iks_decode(db, &f, fresh), IKS_OK);
		bool ike = fresh->l.ike.present;
		assert_same_record(reused, fresh, f.number);
		seen->ike_then_not += prev_ike && !fresh->l.ike.present;
		seen->esp_then_frag += prev_esp && fresh->l.ip.is_fragment;
		seen->inner_then_not += prev_inner && !fresh->has_inner;
		seen->esp_inner_then_not += prev_esp_inner && !fresh->has_esp_inner;
		seen->ah_inner_then_not += prev_ah_inner && !fresh->has_ah_inner;
		prev_ike = ike;
		prev_esp = fresh->l.esp.present;
		prev_inner = fresh->has_inner;
		prev_esp_inner = fresh->has_esp_inner;
		prev_ah_inner = fresh->has_ah_inner;
		iks_event ev;
		while (iks_decoder_next_event(da, &ev) == 1)
			;
		while (iks_decoder_next_event(db, &ev) == 1)
			;
	}
	free(reused);
	free(fresh);
	iks_decoder_free(da);
	iks_decoder_free(db);
	iks_keys_free(keys);
	iks_capture_close(cap);
}

START_TEST(reused_record_keeps_nothing_of_the_previous_frame)
{
	struct reuse_seen seen;
	memset(&seen, 0, sizeof(seen));
	/* IKE, ESP (decrypted: esp_inner), IP fragments, ICMP errors (inner) */
	decode_reused_vs_fresh("ikev2_psk_natt_a.pcap", "ikev2_psk_natt_esp_sa", false, &seen);
	decode_reused_vs_fresh("ikev2_psk_natt_a.pcap", NULL, false, &seen);
	/* AH in tunnel mode (ah_inner) */
	decode_reused_vs_fresh("scapy_ah_shapes.pcap", "scapy_keys.tcpdump", false, &seen);
	/* ESP-NULL read without keys (esp_inner) */
	decode_reused_vs_fresh("scapy_esp_null.pcap", NULL, true, &seen);
	/* the comparisons above covered each kind of leftover */
	ck_assert_uint_gt(seen.ike_then_not, 0);
	ck_assert_uint_gt(seen.esp_then_frag, 0);
	ck_assert_uint_gt(seen.inner_then_not, 0);
	ck_assert_uint_gt(seen.esp_inner_then_not, 0);
	ck_assert_uint_gt(seen.ah_inner_then_not, 0);
}
END_TEST

/* The SPI -> IKE SA table (OWNER_SLOTS, direct-mapped) is a cap: an SPI
 * that takes the slot of a different one makes the older SA's ESP lose its
 * IKE SA. Each such replacement is counted (iks_decoder_stats.limit_hits),
 * the same SPI learnt again is not. */
START_TEST(spi_owner_replacement_is_counted)
{
	dec_crypto cr;
	memset(&cr, 0, sizeof(cr));
	cr.owners = calloc(OWNER_SLOTS, sizeof(*cr.owners));
	iks_ike_msg *m = calloc(1, sizeof(*m));
	ck_assert_ptr_nonnull(cr.owners);
	ck_assert_ptr_nonnull(m);
	/* two SPIs of one slot: the slot is the top 13 bits of spi * 2654435761
	 * (mod 2^32); find a second SPI that lands where 0x11223344 does */
	uint32_t a = 0x11223344, b = 0;
	for (uint32_t x = 1; x; x++)
		if (x != a && ((x * 2654435761u) >> 19 & (OWNER_SLOTS - 1)) ==
				      ((a * 2654435761u) >> 19 & (OWNER_SLOTS - 1))) {
			b = x;
			break;
		}
	ck_assert_uint_ne(b, 0);
	uint8_t spi_a[4], spi_b[4];
	for (int k = 0; k < 4; k++) {
		spi_a[k] = (uint8_t)(a >> (24 - 8 * k));
		spi_b[k] = (uint8_t)(b >> (24 - 8 * k));
	}
	m->version = 2;
	m->nproposals = 1;
	m->proposals[0].protocol = 3;
	m->proposals[0].spi_size = 4;
	m->proposals[0].spi.p = spi_a;
	m->proposals[0].spi.len = 4;
	dcrypto_learn_spis(&cr, m);
	dcrypto_learn_spis(&cr, m); /* the same SPI again: nothing forgotten */
	ck_assert_uint_eq(cr.limit_hits, 0);
	m->proposals[0].spi.p = spi_b;
	dcrypto_learn_spis(&cr, m);
	ck_assert_uint_eq(cr.limit_hits, 1);
	m->proposals[0].spi.p = spi_a; /* and back */
	dcrypto_learn_spis(&cr, m);
	ck_assert_uint_eq(cr.limit_hits, 2);
	free(m);
	free(cr.owners);
}
END_TEST

Suite *suite_decode(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("captures");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ikev2_sa_init_pair);
	tcase_add_test(tc, ikev2_auth_behind_non_esp_marker);
	tcase_add_test(tc, esp_in_udp_and_icmp_frag_needed);
	tcase_add_test(tc, ikev1_main_and_quick_mode);
	tcase_add_test(tc, plain_fragments_reassemble);
	tcase_add_test(tc, icmp_frag_needed_quotes_ping);
	tcase_add_test(tc, two_interface_capture_sll2_nsec);
	tcase_add_test(tc, lost_tail_fragments_are_reported);
	tcase_add_test(tc, natt_marker_keepalive_esp);
	tcase_add_test(tc, ah_and_raw_esp);
	tcase_add_test(tc, reused_record_keeps_nothing_of_the_previous_frame);
	suite_add_tcase(s, tc);
	tc = tcase_create("built");
	tcase_add_test(tc, every_link_type);
	tcase_add_test(tc, snaplen_cut_is_truncated_not_malformed);
	tcase_add_test(tc, ipv6_extension_headers_fragments_and_packet_too_big);
	tcase_add_test(tc, malformed_ike_is_told_apart);
	tcase_add_test(tc, natt_port_edge_cases);
	tcase_add_test(tc, spi_owner_replacement_is_counted);
	suite_add_tcase(s, tc);
	return s;
}
