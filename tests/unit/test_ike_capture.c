/*
 * test_ike_capture.c - decoded IKE payloads from the real captures in
 * captures/: the proposals match the swanctl configurations the lab used
 * (the *_swanctl_a.conf files in ../shared/captures: proposals = aes128-sha256-modp2048),
 * the vendor IDs strongSwan 5.9.8 sends, NAT-D results with and without a
 * real NAT, IKEv1 FRAG reassembly of MM5/MM6 and RFC 7383 SKF tracking.
 * Values were cross-checked with tshark 4.0.17 (`tshark -V`).
 *
 * The decoded detail is borrowed until the next iks_decode(), so these
 * tests walk a capture with their own decoder and stop at each frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"

typedef struct walker {
	iks_capture *cap;
	iks_decoder *dec;
	iks_frame f;
	iks_packet p;
} walker;

static void w_open(walker *w, const char *name, const iks_decoder_limits *lim)
{
	char path[1024], err[IKS_ERRBUF_SIZE];
	w->cap = iks_capture_open(fixture_path(name, path, sizeof(path)), NULL, err);
	ck_assert_msg(w->cap != NULL, "%s", err);
	w->dec = iks_decoder_new(lim);
	ck_assert_ptr_nonnull(w->dec);
}

/* Decode up to and including frame `n`; returns its message detail. */
static const iks_ike_detail *w_to(walker *w, uint64_t n)
{
	while (iks_capture_next(w->cap, &w->f) == 1) {
		ck_assert_int_eq(iks_decode(w->dec, &w->f, &w->p), IKS_OK);
		if (w->f.number == n) {
			ck_assert_ptr_nonnull(w->p.l.ike.detail);
			return w->p.l.ike.detail;
		}
	}
	ck_abort_msg("frame %llu not found", (unsigned long long)n);
	return NULL;
}

