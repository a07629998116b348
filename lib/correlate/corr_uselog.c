/*
 * corr_uselog.c - iks_correlation_use_log (ikescope/correlate.h): tie one
 * host's log lines to the IKE messages of a finished correlation, then make
 * its verdicts again (verdicts.c, which reads what corr_logs.c says of
 * them). Above verdicts.c: it calls it, never the other way round.
 *
 * A log message joined to a packet (iks_log_join) names a frame of its
 * host's capture; negotiation.c recorded (corr_ikemap_add) which IKE message
 * every IKE frame of either capture is a copy of.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "correlate/correlate_internal.h"

static int cmp_map(const void *x, const void *y)
{
	const corr_ikemap *a = x, *b = y;
	if (a->side != b->side)
		return a->side < b->side ? -1 : 1;
	return a->frame < b->frame ? -1 : a->frame > b->frame;
}

static const corr_ikemap *map_find(const iks_correlation *o, int side, uint64_t frame)
{
	size_t lo = 0, hi = o->nikemap;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const corr_ikemap *e = &o->ikemap[mid];
		if (e->side < side || (e->side == side && e->frame < frame))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < o->nikemap && o->ikemap[lo].side == side && o->ikemap[lo].frame == frame)
		return &o->ikemap[lo];
	return NULL;
}

/* Negotiations by version and initiator SPI (indexes into o->negs). */
typedef struct neg_key {
	const iks_negotiation *n;
	uint32_t idx;
} neg_key;

static int cmp_neg(const void *x, const void *y)
{
	const neg_key *a = x, *b = y;
	if (a->n->version != b->n->version)
		return a->n->version < b->n->version ? -1 : 1;
	return memcmp(a->n->ispi, b->n->ispi, 8);
}

static const neg_key *neg_find(const neg_key *keys, size_t n, uint8_t version, const uint8_t *ispi)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const iks_negotiation *x = keys[mid].n;
		int c = x->version != version ? (x->version < version ? -1 : 1) : memcmp(x->ispi, ispi, 8);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && keys[lo].n->version == version && !memcmp(keys[lo].n->ispi, ispi, 8))
		return &keys[lo];
	return NULL;
}

/* The message a frame of `side` is a copy of, or false. */
static bool message_of(const iks_correlation *o, const neg_key *keys, int side, uint64_t frame,
		       uint32_t *neg, uint32_t *exch, uint16_t *msg)
{
	const corr_ikemap *e = map_find(o, side, frame);
	if (!e)
		return false;
	const neg_key *k = neg_find(keys, o->nnegs, e->version, e->ispi);
	if (!k || e->exch >= k->n->nexchanges || e->msg >= k->n->exchanges[e->exch].nmessages)
		return false;
	*neg = k->idx;
	*exch = e->exch;
	*msg = e->msg;
	return true;
}

static corr_logfact *fact_get(corr_logfact *f, size_t *n, uint32_t neg, uint32_t exch, uint16_t msg)
{
	for (size_t i = *n; i-- > 0;)
		if (f[i].neg == neg && f[i].exch == exch && f[i].msg == msg)
			return &f[i];
	corr_logfact *x = &f[(*n)++];
	memset(x, 0, sizeof(*x));
	x->neg = neg;
	x->exch = exch;
	x->msg = msg;
	return x;
}

/* What a "dropped" line says, as a kind (never its text). */
static const char *drop_reason(const iks_log_record *r)
{
	if (r->text && strstr(r->text, "no corresponding IKE SA"))
		return "no-ike-sa";
	return "dropped";
}

static int dir_of_side(int side)
{
	return side == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
}

iks_status iks_correlation_use_log(iks_correlation *c, int side, const iks_log *log,
				   const iks_log_join *join)
{
	if (!c || !log || !join || side < 0 || side > 1 || c->one_sided)
		return IKS_E_INVALID;
	if (!c->ikemap_sorted) {
		if (c->nikemap > 1)
			qsort(c->ikemap, c->nikemap, sizeof(*c->ikemap), cmp_map);
		c->ikemap_sorted = true;
	}
	neg_key *keys = malloc((c->nnegs ? c->nnegs : 1) * sizeof(*keys));
	size_t nmsgs = iks_log_nmessages(log);
	/* at most one fact per log message */
	corr_logfact *f = malloc((nmsgs ? nmsgs : 1) * sizeof(*f));
	if (!keys || !f) {
		free(keys);
		free(f);
		return IKS_E_NOMEM;
	}
	for (size_t i = 0; i < c->nnegs; i++)
		keys[i] = (neg_key){ &c->negs[i], (uint32_t)i };
	qsort(keys, c->nnegs, sizeof(*keys), cmp_neg);
	size_t nf = 0;
	/* sends: the log's copies of messages this host sent */
	for (size_t i = 0; i < nmsgs && i < join->nmsgs; i++) {
		const iks_log_msg *m = iks_log_message_at(log, i);
		uint32_t p = join->msg_pkt[i];
		if (!m || m->dir != IKS_LOG_SENT || p == IKS_LOG_NONE || p >= join->npkts)
			continue;
		uint32_t neg, exch;
		uint16_t msg;
		if (!message_of(c, keys, side, join->pkt_frame[p], &neg, &exch, &msg) ||
		    c->negs[neg].exchanges[exch].messages[msg].dir != dir_of_side(side))
			continue;
		corr_logfact *x = fact_get(f, &nf, neg, exch, msg);
		if (x->sends++ == 0)
			x->first_line = m->line;
		if (m->retransmit > x->retx_max)
			x->retx_max = m->retransmit;
		x->retx += m->retransmit > 0;
	}
	/* drops: received messages the daemon then discarded */
	size_t nrec = iks_log_nrecords(log);
	for (size_t i = 0; i < nrec; i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		if (r->kind != IKS_LK_DROPPED || r->msg == IKS_LOG_NONE || r->msg >= join->nmsgs)
			continue;
		const iks_log_msg *m = iks_log_message_at(log, r->msg);
		uint32_t p = join->msg_pkt[r->msg];
		if (!m || m->dir != IKS_LOG_RECEIVED || p == IKS_LOG_NONE || p >= join->npkts)
			continue;
		uint32_t neg, exch;
		uint16_t msg;
		if (!message_of(c, keys, side, join->pkt_frame[p], &neg, &exch, &msg) ||
		    c->negs[neg].exchanges[exch].messages[msg].dir != dir_of_side(1 - side))
			continue;
		corr_logfact *x = fact_get(f, &nf, neg, exch, msg);
		if (x->drops++ == 0) {
			x->drop_line = r->line;
			x->drop_frame = join->pkt_frame[p];
			x->reason = drop_reason(r);
		}
	}
	free(keys);
	/* the verdicts again, with these facts; on failure the old ones stay */
	corr_logfact *old_f = c->logf[side];
	size_t old_n = c->nlogf[side];
	bool old_has = c->has_log[side];
	iks_verdict *old_v = c->verdicts;
	size_t old_nv = c->nverdicts;
	c->logf[side] = f;
	c->nlogf[side] = nf;
	c->has_log[side] = true;
	corr_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.out = c;
	if (corr_verdicts(&ctx) != IKS_OK) {
		c->logf[side] = old_f;
		c->nlogf[side] = old_n;
		c->has_log[side] = old_has;
		c->verdicts = old_v;
		c->nverdicts = old_nv;
		free(f);
		return IKS_E_NOMEM;
	}
	free(old_f);
	free(old_v);
	return IKS_OK;
}

