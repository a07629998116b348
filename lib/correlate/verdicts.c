/*
 * verdicts.c - the diagnosis: from the findings and each direction's loss
 * profile, what went wrong on the path, one verdict per cause, most
 * decisive first, each naming the hosts, the counts and (where known) the
 * device, with one sentence of advice and the findings that show it.
 *
 * The causes and their tests (the field notes' failure patterns):
 *  - negotiation-error: an IKE message carried an error Notify; the peers
 *    refused each other, the path delivered the refusal;
 *  - stale-sa: an SA deleted at one end still used by the other;
 *  - fragments-dropped: fragmented datagrams lose pieces by position (or
 *    all of them) while whole packets pass;
 *  - pmtu-blackhole: packets above a size are lost, no ICMP reaches the
 *    sender (or an ICMP it never saw);
 *  - nat-rebind: packets lost to an outdated NAT mapping;
 *  - one-way-failure: negotiations one end starts fail, the other's work;
 *  - blocked: every packet of a kind lost one way over a span;
 *  - modified-in-transit: the same packet arrived with other bytes;
 *  - random-loss: what remains, scattered over kinds and sizes;
 *  - no-path-problem: none of these.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>
#include <ikescope/names.h>

#include "correlate/correlate_internal.h"

typedef corr_vlist vlist;

/* "1 packet", "2 packets" */
static const char *plural(uint32_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The ends' names as the reports use them: "a (192.0.2.1)". */
typedef struct names {
	char a[64], b[64];
} names;

static void end_names(const corr_ctx *c, names *nm)
{
	const iks_endpoints *e = &c->out->ends;
	char buf[48];
	if (e->known) {
		snprintf(nm->a, sizeof(nm->a), "a (%s)", iks_addr_format(&e->a_in_a, buf, sizeof(buf)));
		snprintf(nm->b, sizeof(nm->b), "b (%s)", iks_addr_format(&e->b_in_b, buf, sizeof(buf)));
	} else {
		snprintf(nm->a, sizeof(nm->a), "a");
		snprintf(nm->b, sizeof(nm->b), "b");
	}
}

static int side_of_dir(int dir)
{
	return dir == IKS_DIR_B_TO_A ? 1 : 0;
}

static int dir_of_side(int side)
{
	return side == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
}

static const char *from_name(const names *nm, int dir)
{
	return dir == IKS_DIR_B_TO_A ? nm->b : nm->a;
}

static const char *to_name(const names *nm, int dir)
{
	return dir == IKS_DIR_B_TO_A ? nm->a : nm->b;
}

static double rate(const iks_loss_tally *t)
{
	return t->sent ? (double)t->lost / (double)t->sent : 0.0;
}

/* "IKEv2 IKE_AUTH request mid 00000001" for a finding that names one. */
static void ike_words(const iks_finding *f, char *buf, size_t len)
{
	if (!f->has_ike) {
		buf[0] = '\0';
		return;
	}
	const char *x = iks_ike_exchange_name(f->version, f->exchange);
	snprintf(buf, len, "IKEv%u %s mid 0x%08x", f->version, x ? x : "?", f->msgid);
}

/* ---------------------------------------------------------- error notify */

static const char *notify_advice(uint16_t notify)
{
	switch (notify) {
	case 14: /* NO_PROPOSAL_CHOSEN (v1 and v2) */
		return "make the proposals on both peers share at least one combination of "
		       "encryption, integrity/PRF and DH group (IKE and ESP)";
	case 24: /* AUTHENTICATION_FAILED (v2); v1 24 is AUTHENTICATION-FAILED too */
		return "check the pre-shared key, or the certificates, CAs and identities, on both peers";
	case 38: /* TS_UNACCEPTABLE (v2) */
		return "make the traffic selectors (local and remote subnets) on the two peers mirror "
		       "each other";
	case 17: /* INVALID_KE_PAYLOAD (v2) */
		return "configure the same DH group first on both peers";
	case 35: /* NO_ADDITIONAL_SAS */
	case 36:
		return "check the peers' limits on SAs and their rekeying settings";
	}
	return "check both peers' configurations for what this notification names";
}

/* The negotiation a finding's IKE message belongs to (by initiator SPI). */
static const iks_negotiation *negotiation_of(const iks_correlation *o, const iks_finding *f)
{
	if (!f->has_ike)
		return NULL;
	for (size_t i = 0; i < o->nnegs; i++)
		if (!memcmp(o->negs[i].ispi, f->ispi, 8))
			return &o->negs[i];
	return NULL;
}

static void rule_errors(corr_ctx *c, vlist *l, const names *nm)
{
	const iks_correlation *o = c->out;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind != IKS_FIND_IKE_ERROR)
			continue;
		/* one verdict per Notify and sender */
		iks_verdict *v = NULL;
		for (size_t k = 0; k < l->n; k++)
			if (l->v[k].cause == IKS_CAUSE_NEGOTIATION_ERROR && l->v[k].notify == f->notify &&
			    l->v[k].notify_dir == f->direction)
				v = &l->v[k];
		if (v) {
			v->count++;
			corr_verdict_evidence(v, i);
			continue;
		}
		v = corr_verdict_add(l, IKS_CAUSE_NEGOTIATION_ERROR, f->direction, "certain");
		if (!v)
			return;
		v->notify = f->notify;
		v->notify_dir = f->direction;
		v->count = 1;
		corr_verdict_evidence(v, i);
		const char *name = iks_ike_notify_name(f->version, f->notify);
		char what[96];
		ike_words(f, what, sizeof(what));
		const iks_negotiation *n = negotiation_of(c->out, f);
		if (n && n->error_notify == f->notify && n->failed_exchange &&
		    n->failed_exchange != f->exchange) {
			const char *x = iks_ike_exchange_name(n->version, n->failed_exchange);
			snprintf(what, sizeof(what), "IKEv%u %s (the Notify came in an %s)", n->version,
				 x ? x : "?", iks_ike_exchange_name(f->version, f->exchange));
		}
		corr_say(v->summary,
		    "%s answered %s's %s with %s (%u): the peers' configurations do not agree; "
		    "the path delivered the messages",
		    from_name(nm, f->direction), f->direction == IKS_DIR_B_TO_A ? "a" : "b",
		    what[0] ? what : "IKE message", name ? name : "an error notification", f->notify);
		corr_say(v->advice, "%s%s.", "Configuration, not the path: ", notify_advice(f->notify));
	}
}