static void w_close(walker *w)
{
	iks_decoder_free(w->dec);
	iks_capture_close(w->cap);
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
	char s[128] = "";
	for (size_t i = 0; i < n && 2 * i + 2 < sizeof(s); i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	ck_assert_str_eq(s, want);
}

static const iks_ike_attr *attr(const iks_ike_msg *m, const iks_ike_transform *t, unsigned type)
{
	for (unsigned i = 0; i < t->attr_count; i++)
		if (m->attrs[t->attr_first + i].type == type)
			return &m->attrs[t->attr_first + i];
	ck_abort_msg("attribute %u missing", type);
	return NULL;
}

START_TEST(ikev1_main_mode_sa_vids_and_fragments)
{
	walker w;
	w_open(&w, "ikev1_cert_ikefrag_ok_nftdrop_a.pcap", NULL);
	/* MM1: proposals = aes128-sha256-modp2048, auth = pubkey */
	const iks_ike_msg *m = w_to(&w, 8)->msg;
	ck_assert_int_eq(m->status, IKS_OK);
	ck_assert_uint_eq(m->npayloads, 6);
	const iks_ike_payload *sa = &m->payloads[0];
	ck_assert_int_eq(sa->kind, IKS_PK_SA);
	ck_assert_uint_eq(sa->doi, 1);
	ck_assert_uint_eq(sa->prop_count, 1);
	const iks_ike_proposal *p = &m->proposals[sa->prop_first];
	ck_assert_uint_eq(p->protocol, 1);
	ck_assert_uint_eq(p->tr_count, 1);
	const iks_ike_transform *t = &m->transforms[p->tr_first];
	ck_assert_uint_eq(t->id, 1);
	ck_assert_uint_eq(attr(m, t, 1)->value, 7);   /* AES-CBC */
	ck_assert_uint_eq(attr(m, t, 14)->value, 128);
	ck_assert_uint_eq(attr(m, t, 2)->value, 4);   /* SHA2-256 */
	ck_assert_uint_eq(attr(m, t, 4)->value, 14);  /* 2048-bit MODP */
	ck_assert_uint_eq(attr(m, t, 3)->value, 3);   /* RSA signatures */
	static const char *vendors[] = { "XAUTH", "RFC 3706 DPD", "IKE fragmentation",
					 "RFC 3947 NAT-T", "draft-ietf-ipsec-nat-t-ike-02\\n" };
	for (unsigned i = 0; i < 5; i++)
		ck_assert_str_eq(m->payloads[1 + i].vendor, vendors[i]);
	assert_hex(m->payloads[3].data.p, m->payloads[3].data.len,
		   "4048b7d56ebce88525e7de7f00d6c2d380000000");
	ck_assert_int_eq(m->natt_numbering, IKS_NATT_RFC);
	/* MM5 in two FRAG payloads, fragment ID 1 */
	const iks_ike_detail *d = w_to(&w, 12);
	ck_assert_int_eq(d->msg->payloads[0].kind, IKS_PK_FRAG);
	ck_assert_uint_eq(d->msg->payloads[0].frag_id, 1);
	ck_assert_uint_eq(d->msg->payloads[0].frag_number, 1);
	ck_assert(!d->msg->payloads[0].frag_last);
	ck_assert_uint_eq(d->msg->payloads[0].data.len, 1212);
	ck_assert(d->is_fragment && !d->frag_complete);
	ck_assert_ptr_null(d->reassembled);
	d = w_to(&w, 13);
	ck_assert_uint_eq(d->msg->payloads[0].frag_number, 2);
	ck_assert(d->msg->payloads[0].frag_last);
	ck_assert(d->frag_complete);
	ck_assert_ptr_nonnull(d->reassembled);
	ck_assert_uint_eq(d->frag_count, 2);
	ck_assert_uint_eq(d->frag_frames[0], 12);
	ck_assert_uint_eq(d->frag_frames[1], 13);
	/* the rebuilt MM5: 1212 + 720 bytes, same cookies, encrypted ID first */
	const iks_ike_msg *r = d->reassembled;
	ck_assert_uint_eq(r->length, 1932);
	ck_assert_uint_eq(r->exchange, 2);
	ck_assert(r->encrypted);
	assert_hex(r->ispi, 8, "966ad94dec6f58d6");
	assert_hex(r->rspi, 8, "9bc0db51dc7af7da");
	/* MM6 from the responder, its own fragment ID 1 */
	d = w_to(&w, 15);
	ck_assert_ptr_nonnull(d->reassembled);
	ck_assert_uint_eq(d->reassembled->length, 1868);
	ck_assert_uint_eq(d->frag_frames[0], 14);
	ck_assert_uint_eq(d->frag_frames[1], 15);
	/* quick mode: header only */
	d = w_to(&w, 16);
	ck_assert(d->msg->encrypted);
	ck_assert_uint_eq(d->msg->npayloads, 0);
	w_close(&w);
}
END_TEST

START_TEST(ikev1_natd_without_nat)
{
	walker w;
	w_open(&w, "ikev1_psk_natt_a.pcap", NULL);
	/* MM2: the responder answers with RFC 3947 only */
	const iks_ike_detail *d = w_to(&w, 8);
	ck_assert_uint_eq(d->msg->npayloads, 4);
	ck_assert_str_eq(d->msg->payloads[3].vendor, "RFC 3947 NAT-T");
	ck_assert_int_eq(d->natt_numbering, IKS_NATT_RFC);
	ck_assert_int_eq(d->natd_hash, 4);
	/* MM3: first NAT-D is the receiver (matches), second the sender (faked by encap=yes) */
	d = w_to(&w, 9);
	const iks_ike_payload *n1 = &d->msg->payloads[2], *n2 = &d->msg->payloads[3];
	ck_assert_int_eq(n1->kind, IKS_PK_NAT_D);
	ck_assert_uint_eq(n1->data.len, 32);
	ck_assert(!n1->natd_is_source);
	ck_assert_int_eq(n1->natd, IKS_NATD_MATCH);
	ck_assert(n2->natd_is_source);
	ck_assert_int_eq(n2->natd, IKS_NATD_MISMATCH);
	ck_assert_ptr_nonnull(strstr(n2->natd_note, "encap=yes"));
	/* after MM4 neither side is behind a NAT; both forced encapsulation */
	d = w_to(&w, 10);
	ck_assert_int_eq(d->msg->payloads[2].natd, IKS_NATD_MATCH);
	ck_assert_int_eq(d->nat_verdict[0], IKS_NAT_FORCED);
	ck_assert_int_eq(d->nat_verdict[1], IKS_NAT_FORCED);
	w_close(&w);
}
END_TEST

/* The NAT-D notifications of an IKEv2 message: [0] SOURCE, [1] DESTINATION. */
static void v2_natd(const iks_ike_msg *m, const iks_ike_payload **src, const iks_ike_payload **dst)
{
	*src = *dst = NULL;
	for (unsigned i = 0; i < m->npayloads; i++) {
		if (m->payloads[i].notify_type == 16388)
			*src = &m->payloads[i];
		if (m->payloads[i].notify_type == 16389)
			*dst = &m->payloads[i];
	}
	ck_assert(*src && *dst);
}

START_TEST(ikev2_natd_with_real_nat_both_sides)
{
	const iks_ike_payload *s, *d;
	walker w;
	/* at a, inside the NAT: b's answer was addressed to 198.51.100.254 */
	w_open(&w, "ikev2_psk_realnat_a.pcap", NULL);
	const iks_ike_detail *det = w_to(&w, 6);
	v2_natd(det->msg, &s, &d);
	ck_assert_int_eq(d->natd, IKS_NATD_MATCH);
	det = w_to(&w, 7);
	v2_natd(det->msg, &s, &d);
	ck_assert_int_eq(d->natd, IKS_NATD_MISMATCH);
	ck_assert_int_eq(det->nat_verdict[0], IKS_NAT_BEHIND);
	ck_assert_int_eq(det->nat_verdict[1], IKS_NAT_FORCED);
	w_close(&w);
	/* at b, outside: a arrives from 198.51.100.254 port 49754 */
	w_open(&w, "ikev2_psk_realnat_b.pcap", NULL);
	det = w_to(&w, 9);
	ck_assert_uint_eq(w.p.l.udp.sport, 49754);
	v2_natd(det->msg, &s, &d);
	ck_assert_int_eq(s->natd, IKS_NATD_MISMATCH);
	ck_assert_int_eq(d->natd, IKS_NATD_MATCH);
	ck_assert_int_eq(det->nat_verdict[0], IKS_NAT_BEHIND);
	det = w_to(&w, 10);
	ck_assert_int_eq(det->nat_verdict[0], IKS_NAT_BEHIND);
	ck_assert_int_eq(det->nat_verdict[1], IKS_NAT_FORCED);
	w_close(&w);
}
END_TEST

START_TEST(ikev1_natd_with_real_nat)
{
	walker w;
	w_open(&w, "ikev1_psk_realnat_a.pcap", NULL);
	const iks_ike_detail *d = w_to(&w, 11);
	ck_assert_int_eq(d->msg->payloads[2].natd, IKS_NATD_MISMATCH); /* a's address as b saw it */
	ck_assert_int_eq(d->nat_verdict[0], IKS_NAT_BEHIND);
	ck_assert_int_eq(d->nat_verdict[1], IKS_NAT_FORCED);
	w_close(&w);
	w_open(&w, "ikev1_psk_realnat_b.pcap", NULL);
	d = w_to(&w, 9);
	ck_assert_int_eq(d->msg->payloads[2].natd, IKS_NATD_MATCH);
	ck_assert_int_eq(d->nat_verdict[0], IKS_NAT_BEHIND);
	ck_assert_int_eq(d->nat_verdict[1], IKS_NAT_FORCED);
	w_close(&w);
}
END_TEST

START_TEST(ikev2_sa_init_matches_swanctl)
{
	walker w;
	w_open(&w, "ikev2_psk_natt_a.pcap", NULL);
	const iks_ike_msg *m = w_to(&w, 9)->msg;
	ck_assert_int_eq(m->status, IKS_OK);
	const iks_ike_payload *sa = &m->payloads[0];
	ck_assert_uint_eq(sa->prop_count, 1);
	const iks_ike_proposal *p = &m->proposals[sa->prop_first];
	ck_assert_uint_eq(p->protocol, 1);
	ck_assert_uint_eq(p->tr_count, 4);
	const iks_ike_transform *t = &m->transforms[p->tr_first];
	static const uint16_t want[4][2] = { { 1, 12 }, { 3, 12 }, { 2, 5 }, { 4, 14 } };
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(t[i].type, want[i][0]);
		ck_assert_uint_eq(t[i].id, want[i][1]);
	}
	ck_assert_uint_eq(attr(m, &t[0], 14)->value, 128);
	ck_assert_uint_eq(m->payloads[1].group, 14);
	ck_assert_uint_eq(m->payloads[1].data.len, 256);
	ck_assert_uint_eq(m->payloads[2].data.len, 32);
	static const uint16_t notes[] = { 16388, 16389, 16431, 16406 };
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(m->payloads[3 + i].notify_type, notes[i]);
	/* IKE_AUTH: SK with AES-CBC IV 16 and SHA2-256-128 ICV 16 */
	const iks_ike_detail *d = w_to(&w, 11);
	/* behind the non-ESP marker, payload offsets still count from the ISAKMP
	 * header (regression: the chain walk counted the 4 marker bytes too) */
	ck_assert_uint_eq(w.p.l.ike.payloads[0].offset, 28);
	ck_assert_uint_eq(d->msg->payloads[0].offset, 28);
	ck_assert_int_eq(d->msg->payloads[0].kind, IKS_PK_SK);
	ck_assert_uint_eq(d->msg->payloads[0].data.len, 240);
	ck_assert_uint_eq(d->msg->payloads[0].iv_len, 16);
	ck_assert_uint_eq(d->msg->payloads[0].icv_len, 16);
	w_close(&w);
}
END_TEST

