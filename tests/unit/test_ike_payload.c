/*
 * test_ike_payload.c - each IKE payload decoder from byte arrays: good
 * bodies with their values, and every malformed shape (overrun, zero
 * length, short attribute, SPI size mismatch, counts that disagree) with
 * the exact status and offset. Offsets count from the payload's generic
 * header (iks_ike_payload_decode is given the payload alone).
 */
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "suites.h"

static iks_ike_msg *M;

static void setup(void)
{
	M = malloc(sizeof(*M));
	ck_assert_ptr_nonnull(M);
}

static void teardown(void)
{
	free(M);
}

/* Decode one payload (its length field is patched to the array size). */
static const iks_ike_payload *dec(int version, unsigned type, int numbering, uint8_t *p, size_t n)
{
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	iks_ike_msg_init(M, version);
	iks_ike_payload_decode(version, type, numbering, p, n, M);
	ck_assert_uint_eq(M->npayloads, 1);
	return &M->payloads[0];
}

static void assert_bad(const iks_ike_payload *pl, iks_status st, uint32_t off)
{
	ck_assert_int_eq(pl->status, st);
	ck_assert_uint_eq(pl->err_offset, off);
	ck_assert_ptr_nonnull(pl->reason);
}

/* IKEv1 SA, IPsec DOI, identity-only situation, proposal 1 ISAKMP with one
 * KEY_IKE transform: AES-CBC (basic), key length 128 (basic), life
 * duration 86400 as a 4-byte variable attribute. */
static const uint8_t v1_sa[] = {
	0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1,                 /* hdr, DOI 1, sit 1 @0 */
	0, 0, 0, 32, 1, 1, 0, 1,                             /* proposal @12 len 32 */
	0, 0, 0, 24, 1, 1, 0, 0,                             /* transform @20 len 24 */
	0x80, 1, 0, 7, 0x80, 14, 0, 128,                     /* attrs @28, @32 */
	0, 12, 0, 4, 0, 1, 0x51, 0x80,                       /* variable @36 */
};

START_TEST(v1_sa_proposal_transform_attributes)
{
	uint8_t b[sizeof(v1_sa)];
	memcpy(b, v1_sa, sizeof(b));
	const iks_ike_payload *pl = dec(1, 1, 0, b, sizeof(b));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_int_eq(pl->kind, IKS_PK_SA);
	ck_assert_uint_eq(pl->doi, 1);
	ck_assert_uint_eq(pl->situation, 1);
	ck_assert_uint_eq(pl->prop_count, 1);
	const iks_ike_proposal *p = &M->proposals[pl->prop_first];
	ck_assert_uint_eq(p->number, 1);
	ck_assert_uint_eq(p->protocol, 1);
	ck_assert_uint_eq(p->offset, 12);
	ck_assert_uint_eq(p->tr_count, 1);
	const iks_ike_transform *t = &M->transforms[p->tr_first];
	ck_assert_uint_eq(t->number, 1);
	ck_assert_uint_eq(t->id, 1);
	ck_assert_str_eq(iks_ike_v1_transform_name(1, t->id), "KEY_IKE");
	ck_assert_uint_eq(t->attr_count, 3);
	const iks_ike_attr *a = &M->attrs[t->attr_first];
	ck_assert(a[0].basic);
	ck_assert_uint_eq(a[0].type, 1);
	ck_assert_uint_eq(a[0].value, 7);
	ck_assert_str_eq(iks_ike_v1_attr_value_name(1, 7), "AES-CBC");
	ck_assert_uint_eq(a[1].value, 128);
	ck_assert(!a[2].basic);
	ck_assert_uint_eq(a[2].type, 12);
	ck_assert_uint_eq(a[2].value, 86400);
	ck_assert_uint_eq(a[2].offset, 36);
}
END_TEST