/* ------------------------------------------------------------- stale SA */

/* The Delete that never arrived, and its retransmits: the packet-loss
 * findings of the deleter's IKE message that carried it (found by its
 * frame), as evidence and as losses this verdict accounts for. */
static void stale_delete_lost(const iks_correlation *o, vlist *l, iks_verdict *v, int deleter,
			      uint64_t frame)
{
	int dir = dir_of_side(deleter);
	const iks_finding *del = NULL;
	for (size_t i = 0; i < o->nfinds && !del; i++) {
		const iks_finding *f = &o->finds[i];
		uint64_t fr = deleter == 0 ? f->frame_a : f->frame_b;
		if (f->kind == IKS_FIND_PACKET_LOSS && f->direction == dir && f->has_ike && fr == frame)
			del = f;
	}
	if (!del) {
		l->explained[deleter]++;
		return;
	}
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->direction != dir || !f->has_ike || f->msgid != del->msgid ||
		    memcmp(f->ispi, del->ispi, 8))
			continue;
		if (f->kind == IKS_FIND_PACKET_LOSS)
			l->explained[deleter]++;
		if (f->kind == IKS_FIND_PACKET_LOSS || f->kind == IKS_FIND_IKE_UNANSWERED ||
		    f->kind == IKS_FIND_IKE_RETRANSMIT)
			corr_verdict_evidence(v, i);
	}
}