START_TEST(rfc7383_fragments_seen_and_missing)
{
	walker w;
	w_open(&w, "ikev2_cert_rfc7383_a.pcap", NULL);
	const iks_ike_detail *d = w_to(&w, 5);
	ck_assert_uint_eq(d->msg->payloads[5].notify_type, 16430);
	d = w_to(&w, 7);
	const iks_ike_payload *f = &d->msg->payloads[0];
	ck_assert_int_eq(f->kind, IKS_PK_SKF);
	ck_assert_uint_eq(f->frag_number, 1);
	ck_assert_uint_eq(f->frag_total, 2);
	ck_assert_uint_eq(f->next, 35); /* IDi, the first payload inside */
	ck_assert(!d->frag_complete);
	ck_assert_uint_eq(d->frag_missing_count, 1);
	ck_assert_uint_eq(d->frag_missing[0], 2);
	d = w_to(&w, 8);
	ck_assert_uint_eq(d->msg->payloads[0].frag_number, 2);
	ck_assert(d->frag_complete);
	ck_assert_uint_eq(d->frag_seen, 2);
	d = w_to(&w, 10);
	ck_assert(d->frag_complete);
	iks_decoder_finish(w.dec);
	iks_event ev;
	while (iks_decoder_next_event(w.dec, &ev) == 1)
		ck_assert_int_ne(ev.kind, IKS_EV_IKE_FRAGS_INCOMPLETE);
	w_close(&w);
}
END_TEST