START_TEST(v1_sa_malformed_shapes)
{
	uint8_t b[sizeof(v1_sa)];
	/* proposal length runs past the SA */
	memcpy(b, v1_sa, sizeof(b));
	b[15] = 40;
	assert_bad(dec(1, 1, 0, b, sizeof(b)), IKS_E_MALFORMED, 12);
	/* transform length below its header */
	memcpy(b, v1_sa, sizeof(b));
	b[23] = 4;
	assert_bad(dec(1, 1, 0, b, sizeof(b)), IKS_E_MALFORMED, 20);
	/* variable attribute whose value runs past the transform */
	memcpy(b, v1_sa, sizeof(b));
	b[39] = 8;
	assert_bad(dec(1, 1, 0, b, sizeof(b)), IKS_E_MALFORMED, 36);
	/* short attribute: 2 bytes left in the transform */
	memcpy(b, v1_sa, sizeof(b));
	b[15] = 26;
	b[23] = 18;
	assert_bad(dec(1, 1, 0, b, 38), IKS_E_MALFORMED, 36);
	/* SPI size 16 would run past the proposal */
	memcpy(b, v1_sa, sizeof(b));
	b[18] = 32;
	assert_bad(dec(1, 1, 0, b, sizeof(b)), IKS_E_MALFORMED, 18);
	/* transform count says 2, one present */
	memcpy(b, v1_sa, sizeof(b));
	b[19] = 2;
	assert_bad(dec(1, 1, 0, b, sizeof(b)), IKS_E_MALFORMED, 12);
	/* DOI other than IPsec is unsupported, not malformed */
	memcpy(b, v1_sa, sizeof(b));
	b[7] = 2;
	assert_bad(dec(1, 1, 0, b, sizeof(b)), IKS_E_UNSUPPORTED, 4);
	/* body shorter than DOI + situation */
	memcpy(b, v1_sa, sizeof(b));
	assert_bad(dec(1, 1, 0, b, 10), IKS_E_MALFORMED, 4);
}
END_TEST

/* IKEv2 ESP proposal with a 4-byte SPI: ENCR AES_CBC/128, INTEG SHA1_96, ESN none */
static const uint8_t v2_sa[] = {
	0, 0, 0, 0,                                       /* hdr */
	0, 0, 0, 40, 1, 3, 4, 3, 0xc0, 0xff, 0xee, 0x01,  /* proposal @4 len 40, SPI */
	3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 0, 128,       /* ENCR @16 */
	3, 0, 0, 8, 3, 0, 0, 2,                           /* INTEG @28 */
	0, 0, 0, 8, 5, 0, 0, 0,                           /* ESN @36 */
};