static void rule_stale(corr_ctx *c, vlist *l, const names *nm)
{
	const iks_correlation *o = c->out;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind != IKS_FIND_BAD_SPI)
			continue;
		iks_verdict *v = corr_verdict_add(l, IKS_CAUSE_STALE_SA, f->direction, "certain");
		if (!v)
			return;
		v->spi = f->spi;
		v->count = f->count;
		v->delete_frame = f->delete_frame;
		corr_verdict_evidence(v, i);
		int user = f->direction; /* who kept using it */
		const char *deleter = user == IKS_DIR_B_TO_A ? "a" : "b";
		if (f->delete_arrived)
			corr_say(v->summary,
			    "%s kept sending %s on SPI %08x (%u packets) after %s deleted that SA; the Delete "
			    "(%s's frame %llu) arrived and was ignored",
			    from_name(nm, user), f->proto == 51 ? "AH" : "ESP", f->spi, f->count, deleter,
			    deleter, (unsigned long long)f->delete_frame);
		else
			corr_say(v->summary,
			    "%s kept sending %s on SPI %08x (%u packets) after %s deleted that SA: %s's Delete "
			    "(its frame %llu) never reached %s",
			    from_name(nm, user), f->proto == 51 ? "AH" : "ESP", f->spi, f->count, deleter,
			    deleter, (unsigned long long)f->delete_frame, user == IKS_DIR_B_TO_A ? "b" : "a");
		corr_say(v->advice,
		    "Resynchronise the SAs (clear them on both peers and renegotiate), enable dead peer "
		    "detection so a stale SA is noticed, and find why the %s Delete was %s.",
		    deleter, f->delete_arrived ? "ignored" : "lost");
		if (!f->delete_arrived)
			stale_delete_lost(o, l, v, user == IKS_DIR_B_TO_A ? 0 : 1, f->delete_frame);
	}
}

/* ---------------------------------------------------- fragments, PMTU */

static const char *which_of(const char *pattern)
{
	if (!pattern)
		return NULL;
	if (!strcmp(pattern, "only-first-fragments-pass"))
		return "non-first";
	if (!strcmp(pattern, "first-fragments-lost"))
		return "first";
	if (!strcmp(pattern, "no-fragment-passes"))
		return "all";
	if (!strcmp(pattern, "some-fragments-lost"))
		return "some";
	return NULL;
}