/* Fragment 2 of the IKE_AUTH request withheld: reported with what is missing. */
START_TEST(rfc7383_lost_fragment_event)
{
	iks_decoder *dec = iks_decoder_new(NULL);
	uint64_t frames[] = { 5, 6, 7, 9, 10 };
	iks_packet p;
	for (unsigned i = 0; i < 5; i++) {
		uint8_t *data;
		int lt;
		size_t n = fixture_raw_frame("ikev2_cert_rfc7383_a.pcap", frames[i], &data, &lt);
		iks_frame f;
		memset(&f, 0, sizeof(f));
		f.number = frames[i];
		f.linktype = lt;
		f.caplen = f.wirelen = (uint32_t)n;
		f.data = data;
		iks_decode(dec, &f, &p);
		free(data);
	}
	iks_decoder_finish(dec);
	iks_event ev;
	int found = 0;
	while (iks_decoder_next_event(dec, &ev) == 1) {
		if (ev.kind != IKS_EV_IKE_FRAGS_INCOMPLETE)
			continue;
		found++;
		ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_END);
		ck_assert_uint_eq(ev.ike_version, 2);
		ck_assert_uint_eq(ev.ike_msgid, 1);
		ck_assert_uint_eq(ev.ike_frag_total, 2);
		ck_assert_uint_eq(ev.fragments, 1);
		ck_assert_uint_eq(ev.first_frame, 7);
		ck_assert_uint_eq(ev.ike_missing_count, 1);
		ck_assert_uint_eq(ev.ike_missing[0], 2);
	}
	ck_assert_int_eq(found, 1);
	iks_decoder_free(dec);
}
END_TEST