START_TEST(v2_sa_and_spi_size_mismatch)
{
	uint8_t b[sizeof(v2_sa)];
	memcpy(b, v2_sa, sizeof(b));
	const iks_ike_payload *pl = dec(2, 33, 0, b, sizeof(b));
	ck_assert_int_eq(pl->status, IKS_OK);
	const iks_ike_proposal *p = &M->proposals[pl->prop_first];
	ck_assert_uint_eq(p->protocol, 3);
	ck_assert_uint_eq(p->spi.len, 4);
	ck_assert_uint_eq(p->spi.p[0], 0xc0);
	ck_assert_uint_eq(p->tr_count, 3);
	const iks_ike_transform *t = &M->transforms[p->tr_first];
	ck_assert_uint_eq(t[0].type, 1);
	ck_assert_uint_eq(t[0].id, 12);
	ck_assert_str_eq(iks_ike_v2_transform_name(t[0].type, t[0].id), "AES_CBC");
	ck_assert_uint_eq(M->attrs[t[0].attr_first].value, 128);
	ck_assert_str_eq(iks_ike_v2_transform_name(3, t[1].id), "AUTH_HMAC_SHA1_96");
	ck_assert_str_eq(iks_ike_v2_transform_name(5, t[2].id), "NO_ESN");
	/* ESP with an 8-byte SPI: the SPI size does not match the protocol */
	uint8_t c[sizeof(v2_sa) + 4];
	memcpy(c, v2_sa, 16);
	memcpy(c + 12, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	memcpy(c + 20, v2_sa + 16, sizeof(v2_sa) - 16);
	c[7] = 44;
	c[10] = 8;
	assert_bad(dec(2, 33, 0, c, sizeof(c)), IKS_E_MALFORMED, 10);
	/* a last transform followed by more bytes */
	memcpy(b, v2_sa, sizeof(b));
	b[28] = 0;
	assert_bad(dec(2, 33, 0, b, sizeof(b)), IKS_E_MALFORMED, 36);
	/* empty SA */
	assert_bad(dec(2, 33, 0, b, 4), IKS_E_MALFORMED, 4);
}
END_TEST

START_TEST(v2_ke_auth_cert)
{
	uint8_t ke[] = { 0, 0, 0, 0, 0, 14, 0, 0, 0xaa, 0xbb };
	const iks_ike_payload *pl = dec(2, 34, 0, ke, sizeof(ke));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_uint_eq(pl->group, 14);
	ck_assert_uint_eq(pl->data.len, 2);
	assert_bad(dec(2, 34, 0, ke, 6), IKS_E_MALFORMED, 4);
	uint8_t auth[] = { 0, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3 };
	pl = dec(2, 39, 0, auth, sizeof(auth));
	ck_assert_uint_eq(pl->encoding, 2);
	ck_assert_str_eq(iks_ike_auth_method_name(pl->encoding), "Shared Key Message Integrity Code");
	ck_assert_uint_eq(pl->data.len, 3);
	uint8_t cert[] = { 0, 0, 0, 0, 4, 0x30, 0x82 };
	pl = dec(1, 6, 0, cert, sizeof(cert));
	ck_assert_uint_eq(pl->encoding, 4);
	ck_assert_uint_eq(pl->data.len, 2);
	assert_bad(dec(1, 6, 0, cert, 4), IKS_E_MALFORMED, 4);
	/* a data-only payload with no data */
	assert_bad(dec(1, 10, 0, cert, 4), IKS_E_MALFORMED, 4);
}
END_TEST

START_TEST(id_types)
{
	uint8_t v4[] = { 0, 0, 0, 0, 1, 17, 1, 0xf4, 192, 0, 2, 1 };
	const iks_ike_payload *pl = dec(1, 5, 0, v4, sizeof(v4));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_uint_eq(pl->id_type, 1);
	ck_assert_uint_eq(pl->id_proto, 17);
	ck_assert_uint_eq(pl->id_port, 500);
	ck_assert(pl->has_addr);
	char s[IKS_ADDRSTRLEN];
	ck_assert_str_eq(iks_addr_format(&pl->addr, s, sizeof(s)), "192.0.2.1");
	assert_bad(dec(1, 5, 0, v4, 11), IKS_E_MALFORMED, 8);
	uint8_t sub[] = { 0, 0, 0, 0, 4, 0, 0, 0, 203, 0, 113, 0, 255, 255, 255, 0 };
	pl = dec(1, 5, 0, sub, sizeof(sub));
	ck_assert_uint_eq(pl->prefix, 24);
	ck_assert_str_eq(iks_ike_id_type_name(1, pl->id_type), "ID_IPV4_ADDR_SUBNET");
	uint8_t range[] = { 0, 0, 0, 0, 7, 0, 0, 0, 203, 0, 113, 1, 203, 0, 113, 9 };
	pl = dec(1, 5, 0, range, sizeof(range));
	ck_assert_str_eq(iks_addr_format(&pl->addr2, s, sizeof(s)), "203.0.113.9");
	uint8_t v6[4 + 4 + 16] = { 0, 0, 0, 0, 5, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8 };
	v6[23] = 1;
	pl = dec(2, 36, 0, v6, sizeof(v6));
	ck_assert_str_eq(iks_addr_format(&pl->addr, s, sizeof(s)), "2001:db8::1");
	uint8_t fqdn[] = { 0, 0, 0, 0, 2, 0, 0, 0, 'a', '.', 't', 'e', 's', 't' };
	pl = dec(2, 35, 0, fqdn, sizeof(fqdn));
	ck_assert(!pl->has_addr);
	ck_assert_uint_eq(pl->data.len, 6);
	assert_bad(dec(2, 35, 0, fqdn, 6), IKS_E_MALFORMED, 4);
}
END_TEST

START_TEST(v1_notify_values)
{
	/* R-U-THERE (RFC 3706) with the cookie pair as SPI and sequence 0x1234 */
	uint8_t dpd[4 + 8 + 16 + 4] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 16, 0x8d, 0x28 };
	dpd[31] = 0x34;
	dpd[30] = 0x12;
	const iks_ike_payload *pl = dec(1, 11, 0, dpd, sizeof(dpd));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_uint_eq(pl->notify_type, 36136);
	ck_assert_str_eq(iks_ike_notify_name(1, pl->notify_type), "R-U-THERE");
	ck_assert_uint_eq(pl->spi.len, 16);
	ck_assert(pl->has_value);
	ck_assert_uint_eq(pl->value, 0x1234);
	/* sequence number of 3 bytes */
	assert_bad(dec(1, 11, 0, dpd, sizeof(dpd) - 1), IKS_E_MALFORMED, 28);
	/* SPI size runs past the payload */
	assert_bad(dec(1, 11, 0, dpd, 20), IKS_E_MALFORMED, 9);
	/* ESP with a 16-byte SPI: size mismatch */
	dpd[8] = 3;
	assert_bad(dec(1, 11, 0, dpd, sizeof(dpd)), IKS_E_MALFORMED, 9);
	/* RESPONDER-LIFETIME: life type seconds, duration 3600 */
	uint8_t rl[] = { 0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 0x60, 0x00, 1, 2, 3, 4,
			 0x80, 1, 0, 1, 0x80, 2, 0x0e, 0x10 };
	pl = dec(1, 11, 0, rl, sizeof(rl));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_str_eq(iks_ike_notify_name(1, pl->notify_type), "RESPONDER-LIFETIME");
	ck_assert_uint_eq(pl->attr_count, 2);
	ck_assert_uint_eq(M->attrs[pl->attr_first + 1].value, 3600);
	/* short attribute inside the notification data */
	assert_bad(dec(1, 11, 0, rl, sizeof(rl) - 2), IKS_E_MALFORMED, 20);
	/* shorter than the fixed part */
	assert_bad(dec(1, 11, 0, rl, 10), IKS_E_MALFORMED, 4);
}
END_TEST