static void rule_fragments(corr_ctx *c, vlist *l, const names *nm, int side)
{
	const iks_correlation *o = c->out;
	const iks_loss_profile *p = &o->loss[side];
	int dir = dir_of_side(side);
	const iks_finding *first = NULL;
	const char *which = NULL;
	uint32_t nfind = 0;
	bool ike = false;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind != IKS_FIND_FRAGMENT_LOSS || f->direction != dir)
			continue;
		if (!first) {
			first = f;
			which = which_of(f->pattern);
		}
		nfind++;
		ike |= f->has_ike;
	}
	if (!first || !which)
		return;
	uint32_t lost = first->pattern_lost ? first->pattern_lost : nfind;
	uint32_t total = first->pattern_total ? first->pattern_total : p->fragmented.sent;
	double frag_rate = total ? (double)lost / total : 0.0;
	double whole_rate = rate(&p->whole);
	if (!strcmp(which, "all") && p->whole.sent > 0 && p->whole.lost == p->whole.sent)
		return; /* nothing passes at all: blocked, not a fragment problem */
	if (!strcmp(which, "some") && !(frag_rate >= 0.5 && frag_rate >= 3 * whole_rate + 0.2))
		return; /* fragments lost no more than the rest: random loss */
	iks_verdict *v = corr_verdict_add(l, IKS_CAUSE_FRAGMENTS_DROPPED, dir, "certain");
	if (!v)
		return;
	v->which = which;
	v->count = lost;
	v->total = total;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->direction != dir)
			continue;
		if (f->kind == IKS_FIND_FRAGMENT_LOSS ||
		    ((f->kind == IKS_FIND_IKE_UNANSWERED || f->kind == IKS_FIND_IKE_RETRANSMIT) &&
		     f->has_ike && first->has_ike && f->msgid == first->msgid &&
		     !memcmp(f->ispi, first->ispi, 8)))
			corr_verdict_evidence(v, i);
	}
	l->explained[side] += lost;
	static const char *const how[] = { "non-first", "arrived as first fragments only",
					   "first", "lost their first fragment, the rest arrived",
					   "all", "lost every fragment",
					   "some", "lost fragments" };
	const char *shown = "lost fragments";
	for (size_t k = 0; k < sizeof(how) / sizeof(how[0]); k += 2)
		if (!strcmp(how[k], which))
			shown = how[k + 1];
	/* an ICMP frag-needed that reached the sender explains why it fragments */
	const iks_finding *icmp = NULL;
	for (size_t i = 0; i < o->nfinds && !icmp; i++)
		if (o->finds[i].kind == IKS_FIND_ICMP_FRAG_NEEDED && o->finds[i].direction == dir &&
		    o->finds[i].reached_sender) {
			icmp = &o->finds[i];
			corr_verdict_evidence(v, i);
		}
	char what[96];
	ike_words(first, what, sizeof(what));
	const char *device = !strcmp(which, "all") ? "drops IP fragments"
			     : !strcmp(which, "non-first") ? "drops non-first IP fragments"
			     : !strcmp(which, "first") ? "drops first IP fragments"
						       : "drops many IP fragments";
	if (what[0])
		corr_say(v->summary,
		    "A device between %s and %s %s %s: %u of %u fragmented datagrams %s, among them "
		    "%s (%u bytes)%s",
		    nm->a, nm->b, device, iks_direction_name(dir), lost, total, shown, what,
		    first->size, ike ? ", so IKE could not complete" : "");
	else if (icmp && icmp->from_known) {
		char from[48];
		iks_addr_format(&icmp->from, from, sizeof(from));
		corr_say(v->summary,
		    "A device between %s and %s %s %s: %u of %u fragmented datagrams %s; %s fragments "
		    "its ESP since router %s announced MTU %u, so every packet above it is lost",
		    nm->a, nm->b, device, iks_direction_name(dir), lost, total, shown,
		    from_name(nm, dir), from, icmp->mtu);
	} else
		corr_say(v->summary,
		    "A device between %s and %s %s %s: %u of %u fragmented datagrams %s (ESP and other "
		    "traffic above the path MTU)",
		    nm->a, nm->b, device, iks_direction_name(dir), lost, total, shown);
	if (ike)
		corr_say(v->advice,
		    "Enable IKE fragmentation on both peers (IKEv2: RFC 7383; IKEv1: the fragmentation "
		    "extension), or let IP fragments through the device in the path.");
	else
		corr_say(v->advice,
		    "Let IP fragments through the device in the path, or lower the tunnel MTU / TCP MSS "
		    "so that ESP packets are not fragmented.");
}