/* A cap of one message under reassembly: MM6's first fragment arrives
 * while MM5 waits for its second, so MM5 is pushed out and reported as a
 * limit hit and an incomplete message, never a crash or a larger table. */
START_TEST(ike_fragment_cap_reported)
{
	iks_decoder_limits lim;
	memset(&lim, 0, sizeof(lim));
	lim.ike_frag_messages_max = 1;
	iks_decoder *dec = iks_decoder_new(&lim);
	ck_assert_ptr_nonnull(dec);
	uint64_t order[] = { 10, 12 };
	iks_packet p;
	iks_event ev;
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *data;
		int lt;
		size_t n = fixture_raw_frame("ikev1_cert_ikefrag_ok_nftdrop_b.pcap", order[i], &data, &lt);
		iks_frame f;
		memset(&f, 0, sizeof(f));
		f.number = order[i];
		f.linktype = lt;
		f.caplen = f.wirelen = (uint32_t)n;
		f.data = data;
		iks_decode(dec, &f, &p);
		ck_assert_ptr_nonnull(p.l.ike.detail);
		ck_assert(p.l.ike.detail->is_fragment);
		free(data);
	}
	int limits = 0, evicted = 0;
	while (iks_decoder_next_event(dec, &ev) == 1) {
		if (ev.kind == IKS_EV_LIMIT && strcmp(ev.limit, "ike_frag_messages_max") == 0)
			limits++;
		if (ev.kind == IKS_EV_IKE_FRAGS_INCOMPLETE && ev.reason == IKS_INCOMPLETE_EVICTED) {
			evicted++;
			ck_assert_uint_eq(ev.first_frame, 10);
			ck_assert_uint_eq(ev.ike_frag_id, 1);
			ck_assert_uint_eq(ev.fragments, 1);
			ck_assert_uint_eq(ev.ike_frag_total, 0); /* the last fragment never came */
		}
	}
	ck_assert_int_eq(limits, 1);
	ck_assert_int_eq(evicted, 1);
	iks_decoder_free(dec);
}
END_TEST

/* Draft 05 NAT-T: MM1/MM2 vendor IDs make payload 15 NAT-D for this IKE SA
 * (tshark 4.0.17 reads 15 as GDOI "SA KEK" and calls the packet malformed). */
START_TEST(ikev1_draft_natt_numbering)
{
	walker w;
	w_open(&w, "ikev1_natt_draft05_built.pcap", NULL);
	const iks_ike_detail *d = w_to(&w, 1);
	ck_assert_str_eq(d->msg->payloads[3].vendor, "MS NT5 ISAKMPOAKLEY v3 (Windows XP SP1)");
	ck_assert_int_eq(d->natt_numbering, IKS_NATT_DRAFT_04);
	d = w_to(&w, 3);
	const iks_ike_payload *n1 = &d->msg->payloads[2], *n2 = &d->msg->payloads[3];
	ck_assert_uint_eq(n1->type, 15);
	ck_assert_int_eq(n1->kind, IKS_PK_NAT_D);
	ck_assert_int_eq(d->natd_hash, 2);
	ck_assert_int_eq(n1->natd, IKS_NATD_MATCH);
	ck_assert_int_eq(n2->natd, IKS_NATD_MISMATCH);
	ck_assert_int_eq(d->nat_verdict[0], IKS_NAT_BEHIND);
	d = w_to(&w, 4);
	ck_assert_int_eq(d->msg->payloads[2].natd, IKS_NATD_MATCH);
	ck_assert_int_eq(d->msg->payloads[3].natd, IKS_NATD_MATCH);
	ck_assert_int_eq(d->nat_verdict[0], IKS_NAT_BEHIND);
	ck_assert_int_eq(d->nat_verdict[1], IKS_NAT_NONE);
	w_close(&w);
	/* stateless, MM3 alone has no vendor ID: 15 keeps its IANA meaning */
	uint8_t *frame;
	int lt;
	size_t n = fixture_raw_frame("ikev1_natt_draft05_built.pcap", 3, &frame, &lt);
	iks_packet p;
	iks_decode_buffer(lt, frame, n, &p);
	iks_ike_msg *m = malloc(sizeof(*m));
	ck_assert_int_eq(iks_ike_msg_decode(p.l.ike.raw.p, p.l.ike.raw.len, m), IKS_OK);
	ck_assert_int_eq(m->payloads[2].kind, IKS_PK_UNKNOWN);
	free(m);
	free(frame);
}
END_TEST

