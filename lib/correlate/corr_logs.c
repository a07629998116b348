/*
 * corr_logs.c - what the hosts' IKE logs prove, as verdicts (called by
 * verdicts.c), and the record of which IKE message every IKE frame is a
 * copy of (filled by negotiation.c). corr_uselog.c ties the log lines to
 * those messages (iks_correlation_use_log in ikescope/correlate.h): each
 * log line lands on one message of one exchange, and the verdicts can say:
 *  - daemon-dropped: a request the receiver's capture holds (the path
 *    delivered it), that the receiver's daemon logged as dropped (pluto
 *    "... has no corresponding IKE SA; message dropped") and that nothing
 *    answered. The receiver has no state for that IKE SA.
 *  - notes: how many times the sender's daemon says it retransmitted a
 *    message the verdict is about, and whether its capture shows every copy
 *    leaving (a copy the log has and the capture lacks is the capture's
 *    gap, not loss).
 * Never the log's text: a reason is a kind ("no-ike-sa"), a place a line.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>
#include <ikescope/names.h>

#include "correlate/correlate_internal.h"

void corr_ikemap_add(iks_correlation *o, int side, uint64_t frame, const trace_ike *k, uint32_t xi,
		     uint16_t mi)
{
	if (o->nikemap == o->cap_ikemap) {
		size_t cap = o->cap_ikemap ? o->cap_ikemap * 2 : 64;
		corr_ikemap *m = realloc(o->ikemap, cap * sizeof(*m));
		if (!m)
			return;
		o->ikemap = m;
		o->cap_ikemap = cap;
	}
	corr_ikemap *e = &o->ikemap[o->nikemap++];
	memset(e, 0, sizeof(*e));
	e->frame = frame;
	e->exch = xi;
	e->msg = mi;
	e->side = (uint8_t)side;
	e->version = k->version;
	memcpy(e->ispi, k->ispi, 8);
	o->ikemap_sorted = false;
}

void corr_logs_free(iks_correlation *o)
{
	free(o->ikemap);
	free(o->logf[0]);
	free(o->logf[1]);
}

/* ------------------------------------------------------------ verdicts */

/* "IKEv2 INFORMATIONAL request mid 0x00000000" */
static void msg_words(const iks_negotiation *n, const iks_ike_exchange *e, const iks_ike_message *m,
		      char *buf, size_t len)
{
	const char *x = iks_ike_exchange_name(n->version, e->type);
	snprintf(buf, len, "IKEv%u %s%s mid 0x%08x", n->version, x ? x : "?",
		 n->version == 2 ? (m->response ? " response" : " request") : "", e->msgid);
}

/* Whether the receiver sent anything in the exchange after message k. */
static bool answered_after(const iks_ike_exchange *e, uint16_t k)
{
	for (uint16_t i = (uint16_t)(k + 1); i < e->nmessages; i++)
		if (e->messages[i].dir != e->messages[k].dir)
			return true;
	return false;
}

/* A dropped copy that failed the exchange: a request (IKEv1: any message)
 * that nothing answered. */
static bool drop_fails(const iks_correlation *o, const corr_logfact *x)
{
	const iks_negotiation *n = &o->negs[x->neg];
	const iks_ike_exchange *e = &n->exchanges[x->exch];
	const iks_ike_message *m = &e->messages[x->msg];
	if (n->version == 2 && m->response)
		return false;
	return !answered_after(e, x->msg);
}

/* Whether finding f is about message (n, e, m). */
static bool finding_of(const iks_finding *f, const iks_negotiation *n, const iks_ike_exchange *e,
		       const iks_ike_message *m)
{
	return f->has_ike && f->version == n->version && !memcmp(f->ispi, n->ispi, 8) &&
	       f->exchange == e->type && f->msgid == e->msgid && f->direction == m->dir &&
	       (n->version != 2 || f->response == m->response);
}

static const char *reason_words(const char *reason)
{
	return reason && !strcmp(reason, "no-ike-sa") ? "it holds no IKE SA for it" : "no reason given";
}