static void rule_pmtu(corr_ctx *c, vlist *l, const names *nm, int side)
{
	const iks_correlation *o = c->out;
	int dir = dir_of_side(side);
	const iks_finding *bh = NULL, *icmp_lost = NULL, *icmp_ok = NULL;
	size_t ibh = 0;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->direction != dir)
			continue;
		if (f->kind == IKS_FIND_PMTU_BLACKHOLE && !bh) {
			bh = f;
			ibh = i;
		}
		if (f->kind == IKS_FIND_ICMP_FRAG_NEEDED) {
			if (!f->reached_sender && !icmp_lost)
				icmp_lost = f;
			if (f->reached_sender && !icmp_ok)
				icmp_ok = f;
		}
	}
	if (!bh && !icmp_lost)
		return;
	iks_verdict *v = corr_verdict_add(l, IKS_CAUSE_PMTU_BLACKHOLE, dir, "certain");
	if (!v)
		return;
	const iks_finding *ic = icmp_lost ? icmp_lost : icmp_ok;
	v->icmp_reached_sender = !icmp_lost && icmp_ok;
	if (ic && ic->from_known) {
		v->icmp_from_known = true;
		v->icmp_from = ic->from;
		v->mtu = ic->mtu;
	}
	if (bh) {
		v->size_ok_max = bh->size_ok_max;
		v->size_lost_min = bh->size_lost_min;
		v->count = bh->count;
		corr_verdict_evidence(v, ibh);
		l->explained[side] += bh->count;
	}
	for (size_t i = 0; i < o->nfinds; i++)
		if (o->finds[i].direction == dir && o->finds[i].kind == IKS_FIND_ICMP_FRAG_NEEDED)
			corr_verdict_evidence(v, i);
	char from[48] = "";
	if (v->icmp_from_known)
		iks_addr_format(&v->icmp_from, from, sizeof(from));
	if (bh && !ic)
		corr_say(v->summary,
		    "Packets %s above %u bytes are lost (%u of them; the smallest lost was %u bytes) "
		    "and no ICMP fragmentation-needed reaches %s: a PMTU black hole between %s and %s",
		    iks_direction_name(dir), v->size_ok_max, v->count, v->size_lost_min,
		    from_name(nm, dir), nm->a, nm->b);
	else if (bh)
		corr_say(v->summary,
		    "Packets %s above %u bytes are lost (%u of them; the smallest lost was %u bytes); "
		    "router %s announced MTU %u but its ICMP %s %s: a PMTU black hole",
		    iks_direction_name(dir), v->size_ok_max, v->count, v->size_lost_min,
		    from[0] ? from : "?", v->mtu, v->icmp_reached_sender ? "reached" : "never reached",
		    from_name(nm, dir));
	else
		corr_say(v->summary,
		    "Router %s announced MTU %u for packets %s, but its ICMP fragmentation-needed never "
		    "reached %s: PMTU discovery cannot work (a PMTU black hole)",
		    from[0] ? from : "?", v->mtu, iks_direction_name(dir), from_name(nm, dir));
	corr_say(v->advice,
	    "Let ICMP fragmentation-needed (IPv4 type 3 code 4, ICMPv6 packet too big) reach %s, or "
	    "lower the tunnel MTU / TCP MSS (e.g. to 1400 / 1360) so packets with IPsec overhead fit.",
	    dir == IKS_DIR_B_TO_A ? "b" : "a");
}

/* -------------------------------------------------------------- NAT */

static void rule_nat_rebind(corr_ctx *c, vlist *l, const names *nm)
{
	const iks_correlation *o = c->out;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		/* a rebinding the peer followed before sending to the old
		 * mapping lost nothing: the finding (a warning) tells it, but it
		 * is not a cause */
		if (f->kind != IKS_FIND_NAT_REBIND || !f->count)
			continue;
		/* the stale mapping costs what the peer still sends to it */
		int lost_dir = f->side == 'a' ? IKS_DIR_B_TO_A : IKS_DIR_A_TO_B;
		iks_verdict *v = corr_verdict_add(l, IKS_CAUSE_NAT_REBIND, lost_dir, "certain");
		if (!v)
			return;
		v->count = f->count;
		corr_verdict_evidence(v, i);
		l->explained[side_of_dir(lost_dir)] += f->count;
		char before[48], after[48];
		iks_addr_format(&f->addr_before, before, sizeof(before));
		iks_addr_format(&f->addr_after, after, sizeof(after));
		corr_say(v->summary,
		    "The NAT in front of %s changed its mapping mid-SA (%s:%u became %s:%u); %s kept "
		    "sending to the old one and %u packets were lost",
		    f->side == 'a' ? nm->a : nm->b, before, f->port_before, after, f->port_after,
		    f->side == 'a' ? "b" : "a", f->count);
		corr_say(v->advice,
		    "Keep the NAT mapping alive (NAT-T keepalives every 20 s, longer UDP timeouts on the "
		    "NAT device) and make sure the peer follows address changes (IKEv2 NAT-D updates / "
		    "MOBIKE).");
	}
}

/* ----------------------------------------------------------- one way */

