/*
 * ike_state.c - what the decoder remembers per IKE SA (keyed by the
 * initiator cookie/SPI, which is fixed from the first message on): the
 * NAT-T numbering its vendor IDs chose (RFC 3947 section 4: the last
 * message carrying NAT-T vendor IDs, i.e. the responder's choice, wins),
 * the IKEv1 hash of the accepted transform (for NAT-D, RFC 3947 3.2) and
 * the IKEv2 IKE SA transforms (for SK IV/ICV sizes).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ike/ike.h"
#include "core/hash.h"
#include "ike/ike_ctx.h"
#include "ike/ike_payload.h"

ike_ctx *ike_ctx_new(const iks_decoder_limits *lim, iks_evq *events)
{
	ike_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->lim = *lim;
	c->events = events;
	c->sas = calloc(lim->ike_sas_max, sizeof(*c->sas));
	c->frags = calloc(lim->ike_frag_messages_max, sizeof(*c->frags));
	size_t slots = 16;
	while (slots < 2 * (size_t)lim->ike_sas_max && slots < ((size_t)1 << 31))
		slots *= 2;
	c->sa_index = calloc(slots, sizeof(*c->sa_index));
	c->sa_index_mask = (uint32_t)(slots - 1);
	if (!c->sas || !c->frags || !c->sa_index) {
		ike_ctx_free(c);
		return NULL;
	}
	return c;
}

void ike_ctx_free(ike_ctx *c)
{
	if (!c)
		return;
	if (c->frags)
		for (uint32_t i = 0; i < c->lim.ike_frag_messages_max; i++)
			free(c->frags[i].buf);
	free(c->frags);
	free(c->sas);
	free(c->sa_index);
	free(c->joinbuf);
	free(c);
}

static void limit_event(ike_ctx *c, const char *cap, uint64_t value, uint64_t frame)
{
	iks_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = IKS_EV_LIMIT;
	ev.frame = frame;
	ev.limit = cap;
	ev.limit_value = value;
	evq_push(c->events, &ev);
}

static uint32_t sa_home(const ike_ctx *c, int version, const uint8_t *ispi)
{
	return (uint32_t)h_final(h_bytes(h_u64(IKS_FNV_OFFSET, (uint64_t)version), ispi, 8)) &
	       c->sa_index_mask;
}

/* The index position holding slot `slot` + 1 under (version, ispi), or of
 * the empty position where the search ended. */
static uint32_t sa_probe(const ike_ctx *c, int version, const uint8_t *ispi)
{
	uint32_t h = sa_home(c, version, ispi);
	for (;;) {
		uint32_t v = c->sa_index[h];
		if (!v)
			return h;
		const ike_sa_state *s = &c->sas[v - 1];
		if (s->version == version && memcmp(s->ispi, ispi, 8) == 0)
			return h;
		h = (h + 1) & c->sa_index_mask;
	}
}

/* Take position h out of the index (backward shift: later entries of the
 * same probe run move up so that no search stops early). */
static void sa_unindex(ike_ctx *c, uint32_t h)
{
	uint32_t mask = c->sa_index_mask;
	for (uint32_t j = (h + 1) & mask;; j = (j + 1) & mask) {
		uint32_t v = c->sa_index[j];
		if (!v)
			break;
		const ike_sa_state *s = &c->sas[v - 1];
		uint32_t home = sa_home(c, s->version, s->ispi);
		/* j's entry may fill h when its home is not in (h, j] */
		if (((j - home) & mask) >= ((j - h) & mask)) {
			c->sa_index[h] = v;
			h = j;
		}
	}
	c->sa_index[h] = 0;
}

/* The state of the IKE SA with this initiator SPI, created (in the first
 * unused slot, or evicting the least recently used one when full) if new. */
static ike_sa_state *sa_find(ike_ctx *c, int version, const uint8_t *ispi, uint64_t frame)
{
	uint32_t h = sa_probe(c, version, ispi);
	if (c->sa_index[h]) {
		ike_sa_state *s = &c->sas[c->sa_index[h] - 1];
		s->last_frame = frame;
		return s;
	}
	ike_sa_state *s;
	if (c->nsas < c->lim.ike_sas_max) {
		s = &c->sas[c->nsas++];
	} else {
		limit_event(c, "ike_sas_max", c->lim.ike_sas_max, frame);
		s = &c->sas[0];
		for (uint32_t i = 1; i < c->nsas; i++)
			if (c->sas[i].last_frame < s->last_frame)
				s = &c->sas[i];
		sa_unindex(c, sa_probe(c, s->version, s->ispi));
		h = sa_probe(c, version, ispi);
	}
	c->sa_index[h] = (uint32_t)(s - c->sas) + 1;
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->version = (uint8_t)version;
	memcpy(s->ispi, ispi, 8);
	s->natt = -1;
	s->last_frame = frame;
	return s;
}

/* The value of attribute `type` among a transform's attributes, or 0. */
static uint32_t attr_value(const iks_ike_msg *m, const iks_ike_transform *t, uint16_t type)
{
	for (unsigned i = 0; i < t->attr_count; i++) {
		const iks_ike_attr *a = &m->attrs[t->attr_first + i];
		if (a->type == type && a->has_value)
			return a->value;
	}
	return 0;
}

/* Learn the accepted IKE SA transforms from an SA payload with a single
 * IKE proposal (a responder's answer, or an initiator offering one). */
