/*
 * corr_diff.c - what changed in a packet modified in transit: both copies
 * are read again by frame number from the traces' files, and every byte
 * that differs is listed (the first IKS_FINDING_MAX_CHANGES of them) with
 * its offset in the IP packet and in the IPsec message, the byte sent and
 * the byte received.
 *
 * A path may rewrite some bytes without modifying the packet in the sense
 * that matters, and those are left out: IPv4 TOS, TTL and header checksum
 * (RFC 791), IPv6 traffic class and hop limit (RFC 8200), the addresses and
 * the UDP ports and checksum (NAT, RFC 3022 / RFC 3948). A fragmented
 * datagram is compared fragment by fragment, paired by fragment offset and
 * length (a path that re-fragments is not compared).
 *
 * Caps: at most DIFF_MODS_MAX packets are compared, at most DIFF_PIECES_MAX
 * fragments of each, at most DIFF_BYTES_MAX bytes kept in all; a packet
 * past them keeps its finding with nchanges 0 and changed_bytes 0 and is
 * counted in stats.modified_not_compared. A packet compared only in part
 * (fragments past the caps, or fragments the path cut differently, which
 * have no partner of the same offset and length) says how many fragments
 * were left out, and is counted in stats.modified_compared_partly (in
 * stats.modified_not_compared when no fragment had a partner).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ikescope/capture.h>
#include <ikescope/decoder.h>

#include "correlate/correlate_internal.h"

#define DIFF_MODS_MAX 4096
#define DIFF_PIECES_MAX 64
#define DIFF_BYTES_MAX (64u << 20)

/* One captured packet or fragment of a copy. */
typedef struct piece {
	uint64_t frame;
	uint32_t frag_offset;  /* bytes into the datagram's IP payload */
	uint32_t hdr_len;      /* its IP header */
	uint32_t len;          /* IP bytes kept */
	uint32_t ipsec_off;    /* IPsec message start in the datagram's IP payload, or
				  IKS_LEN_UNKNOWN when this piece does not say */
	uint8_t *bytes;
} piece;

/* One copy (sent or received) of a modified packet, as one capture holds it. */
typedef struct copy {
	uint64_t first, last;  /* frame span */
	uint32_t ip_id;
	uint8_t proto;
	bool fragmented;
	uint16_t npieces;
	uint32_t skipped;      /* pieces of this copy read but not kept (the caps) */
	piece pieces[DIFF_PIECES_MAX];
} copy;

typedef struct diff_state {
	copy *copies;          /* 2 per compared packet: [2k] sent, [2k + 1] received */
	size_t n;              /* compared packets */
	size_t bytes;          /* kept in all */
} diff_state;

/* Where the IPsec message starts in the IP payload when the packet itself
 * cannot say (a first fragment is not decoded past IP). */
static uint32_t ipsec_guess(const trace_unit *u)
{
	if (u->proto == 50 || u->proto == 51)
		return 0;
	if (u->proto != 17)
		return 0;
	if (u->kind == UNIT_IKE && (u->sport == 4500 || u->dport == 4500))
		return 12; /* UDP header + non-ESP marker (RFC 3948 section 2.2) */
	return 8;
}

static void keep_piece(diff_state *d, copy *cp, const iks_frame *f, const iks_packet *pk,
		       const trace_unit *u)
{
	const iks_ip_info *ip = &pk->l.ip;
	if (!ip->present || !ip->payload.p)
		return;
	const uint8_t *start = ip->payload.p - ip->header_len;
	if (start < f->data)
		return;
	size_t len = (size_t)(ip->payload.p - start) + ip->payload.len;
	uint8_t *b = NULL;
	if (cp->npieces == DIFF_PIECES_MAX || len > DIFF_BYTES_MAX - d->bytes ||
	    !(b = malloc(len ? len : 1))) {
		cp->skipped++;
		return;
	}
	memcpy(b, start, len);
	d->bytes += len;
	piece *p = &cp->pieces[cp->npieces++];
	p->frame = f->number;
	p->frag_offset = ip->is_fragment ? ip->frag_offset : 0;
	p->hdr_len = ip->header_len;
	p->len = (uint32_t)len;
	p->bytes = b;
	p->ipsec_off = IKS_LEN_UNKNOWN;
	const uint8_t *msg = pk->l.esp.present ? pk->l.esp.raw.p
			     : pk->l.ike.present ? pk->l.ike.raw.p : NULL;
	if (msg && msg >= ip->payload.p && !ip->is_fragment)
		p->ipsec_off = (uint32_t)(msg - ip->payload.p);
	else if (p->frag_offset == 0)
		p->ipsec_off = ipsec_guess(u);
}