static void rule_one_way(corr_ctx *c, vlist *l, const names *nm)
{
	const iks_correlation *o = c->out;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind != IKS_FIND_ONE_WAY)
			continue;
		iks_verdict *v = corr_verdict_add(l, IKS_CAUSE_ONE_WAY_FAILURE, f->direction, "certain");
		if (!v)
			return;
		v->count = f->count;
		v->total = f->total;
		corr_verdict_evidence(v, i);
		bool b_fails = f->direction == IKS_DIR_B_TO_A;
		corr_say(v->summary,
		    "Negotiations that %s starts fail (%u) while those %s starts complete (%u): "
		    "something between or at the ends treats the two directions differently",
		    b_fails ? nm->b : nm->a, f->count, b_fails ? nm->a : nm->b, f->total);
		corr_say(v->advice,
		    "Allow UDP 500 and 4500 from %s to %s on the firewalls and NAT in the path, and check "
		    "that the policy, trust and authentication are set up on both sides.",
		    b_fails ? "b" : "a", b_fails ? "a" : "b");
	}
}

/* ---------------------------------------------------- blocked, random */

static void rule_blocked(corr_ctx *c, vlist *l, const names *nm, int side)
{
	const iks_correlation *o = c->out;
	const iks_loss_profile *p = &o->loss[side];
	int dir = dir_of_side(side);
	const iks_loss_run *run = NULL;
	const char *what = NULL;
	if (p->all.sent >= 2 && p->all.lost == p->all.sent) {
		run = &p->run_all;
		what = "everything";
	} else if (p->run_ike.count >= 3 && p->run_ike.count * 2 >= p->ike.lost) {
		run = &p->run_ike;
		what = "IKE";
	} else if (p->run_esp.count >= 5 && p->run_esp.count * 2 >= p->esp.lost &&
		   (p->run_esp.to_end || p->run_esp.count * 4 >= p->esp.sent)) {
		run = &p->run_esp;
		what = "ESP";
	}
	if (!run || run->count <= l->explained[side])
		return;
	iks_verdict *v = corr_verdict_add(l, IKS_CAUSE_BLOCKED, dir, "certain");
	if (!v)
		return;
	v->what = what;
	v->from_s = run->from_s;
	v->to_s = run->to_s;
	v->count = run->count;
	v->total = p->all.sent;
	l->explained[side] += run->count;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->direction != dir)
			continue;
		if (f->kind == IKS_FIND_PACKET_LOSS || f->kind == IKS_FIND_IKE_UNANSWERED ||
		    (f->kind == IKS_FIND_FRAGMENT_LOSS && !strcmp(what, "everything")))
			corr_verdict_evidence(v, i);
	}
	double span = run->to_s - run->from_s;
	if (!strcmp(what, "everything"))
		corr_say(v->summary,
		    "Nothing %s sent toward %s arrived: all %u packets %s were lost in the path "
		    "over %.1f s",
		    from_name(nm, dir), to_name(nm, dir), p->all.sent, iks_direction_name(dir), span);
	else
		corr_say(v->summary,
		    "Every %s packet %s was lost for %.1f s (%u in a row%s) while other traffic %s",
		    what, iks_direction_name(dir), span, run->count,
		    run->to_end ? ", to the end of the capture" : "",
		    p->all.lost > run->count || p->all.sent > run->count ? "still passed" : "was absent");
	if (!strcmp(what, "ESP"))
		corr_say(v->advice,
		    "Allow ESP (IP protocol 50, or UDP 4500 with NAT-T) from %s to %s on the firewalls "
		    "and NAT in the path.",
		    dir == IKS_DIR_B_TO_A ? "b" : "a", dir == IKS_DIR_B_TO_A ? "a" : "b");
	else
		corr_say(v->advice,
		    "Allow UDP 500 and 4500 (and ESP) from %s to %s on every firewall, ACL and NAT in the "
		    "path; capture in the middle to find the device.",
		    dir == IKS_DIR_B_TO_A ? "b" : "a", dir == IKS_DIR_B_TO_A ? "a" : "b");
}