size_t corr_log_verdicts(const iks_correlation *o, corr_vlist *l)
{
	size_t added = 0;
	for (int s = 0; s < 2; s++) { /* s: the receiver, whose log dropped them */
		iks_verdict *v = NULL;
		const corr_logfact *first = NULL;
		uint32_t nreq = 0;
		for (size_t i = 0; i < o->nlogf[s]; i++) {
			const corr_logfact *x = &o->logf[s][i];
			if (!x->drops || !drop_fails(o, x))
				continue;
			const iks_negotiation *n = &o->negs[x->neg];
			const iks_ike_exchange *e = &n->exchanges[x->exch];
			const iks_ike_message *m = &e->messages[x->msg];
			if (!v) {
				v = corr_verdict_add(l, IKS_CAUSE_DAEMON_DROPPED, m->dir, "certain");
				if (!v)
					return added;
				added++;
				first = x;
			} else if (x->drop_line < first->drop_line)
				first = x;
			nreq++;
			for (size_t k = 0; k < o->nfinds; k++) {
				const iks_finding *f = &o->finds[k];
				if ((f->kind == IKS_FIND_IKE_UNANSWERED || f->kind == IKS_FIND_IKE_RETRANSMIT) &&
				    finding_of(f, n, e, m))
					corr_verdict_evidence(v, k);
			}
		}
		if (!v)
			continue;
		char rx = s == 0 ? 'a' : 'b', tx = s == 0 ? 'b' : 'a';
		const iks_negotiation *n = &o->negs[first->neg];
		const iks_ike_exchange *e = &n->exchanges[first->exch];
		char what[96];
		msg_words(n, e, &e->messages[first->msg], what, sizeof(what));
		v->count = nreq;
		v->log_side = rx;
		v->log_line = first->drop_line;
		v->log_reason = first->reason;
		if (nreq == 1)
			corr_say(v->summary,
			    "The path delivered %c's %s (%c's frame %llu) and %c's IKE daemon dropped it "
			    "(%c's log, line %u: %s), so no answer came",
			    tx, what, rx, (unsigned long long)first->drop_frame, rx, rx, first->drop_line,
			    reason_words(first->reason));
		else
			corr_say(v->summary,
			    "The path delivered %u requests of %c that %c's IKE daemon dropped unanswered, "
			    "the first %s (%c's frame %llu; %c's log, line %u: %s)",
			    nreq, tx, rx, what, rx, (unsigned long long)first->drop_frame, rx,
			    first->drop_line, reason_words(first->reason));
		if (!strcmp(first->reason, "no-ike-sa"))
			corr_say(v->advice,
			    "Not the path: %c has no state for the IKE SA %c uses (a restart of %c, or an SA "
			    "deleted on one side only): clear the SAs on both peers and renegotiate, enable "
			    "dead peer detection, and check %c's daemon around that log line.",
			    rx, tx, rx, rx);
		else
			corr_say(v->advice,
			    "Not the path: check %c's IKE daemon around that log line (its state for this "
			    "IKE SA, its limits) and the configurations of both peers.",
			    rx);
	}
	return added;
}