static int cmp_u64(const void *x, const void *y)
{
	const copy *a = *(const copy *const *)x, *b = *(const copy *const *)y;
	return a->first < b->first ? -1 : (a->first > b->first);
}

/* Read one capture and keep the pieces of every copy it holds. */
static iks_status read_side(corr_ctx *c, diff_state *d, int s)
{
	const iks_trace *t = c->t[s];
	size_t n = 0;
	copy **by_first = malloc((2 * d->n + 1) * sizeof(*by_first));
	copy **active = malloc((2 * d->n + 1) * sizeof(*active));
	const trace_unit **unit_of = malloc((2 * d->n + 1) * sizeof(*unit_of));
	if (!by_first || !active || !unit_of) {
		free(by_first);
		free(active);
		free(unit_of);
		return IKS_E_NOMEM;
	}
	for (size_t k = 0; k < d->n; k++) {
		const corr_modified *m = &c->mods[k];
		copy *cp = &d->copies[2 * k + (m->side == s ? 0 : 1)];
		by_first[n++] = cp;
	}
	qsort(by_first, n, sizeof(*by_first), cmp_u64);
	for (size_t k = 0; k < d->n; k++) {
		const corr_modified *m = &c->mods[k];
		uint32_t idx = m->side == s ? m->sent : m->received;
		unit_of[k] = &t->units[idx];
	}
	char err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(t->path, NULL, err);
	if (!cap) {
		free(by_first);
		free(active);
		free(unit_of);
		return IKS_OK; /* the file is gone: findings keep no bytes */
	}
	size_t next = 0, nactive = 0;
	iks_frame f;
	while ((next < n || nactive) && iks_capture_next(cap, &f) == 1) {
		while (next < n && by_first[next]->first <= f.number)
			active[nactive++] = by_first[next++];
		bool decoded = false;
		iks_packet pk;
		for (size_t i = 0; i < nactive; i++) {
			copy *cp = active[i];
			if (f.number < cp->first || f.number > cp->last)
				continue;
			if (!cp->fragmented && f.number != cp->last)
				continue;
			if (!decoded) {
				decoded = true;
				iks_decode_buffer(f.linktype, f.data, f.caplen, &pk);
			}
			if (cp->fragmented && (!pk.l.ip.present || !pk.l.ip.is_fragment ||
					       pk.l.ip.id != cp->ip_id || pk.l.ip.proto != cp->proto))
				continue;
			size_t k = (size_t)(cp - d->copies) / 2;
			keep_piece(d, cp, &f, &pk, unit_of[k]);
		}
		size_t k = 0;
		for (size_t i = 0; i < nactive; i++)
			if (active[i]->last > f.number)
				active[k++] = active[i];
		nactive = k;
	}
	iks_capture_close(cap);
	free(by_first);
	free(active);
	free(unit_of);
	return IKS_OK;
}

/* Whether byte k of an IP packet (or fragment) is one a path may rewrite. */
static bool mutable_byte(const piece *p, uint8_t proto, uint32_t k)
{
	uint8_t version = p->len ? p->bytes[0] >> 4 : 0;
	if (version == 4 && (k == 1 || k == 8 || k == 10 || k == 11 || (k >= 12 && k < 20)))
		return true;
	if (version == 6 && (k <= 1 || k == 7 || (k >= 8 && k < 40)))
		return true;
	if (proto == 17 && p->frag_offset == 0 && k >= p->hdr_len) {
		uint32_t u = k - p->hdr_len;
		if (u < 4 || u == 6 || u == 7)
			return true;
	}
	return false;
}

static void diff_pieces(iks_finding *f, int side, const copy *sent, const piece *ps,
			const piece *pr, uint32_t ipsec_off)
{
	if (ps->len != pr->len && !f->size_change)
		f->size_change = (int32_t)pr->len - (int32_t)ps->len;
	uint32_t n = ps->len < pr->len ? ps->len : pr->len;
	for (uint32_t k = 0; k < n; k++) {
		if (ps->bytes[k] == pr->bytes[k] || mutable_byte(ps, sent->proto, k))
			continue;
		f->changed_bytes++;
		if (f->nchanges == IKS_FINDING_MAX_CHANGES)
			continue;
		struct iks_byte_change *ch = &f->changes[f->nchanges++];
		ch->frame_a = side == 0 ? ps->frame : pr->frame;
		ch->frame_b = side == 0 ? pr->frame : ps->frame;
		ch->ip_offset = k;
		ch->payload_offset = IKS_LEN_UNKNOWN;
		if (k >= ps->hdr_len && ipsec_off != IKS_LEN_UNKNOWN) {
			uint32_t in_dgram = ps->frag_offset + (k - ps->hdr_len);
			if (in_dgram >= ipsec_off)
				ch->payload_offset = in_dgram - ipsec_off;
		}
		ch->before = ps->bytes[k];
		ch->after = pr->bytes[k];
	}
}

