/*
 * ike_frag.c - IKE-level fragmentation across frames.
 *
 * IKEv1 (payload 132, Cisco/Microsoft style, also strongSwan): each
 * fragment carries a fragment ID, a number from 1 and a last flag; the
 * data of fragments 1..last concatenated is the original ISAKMP message,
 * header included, handed back to the caller (ike_state.c) to decode once
 * complete, as IP reassembly (net/ipfrag.c) hands back a datagram.
 *
 * IKEv2 (RFC 7383 section 2.5): each SKF carries its number and the total;
 * the contents are encrypted, so without keys only which fragments of a
 * message were seen and which are missing is known.
 *
 * Messages are keyed by cookies/SPIs, message ID, v1 fragment ID and the
 * v2 response flag, and the v1 sender and receiver address/port (both
 * peers number their own fragments). Slots, bytes and fragment numbers
 * are capped; a message pushed out or left incomplete at the end is
 * reported as IKS_EV_IKE_FRAGS_INCOMPLETE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ike/ike_ctx.h"

static bool seen(const ike_frag_slot *s, unsigned n)
{
	return n < IKE_FRAG_TRACK && (s->seen[n / 8] >> (n % 8)) & 1;
}

/* Expected count: the total (v2) or last number (v1) when known, else the
 * highest number seen. */
static unsigned expected(const ike_frag_slot *s)
{
	return s->total ? s->total : s->highest;
}

static uint16_t missing_list(const ike_frag_slot *s, uint16_t *out, unsigned max)
{
	uint16_t count = 0;
	unsigned n = expected(s);
	for (unsigned i = 1; i <= n && i < IKE_FRAG_TRACK; i++)
		if (!seen(s, i)) {
			if (count < max)
				out[count] = (uint16_t)i;
			count++;
		}
	return count;
}

static void slot_release(ike_frag_slot *s)
{
	uint8_t *buf = s->buf;
	memset(s, 0, offsetof(ike_frag_slot, buf));
	s->buf = buf; /* kept for reuse: at most ike_frag_messages_max buffers exist */
	s->used_bytes = 0;
	s->npieces = 0;
}

void ike_frag_report(ike_ctx *c, ike_frag_slot *s, int reason, uint64_t frame)
{
	iks_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = IKS_EV_IKE_FRAGS_INCOMPLETE;
	ev.frame = frame;
	ev.ts_sec = s->ts_sec;
	ev.ts_nsec = s->ts_nsec;
	ev.reason = reason;
	ev.src = s->src;
	ev.dst = s->dst;
	ev.first_frame = s->first_frame;
	ev.last_frame = s->last_frame;
	/* every fragment received: distinct tracked numbers plus each one
	 * numbered above the tracked range (a slot exists only once one came) */
	unsigned got = (unsigned)s->seen_count + s->untracked_count;
	ev.fragments = (uint16_t)(got > UINT16_MAX ? UINT16_MAX : got);
	ev.ike_version = s->version;
	memcpy(ev.ike_ispi, s->ispi, 8);
	memcpy(ev.ike_rspi, s->rspi, 8);
	ev.ike_msgid = s->msgid;
	ev.ike_frag_id = s->frag_id;
	ev.ike_frag_total = s->total;
	ev.ike_missing_count = missing_list(s, ev.ike_missing, 8);
	evq_push(c->events, &ev);
	slot_release(s);
}

static bool same_key(const ike_frag_slot *s, const iks_layers *L, const iks_ike_payload *pl)
{
	const iks_ike_info *ike = &L->ike;
	if (s->version != ike->version || memcmp(s->ispi, ike->ispi, 8) != 0 ||
	    memcmp(s->rspi, ike->rspi, 8) != 0 || s->msgid != ike->msgid)
		return false;
	if (ike->version == 2)
		return s->response == ((ike->flags & IKS_IKEV2_FLAG_RESPONSE) != 0);
	return s->frag_id == pl->frag_id && memcmp(&s->src, &L->ip.src, sizeof(iks_addr)) == 0 &&
	       memcmp(&s->dst, &L->ip.dst, sizeof(iks_addr)) == 0 && s->sport == L->udp.sport &&
	       s->dport == L->udp.dport;
}

static ike_frag_slot *slot_for(ike_ctx *c, const iks_layers *L, const iks_ike_payload *pl,
			       uint64_t frame, int64_t ts_sec, uint32_t ts_nsec)
{
	ike_frag_slot *free_slot = NULL, *oldest = NULL;
	for (uint32_t i = 0; i < c->lim.ike_frag_messages_max; i++) {
		ike_frag_slot *s = &c->frags[i];
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (same_key(s, L, pl))
			return s;
		if (!oldest || s->last_frame < oldest->last_frame)
			oldest = s;
	}
	ike_frag_slot *s = free_slot;
	if (!s) {
		iks_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.kind = IKS_EV_LIMIT;
		ev.frame = frame;
		ev.limit = "ike_frag_messages_max";
		ev.limit_value = c->lim.ike_frag_messages_max;
		evq_push(c->events, &ev);
		ike_frag_report(c, oldest, IKS_INCOMPLETE_EVICTED, frame);
		s = oldest;
	}
	const iks_ike_info *ike = &L->ike;
	s->used = true;
	s->version = ike->version;
	memcpy(s->ispi, ike->ispi, 8);
	memcpy(s->rspi, ike->rspi, 8);
	s->msgid = ike->msgid;
	s->frag_id = ike->version == 1 ? pl->frag_id : 0;
	s->response = (ike->flags & IKS_IKEV2_FLAG_RESPONSE) != 0;
	s->src = L->ip.src;
	s->dst = L->ip.dst;
	s->sport = L->udp.sport;
	s->dport = L->udp.dport;
	s->first_frame = s->last_frame = frame;
	s->ts_sec = ts_sec;
	s->ts_nsec = ts_nsec;
	return s;
}