static void learn_sa(const iks_ike_msg *m, const iks_ike_payload *pl, ike_sa_state *sa)
{
	if (pl->status != IKS_OK || pl->prop_count != 1)
		return;
	const iks_ike_proposal *p = &m->proposals[pl->prop_first];
	if (p->protocol != 1)
		return;
	if (m->version == 1) {
		if (p->tr_count != 1)
			return;
		uint32_t h = attr_value(m, &m->transforms[p->tr_first], 2);
		if (h)
			sa->v1_hash = (int)h;
		return;
	}
	int seen[6] = { 0 };
	uint16_t encr = 0, keylen = 0, integ = 0;
	for (unsigned i = 0; i < p->tr_count; i++) {
		const iks_ike_transform *t = &m->transforms[p->tr_first + i];
		if (t->type < 6 && seen[t->type]++)
			return; /* several of a kind: an offer, not a choice */
		if (t->type == 1) {
			encr = t->id;
			keylen = (uint16_t)attr_value(m, t, 14);
		} else if (t->type == 3) {
			integ = t->id;
		}
	}
	sa->v2_encr = encr;
	sa->v2_encr_keylen = keylen;
	sa->v2_integ = integ;
	sa->v2_known = encr != 0;
}

/* IV and ICV sizes of an IKEv2 SK payload (RFC 3602, 3686, 4106, 4309,
 * 7634 for the ciphers; RFC 2404, 4868, 3566, 4494 for the MACs). */
static void sk_sizes(const ike_sa_state *sa, iks_ike_payload *pl)
{
	if (!sa->v2_known)
		return;
	switch (sa->v2_encr) {
	case 3: pl->iv_len = 8; break;                        /* 3DES */
	case 12: case 23: pl->iv_len = 16; break;             /* AES-CBC, CAMELLIA-CBC */
	case 13: case 24: case 28: pl->iv_len = 8; break;     /* CTR, ChaCha20-Poly1305 */
	case 14: case 15: case 16: case 18: case 19: case 20: pl->iv_len = 8; break;
	default: break;
	}
	switch (sa->v2_encr) {
	case 14: case 18: pl->icv_len = 8; return;            /* CCM_8, GCM_8 */
	case 15: case 19: pl->icv_len = 12; return;
	case 16: case 20: case 28: pl->icv_len = 16; return;
	default: break;
	}
	switch (sa->v2_integ) {
	case 1: case 2: case 5: case 8: pl->icv_len = 12; break;
	case 12: pl->icv_len = 16; break;
	case 13: pl->icv_len = 24; break;
	case 14: pl->icv_len = 32; break;
	default: break;
	}
}

/* Decode a message with the numbering of its IKE SA. */
static void decode_msg(iks_ike_msg *m, const uint8_t *p, size_t len, bool cut, ike_sa_state *sa)
{
	int numbering = sa->natt >= 0 ? sa->natt : IKS_NATT_RFC;
	ike_msg_decode(p, len, cut, numbering, m);
	if (m->version == 1) {
		int pref;
		int n = ike_msg_natt_from_vids(m, &pref);
		if (n >= 0 && n != numbering) {
			sa->natt = n;
			ike_msg_decode(p, len, cut, n, m);
		} else if (n >= 0) {
			sa->natt = n;
		}
	}
	for (unsigned i = 0; i < m->npayloads; i++) {
		iks_ike_payload *pl = &m->payloads[i];
		if (pl->kind == IKS_PK_SA)
			learn_sa(m, pl, sa);
		else if (pl->kind == IKS_PK_SK || pl->kind == IKS_PK_SKF)
			sk_sizes(sa, pl);
	}
}

void ike_ctx_decode(ike_ctx *c, iks_layers *L, uint64_t frame, int64_t ts_sec, uint32_t ts_nsec)
{
	iks_ike_info *ike = &L->ike;
	if (!ike->present || ike->raw.len < IKS_IKE_HEADER_LEN ||
	    (ike->version != 1 && ike->version != 2))
		return;
	iks_ike_detail *d = &c->detail;
	memset(d, 0, sizeof(*d));
	ike_sa_state *sa = sa_find(c, ike->version, ike->ispi, frame);
	bool cut = ike->captured < ike->length;
	decode_msg(&c->msg, ike->raw.p, ike->raw.len, cut, sa);
	ike_natd_verify(&c->msg, L, sa);
	for (unsigned i = 0; i < c->msg.npayloads; i++) {
		const iks_ike_payload *pl = &c->msg.payloads[i];
		iks_span whole;
		if ((pl->kind == IKS_PK_FRAG || pl->kind == IKS_PK_SKF) && pl->status == IKS_OK &&
		    ike_frag_account(c, L, pl, frame, ts_sec, ts_nsec, &whole)) {
			decode_msg(&c->reassembled, whole.p, whole.len, false, sa);
			d->reassembled = &c->reassembled;
		}
	}
	d->msg = &c->msg;
	d->natt_numbering = sa->natt >= 0 ? sa->natt : IKS_NATT_RFC;
	d->natd_hash = sa->version == 2 ? 2 : sa->v1_hash;
	ike_nat_verdicts(sa, d);
	ike->detail = d;
}

void ike_ctx_finish(ike_ctx *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->lim.ike_frag_messages_max; i++)
		if (c->frags[i].used)
			ike_frag_report(c, &c->frags[i], IKS_INCOMPLETE_END, 0);
}
