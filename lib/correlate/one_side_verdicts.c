/* one_side_verdicts.c - the verdicts one capture supports, each certain
 * (the capture proves it) or likely (with what the peer's capture would
 * settle), in the two-capture vocabulary. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>
#include <ikescope/names.h>

#include "correlate/one_side.h"

/* ------------------------------------------------------------ verdicts */

static void evidence_of(const iks_correlation *o, iks_verdict *v, int kind, int dir)
{
	for (size_t i = 0; i < o->nfinds && !v->evidence_truncated; i++)
		if (o->finds[i].kind == kind && (dir < 0 || o->finds[i].direction == dir))
			corr_verdict_evidence(v, i);
}

iks_status one_side_verdicts(corr_ctx *c, uint32_t icmp_ignored, const iks_finding *icmp,
				    uint32_t icv_bad)
{
	iks_correlation *o = c->out;
	const iks_trace *t = c->t[0];
	char host[48], peer[48];
	iks_addr_format(trace_addr(t, c->host[0]), host, sizeof(host));
	iks_addr_format(trace_addr(t, c->peer[0]), peer, sizeof(peer));
	corr_vlist b;
	memset(&b, 0, sizeof(b));
	iks_verdict *v;
	/* error notifications: certain, configuration */
	for (size_t i = 0; i < o->nnegs; i++) {
		const iks_negotiation *n = &o->negs[i];
		if (!n->error_notify || !(v = corr_verdict_add(&b, IKS_CAUSE_NEGOTIATION_ERROR, n->error_dir, "certain")))
			continue;
		v->notify = n->error_notify;
		v->notify_dir = n->error_dir;
		v->count = 1;
		const char *nm = iks_ike_notify_name(n->version, n->error_notify);
		corr_say(v->summary, "%s sent %s (%u) in IKEv%u %s: the peers refused each other",
		     n->error_dir == OUT ? host : peer, nm ? nm : "an error notification",
		     n->error_notify, n->version, iks_ike_exchange_name(n->version, n->failed_exchange));
		corr_say(v->advice, "Configuration, not the path: compare both peers' proposals, "
				"credentials and traffic selectors with what the notification names.");
	}
	/* fragments missing by position: certain */
	uint32_t nfrag = 0;
	const iks_finding *ff = NULL;
	for (size_t i = 0; i < o->nfinds; i++)
		if (o->finds[i].kind == IKS_FIND_FRAGMENT_LOSS) {
			nfrag++;
			if (!ff)
				ff = &o->finds[i];
		}
	uint32_t whole_frag = 0; /* the peer's fragmented datagrams that arrived whole */
	for (size_t i = 0; i < t->nunits; i++)
		if ((t->units[i].flags & UNIT_F_FRAGMENTED) && t->units[i].kind != UNIT_INCOMPLETE &&
		    dir_of(c, &t->units[i]) == IN)
			whole_frag++;
	if (ff && whole_frag && (v = corr_verdict_add(&b, IKS_CAUSE_RANDOM_LOSS, IN, "likely"))) {
		/* pieces lost while other fragmented datagrams arrived whole: loss, not
		   a device that drops fragments by position */
		v->count = nfrag;
		v->total = nfrag + whole_frag;
		evidence_of(o, v, IKS_FIND_FRAGMENT_LOSS, IN);
		corr_say(v->summary,
		     "Pieces of %u of %u fragmented datagrams from %s never reached %s while the others "
		     "arrived whole: packets are lost on the way, not dropped by fragment position",
		     nfrag, nfrag + whole_frag, peer, host);
		corr_say(v->advice, "Look for loss on the path (interface errors, congestion) between %s and "
				"%s.", peer, host);
		corr_say(v->settle, "a capture at %s shows how much else was lost, and which way", peer);
		ff = NULL;
	}
	if (ff && (v = corr_verdict_add(&b, IKS_CAUSE_FRAGMENTS_DROPPED, IN, "certain"))) {
		const char *p = ff->pattern;
		v->which = !strcmp(p, "only-first-fragments-pass") ? "non-first"
			   : !strcmp(p, "first-fragments-lost") ? "first" : "some";
		v->count = nfrag;
		v->total = nfrag;
		evidence_of(o, v, IKS_FIND_FRAGMENT_LOSS, IN);
		corr_say(v->summary,
		     "%u of %s's fragmented datagrams reached %s %s: a device between them drops %s "
		     "IP fragments",
		     nfrag, peer, host,
		     !strcmp(v->which, "non-first") ? "as first fragments only"
		     : !strcmp(v->which, "first") ? "without their first fragment" : "with pieces missing",
		     !strcmp(v->which, "non-first") ? "non-first" : !strcmp(v->which, "first") ? "first" : "some");
		corr_say(v->advice, "Enable IKE fragmentation on both peers (RFC 7383, or the IKEv1 extension), "
				"or let IP fragments through the device in the path.");
	}
	/* the host's own Delete ignored or lost: certain */
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind != IKS_FIND_BAD_SPI || !f->delete_frame)
			continue;
		if (!(v = corr_verdict_add(&b, IKS_CAUSE_STALE_SA, IN, "certain")))
			continue;
		v->spi = f->spi;
		v->count = f->count;
		v->delete_frame = f->delete_frame;
		corr_verdict_evidence(v, i);
		corr_say(v->summary, "%s kept sending ESP on SPI %08x (%u packets) after %s deleted that SA "
				 "(its Delete: frame %llu)",
		     peer, f->spi, f->count, host, (unsigned long long)f->delete_frame);
		corr_say(v->advice, "Resynchronise the SAs (clear them on both peers), enable dead peer "
				"detection, and find why the Delete did not take effect.");
		corr_say(v->settle, "a capture at %s shows whether the Delete arrived (lost) or was ignored",
		     peer);
	}
	/* ESP on an SPI no negotiation here produced: certain when the host
	 * answered INVALID_SPI, likely otherwise (the SA may predate the capture) */
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind != IKS_FIND_BAD_SPI || f->delete_frame)
			continue;
		bool told = f->notify == 11;
		if (!(v = corr_verdict_add(&b, IKS_CAUSE_STALE_SA, IN, told ? "certain" : "likely")))
			continue;
		v->spi = f->spi;
		v->count = f->count;
		corr_verdict_evidence(v, i);
		if (told)
			corr_say(v->summary, "%s sends %s on SPI %08x (%u packets), an SA %s does not have: "
					 "%s answered INVALID_SPI (frame %llu)",
			     peer, f->proto == 51 ? "AH" : "ESP", f->spi, f->count, host, host,
			     (unsigned long long)f->frame_b);
		else
			corr_say(v->summary, "%s sends %s on SPI %08x (%u packets), which no negotiation in "
					 "this capture gave %s, and %s sends nothing back on an older SA",
			     peer, f->proto == 51 ? "AH" : "ESP", f->spi, f->count, host, host);
		corr_say(v->advice, "Clear the SAs on both peers (or restart the IKE SA from %s), and enable "
				"dead peer detection so that a peer that lost its SAs (a restart, a missed "
				"Delete) is noticed.",
		     peer);
		corr_say(v->settle, "%s's SA list, or a capture at %s from before the SA was made, shows "
				    "whether it is an SA %s lost or one older than this capture",
		     peer, peer, host);
	}
	/* an ICMP frag-needed the host ignored: certain */
	if (icmp && icmp_ignored && (v = corr_verdict_add(&b, IKS_CAUSE_PMTU_BLACKHOLE, OUT, "certain"))) {
		v->icmp_reached_sender = true;
		v->icmp_from = icmp->from;
		v->icmp_from_known = true;
		v->mtu = icmp->mtu;
		v->count = icmp_ignored;
		evidence_of(o, v, IKS_FIND_ICMP_FRAG_NEEDED, OUT);
		char from[48];
		iks_addr_format(&icmp->from, from, sizeof(from));
		corr_say(v->summary, "Router %s told %s the path MTU is %u, yet %s kept sending %u DF packets "
				 "above it to %s: the host ignores the ICMP",
		     from, host, icmp->mtu, host, icmp_ignored, peer);
		corr_say(v->advice, "Make the host honour ICMP fragmentation-needed (PMTU discovery), or lower "
				"its tunnel MTU / TCP MSS below %u.",
		     icmp->mtu);
	}
	/* ICV failures: likely (bytes changed, or a wrong key) */
	if (icv_bad && (v = corr_verdict_add(&b, IKS_CAUSE_MODIFIED_IN_TRANSIT, IN, "likely"))) {
		v->count = icv_bad;
		v->discarded = true;
		evidence_of(o, v, IKS_FIND_MODIFIED_IN_TRANSIT, IN);
		corr_say(v->summary, "%u packets from %s failed their integrity check at %s: bytes changed on "
				 "the way (or the key does not fit)",
		     icv_bad, peer, host);
		corr_say(v->advice, "Find the device that rewrites packets (capture on each side of it); check "
				"that the key file is this SA's.");
		corr_say(v->settle, "a capture at %s shows whether the packets left it with other bytes", peer);
	}
	/* requests out never answered: likely */
	uint32_t unanswered = 0, retx = 0, heard = 0, answered_late = 0;
	const iks_finding *un = NULL;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind == IKS_FIND_IKE_UNANSWERED) {
			unanswered++;
			if (!un)
				un = f;
		}
	}
	for (size_t i = 0; i < t->nunits; i++)
		if (dir_of(c, &t->units[i]) == IN)
			heard++;
	for (size_t i = 0; i < o->nnegs; i++)
		for (uint32_t q = 0; q < o->negs[i].nexchanges; q++) {
			const iks_ike_exchange *e = &o->negs[i].exchanges[q];
			bool answered = false;
			uint32_t copies = 0;
			for (uint16_t w = 0; w < e->nmessages; w++) {
				const iks_ike_message *m = &e->messages[w];
				if (m->dir == IN && m->response)
					answered = true;
				if (m->dir == OUT && !m->response && m->sent_count > 1)
					copies = m->sent_count;
				if (m->dir == IN && !m->response && m->arrived_count > 1)
					retx += m->arrived_count - 1; /* the peer repeats its requests */
			}
			if (answered && copies)
				answered_late += copies - 1;
		}
	if (un && (v = corr_verdict_add(&b, heard ? IKS_CAUSE_NO_ANSWER : IKS_CAUSE_BLOCKED, OUT, "likely"))) {
		v->count = un->count;
		v->what = heard ? NULL : "everything";
		v->from_s = un->time_a_s;
		evidence_of(o, v, IKS_FIND_IKE_UNANSWERED, OUT);
		evidence_of(o, v, IKS_FIND_IKE_RETRANSMIT, OUT);
		char sched[96] = "";
		size_t len = 0;
		const iks_finding *rt = NULL;
		for (size_t i = 0; i < o->nfinds && !rt; i++)
			if (o->finds[i].kind == IKS_FIND_IKE_RETRANSMIT && o->finds[i].direction == OUT &&
			    o->finds[i].msgid == un->msgid && !memcmp(o->finds[i].ispi, un->ispi, 8))
				rt = &o->finds[i];
		if (rt)
			for (uint32_t k = 0; k < rt->count && k < 8 && len < sizeof(sched) - 8; k++)
				len += (size_t)snprintf(sched + len, sizeof(sched) - len, "%s%.2f", k ? ", " : "",
							rt->intervals_s[k]);
		if (heard)
			corr_say(v->summary, "%s sent its IKEv%u %s request to %s %u times (intervals %s s) and "
					 "got no answer, though it hears from %s",
			     host, un->version, iks_ike_exchange_name(un->version, un->exchange), peer,
			     un->count, sched[0] ? sched : "-", peer);
		else
			corr_say(v->summary, "%s sent its IKEv%u %s request to %s %u times (intervals %s s) and "
					 "received nothing at all from %s: the path is blocked one way "
					 "or the peer is down",
			     host, un->version, iks_ike_exchange_name(un->version, un->exchange), peer,
			     un->count, sched[0] ? sched : "-", peer);
		corr_say(v->advice, "Allow UDP 500/4500 from %s to %s and back on the firewalls and NAT in "
				"the path, and check that %s runs and has a matching connection.",
		     host, peer, peer);
		corr_say(v->settle, "a capture at %s shows whether the requests arrived (then %s did not "
				"answer) or not (the path)",
		     peer, peer);
	}
	/* answers after retransmits, or a peer repeating its requests: likely loss */
	if (!un && (answered_late || retx) && (v = corr_verdict_add(&b, IKS_CAUSE_RANDOM_LOSS, IKS_DIR_UNKNOWN, "likely"))) {
		v->count = answered_late + retx;
		evidence_of(o, v, IKS_FIND_IKE_RETRANSMIT, -1);
		corr_say(v->summary, "IKE messages between %s and %s were repeated %u times before an answer "
				 "came through: some requests or answers were lost",
		     host, peer, v->count);
		corr_say(v->advice, "Look for loss on the path (interface errors, congestion); IKE recovers "
				"from it, ESP traffic feels it.");
		corr_say(v->settle, "a capture at %s tells which way the packets were lost", peer);
	}
	if (b.n == 0 && (v = corr_verdict_add(&b, IKS_CAUSE_NO_PATH_PROBLEM, IKS_DIR_UNKNOWN, "likely"))) {
		evidence_of(o, v, IKS_FIND_ICMP_FRAG_NEEDED, -1);
		corr_say(v->summary, "Nothing in %s's capture points at the path to %s: every request was "
				 "answered and nothing arrived damaged or in pieces",
		     host, peer);
		corr_say(v->advice, "Look at the peers' configurations and logs; one side cannot see "
				"everything.");
		corr_say(v->settle, "a capture at %s shows whether everything %s sent arrived there", peer,
		     host);
	}
	if (b.n == 0)
		return IKS_E_NOMEM;
	o->verdicts = b.v;
	o->nverdicts = b.n;
	return IKS_OK;
}