/* Copy a v1 fragment's data into the slot; false when over a cap. */
static bool store_piece(ike_ctx *c, ike_frag_slot *s, const iks_ike_payload *pl, uint64_t frame)
{
	uint32_t cap = c->lim.ike_frag_message_max_len;
	if (!s->buf) {
		s->buf = malloc(cap);
		if (!s->buf)
			return false;
	}
	if (pl->data.len > cap - s->used_bytes)
		return false;
	ike_frag_piece *p = &s->pieces[s->npieces++];
	p->num = pl->frag_number;
	p->off = s->used_bytes;
	p->len = (uint32_t)pl->data.len;
	p->frame = frame;
	memcpy(s->buf + s->used_bytes, pl->data.p, pl->data.len);
	s->used_bytes += (uint32_t)pl->data.len;
	return true;
}

/* All of 1..last present: join them in number order into c->joinbuf;
 * false when out of memory. */
static bool v1_complete(ike_ctx *c, ike_frag_slot *s, iks_span *whole)
{
	iks_ike_detail *d = &c->detail;
	uint32_t cap = c->lim.ike_frag_message_max_len;
	if (!c->joinbuf && !(c->joinbuf = malloc(cap)))
		return false;
	uint32_t len = 0;
	d->frag_count = 0;
	for (unsigned n = 1; n <= s->total; n++)
		for (unsigned i = 0; i < s->npieces; i++)
			if (s->pieces[i].num == n) {
				memcpy(c->joinbuf + len, s->buf + s->pieces[i].off, s->pieces[i].len);
				len += s->pieces[i].len;
				if (d->frag_count < 16)
					d->frag_frames[d->frag_count] = s->pieces[i].frame;
				d->frag_count++;
				break;
			}
	whole->p = c->joinbuf;
	whole->len = len;
	return true;
}

bool ike_frag_account(ike_ctx *c, const iks_layers *L, const iks_ike_payload *pl, uint64_t frame,
		      int64_t ts_sec, uint32_t ts_nsec, iks_span *whole)
{
	bool joined = false;
	iks_ike_detail *d = &c->detail;
	ike_frag_slot *s = slot_for(c, L, pl, frame, ts_sec, ts_nsec);
	unsigned n = pl->frag_number;
	d->is_fragment = true;
	/* a caller may hand frames out of order: keep first <= last */
	if (frame < s->first_frame)
		s->first_frame = frame;
	if (frame > s->last_frame)
		s->last_frame = frame;
	if (n >= IKE_FRAG_TRACK || (pl->kind == IKS_PK_SKF && pl->frag_total >= IKE_FRAG_TRACK)) {
		/* numbers above 255 are not tracked (RFC 7383 allows up to 65535):
		 * said once per message as a limit */
		if (!s->untracked) {
			iks_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.kind = IKS_EV_LIMIT;
			ev.frame = frame;
			ev.limit = "ike_frag_numbers_tracked";
			ev.limit_value = IKE_FRAG_TRACK - 1;
			evq_push(c->events, &ev);
			s->untracked = true;
		}
		if (s->untracked_count < UINT16_MAX)
			s->untracked_count++;
		d->frag_seen = s->seen_count;
		return false;
	}
	d->frag_duplicate = seen(s, n);
	if (!d->frag_duplicate) {
		if (pl->kind == IKS_PK_FRAG && !store_piece(c, s, pl, frame)) {
			iks_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.kind = IKS_EV_LIMIT;
			ev.frame = frame;
			ev.limit = "ike_frag_message_max_len";
			ev.limit_value = c->lim.ike_frag_message_max_len;
			evq_push(c->events, &ev);
			/* this fragment was received, only not kept: it counts */
			s->seen[n / 8] = (uint8_t)(s->seen[n / 8] | 1u << (n % 8));
			s->seen_count++;
			ike_frag_report(c, s, IKS_INCOMPLETE_EVICTED, frame);
			return false;
		}
		s->seen[n / 8] = (uint8_t)(s->seen[n / 8] | 1u << (n % 8));
		s->seen_count++;
		if (n > s->highest)
			s->highest = (uint16_t)n;
	}
	if (pl->kind == IKS_PK_SKF)
		s->total = pl->frag_total;
	else if (pl->frag_last)
		s->total = (uint16_t)n;
	d->frag_seen = s->seen_count;
	d->frag_expected = s->total;
	d->frag_missing_count = missing_list(s, d->frag_missing, 8);
	d->frag_complete = s->total != 0 && d->frag_missing_count == 0;
	if (!d->frag_complete)
		return false;
	if (s->version == 1)
		joined = v1_complete(c, s, whole);
	slot_release(s);
	return joined;
}