static void rule_modified(corr_ctx *c, vlist *l, const names *nm, int side)
{
	const iks_correlation *o = c->out;
	int dir = dir_of_side(side);
	iks_verdict *v = NULL;
	uint32_t discarded = 0, icv_failed = 0;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind != IKS_FIND_MODIFIED_IN_TRANSIT || f->direction != dir)
			continue;
		if (!v && !(v = corr_verdict_add(l, IKS_CAUSE_MODIFIED_IN_TRANSIT, dir, "certain")))
			return;
		v->count++;
		if (f->discarded)
			discarded++;
		if (f->icv == IKS_ICV_FAILED)
			icv_failed++;
		corr_verdict_evidence(v, i);
	}
	if (!v)
		return;
	v->discarded = discarded > 0;
	const char *rx = dir == IKS_DIR_B_TO_A ? "a" : "b";
	char consequence[96];
	if (icv_failed)
		snprintf(consequence, sizeof(consequence), "%s discarded %u of them on their ICV", rx,
			 icv_failed);
	else if (discarded)
		snprintf(consequence, sizeof(consequence), "integrity checks at %s fail on %u of them", rx,
			 discarded);
	else
		snprintf(consequence, sizeof(consequence), "nothing at %s checks their integrity", rx);
	corr_say(v->summary,
	    "%u %s %s arrived with bytes changed in transit: a device between %s and %s "
	    "modifies them, and %s",
	    v->count, plural(v->count, "packet", "packets"), iks_direction_name(dir), nm->a, nm->b,
	    consequence);
	corr_say(v->advice,
	    "Find the device that rewrites packets (capture on each side of it); look for IPS, ALG "
	    "or NAT features that touch ESP or UDP 4500, and for faulty links.");
}

static void rule_random(corr_ctx *c, vlist *l, const names *nm)
{
	const iks_correlation *o = c->out;
	bool on[2] = { false, false };
	for (int s = 0; s < 2; s++) {
		const iks_loss_profile *p = &o->loss[s];
		if (p->all.lost <= l->explained[s])
			continue;
		/* what no other cause accounts for: scattered loss (at a high rate, a
		   lossy path rather than one device's rule) */
		on[s] = true;
	}
	if (!on[0] && !on[1])
		return;
	int dir = on[0] && on[1] ? IKS_DIR_BOTH : on[0] ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
	iks_verdict *v = corr_verdict_add(l, IKS_CAUSE_RANDOM_LOSS, dir, "certain");
	if (!v)
		return;
	v->rate_ab = rate(&o->loss[0].all);
	v->rate_ba = rate(&o->loss[1].all);
	for (int s = 0; s < 2; s++)
		if (on[s]) {
			v->count += o->loss[s].all.lost;
			v->total += o->loss[s].all.sent;
		}
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		int s = side_of_dir(f->direction);
		if (f->direction == IKS_DIR_UNKNOWN || !on[s])
			continue;
		if (f->kind == IKS_FIND_PACKET_LOSS || f->kind == IKS_FIND_FRAGMENT_LOSS ||
		    f->kind == IKS_FIND_IKE_UNANSWERED || f->kind == IKS_FIND_IKE_RETRANSMIT)
			corr_verdict_evidence(v, i);
	}
	const iks_loss_profile *pa = &o->loss[0], *pb = &o->loss[1];
	if (dir == IKS_DIR_BOTH)
		corr_say(v->summary,
		    "Loss both ways between %s and %s, not tied to size, fragments or "
		    "protocol: %u of %u a->b (%.1f%%) and %u of %u b->a (%.1f%%) lost",
		    nm->a, nm->b, pa->all.lost, pa->all.sent, 100 * v->rate_ab, pb->all.lost,
		    pb->all.sent, 100 * v->rate_ba);
	else {
		const iks_loss_profile *p = dir == IKS_DIR_A_TO_B ? pa : pb;
		corr_say(v->summary,
		    "Loss %s between %s and %s, not tied to size, fragments or protocol: %u "
		    "of %u lost (%.1f%%)",
		    iks_direction_name(dir), nm->a, nm->b, p->all.lost, p->all.sent,
		    100 * rate(&p->all));
	}
	corr_say(v->advice,
	    "Look for a congested or faulty link (interface errors, drops, duplex mismatch, a "
	    "saturated WAN) between the ends; IKE retransmits cover such loss, ESP traffic feels it.");
}