/* Decode one raw frame of a capture with dec, cut to `keep` bytes (0: whole). */
static void feed(iks_decoder *dec, const char *cap, uint64_t number, size_t keep, iks_packet *p)
{
	uint8_t *data;
	int lt;
	size_t n = fixture_raw_frame(cap, number, &data, &lt);
	iks_frame f;
	memset(&f, 0, sizeof(f));
	f.number = number;
	f.linktype = lt;
	f.wirelen = (uint32_t)n;
	f.caplen = (uint32_t)(keep && keep < n ? keep : n);
	f.data = data;
	ck_assert_int_eq(iks_decode(dec, &f, p), IKS_OK);
	free(data);
}

/* A snaplen cut: payloads before the cut are decoded, the walk says truncated. */
START_TEST(snaplen_cut_message)
{
	iks_decoder *dec = iks_decoder_new(NULL);
	iks_packet p;
	/* MM1: IKE at 42 (Ethernet, IPv4, UDP); keep 100 bytes of its 180 */
	feed(dec, "ikev1_cert_ikefrag_ok_nftdrop_a.pcap", 8, 142, &p);
	const iks_ike_msg *m = p.l.ike.detail->msg;
	ck_assert_int_eq(m->status, IKS_E_TRUNCATED);
	ck_assert_uint_eq(m->err_offset, 96); /* the DPD VID, 96..116 */
	ck_assert_uint_eq(m->npayloads, 2);
	ck_assert_int_eq(m->payloads[0].status, IKS_OK);
	ck_assert_uint_eq(m->payloads[0].prop_count, 1);
	ck_assert_str_eq(m->payloads[1].vendor, "XAUTH");
	iks_decoder_free(dec);
}
END_TEST

/* One IKE SA of state: a second SA pushes the first out, reported. */
START_TEST(ike_sa_cap_reported)
{
	iks_decoder_limits lim;
	memset(&lim, 0, sizeof(lim));
	lim.ike_sas_max = 1;
	iks_decoder *dec = iks_decoder_new(&lim);
	iks_packet p;
	iks_event ev;
	feed(dec, "ikev2_psk_natt_a.pcap", 9, 0, &p);
	feed(dec, "ikev1_psk_natt_a.pcap", 7, 0, &p);
	int limits = 0;
	while (iks_decoder_next_event(dec, &ev) == 1)
		if (ev.kind == IKS_EV_LIMIT && strcmp(ev.limit, "ike_sas_max") == 0) {
			limits++;
			ck_assert_uint_eq(ev.limit_value, 1);
			ck_assert_uint_eq(ev.frame, 7);
		}
	ck_assert_int_eq(limits, 1);
	/* the evicted IKEv2 SA starts again from nothing: still decoded */
	feed(dec, "ikev2_psk_natt_a.pcap", 10, 0, &p);
	ck_assert_int_eq(p.l.ike.detail->msg->status, IKS_OK);
	iks_decoder_free(dec);
}
END_TEST

