/*
 * corr_pcapng_parts.c - the pieces both --pcapng writers share (see
 * corr_pcapng_parts.h).
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correlate/corr_lost.h"
#include "correlate/corr_pcapng_parts.h"

struct corr_ng_retx_slot {
	uint8_t ispi[8], rspi[8];
	uint32_t msgid, length;
	uint8_t flags;
	uint32_t seen;
	bool used;
};

bool corr_ng_seen_init(corr_ng_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->retx = calloc(CORR_NG_RETX_SLOTS, sizeof(corr_ng_retx_slot));
	s->sent_by_id = calloc(CORR_NG_SENT_SLOTS, sizeof(uint64_t));
	s->sent_id = calloc(CORR_NG_SENT_SLOTS, sizeof(uint32_t));
	return s->retx && s->sent_by_id && s->sent_id;
}

void corr_ng_seen_free(corr_ng_seen *s)
{
	free(s->retx);
	free(s->sent_by_id);
	free(s->sent_id);
	s->retx = NULL;
	s->sent_by_id = NULL;
	s->sent_id = NULL;
}

uint32_t corr_ng_ike_copy(corr_ng_seen *s, const iks_packet *p)
{
	const iks_ike_info *k = &p->l.ike;
	if (!k->present || !s->retx)
		return 0;
	uint32_t h = k->msgid * 2654435761u;
	for (int i = 0; i < 8; i++)
		h = h * 31u + k->ispi[i] + k->rspi[i];
	h ^= k->length;
	for (uint32_t n = 0; n < CORR_NG_RETX_SLOTS; n++) {
		corr_ng_retx_slot *r = &s->retx[(h + n) % CORR_NG_RETX_SLOTS];
		if (!r->used) {
			r->used = true;
			memcpy(r->ispi, k->ispi, 8);
			memcpy(r->rspi, k->rspi, 8);
			r->msgid = k->msgid;
			r->length = k->length;
			r->flags = k->flags;
			r->seen = 1;
			return 1;
		}
		if (r->msgid == k->msgid && r->length == k->length && r->flags == k->flags &&
		    memcmp(r->ispi, k->ispi, 8) == 0 && memcmp(r->rspi, k->rspi, 8) == 0)
			return ++r->seen;
	}
	s->unnumbered++; /* table full: no numbering, said on stderr at the end */
	return 0;
}

void corr_ng_note_sent(corr_ng_seen *s, const iks_packet *p, uint64_t frame)
{
	if (!p->l.ip.present || !p->l.ip.has_id || (p->l.ip.is_fragment && p->l.ip.frag_offset != 0))
		return;
	uint32_t slot = p->l.ip.id % CORR_NG_SENT_SLOTS;
	s->sent_id[slot] = p->l.ip.id;
	s->sent_by_id[slot] = frame;
}

bool corr_ng_lost_init(corr_ng_lost *l, const iks_correlation *c, int side)
{
	memset(l, 0, sizeof(*l));
	const iks_lost_packet *lost = NULL;
	size_t n = c ? iks_correlation_lost(c, side, &lost) : 0;
	l->lost = malloc((n ? n : 1) * sizeof(*l->lost));
	l->active = malloc((n ? n : 1) * sizeof(*l->active));
	if (!l->lost || !l->active)
		return false;
	for (size_t i = 0; i < n; i++)
		l->lost[i] = &lost[i];
	qsort(l->lost, n, sizeof(*l->lost), corr_lost_cmp_first);
	l->nlost = n;
	return true;
}

void corr_ng_lost_free(corr_ng_lost *l)
{
	free(l->lost);
	free(l->active);
	l->lost = l->active = NULL;
}

const iks_lost_packet *corr_ng_lost_entry(corr_ng_lost *l, const iks_frame *f, const iks_packet *p,
					  bool decoded)
{
	while (l->next < l->nlost && l->lost[l->next]->first_frame <= f->number)
		l->active[l->nactive++] = l->lost[l->next++];
	const iks_lost_packet *hit = NULL;
	for (size_t i = 0; i < l->nactive && !hit; i++) {
		const iks_lost_packet *x = l->active[i];
		if (f->number < x->first_frame || f->number > x->last_frame)
			continue;
		if (!x->fragmented) {
			if (f->number == x->first_frame)
				hit = x;
			continue;
		}
		if (decoded && p->l.ip.present && p->l.ip.is_fragment && p->l.ip.id == x->ip_id &&
		    p->l.ip.proto == x->proto &&
		    corr_lost_carries_missing(x, p->l.ip.frag_offset, (uint32_t)p->l.ip.payload.len))
			hit = x;
	}
	size_t k = 0;
	for (size_t i = 0; i < l->nactive; i++)
		if (l->active[i]->last_frame > f->number)
			l->active[k++] = l->active[i];
	l->nactive = k;
	return hit;
}