static void rule_healthy(corr_ctx *c, vlist *l, const names *nm)
{
	const iks_correlation *o = c->out;
	iks_verdict *v = corr_verdict_add(l, IKS_CAUSE_NO_PATH_PROBLEM, IKS_DIR_UNKNOWN, "certain");
	if (!v)
		return;
	const iks_loss_profile *pa = &o->loss[0], *pb = &o->loss[1];
	uint32_t icmp = pa->dropped_icmp + pb->dropped_icmp;
	v->count = pa->all.sent + pb->all.sent;
	if (o->stats.not_covered)
		v->confidence = "likely";
	for (size_t i = 0; i < o->nfinds; i++)
		if (o->finds[i].kind == IKS_FIND_ICMP_FRAG_NEEDED)
			corr_verdict_evidence(v, i);
	if (icmp)
		corr_say(v->summary,
		    "Everything %s and %s sent each other arrived (%u a->b, %u b->a) except %u %s "
		    "a router dropped with an ICMP fragmentation-needed that reached the sender, which "
		    "then adapted: ordinary PMTU discovery",
		    nm->a, nm->b, pa->all.sent - pa->dropped_icmp, pb->all.sent - pb->dropped_icmp, icmp,
		    plural(icmp, "packet", "packets"));
	else
		corr_say(v->summary, "Everything %s and %s sent each other arrived (%u a->b, %u b->a)",
		    nm->a, nm->b, pa->all.sent, pb->all.sent);
	corr_say(v->advice,
	    "The path is not the problem here: look at the peers' configurations and logs%s.",
	    o->stats.not_covered ? ", and at what the captures did not cover" : "");
}

iks_status corr_verdicts(corr_ctx *c)
{
	if (corr_order_findings(c->out) != IKS_OK)
		return IKS_E_NOMEM;
	vlist l;
	memset(&l, 0, sizeof(l));
	names nm;
	end_names(c, &nm);
	/* most decisive first */
	rule_errors(c, &l, &nm);
	/* what the receiver's log proves it dropped: the path is innocent of it */
	size_t nlog = corr_log_verdicts(c->out, &l);
	rule_stale(c, &l, &nm);
	for (int s = 0; s < 2; s++)
		rule_fragments(c, &l, &nm, s);
	for (int s = 0; s < 2; s++)
		rule_pmtu(c, &l, &nm, s);
	rule_nat_rebind(c, &l, &nm);
	rule_one_way(c, &l, &nm);
	for (int s = 0; s < 2; s++)
		rule_blocked(c, &l, &nm, s);
	for (int s = 0; s < 2; s++)
		rule_modified(c, &l, &nm, s);
	rule_random(c, &l, &nm);
	/* healthy only when something was judged: no verdict beats an invented one
	   (a daemon's drop is not the path's: the path may still be healthy) */
	bool judged = c->out->loss[0].all.sent + c->out->loss[1].all.sent > 0;
	size_t before = l.n;
	if (l.n == nlog && judged) {
		rule_healthy(c, &l, &nm);
		if (l.n == before) {
			free(l.v);
			return IKS_E_NOMEM;
		}
	}
	corr_log_notes(c->out, &l);
	c->out->verdicts = l.v;
	c->out->nverdicts = l.n;
	return IKS_OK;
}

size_t iks_correlation_verdicts(const iks_correlation *c, const iks_verdict **arr)
{
	if (!c || !arr)
		return 0;
	*arr = c->verdicts;
	return c->nverdicts;
}

const char *iks_cause_name(int cause)
{
	static const char *const names_[] = {
		"?", "fragments-dropped", "pmtu-blackhole", "blocked", "random-loss",
		"modified-in-transit", "stale-sa", "nat-rebind", "negotiation-error",
		"one-way-failure", "no-path-problem", "no-answer", "daemon-dropped"
	};
	return cause > 0 && cause < (int)(sizeof(names_) / sizeof(names_[0])) ? names_[cause] : "?";
}