START_TEST(v2_notify_values)
{
	uint8_t ke[] = { 0, 0, 0, 0, 0, 0, 0, 17, 0, 19 };
	const iks_ike_payload *pl = dec(2, 41, 0, ke, sizeof(ke));
	ck_assert_str_eq(iks_ike_notify_name(2, pl->notify_type), "INVALID_KE_PAYLOAD");
	ck_assert_uint_eq(pl->value, 19);
	assert_bad(dec(2, 41, 0, ke, 9), IKS_E_MALFORMED, 8);
	uint8_t natd[4 + 4 + 20] = { 0, 0, 0, 0, 0, 0, 0x40, 0x04 };
	pl = dec(2, 41, 0, natd, sizeof(natd));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_str_eq(iks_ike_notify_name(2, pl->notify_type), "NAT_DETECTION_SOURCE_IP");
	assert_bad(dec(2, 41, 0, natd, sizeof(natd) - 1), IKS_E_MALFORMED, 8);
	uint8_t frag[] = { 0, 0, 0, 0, 0, 0, 0x40, 0x2e };
	pl = dec(2, 41, 0, frag, sizeof(frag));
	ck_assert_str_eq(iks_ike_notify_name(2, pl->notify_type), "IKEV2_FRAGMENTATION_SUPPORTED");
	/* REKEY_SA for ESP with a 4-byte SPI; then with a 2-byte SPI */
	uint8_t rekey[] = { 0, 0, 0, 0, 3, 4, 0x40, 0x09, 0xca, 0xfe, 0xba, 0xbe };
	pl = dec(2, 41, 0, rekey, sizeof(rekey));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_str_eq(iks_ike_notify_name(2, pl->notify_type), "REKEY_SA");
	rekey[5] = 2;
	assert_bad(dec(2, 41, 0, rekey, sizeof(rekey)), IKS_E_MALFORMED, 5);
}
END_TEST