/* Append one clause to a note ("; " between clauses). */
static void note_add(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_add(char *buf, const char *fmt, ...)
{
	size_t len = strlen(buf);
	if (len + 3 >= IKS_VERDICT_TEXT)
		return;
	if (len) {
		memcpy(buf + len, "; ", 3);
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + len, IKS_VERDICT_TEXT - len, fmt, ap);
	va_end(ap);
}

/* What the logs say of the messages of exchange (neg, exch), into v. */
static void note_exchange(const iks_correlation *o, iks_verdict *v, uint32_t neg, uint32_t exch)
{
	const iks_negotiation *n = &o->negs[neg];
	const iks_ike_exchange *e = &n->exchanges[exch];
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < o->nlogf[s]; i++) {
			const corr_logfact *x = &o->logf[s][i];
			if (x->neg != neg || x->exch != exch || !x->sends || !x->retx)
				continue;
			const iks_ike_message *m = &e->messages[x->msg];
			char what[96];
			msg_words(n, e, m, what, sizeof(what));
			char who = s == 0 ? 'a' : 'b';
			/* copies the daemon sent: the first and its retransmissions, by the
			   log's numbers (pluto, charon requests) or its lines (charon
			   responses are not numbered) */
			uint32_t nretx = x->retx_max > x->retx ? x->retx_max : x->retx;
			uint32_t logged = nretx + 1;
			if (m->sent_count >= logged)
				note_add(v->log_note,
				    "%c's log shows %u retransmission%s of the %s (from line %u), all "
				    "captured leaving %c",
				    who, nretx, nretx == 1 ? "" : "s", what, x->first_line, who);
			else
				note_add(v->log_note,
				    "%c's log shows %u retransmission%s of the %s (from line %u) but %c's "
				    "capture holds %u of its %u copies: the capture misses %u (capture-check), "
				    "not loss",
				    who, nretx, nretx == 1 ? "" : "s", what, x->first_line, who,
				    m->sent_count, logged, logged - m->sent_count);
			for (size_t k = 0; k < o->nfinds; k++)
				if (o->finds[k].kind == IKS_FIND_IKE_RETRANSMIT &&
				    finding_of(&o->finds[k], n, e, m))
					corr_verdict_evidence(v, k);
		}
}

void corr_log_notes(const iks_correlation *o, corr_vlist *l)
{
	if (!o->has_log[0] && !o->has_log[1])
		return;
	for (size_t vi = 0; vi < l->n; vi++) {
		iks_verdict *v = &l->v[vi];
		/* the exchanges its evidence names, each once */
		uint32_t seen[IKS_VERDICT_MAX_EVIDENCE][2];
		size_t nseen = 0;
		uint32_t nev = v->nevidence;
		for (uint32_t k = 0; k < nev; k++) {
			const iks_finding *f = &o->finds[v->evidence[k]];
			if (!f->has_ike)
				continue;
			for (size_t ni = 0; ni < o->nnegs; ni++) {
				const iks_negotiation *n = &o->negs[ni];
				if (n->version != f->version || memcmp(n->ispi, f->ispi, 8))
					continue;
				for (uint32_t xi = 0; xi < n->nexchanges; xi++) {
					if (n->exchanges[xi].type != f->exchange || n->exchanges[xi].msgid != f->msgid)
						continue;
					bool dup = false;
					for (size_t q = 0; q < nseen; q++)
						dup |= seen[q][0] == ni && seen[q][1] == xi;
					if (dup || nseen == IKS_VERDICT_MAX_EVIDENCE)
						continue;
					seen[nseen][0] = (uint32_t)ni;
					seen[nseen][1] = xi;
					nseen++;
					note_exchange(o, v, (uint32_t)ni, xi);
				}
			}
		}
	}
	/* dropped copies that failed nothing (answered, or responses): a note */
	iks_verdict *host = NULL;
	for (size_t vi = 0; vi < l->n && !host; vi++)
		if (l->v[vi].cause == IKS_CAUSE_NO_PATH_PROBLEM)
			host = &l->v[vi];
	if (!host && l->n)
		host = &l->v[0];
	if (!host)
		return;
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < o->nlogf[s]; i++) {
			const corr_logfact *x = &o->logf[s][i];
			if (!x->drops || drop_fails(o, x))
				continue;
			const iks_negotiation *n = &o->negs[x->neg];
			const iks_ike_exchange *e = &n->exchanges[x->exch];
			const iks_ike_message *m = &e->messages[x->msg];
			char what[96];
			msg_words(n, e, m, what, sizeof(what));
			char rx = s == 0 ? 'a' : 'b';
			note_add(host->log_note,
			    "%c's daemon dropped the %s it received (%c's frame %llu; its log, line %u: %s), "
			    "%s: not a failure",
			    rx, what, rx, (unsigned long long)x->drop_frame, x->drop_line,
			    reason_words(x->reason),
			    m->response ? "the answer to its own request" : "a copy of a request it answered");
		}
}