void corr_ng_appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= len)
		return;
	if (n)
		snprintf(buf + n, len - n, "; "), n = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

void corr_ng_clock_text(int64_t sec, uint32_t nsec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09" PRIu32 " UTC", nsec);
}

void corr_ng_packet_notes(corr_ng_seen *s, const iks_packet *p, bool decoded, const char *me,
			  bool sent, uint64_t frame, char *buf, size_t len)
{
	if (!decoded)
		return;
	uint32_t copy = corr_ng_ike_copy(s, p);
	if (copy > 1) {
		const char *ex = iks_ike_exchange_name(p->l.ike.version, p->l.ike.exchange);
		corr_ng_appendf(buf, len, "retransmit %" PRIu32 " of %s mid 0x%08" PRIx32, copy - 1,
				ex ? ex : "exchange", p->l.ike.msgid);
	}
	if (p->l.icmp.present && p->l.icmp.has_mtu) {
		char src[IKS_ADDRSTRLEN];
		iks_addr_format(&p->l.ip.src, src, sizeof(src));
		corr_ng_appendf(buf, len, "ICMP %s (mtu %" PRIu32 ") from %s",
				p->l.icmp.version == 6 ? "packet-too-big" : "frag-needed", p->l.icmp.mtu,
				src);
		if (p->has_inner && p->inner.ip.has_id) {
			uint32_t slot = p->inner.ip.id % CORR_NG_SENT_SLOTS;
			if (s->sent_id[slot] == p->inner.ip.id && s->sent_by_id[slot])
				corr_ng_appendf(buf, len, "for %s frame %" PRIu64 " (ip id 0x%04" PRIx32 ")",
						me, s->sent_by_id[slot], p->inner.ip.id);
			else
				corr_ng_appendf(buf, len, "quoting ip id 0x%04" PRIx32, p->inner.ip.id);
		}
	}
	if (sent)
		corr_ng_note_sent(s, p, frame);
}

void corr_ng_modified(const iks_correlation *c, int side, uint64_t frame, const char *where,
		      char *buf, size_t len)
{
	const iks_finding *fs;
	size_t nf = iks_correlation_findings(c, &fs);
	for (size_t i = 0; i < nf; i++) {
		const iks_finding *f = &fs[i];
		if (f->kind != IKS_FIND_MODIFIED_IN_TRANSIT)
			continue;
		char part[256] = "";
		size_t n = 0;
		for (unsigned k = 0; k < f->nchanges && k < IKS_FINDING_MAX_CHANGES; k++) {
			const struct iks_byte_change *ch = &f->changes[k];
			if ((side == 0 ? ch->frame_a : ch->frame_b) != frame || n + 40 > sizeof(part))
				continue;
			n += (size_t)snprintf(part + n, sizeof(part) - n, "%s%" PRIu32 " (0x%02x->0x%02x)",
					      n ? ", " : "", ch->ip_offset, ch->before, ch->after);
		}
		if (n)
			corr_ng_appendf(buf, len, "modified in transit%s: bytes %s of %" PRIu32
					" changed%s%s", where, part, f->changed_bytes,
					f->fragments_not_compared ? " in the fragments compared" : "",
					f->discarded ? ", discarded by the receiver" : "");
	}
}

void corr_ng_set_time(iks_frame *f, double on_clock_s)
{
	double sec = floor(on_clock_s);
	f->ts_sec = (int64_t)sec;
	long ns = lround((on_clock_s - sec) * 1e9);
	if (ns >= 1000000000L) {
		f->ts_sec++;
		ns -= 1000000000L;
	}
	f->ts_nsec = (uint32_t)(ns < 0 ? 0 : ns);
}

void corr_ng_put(char *s, size_t cap, size_t *n, const char *fmt, ...)
{
	if (*n + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(s + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
}