START_TEST(delete_payloads)
{
	uint8_t d1[] = { 0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8 };
	const iks_ike_payload *pl = dec(1, 12, 0, d1, sizeof(d1));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_uint_eq(pl->spi_count, 2);
	ck_assert_uint_eq(pl->spi.len, 8);
	assert_bad(dec(1, 12, 0, d1, sizeof(d1) - 1), IKS_E_MALFORMED, 10); /* the count: 2 SPIs of 4 in 7 bytes */
	uint8_t d2[] = { 0, 0, 0, 0, 1, 0, 0, 0 };
	pl = dec(2, 42, 0, d2, sizeof(d2));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_str_eq(iks_ike_protocol_name(2, pl->protocol), "IKE");
	uint8_t d3[] = { 0, 0, 0, 0, 1, 8, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_bad(dec(2, 42, 0, d3, sizeof(d3)), IKS_E_MALFORMED, 5);
	assert_bad(dec(2, 42, 0, d3, 6), IKS_E_MALFORMED, 4);
}
END_TEST

START_TEST(vendor_ids)
{
	uint8_t ms[4 + 20];
	memset(ms, 0, 4);
	memcpy(ms + 4, "\x1e\x2b\x51\x69\x05\x99\x1c\x7d\x7c\x96\xfc\xbf\xb5\x87\xe4\x61"
		       "\x00\x00\x00\x04", 20);
	const iks_ike_payload *pl = dec(1, 13, 0, ms, sizeof(ms));
	ck_assert_str_eq(pl->vendor, "MS NT5 ISAKMPOAKLEY v4 (Windows Server 2003 / XP SP2)");
	ms[23] = 0x42;
	pl = dec(1, 13, 0, ms, sizeof(ms));
	ck_assert_str_eq(pl->vendor, "MS NT5 ISAKMPOAKLEY (other version)");
	/* unknown IDs have no name; an empty one is malformed */
	ms[4] = 0;
	pl = dec(1, 13, 0, ms, sizeof(ms));
	ck_assert_ptr_null(pl->vendor);
	assert_bad(dec(2, 43, 0, ms, 4), IKS_E_MALFORMED, 4);
	static const uint8_t d02[] = { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
				       0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f };
	int pref = 0;
	ck_assert_int_eq(iks_ike_vendor_natt(d02, sizeof(d02), &pref), IKS_NATT_DRAFT_02);
	ck_assert_int_lt(pref, 100);
	ck_assert_int_eq(iks_ike_vendor_natt(d02, 15, &pref), -1);
}
END_TEST

START_TEST(ike_fragments)
{
	uint8_t f[] = { 0, 0, 0, 0, 0, 7, 2, 1, 0xde, 0xad };
	const iks_ike_payload *pl = dec(1, 132, 0, f, sizeof(f));
	ck_assert_int_eq(pl->kind, IKS_PK_FRAG);
	ck_assert_uint_eq(pl->frag_id, 7);
	ck_assert_uint_eq(pl->frag_number, 2);
	ck_assert(pl->frag_last);
	ck_assert_uint_eq(pl->data.len, 2);
	f[6] = 0;
	assert_bad(dec(1, 132, 0, f, sizeof(f)), IKS_E_MALFORMED, 6);
	assert_bad(dec(1, 132, 0, f, 7), IKS_E_MALFORMED, 4);
	uint8_t skf[] = { 0, 0, 0, 0, 0, 3, 0, 5, 1, 2, 3 };
	pl = dec(2, 53, 0, skf, sizeof(skf));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_uint_eq(pl->frag_number, 3);
	ck_assert_uint_eq(pl->frag_total, 5);
	skf[5] = 6;
	assert_bad(dec(2, 53, 0, skf, sizeof(skf)), IKS_E_MALFORMED, 4);
	skf[5] = 0;
	assert_bad(dec(2, 53, 0, skf, sizeof(skf)), IKS_E_MALFORMED, 4);
}
END_TEST

START_TEST(traffic_selectors)
{
	uint8_t ts[4 + 4 + 16 + 40] = { 0, 0, 0, 0, 2, 0, 0, 0,
					7, 17, 0, 16, 0, 0, 0xff, 0xff, 203, 0, 113, 1, 203, 0, 113, 1,
					8, 0, 0, 40 };
	ts[24 + 4 + 2] = 0xff; /* v6 end port 0xff00 */
	ts[24 + 8] = 0x20;
	const iks_ike_payload *pl = dec(2, 44, 0, ts, sizeof(ts));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_uint_eq(pl->ts_count, 2);
	const iks_ike_ts *t = &M->ts[pl->ts_first];
	ck_assert_uint_eq(t[0].ip_proto, 17);
	ck_assert_uint_eq(t[0].end_port, 65535);
	ck_assert_uint_eq(t[1].type, 8);
	ck_assert_uint_eq(t[1].end_port, 0xff00);
	ck_assert_uint_eq(t[1].offset, 24);
	/* the count says 3 */
	ts[4] = 3;
	assert_bad(dec(2, 44, 0, ts, sizeof(ts)), IKS_E_MALFORMED, 4);
	/* IPv4 selector with the length of an IPv6 one */
	ts[4] = 2;
	ts[11] = 40;
	assert_bad(dec(2, 44, 0, ts, sizeof(ts)), IKS_E_MALFORMED, 8);
	/* selector length zero */
	ts[11] = 0;
	assert_bad(dec(2, 44, 0, ts, sizeof(ts)), IKS_E_MALFORMED, 8);
}
END_TEST

START_TEST(config_and_eap)
{
	uint8_t cp[] = { 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 4, 10, 0, 0, 1 };
	const iks_ike_payload *pl = dec(2, 47, 0, cp, sizeof(cp));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_uint_eq(pl->cfg_type, 1);
	ck_assert_uint_eq(pl->attr_count, 2);
	ck_assert_str_eq(iks_ike_config_attr_name(2, M->attrs[pl->attr_first + 1].type),
			 "INTERNAL_IP4_DNS");
	assert_bad(dec(2, 47, 0, cp, sizeof(cp) - 1), IKS_E_MALFORMED, 12);
	uint8_t attr[] = { 0, 0, 0, 0, 1, 0, 0x12, 0x34, 0xc0, 0x88, 0, 0, 0x40, 0x89, 0, 1, 'u' };
	pl = dec(1, 14, 0, attr, sizeof(attr));
	ck_assert_int_eq(pl->status, IKS_OK);
	ck_assert_uint_eq(pl->cfg_id, 0x1234);
	ck_assert_str_eq(iks_ike_config_attr_name(1, M->attrs[pl->attr_first].type), "XAUTH-TYPE");
	ck_assert_str_eq(iks_ike_config_attr_name(1, M->attrs[pl->attr_first + 1].type),
			 "XAUTH-USER-NAME");
	uint8_t eap[] = { 0, 0, 0, 0, 1, 9, 0, 5, 1 };
	pl = dec(2, 48, 0, eap, sizeof(eap));
	ck_assert_uint_eq(pl->eap_code, 1);
	ck_assert_uint_eq(pl->eap_id, 9);
	ck_assert_uint_eq(pl->eap_type, 1);
	eap[7] = 6;
	assert_bad(dec(2, 48, 0, eap, sizeof(eap)), IKS_E_MALFORMED, 6);
}
END_TEST

START_TEST(natt_numbering_picks_the_meaning)
{
	uint8_t natd[] = { 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	ck_assert_int_eq(dec(1, 20, IKS_NATT_RFC, natd, sizeof(natd))->kind, IKS_PK_NAT_D);
	ck_assert_int_eq(dec(1, 130, IKS_NATT_DRAFT_02, natd, sizeof(natd))->kind, IKS_PK_NAT_D);
	ck_assert_int_eq(dec(1, 15, IKS_NATT_DRAFT_04, natd, sizeof(natd))->kind, IKS_PK_NAT_D);
	/* under RFC 3947 numbering 15 is not NAT-D (IANA: GDOI SAK) */
	ck_assert_int_eq(dec(1, 15, IKS_NATT_RFC, natd, sizeof(natd))->kind, IKS_PK_UNKNOWN);
	ck_assert_int_eq(dec(1, 130, IKS_NATT_RFC, natd, sizeof(natd))->kind, IKS_PK_UNKNOWN);
	uint8_t oa[] = { 0, 0, 0, 0, 1, 0, 0, 0, 10, 1, 2, 3 };
	const iks_ike_payload *pl = dec(1, 16, IKS_NATT_DRAFT_04, oa, sizeof(oa));
	ck_assert_int_eq(pl->kind, IKS_PK_NAT_OA);
	char s[IKS_ADDRSTRLEN];
	ck_assert_str_eq(iks_addr_format(&pl->addr, s, sizeof(s)), "10.1.2.3");
	oa[4] = 2;
	assert_bad(dec(1, 21, IKS_NATT_RFC, oa, sizeof(oa)), IKS_E_MALFORMED, 4);
}
END_TEST

/* A whole IKEv1 message: header, then VID (draft-02\n) and NAT-D (130). */
static size_t build_msg(uint8_t *m, bool with_draft_vid)
{
	static const uint8_t vid[] = { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
				       0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f };
	size_t n = 28;
	memset(m, 0, 128);
	m[0] = 0x11;
	m[16] = with_draft_vid ? 13 : 130;
	m[17] = 0x10;
	m[18] = 2;
	if (with_draft_vid) {
		m[n] = 130;
		m[n + 3] = 20;
		memcpy(m + n + 4, vid, 16);
		n += 20;
	}
	m[n + 3] = 12;
	memset(m + n + 4, 0xab, 8);
	n += 12;
	m[27] = (uint8_t)n;
	return n;
}

START_TEST(message_chain_walk)
{
	uint8_t m[128];
	size_t n = build_msg(m, true);
	ck_assert_msg(iks_ike_msg_decode(m, n, M) == IKS_OK, "%s at %u", M->reason, M->err_offset);
	ck_assert_uint_eq(M->npayloads, 2);
	ck_assert_int_eq(M->natt_numbering, IKS_NATT_DRAFT_02);
	ck_assert_str_eq(M->payloads[0].vendor, "draft-ietf-ipsec-nat-t-ike-02\\n");
	ck_assert_int_eq(M->payloads[1].kind, IKS_PK_NAT_D);
	ck_assert_uint_eq(M->payloads[1].offset, 48);
	/* without the vendor ID, 130 is not read as NAT-D */
	n = build_msg(m, false);
	ck_assert_int_eq(iks_ike_msg_decode(m, n, M), IKS_OK);
	ck_assert_int_eq(M->payloads[0].kind, IKS_PK_UNKNOWN);
	/* overrun: NAT-D length 40 past the message; the VID before is kept */
	n = build_msg(m, true);
	m[51] = 40;
	ck_assert_int_eq(iks_ike_msg_decode(m, n, M), IKS_E_MALFORMED);
	ck_assert_uint_eq(M->err_offset, 48);
	ck_assert_uint_eq(M->npayloads, 1);
	/* zero length */
	m[51] = 0;
	ck_assert_int_eq(iks_ike_msg_decode(m, n, M), IKS_E_MALFORMED);
	ck_assert_uint_eq(M->err_offset, 48);
	ck_assert_str_eq(M->reason, "payload length below the 4-byte generic header");
	/* bytes left over after the last payload */
	n = build_msg(m, true);
	m[51] = 8;
	ck_assert_int_eq(iks_ike_msg_decode(m, n, M), IKS_E_MALFORMED);
	ck_assert_uint_eq(M->err_offset, 56);
	/* the length field larger than the bytes given */
	n = build_msg(m, true);
	ck_assert_int_eq(iks_ike_msg_decode(m, n - 1, M), IKS_E_MALFORMED);
	ck_assert_uint_eq(M->err_offset, 24);
	/* encrypted: header only */
	n = build_msg(m, true);
	m[19] = 1;
	ck_assert_int_eq(iks_ike_msg_decode(m, n, M), IKS_OK);
	ck_assert(M->encrypted);
	ck_assert_uint_eq(M->npayloads, 0);
	/* version 3 */
	m[17] = 0x30;
	ck_assert_int_eq(iks_ike_msg_decode(m, n, M), IKS_E_UNSUPPORTED);
	ck_assert_int_eq(iks_ike_msg_decode(m, 10, M), IKS_E_MALFORMED);
	ck_assert_int_eq(iks_ike_msg_decode(m, n, NULL), IKS_E_INVALID);
}
END_TEST

START_TEST(name_tables)
{
	ck_assert_str_eq(iks_ike_v1_ipsec_attr_value_name(4, 3), "UDP-Encapsulated-Tunnel");
	ck_assert_str_eq(iks_ike_v1_ipsec_attr_value_name(4, 61443), "UDP-Encapsulated-Tunnel (draft)");
	ck_assert_str_eq(iks_ike_v1_ipsec_attr_value_name(4, 61444),
			 "UDP-Encapsulated-Transport (draft)");
	ck_assert_ptr_nonnull(strstr(iks_ike_v1_attr_value_name(3, 65001), "Kerberos"));
	ck_assert_str_eq(iks_ike_notify_name(2, 16390), "COOKIE");
	ck_assert_str_eq(iks_ike_notify_name(1, 24578), "INITIAL-CONTACT");
	ck_assert_str_eq(iks_ike_notify_name(1, 14), "NO-PROPOSAL-CHOSEN");
	ck_assert_ptr_null(iks_ike_notify_name(2, 12345));
	ck_assert_str_eq(iks_ike_v1_transform_name(3, 12), "ESP_AES-CBC");
	ck_assert_str_eq(iks_ike_v2_transform_type_name(4), "KE");
	ck_assert_str_eq(iks_ike_cert_encoding_name(4), "X.509 Certificate - Signature");
}
END_TEST

Suite *suite_ike_payload(void)
{
	Suite *s = suite_create("ike_payload");
	TCase *tc = tcase_create("bytes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, v1_sa_proposal_transform_attributes);
	tcase_add_test(tc, v1_sa_malformed_shapes);
	tcase_add_test(tc, v2_sa_and_spi_size_mismatch);
	tcase_add_test(tc, v2_ke_auth_cert);
	tcase_add_test(tc, id_types);
	tcase_add_test(tc, v1_notify_values);
	tcase_add_test(tc, v2_notify_values);
	tcase_add_test(tc, delete_payloads);
	tcase_add_test(tc, vendor_ids);
	tcase_add_test(tc, ike_fragments);
	tcase_add_test(tc, traffic_selectors);
	tcase_add_test(tc, config_and_eap);
	tcase_add_test(tc, natt_numbering_picks_the_meaning);
	tcase_add_test(tc, message_chain_walk);
	tcase_add_test(tc, name_tables);
	suite_add_tcase(s, tc);
	return s;
}
