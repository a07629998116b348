/* one_side_packets.c - what one capture shows of the packets between the
 * host and its peer: fragments missing by position, ICMP frag-needed the
 * host ignored, ICV failures, ESP on an SA the host deleted. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>
#include <ikescope/names.h>

#include "correlate/one_side.h"

/* -------------------------------------------------- packet findings */

/* Fragments of the peer's datagrams that never completed here: which pieces
 * arrived tells which were lost. */
void one_side_fragments(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	uint32_t with_first = 0, without_first = 0;
	size_t from = c->out->nfinds;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind != UNIT_INCOMPLETE || dir_of(c, u) != IN)
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_FRAGMENT_LOSS, IKS_SEV_ERROR, IN);
		if (!f)
			return;
		bool first = (u->flags & UNIT_F_FIRST_SEEN) != 0;
		if (first)
			with_first++;
		else
			without_first++;
		const trace_holes *h = unit_holes(t, u);
		f->ip_id = u->ip_id;
		f->proto = u->proto;
		f->count = u->nfrags;
		f->frame_a = u->frame;
		f->time_a_s = (double)u->ts / 1e9;
		f->datagram_len = h->datagram_len;
		f->nranges = h->n < IKS_FINDING_MAX_RANGES ? h->n : IKS_FINDING_MAX_RANGES;
		for (unsigned k = 0; k < f->nranges; k++) {
			f->missing[k].start = h->r[k].start;
			f->missing[k].end = h->r[k].end;
		}
	}
	uint32_t total = with_first + without_first;
	const char *pattern = !total ? NULL
			      : !without_first ? "only-first-fragments-pass"
			      : !with_first ? "first-fragments-lost"
					    : "some-fragments-lost";
	for (size_t i = from; i < c->out->nfinds; i++) {
		iks_finding *f = &c->out->finds[i];
		if (f->kind != IKS_FIND_FRAGMENT_LOSS)
			continue;
		f->pattern = pattern;
		f->pattern_lost = total;
		f->pattern_total = total;
		f->explain = !strcmp(pattern, "only-first-fragments-pass")
				     ? "only the first fragment(s) of the peer's datagram arrived: a device "
				       "in the path drops non-first fragments"
			     : !strcmp(pattern, "first-fragments-lost")
				     ? "later fragments of the peer's datagram arrived without the first: a "
				       "device in the path drops first fragments"
				     : "pieces of the peer's datagram never arrived";
	}
}

/* ICMP frag-needed errors that reached the host, and whether it then sent
 * DF packets above the MTU they named to the peer (it ignores them). */
void one_side_icmp(corr_ctx *c, uint32_t *ignored, uint64_t *which)
{
	const iks_trace *t = c->t[0];
	*ignored = 0;
	*which = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *v = &t->units[i];
		if (v->kind != UNIT_ICMP_ERROR || v->addr_dst != c->host[0])
			continue;
		const trace_icmp *q = unit_icmp(t, v);
		bool fn = (q->type == 3 && q->code == 4 && v->proto == 1) || (q->type == 2 && v->proto == 58);
		if (!fn)
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_ICMP_FRAG_NEEDED, IKS_SEV_WARNING, OUT);
		if (!f)
			return;
		f->explain = "a router announced a smaller MTU for a packet this host sent with DF set";
		f->reached_sender = true;
		f->mtu = q->mtu;
		f->from = *trace_addr(t, v->addr_src);
		f->from_known = true;
		f->ip_id = q->quoted_ip_id;
		f->proto = q->quoted_proto;
		f->frame_a = v->frame;
		f->time_a_s = (double)v->ts / 1e9;
		if (!q->mtu)
			continue;
		/* later DF packets to the peer above that MTU, sent whole */
		uint32_t n = 0;
		for (size_t j = i + 1; j < t->nunits; j++) {
			const trace_unit *u = &t->units[j];
			if (dir_of(c, u) == OUT && (u->flags & UNIT_F_DF) && !(u->flags & UNIT_F_FRAGMENTED) &&
			    u->size > q->mtu && u->ts > v->ts + 500000000LL)
				n++;
		}
		if (n > *ignored) {
			*ignored = n;
			*which = v->frame; /* the ICMP's frame: findings move when sorted */
		}
	}
}

/* ESP the peer sent that failed its ICV here (with -k). */
uint32_t one_side_icv(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	uint32_t n = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (!(u->flags & UNIT_F_ICV_BAD) || dir_of(c, u) != IN)
			continue;
		n++;
		iks_finding *f = corr_add_finding(c, IKS_FIND_MODIFIED_IN_TRANSIT, IKS_SEV_ERROR, IN);
		if (!f)
			break;
		f->explain = "the peer's packet failed its integrity check here: bytes changed on the "
			     "way, or the key does not fit";
		f->proto = u->proto;
		f->spi = u->spi;
		f->seq = u->seq;
		f->size = u->size;
		f->frame_a = u->frame;
		f->time_a_s = (double)u->ts / 1e9;
	}
	return n;
}

/* ESP/AH the peer kept sending on an SA the host deleted: the host's own
 * Delete (in clear, or read with keys) named its inbound SPI. */
void one_side_stale(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	for (size_t d = 0; d < t->ndeletes; d++) {
		const trace_delete *del = &t->deletes[d];
		const trace_unit *du = &t->units[del->unit];
		if (dir_of(c, du) != OUT)
			continue;
		bool again = false; /* a retransmitted Delete, or another naming the same SPI */
		for (size_t e = 0; e < d && !again; e++)
			again = t->deletes[e].spi == del->spi && t->deletes[e].proto == del->proto &&
				dir_of(c, &t->units[t->deletes[e].unit]) == OUT;
		if (again)
			continue;
		uint32_t n = 0;
		const trace_unit *first = NULL;
		for (size_t i = del->unit + 1; i < t->nunits; i++) {
			const trace_unit *u = &t->units[i];
			/* later than a transit could explain: 0.5 s */
			if ((u->kind == UNIT_ESP || u->kind == UNIT_AH) && u->spi == del->spi &&
			    dir_of(c, u) == IN && u->ts > du->ts + 500000000LL) {
				if (!first)
					first = u;
				n++;
			}
		}
		if (!n)
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_BAD_SPI, IKS_SEV_ERROR, IN);
		if (!f)
			return;
		f->explain = "the peer kept using an SA this host deleted: its Delete never reached the "
			     "peer, or the peer ignored it";
		f->proto = del->proto == 2 ? 51 : 50;
		f->spi = del->spi;
		f->count = n;
		f->delete_frame = du->first_frame;
		f->delete_s = (double)du->ts_first / 1e9;
		f->frame_a = first->frame;
		f->time_a_s = (double)first->ts / 1e9;
		corr_ike_identity(f, t, du);
	}
}

