/* one_side_ike.c - the negotiations one capture shows (iks_diagnose):
 * messages by IKE SA, exchange and direction, repeats, requests of the
 * host never answered. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>
#include <ikescope/names.h>

#include "correlate/one_side.h"

/* ------------------------------------------------------- IKE messages */

/* An IKE unit of the path, sortable by message then time. */
typedef struct ike_ref {
	uint32_t unit;
	int dir;
} ike_ref;

static int cmp_ref_ctx(const corr_ctx *c, const ike_ref *x, const ike_ref *y)
{
	const iks_trace *t = c->t[0];
	const trace_unit *ux = &t->units[x->unit], *uy = &t->units[y->unit];
	const trace_ike *kx = unit_ike(t, ux), *ky = unit_ike(t, uy);
	int d = memcmp(kx->ispi, ky->ispi, 8);
	if (d)
		return d;
	if (ux->ts != uy->ts)
		return ux->ts < uy->ts ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

/* qsort has no context argument in C11: the context travels in the
 * array's first element, which is a sentinel (see sort_refs). */
typedef struct ref_sort {
	const corr_ctx *c;
	ike_ref r;
} ref_sort;

static int cmp_ref(const void *a, const void *b)
{
	const ref_sort *x = a, *y = b;
	return cmp_ref_ctx(x->c, &x->r, &y->r);
}

static iks_negotiation *neg_new(iks_correlation *o)
{
	if (o->nnegs == o->cap_negs) {
		size_t cap = o->cap_negs ? o->cap_negs * 2 : 16;
		iks_negotiation *n = realloc(o->negs, cap * sizeof(*n));
		if (!n)
			return NULL;
		o->negs = n;
		o->cap_negs = cap;
	}
	iks_negotiation *n = &o->negs[o->nnegs++];
	memset(n, 0, sizeof(*n));
	return n;
}

static iks_ike_exchange *exchange_of(iks_negotiation *n, uint8_t type, uint32_t msgid, size_t cap)
{
	for (uint32_t i = 0; i < n->nexchanges; i++)
		if (n->exchanges[i].type == type && n->exchanges[i].msgid == msgid)
			return &n->exchanges[i];
	if (n->nexchanges == cap)
		return NULL;
	iks_ike_exchange *e = &n->exchanges[n->nexchanges++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->msgid = msgid;
	return e;
}

/* Findings about one message seen `copies` times: a repeat, and (IKEv2) a
 * request out that no response answered. */
static void message_findings(corr_ctx *c, const iks_negotiation *n, const iks_ike_exchange *e,
			     const iks_ike_message *m)
{
	if (m->sent_count + m->arrived_count > 1) {
		iks_finding *f = corr_add_finding(c, IKS_FIND_IKE_RETRANSMIT, IKS_SEV_WARNING, m->dir);
		if (f) {
			bool out = m->dir == OUT;
			uint32_t copies = out ? m->sent_count : m->arrived_count;
			f->explain =
				out ? (m->response ? "the host answered a repeated request again: its first "
						     "answer did not reach the peer in time (or the "
						     "peer's earlier copies were lost)"
						   : "the host sent this message again: no answer came "
						     "back in time")
				    : (m->response ? "the peer answered again: a repeated request of the "
						     "host reached it"
						   : "the peer sent this request again: the host's answer "
						     "did not reach it in time, or earlier copies were lost");
			corr_finding_exchange(f, n, e);
			f->response = n->version == 2 && m->response;
			f->size = m->length;
			f->count = copies - 1;
			for (int k = 0; k < 8; k++)
				f->intervals_s[k] = m->retransmit_gaps_s[k];
			f->frame_a = out ? m->frame_sent : m->frame_received;
			f->time_a_s = out ? m->sent_s : m->received_s;
		}
	}
}

/* Follow every IKE SA this host took part in. */
iks_status one_side_negotiations(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	iks_correlation *o = c->out;
	size_t total = 0;
	for (size_t i = 0; i < t->nunits; i++)
		if (t->units[i].kind == UNIT_IKE && dir_of(c, &t->units[i]))
			total++;
	ref_sort *refs = malloc((total ? total : 1) * sizeof(*refs));
	if (!refs)
		return IKS_E_NOMEM;
	size_t n = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		int d = t->units[i].kind == UNIT_IKE ? dir_of(c, &t->units[i]) : 0;
		if (d) {
			refs[n].c = c;
			refs[n].r.unit = (uint32_t)i;
			refs[n].r.dir = d;
			n++;
		}
	}
	qsort(refs, n, sizeof(*refs), cmp_ref);
	for (size_t i = 0; i < n;) {
		const trace_ike *k0 = unit_ike(t, &t->units[refs[i].r.unit]);
		size_t j = i;
		while (j < n && !memcmp(unit_ike(t, &t->units[refs[j].r.unit])->ispi, k0->ispi, 8))
			j++;
		if (o->nnegs >= c->opt.negotiations_max) {
			i = j;
			continue;
		}
		iks_negotiation *ng = neg_new(o);
		size_t cap = j - i; /* at most one exchange per message */
		uint32_t *capped = NULL;
		if (!ng || !(ng->exchanges = calloc(cap, sizeof(*ng->exchanges))) ||
		    !(capped = calloc(cap, sizeof(*capped)))) {
			free(refs);
			return IKS_E_NOMEM;
		}
		ng->version = k0->version;
		memcpy(ng->ispi, k0->ispi, 8);
		ng->initiator = refs[i].r.dir;
		ng->start_s = (double)t->units[refs[i].r.unit].ts / 1e9;
		for (size_t x = i; x < j; x++) {
			const trace_unit *u = &t->units[refs[x].r.unit];
			const trace_ike *k = unit_ike(t, u);
			int d = refs[x].r.dir;
			static const uint8_t zero[8];
			if (!memcmp(ng->rspi, zero, 8))
				memcpy(ng->rspi, k->rspi, 8);
			iks_ike_exchange *e = exchange_of(ng, k->exchange, k->msgid, cap);
			if (!e)
				continue;
			bool resp = k->version == 2 ? (k->flags & IKS_IKEV2_FLAG_RESPONSE) != 0 : d != ng->initiator;
			/* a copy of a message already seen, or a new one */
			iks_ike_message *m = NULL;
			for (uint16_t q = 0; q < e->nmessages; q++)
				if (e->messages[q].dir == d && e->messages[q].response == resp &&
				    e->messages[q].length == k->length)
					m = &e->messages[q];
			double ts = (double)u->ts / 1e9;
			if (!m) {
				bool full = false;
				if (!(m = corr_exchange_add_message(e, &full))) {
					if (!full) {
						free(capped);
						free(refs);
						return IKS_E_NOMEM;
					}
					capped[e - ng->exchanges]++;
					continue;
				}
				m->dir = d;
				m->response = resp;
				m->length = k->length;
				m->encrypted = k->encrypted;
				m->decrypted = k->decrypted;
				m->notify_error = k->notify_error;
				if (d == OUT) {
					m->sent_s = ts;
					m->frame_sent = u->first_frame;
					m->frame_sent_whole = u->frame;
					m->not_covered = true; /* whether it arrived: the peer's capture */
				} else {
					m->received_s = ts;
					m->frame_received = u->frame;
				}
			} else {
				uint32_t copies = d == OUT ? m->sent_count : m->arrived_count;
				double first = d == OUT ? m->sent_s : m->received_s;
				double prev = first;
				for (uint32_t g = 0; g + 1 < copies && g < 8; g++)
					prev += m->retransmit_gaps_s[g];
				if (copies >= 1 && copies - 1 < 8)
					m->retransmit_gaps_s[copies - 1] = ts - prev;
			}
			if (d == OUT)
				m->sent_count++;
			else
				m->arrived_count++;
		}
		for (size_t x = 0; x < ng->nexchanges; x++)
			if (capped[x])
				corr_exchange_cap_finding(c, ng, &ng->exchanges[x], capped[x]);
		free(capped);
		/* room was made for one exchange per message: give back the rest */
		if (ng->nexchanges < cap && ng->nexchanges) {
			iks_ike_exchange *fit = realloc(ng->exchanges, ng->nexchanges * sizeof(*fit));
			if (fit)
				ng->exchanges = fit;
		}
		/* outcome, from this side */
		ng->outcome = IKS_OUTCOME_COMPLETE;
		ng->outcome_reason = "every request this side saw was answered";
		for (uint32_t q = 0; q < ng->nexchanges; q++) {
			iks_ike_exchange *e = &ng->exchanges[q];
			for (uint16_t w = 0; w < e->nmessages; w++) {
				iks_ike_message *m = &e->messages[w];
				message_findings(c, ng, e, m);
				if (m->notify_error && !ng->error_notify) {
					ng->error_notify = m->notify_error;
					ng->error_dir = m->dir;
					ng->outcome = IKS_OUTCOME_FAILED;
					ng->failed_exchange = e->type;
					ng->failed_msgid = e->msgid;
					ng->outcome_reason = "a message carried an error notification";
				}
			}
			if (ng->version != 2 || ng->outcome == IKS_OUTCOME_FAILED)
				continue;
			bool req = false, resp = false;
			const iks_ike_message *rq = NULL;
			for (uint16_t w = 0; w < e->nmessages; w++) {
				if (e->messages[w].response)
					resp = true;
				else {
					req = true;
					rq = &e->messages[w];
				}
			}
			if (req && !resp && rq->dir == OUT) {
				ng->outcome = IKS_OUTCOME_FAILED;
				ng->failed_exchange = e->type;
				ng->failed_msgid = e->msgid;
				ng->outcome_reason = "a request of this host was never answered";
				iks_finding *f = corr_add_finding(c, IKS_FIND_IKE_UNANSWERED, IKS_SEV_ERROR, OUT);
				if (f) {
					f->explain = "no answer came back: the request or every answer was lost, "
						     "or the peer did not answer (its capture or log tells)";
					corr_finding_exchange(f, ng, e); /* version 2 */
					f->size = rq->length;
					f->count = rq->sent_count;
					f->frame_a = rq->frame_sent;
					f->time_a_s = rq->sent_s;
				}
			}
		}
		i = j;
	}
	free(refs);
	return IKS_OK;
}