/* The piece of the other copy that p is compared with: the same fragment
 * offset and, for a fragmented datagram, the same length (a path that cut
 * it differently leaves nothing comparable); NULL when there is none. */
static const piece *partner(const copy *other, const piece *p, bool fragmented)
{
	for (uint16_t j = 0; j < other->npieces; j++) {
		const piece *o = &other->pieces[j];
		if (o->frag_offset == p->frag_offset && (!fragmented || o->len == p->len))
			return o;
	}
	return NULL;
}

static void diff_one(corr_ctx *c, const corr_modified *m, const copy *sent, const copy *recv)
{
	if (m->finding >= c->out->nfinds)
		return;
	iks_finding *f = &c->out->finds[m->finding];
	if (f->kind != IKS_FIND_MODIFIED_IN_TRANSIT)
		return; /* its slot went to the findings cap */
	if (!sent->npieces || !recv->npieces) {
		c->out->stats.modified_not_compared++;
		return;
	}
	uint32_t ipsec_off = IKS_LEN_UNKNOWN;
	for (uint16_t i = 0; i < sent->npieces; i++)
		if (sent->pieces[i].ipsec_off != IKS_LEN_UNKNOWN) {
			ipsec_off = sent->pieces[i].ipsec_off;
			break;
		}
	uint32_t left_out = sent->skipped + recv->skipped, compared = 0;
	for (uint16_t i = 0; i < sent->npieces; i++) {
		const piece *pr = partner(recv, &sent->pieces[i], sent->fragmented);
		if (pr) {
			diff_pieces(f, m->side, sent, &sent->pieces[i], pr, ipsec_off);
			compared++;
		} else {
			left_out++;
		}
	}
	for (uint16_t j = 0; j < recv->npieces; j++)
		if (!partner(sent, &recv->pieces[j], sent->fragmented))
			left_out++;
	f->fragments_not_compared = left_out;
	if (!compared)
		c->out->stats.modified_not_compared++;
	else if (left_out)
		c->out->stats.modified_compared_partly++;
}

iks_status corr_diff(corr_ctx *c)
{
	if (!c->nmods)
		return IKS_OK;
	if (!c->t[0]->path || !c->t[1]->path) {
		c->out->stats.modified_not_compared += c->nmods;
		return IKS_OK;
	}
	if (c->nmods > DIFF_MODS_MAX)
		c->out->stats.modified_not_compared += c->nmods - DIFF_MODS_MAX;
	diff_state d;
	memset(&d, 0, sizeof(d));
	d.n = c->nmods < DIFF_MODS_MAX ? c->nmods : DIFF_MODS_MAX;
	d.copies = calloc(2 * d.n, sizeof(*d.copies));
	if (!d.copies)
		return IKS_E_NOMEM;
	for (size_t k = 0; k < d.n; k++) {
		const corr_modified *m = &c->mods[k];
		const trace_unit *us = &c->t[m->side]->units[m->sent];
		const trace_unit *ur = &c->t[1 - m->side]->units[m->received];
		const trace_unit *u[2] = { us, ur };
		for (int r = 0; r < 2; r++) {
			copy *cp = &d.copies[2 * k + (size_t)r];
			cp->first = u[r]->first_frame;
			cp->last = u[r]->frame;
			cp->ip_id = u[r]->ip_id;
			cp->proto = u[r]->proto;
			cp->fragmented = (u[r]->flags & UNIT_F_FRAGMENTED) != 0;
		}
	}
	iks_status st = read_side(c, &d, 0);
	if (st == IKS_OK)
		st = read_side(c, &d, 1);
	for (size_t k = 0; k < d.n && st == IKS_OK; k++)
		diff_one(c, &c->mods[k], &d.copies[2 * k], &d.copies[2 * k + 1]);
	for (size_t k = 0; k < 2 * d.n; k++)
		for (uint16_t i = 0; i < d.copies[k].npieces; i++)
			free(d.copies[k].pieces[i].bytes);
	free(d.copies);
	return st;
}