/* Every consistency a decoded message promises, whatever the input. */
static void check_msg(const iks_ike_msg *m, size_t len)
{
	ck_assert_uint_le(m->npayloads, IKS_IKE_MSG_MAX_PAYLOADS);
	ck_assert_uint_le(m->nattrs, IKS_IKE_MSG_MAX_ATTRS);
	ck_assert_uint_le(m->ntransforms, IKS_IKE_MSG_MAX_TRANSFORMS);
	ck_assert_uint_le(m->nproposals, IKS_IKE_MSG_MAX_PROPOSALS);
	ck_assert_uint_le(m->nts, IKS_IKE_MSG_MAX_TS);
	for (unsigned i = 0; i < m->npayloads; i++) {
		const iks_ike_payload *pl = &m->payloads[i];
		ck_assert_uint_le((size_t)pl->offset + pl->length, len);
		ck_assert_uint_le((size_t)pl->prop_first + pl->prop_count, m->nproposals);
		ck_assert_uint_le((size_t)pl->attr_first + pl->attr_count, m->nattrs);
		ck_assert_uint_le((size_t)pl->ts_first + pl->ts_count, m->nts);
		if (pl->status != IKS_OK)
			ck_assert_ptr_nonnull(pl->reason);
	}
	if (m->status != IKS_OK)
		ck_assert_ptr_nonnull(m->reason);
}

/* Deterministic hostile input (OpenBSD iked style): every bit of real
 * messages flipped, and every cut, through the whole-message decoder.
 * Run under ASan (scripts/test.sh --sanitizers) any over-read aborts. */
START_TEST(flipped_bits_and_cuts)
{
	static const struct { const char *cap; uint64_t frame; } msgs[] = {
		{ "ikev1_cert_ikefrag_ok_nftdrop_a.pcap", 8 },  /* SA + 5 VIDs */
		{ "ikev1_cert_ikefrag_ok_nftdrop_a.pcap", 11 }, /* KE NONCE CR NAT-D */
		{ "ikev2_cert_rfc7383_a.pcap", 6 },             /* SA KE Nonce N CERTREQ */
		{ "ikev2_cert_rfc7383_a.pcap", 7 },             /* SKF */
	};
	iks_ike_msg *m = malloc(sizeof(*m));
	ck_assert_ptr_nonnull(m);
	for (unsigned k = 0; k < sizeof(msgs) / sizeof(msgs[0]); k++) {
		uint8_t *frame;
		int lt;
		size_t n = fixture_raw_frame(msgs[k].cap, msgs[k].frame, &frame, &lt);
		iks_packet p;
		iks_decode_buffer(lt, frame, n, &p);
		ck_assert(p.l.ike.present);
		size_t len = p.l.ike.raw.len;
		uint8_t *buf = malloc(len);
		ck_assert_ptr_nonnull(buf);
		memcpy(buf, p.l.ike.raw.p, len);
		ck_assert_int_eq(iks_ike_msg_decode(buf, len, m), IKS_OK);
		for (size_t i = 0; i < len * 8; i++) {
			buf[i / 8] ^= (uint8_t)(1u << (i % 8));
			iks_ike_msg_decode(buf, len, m);
			check_msg(m, len);
			buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		}
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *c = malloc(cut ? cut : 1);
			memcpy(c, buf, cut);
			ck_assert_int_ne(iks_ike_msg_decode(c, cut, m), IKS_OK);
			check_msg(m, cut);
			free(c);
		}
		free(buf);
		free(frame);
	}
	free(m);
}
END_TEST

Suite *suite_ike_capture(void)
{
	Suite *s = suite_create("ike_capture");
	TCase *tc = tcase_create("captures");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ikev1_main_mode_sa_vids_and_fragments);
	tcase_add_test(tc, ikev1_natd_without_nat);
	tcase_add_test(tc, ikev2_natd_with_real_nat_both_sides);
	tcase_add_test(tc, ikev1_natd_with_real_nat);
	tcase_add_test(tc, ikev2_sa_init_matches_swanctl);
	tcase_add_test(tc, rfc7383_fragments_seen_and_missing);
	tcase_add_test(tc, rfc7383_lost_fragment_event);
	tcase_add_test(tc, ike_fragment_cap_reported);
	tcase_add_test(tc, flipped_bits_and_cuts);
	tcase_add_test(tc, ikev1_draft_natt_numbering);
	tcase_add_test(tc, snaplen_cut_message);
	tcase_add_test(tc, ike_sa_cap_reported);
	suite_add_tcase(s, tc);
	return s;
}
