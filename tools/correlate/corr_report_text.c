/* corr_report_text.c - pcapcorrelate's report for people. */
#include "correlate/corr_report.h"

#include "common/verdicts_out.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *addr(const iks_addr *a, char *buf)
{
	return iks_addr_format(a, buf, IKS_ADDRSTRLEN);
}

static const char *notify_text(int version, unsigned type)
{
	const char *nm = iks_ike_notify_name(version, type);
	return nm ? nm : "an error notification";
}

/* Seconds from a copy leaving to the first copy arriving, on one clock:
 * longer than a transit means earlier copies were lost. */
static double transit_s(const iks_finding *f, double offset_s)
{
	if (!f->time_a_s || !f->time_b_s)
		return 0;
	double d = f->time_b_s - offset_s - f->time_a_s;
	return f->direction == IKS_DIR_B_TO_A ? -d : d;
}

static void text_finding(FILE *out, const iks_correlation *c, const iks_finding *f, bool frames,
			 double offset_s, const corr_input *in, const iks_log_record *tie)
{
	char a[IKS_ADDRSTRLEN], b[IKS_ADDRSTRLEN], i[17], r[17], t1[32], t2[32], t3[32], t4[32], ex[24];
	static const char *sev[] = { "INFO ", "WARN ", "ERROR" };
	fprintf(out, "  %s %-19s %-5s", sev[f->severity], iks_finding_kind_name(f->kind),
		f->direction ? iks_correlation_direction_name(c, f->direction) : "");
	if (f->has_ike) {
		hex8(i, f->ispi);
		hex8(r, f->rspi);
		fprintf(out, " IKEv%u %s%s mid 0x%08" PRIx32 " %s/%s", f->version,
			corr_exchange_name(f->version, f->exchange, ex),
			f->version == 2 ? (f->response ? " response" : " request") : "", f->msgid, i, r);
		if (f->size && f->kind != IKS_FIND_FRAGMENT_LOSS && f->kind != IKS_FIND_PACKET_LOSS)
			fprintf(out, " (%" PRIu32 " bytes)", f->size);
	}
	switch (f->kind) {
	case IKS_FIND_CLOCK_OFFSET:
		fprintf(out, " b - a = %+.6f s (%" PRIu64 " matches)", f->offset_s, f->matches);
		break;
	case IKS_FIND_IKE_RETRANSMIT:
		fprintf(out, " sent %u more time%s, intervals", f->count, f->count == 1 ? "" : "s");
		for (unsigned k = 0; k < f->count && k < 8; k++)
			fprintf(out, " %.2fs", f->intervals_s[k]);
		break;
	case IKS_FIND_IKE_UNANSWERED:
		break;
	case IKS_FIND_CAPTURE_CHECK:
		fprintf(out, " %s", f->check ? f->check : "");
		if (f->side)
			fprintf(out, " (capture %c)", f->side);
		if (f->missing_kinds[0])
			fprintf(out, ": no %s", f->missing_kinds);
		if (f->check && !strcmp(f->check, "incomplete"))
			fprintf(out, ": %u packets missed (a point beyond holds them), not counted lost",
				f->count);
		if (f->check && !strcmp(f->check, "no-overlap") && f->nspans == 2)
			fprintf(out, ": a ran %s - %s, b %s - %s (each on its own clock)",
				corr_clock_text(f->spans[0].from_s, t1, sizeof(t1)),
				corr_clock_text(f->spans[0].to_s, t2, sizeof(t2)),
				corr_clock_text(f->spans[1].from_s, t3, sizeof(t3)),
				corr_clock_text(f->spans[1].to_s, t4, sizeof(t4)));
		if (f->check && !strcmp(f->check, "not-covered")) {
			fprintf(out, ": %u of %u packets not judged", f->count, f->total);
			for (unsigned k = 0; k < f->nspans; k++)
				fprintf(out, "%s %s - %s", k ? "," : "; spans",
					corr_clock_text(f->spans[k].from_s, t1, sizeof(t1)),
					corr_clock_text(f->spans[k].to_s, t2, sizeof(t2)));
			if (f->spans_more)
				fprintf(out, " and %u more gap%s", f->spans_more,
					f->spans_more == 1 ? "" : "s");
		}
		break;
	case IKS_FIND_NOTHING_ARRIVED:
		fprintf(out, " %u packets sent, none arrived", f->count);
		break;
	case IKS_FIND_PACKET_LOSS:
		if (!f->has_ike) {
			const char *pn = iks_ip_proto_name(f->proto);
			fprintf(out, " %u of %u %s packets%s", f->count, f->total, pn ? pn : "IP",
				f->other_traffic ? " of other traffic (not IPsec)" : "");
			if (f->spi)
				fprintf(out, " (first: spi 0x%08" PRIx32 " seq %" PRIu32 ")", f->spi, f->seq);
		} else {
			fprintf(out, " %" PRIu32 " bytes", f->size);
		}
		break;
	case IKS_FIND_FRAGMENT_LOSS:
		fprintf(out, " ip id 0x%04" PRIx32 " (%" PRIu32 " bytes", f->ip_id, f->size);
		if (f->spi)
			fprintf(out, ", esp spi 0x%08" PRIx32 " seq %" PRIu32, f->spi, f->seq);
		fprintf(out, "): %u fragment%s arrived, missing", f->count, f->count == 1 ? "" : "s");
		for (unsigned k = 0; k < f->nranges; k++) {
			if (f->missing[k].end == IKS_LEN_UNKNOWN)
				fprintf(out, " %" PRIu32 "-end", f->missing[k].start);
			else
				fprintf(out, " %" PRIu32 "-%" PRIu32, f->missing[k].start, f->missing[k].end);
		}
		if (f->pattern)
			fprintf(out, " [%s: %u of %u fragmented datagrams]", f->pattern, f->pattern_lost,
				f->pattern_total);
		break;
	case IKS_FIND_ICMP_FRAG_NEEDED:
		fprintf(out, " mtu %" PRIu32 " for ip id 0x%04" PRIx32, f->mtu, f->ip_id);
		if (f->spi)
			fprintf(out, " (esp spi 0x%08" PRIx32 " seq %" PRIu32 ")", f->spi, f->seq);
		fprintf(out, ", %s the sender", f->reached_sender ? "reached" : "did NOT reach");
		break;
	case IKS_FIND_PMTU_BLACKHOLE:
		fprintf(out, " %u packets of %" PRIu32 " bytes or more lost; up to %" PRIu32 " bytes pass",
			f->count, f->size_lost_min, f->size_ok_max);
		break;
	case IKS_FIND_HOST_DROP:
		fprintf(out, " %u packet%s dropped inside host %c at \"%s\" (interface %" PRIu32
			"), verdict %" PRIu64 " (type %u)", f->count, f->count == 1 ? "" : "s", f->side,
			f->component, f->component_if, f->verdict, f->verdict_type);
		if (f->spi)
			fprintf(out, ", %s spi 0x%08" PRIx32, f->proto == 51 ? "ah" : "esp", f->spi);
		break;
	case IKS_FIND_NAT_DETECTED:
		fprintf(out, " %c's address %s:%u appears as %s:%u on the other side", f->side,
			addr(&f->addr_before, a), f->port_before, addr(&f->addr_after, b), f->port_after);
		break;
	case IKS_FIND_NAT_REBIND:
		fprintf(out, " %c's public address %s:%u became %s:%u mid-SA", f->side,
			addr(&f->addr_before, a), f->port_before, addr(&f->addr_after, b), f->port_after);
		if (f->spi)
			fprintf(out, " (spi 0x%08" PRIx32 " goes on)", f->spi);
		fprintf(out, "; %c kept sending to the old mapping: %u of %u packets lost in the NAT",
			f->side == 'a' ? 'b' : 'a', f->count, f->total);
		break;
	case IKS_FIND_MODIFIED_IN_TRANSIT:
		if (f->spi)
			fprintf(out, " spi 0x%08" PRIx32 " seq %" PRIu32, f->spi, f->seq);
		fprintf(out, " ip id 0x%04" PRIx32 " (%" PRIu32 " bytes)", f->ip_id, f->size);
		if (f->changed_bytes) {
			fprintf(out, ": %" PRIu32 " byte%s changed", f->changed_bytes,
				f->changed_bytes == 1 ? "" : "s");
			for (uint16_t k = 0; k < f->nchanges; k++) {
				const struct iks_byte_change *ch = &f->changes[k];
				fprintf(out, "%s ip+%" PRIu32, k ? "," : "", ch->ip_offset);
				if (ch->payload_offset != IKS_LEN_UNKNOWN)
					fprintf(out, " (%s+%" PRIu32 ")",
						f->proto == 51 ? "ah" : f->has_ike ? "ike" : f->spi ? "esp" : "payload",
						ch->payload_offset);
				fprintf(out, " %02x->%02x", ch->before, ch->after);
			}
			if (f->changed_bytes > f->nchanges)
				fprintf(out, ", ...");
		}
		if (f->fragments_not_compared)
			fprintf(out, "; %" PRIu32 " fragment%s not compared (past a cap, or cut "
				"differently in the path)", f->fragments_not_compared,
				f->fragments_not_compared == 1 ? "" : "s");
		if (f->size_change)
			fprintf(out, "; size %+" PRId32, f->size_change);
		if (f->icv == IKS_ICV_FAILED)
			fprintf(out, "; ICV failed at the receiver");
		else if (f->icv == IKS_ICV_OK)
			fprintf(out, "; ICV still verified at the receiver");
		if (f->discarded)
			fprintf(out, "; discarded there");
		break;
	case IKS_FIND_LIMIT:
		fprintf(out, " %u", f->count);
		if (f->side)
			fprintf(out, " (capture %c)", f->side);
		break;
	case IKS_FIND_IKE_ERROR:
		fprintf(out, " %s (%u)%s", notify_text(f->version, f->notify), f->notify,
			f->frame_b && f->frame_a ? "" : ", did not arrive");
		break;
	case IKS_FIND_ONE_WAY:
		fprintf(out, ": %u negotiation%s started by %s failed, %u started by %s completed", f->count,
			f->count == 1 ? "" : "s", f->direction == IKS_DIR_A_TO_B ? "a" : "b", f->total,
			f->direction == IKS_DIR_A_TO_B ? "b" : "a");
		break;
	case IKS_FIND_BAD_SPI:
		if (!f->delete_frame) { /* one capture: an SPI no negotiation in it produced */
			fprintf(out, " %s spi 0x%08" PRIx32 ": %u packets on an SA no negotiation here "
				     "produced%s",
				f->proto == 51 ? "AH" : "ESP", f->spi, f->count,
				f->notify == 11 ? " (answered INVALID_SPI)" : "");
			break;
		}
		fprintf(out, " %s spi 0x%08" PRIx32 ": %u packets after the Delete (frame %" PRIu64 " at %s)%s",
			f->proto == 51 ? "AH" : "ESP", f->spi, f->count, f->delete_frame,
			corr_clock_text(f->delete_s, t1, sizeof(t1)),
			f->delete_arrived ? "" : ", which never arrived");
		break;
	default:
		break;
	}
	if (tie) {
		char where[300];
		int rx = f->direction == IKS_DIR_A_TO_B ? 1 : 0;
		logview_record_where(in[rx].log, tie, where, sizeof(where));
		fprintf(out, "; %c's log: %s ICV verification failed", rx ? 'b' : 'a', where);
	}
	fprintf(out, "\n      %s", f->explain ? f->explain : "");
	if (frames && (f->frame_a || f->frame_b)) {
		fputs("\n      ", out);
		if (f->frame_a)
			fprintf(out, "a: frame %" PRIu64 " at %s", f->frame_a, corr_clock_text(f->time_a_s, t1, sizeof(t1)));
		else
			fputs("a: not seen", out);
		if (f->frame_b)
			fprintf(out, "   b: frame %" PRIu64 " at %s", f->frame_b, corr_clock_text(f->time_b_s, t2, sizeof(t2)));
		else
			fputs("   b: not seen", out);
		double tr = transit_s(f, offset_s);
		if (tr > 0.5)
			fprintf(out, "   (the first copy to arrive left %.2f s after the first one sent: "
				"earlier copies were lost)", tr);
	}
	fputc('\n', out);
}

/* Findings that say the same thing about the same packets' kind fold into
 * one line: same kind, severity, direction, IKE message (or SPI and
 * protocol), fragment pattern and ICMP fate. */
static bool same_group(const iks_finding *x, const iks_finding *y)
{
	if (x->kind != y->kind || x->severity != y->severity || x->direction != y->direction)
		return false;
	if (x->kind == IKS_FIND_CLOCK_OFFSET || x->kind == IKS_FIND_LIMIT ||
	    x->kind == IKS_FIND_NAT_DETECTED || x->kind == IKS_FIND_ONE_WAY ||
	    x->kind == IKS_FIND_PMTU_BLACKHOLE)
		return false;
	if (x->has_ike != y->has_ike)
		return false;
	if (x->has_ike && (x->msgid != y->msgid || memcmp(x->ispi, y->ispi, 8) ||
			   x->exchange != y->exchange || x->size != y->size))
		return false;
	if (!x->has_ike && (x->spi != y->spi || x->proto != y->proto))
		return false;
	if ((x->pattern == NULL) != (y->pattern == NULL) ||
	    (x->pattern && strcmp(x->pattern, y->pattern)))
		return false;
	if (x->kind == IKS_FIND_ICMP_FRAG_NEEDED &&
	    (x->reached_sender != y->reached_sender || x->mtu != y->mtu))
		return false;
	if (x->kind == IKS_FIND_IKE_ERROR && x->notify != y->notify)
		return false;
	/* (modified-in-transit stays one line a packet: each has its own bytes) */
	return x->kind == IKS_FIND_FRAGMENT_LOSS || x->kind == IKS_FIND_ICMP_FRAG_NEEDED || x->kind == IKS_FIND_PACKET_LOSS ||
	       x->kind == IKS_FIND_BAD_SPI || x->kind == IKS_FIND_IKE_ERROR;
}

/* "11, 16, 19" - the frames of one side of a group (at most 12, then "...") */
static void group_frames(FILE *out, const iks_finding *f, const size_t *idx, size_t n, int side)
{
	size_t shown = 0;
	for (size_t k = 0; k < n; k++) {
		uint64_t fr = side ? f[idx[k]].frame_b : f[idx[k]].frame_a;
		if (!fr)
			continue;
		if (shown == 12) {
			fputs(", ...", out);
			break;
		}
		fprintf(out, "%s%" PRIu64, shown ? ", " : "", fr);
		shown++;
	}
	if (!shown)
		fputs("not seen", out);
}

/* Findings grouped: one line per group with its count and the frames. */
void corr_text_findings(FILE *out, const corr_input in[2], const iks_correlation *c,
			double offset_s)
{
	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	corr_icv_ties ties;
	corr_icv_ties_make(in, c, &ties);
	for (int s = 0; s < 2; s++)
		if (ties.log_failures[s])
			fprintf(out, "%c's log: %u packets discarded on their integrity check (ICV), %u of "
				"them tied to packets changed in transit\n", s ? 'b' : 'a',
				ties.log_failures[s], ties.tied[s]);
	size_t *idx = malloc((nf ? nf : 1) * sizeof(*idx));
	bool *done = calloc(nf ? nf : 1, sizeof(*done));
	if (!idx || !done) {
		free(idx);
		free(done);
		for (size_t k = 0; k < nf; k++)
			text_finding(out, c, &f[k], true, offset_s, in, ties.rec ? ties.rec[k] : NULL);
		corr_icv_ties_free(&ties);
		return;
	}
	for (size_t k = 0; k < nf; k++) {
		if (done[k])
			continue;
		size_t n = 0;
		for (size_t j = k; j < nf; j++)
			if (!done[j] && (j == k || same_group(&f[k], &f[j]))) {
				idx[n++] = j;
				done[j] = true;
			}
		if (n == 1) {
			fprintf(out, "  #%zu", k + 1);
			text_finding(out, c, &f[k], true, offset_s, in, ties.rec ? ties.rec[k] : NULL);
			continue;
		}
		fprintf(out, "  #%zu-#%zu %zux", k + 1, idx[n - 1] + 1, n);
		text_finding(out, c, &f[k], false, offset_s, in, ties.rec ? ties.rec[k] : NULL);
		fputs("      frames a: ", out);
		group_frames(out, f, idx, n, 0);
		fputs("; b: ", out);
		group_frames(out, f, idx, n, 1);
		fputc('\n', out);
	}
	free(idx);
	free(done);
	corr_icv_ties_free(&ties);
}

/* " [log a file:line time]" for the copy of a message in one end's log */
static void text_log_ref(FILE *out, const corr_input *in, int side, uint64_t frame)
{
	if (!in[side].log || !frame)
		return;
	const iks_log_msg *m = logview_msg_for_frame(in[side].log, frame);
	char where[300];
	if (m) {
		logview_msg_where(in[side].log, m, where, sizeof(where));
		fprintf(out, "  [log %c %s]", side ? 'b' : 'a', where);
	} else {
		fprintf(out, "  [not in %c's log]", side ? 'b' : 'a');
	}
}

static void text_timeline(FILE *out, const corr_input *in, const iks_negotiation *n,
			  const iks_clock_estimate *ce)
{
	char t1[32], t2[32], ex[24];
	for (uint32_t e = 0; e < n->nexchanges; e++) {
		const iks_ike_exchange *x = &n->exchanges[e];
		for (uint16_t k = 0; k < x->nmessages; k++) {
			const iks_ike_message *m = &x->messages[k];
			char what[96];
			snprintf(what, sizeof(what), "%s %s mid 0x%08" PRIx32 " %" PRIu32 "B%s",
				 corr_exchange_name(n->version, x->type, ex), m->response ? "resp" : "req",
				 x->msgid, m->length, m->sent_count > 1 ? " (repeated)" : "");
			/* a's clock: a's own times, b's times minus the offset */
			double ta = m->dir == IKS_DIR_A_TO_B ? m->sent_s
				    : (m->received_s > 0 ? m->received_s
					       : m->sent_s - (ce->known ? ce->offset_s : 0));
			double tb = m->dir == IKS_DIR_B_TO_A ? m->sent_s : m->received_s;
			const char *arrow;
			if (!m->arrived_count && m->not_covered)
				arrow = m->dir == IKS_DIR_A_TO_B ? "- - - - - - ?" : "? - - - - - -";
			else if (m->dir == IKS_DIR_A_TO_B)
				arrow = m->arrived_count ? "------------->" : "-------X      ";
			else
				arrow = m->arrived_count ? "<-------------" : "      X-------";
			fprintf(out, "    %-15s %s %-44s %s  b %-15s", corr_clock_text(ta, t1, sizeof(t1)),
				m->dir == IKS_DIR_A_TO_B ? "a" : " ", what, arrow,
				corr_clock_text(m->dir == IKS_DIR_A_TO_B && !m->arrived_count ? 0 : tb, t2,
					   sizeof(t2)));
			if (m->sent_count > 1)
				fprintf(out, "  sent %ux, arrived %ux", m->sent_count, m->arrived_count);
			if (m->arrived_count && ta > 0 && tb > 0) {
				double tr = tb - ce->offset_s - ta;
				if (m->dir == IKS_DIR_B_TO_A)
					tr = -tr;
				if (tr > 0.5)
					fprintf(out, "  (first copy lost: the copy that arrived was sent %.2f s later)", tr);
			}
			if (!m->arrived_count && m->not_covered)
				fputs("  (the other end was not capturing)", out);
			int sender = m->dir == IKS_DIR_A_TO_B ? 0 : 1;
			text_log_ref(out, in, sender, m->frame_sent_whole);
			if (m->arrived_count)
				text_log_ref(out, in, 1 - sender, m->frame_received);
			fputc('\n', out);
		}
	}
}

bool corr_text_shown(size_t nn, const iks_negotiation *n)
{
	return nn <= CORR_TEXT_NEGS_ALL || n->outcome != IKS_OUTCOME_COMPLETE;
}

static size_t not_shown(const iks_negotiation *negs, size_t nn)
{
	size_t k = 0;
	for (size_t i = 0; i < nn; i++)
		k += !corr_text_shown(nn, &negs[i]);
	return k;
}

void corr_text_negotiations(FILE *out, const iks_negotiation *negs, size_t nn)
{
	for (size_t k = 0; k < nn; k++)
		if (corr_text_shown(nn, &negs[k]))
			corr_text_negotiation(out, &negs[k]);
	size_t hidden = not_shown(negs, nn);
	if (hidden)
		fprintf(out, "  and %zu more that completed, not listed (--json and --html have "
			"every one)\n", hidden);
}

void corr_text_not_drawn(FILE *out, const iks_negotiation *negs, size_t nn)
{
	size_t hidden = not_shown(negs, nn);
	if (hidden)
		fprintf(out, "  (%zu negotiations that completed are not drawn: --html draws every "
			"one)\n", hidden);
}

/* One negotiation's line: its SPIs, who started it, its outcome and why. */
void corr_text_negotiation(FILE *out, const iks_negotiation *n)
{
	char i[17], r[17], ex[24];
	hex8(i, n->ispi);
	hex8(r, n->rspi);
	fprintf(out, "  IKEv%u %s/%s initiated by %s: %s", n->version, i, r,
		n->initiator == IKS_DIR_A_TO_B ? "a" : "b", iks_outcome_name(n->outcome));
	if (n->outcome == IKS_OUTCOME_FAILED)
		fprintf(out, " at %s mid 0x%08" PRIx32, corr_exchange_name(n->version, n->failed_exchange, ex),
			n->failed_msgid);
	if (n->error_notify)
		fprintf(out, " (%s sent %s)\n", n->error_dir == IKS_DIR_A_TO_B ? "a" : "b",
			notify_text(n->version, n->error_notify));
	else
		fprintf(out, " (%s)\n", n->outcome_reason);
}

void corr_report_text(FILE *out, const corr_input in[2], const iks_correlation *c)
{
	char a1[IKS_ADDRSTRLEN], a2[IKS_ADDRSTRLEN], b1[IKS_ADDRSTRLEN], b2[IKS_ADDRSTRLEN];
	char t1[32], t2[32];
	const iks_clock_estimate *ce = iks_correlation_clock(c);
	const iks_endpoints *e = iks_correlation_endpoints(c);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	verdicts_text(out, c);
	fprintf(out, "a: %s (%" PRIu64 " frames)\nb: %s (%" PRIu64 " frames)\n", in[0].path,
		in[0].info.frames, in[1].path, in[1].info.frames);
	for (int s = 0; s < 2; s++)
		if (in[s].warning)
			fprintf(out, "warning: %s\n", in[s].warning);
	if (e->known) {
		fprintf(out, "hosts: a = %s:%u (b sees %s:%u), b = %s:%u (a sees %s:%u); ends told apart by %s\n",
			addr(&e->a_in_a, a1), e->a_port_in_a, addr(&e->a_in_b, a2), e->a_port_in_b,
			addr(&e->b_in_b, b1), e->b_port_in_b, addr(&e->b_in_a, b2), e->b_port_in_a,
			e->method);
		if (e->a_natt_port_in_a)
			fprintf(out, "NAT-T (UDP 4500): a = %s:%u (b sees %s:%u), b = %s:%u (a sees %s:%u)\n",
				addr(&e->a_in_a, a1), e->a_natt_port_in_a, addr(&e->a_in_b, a2),
				e->a_natt_port_in_b, addr(&e->b_in_b, b1), e->b_natt_port_in_b,
				addr(&e->b_in_a, b2), e->b_natt_port_in_a);
	}
	if (!ce->known) {
		fprintf(out, "clock: not known: not one packet between the ends is in both captures "
			"(times are shown as each capture has them)\n");
	} else {
		fprintf(out, "clock: b - a = %+.6f s", ce->offset_s);
		if (isfinite(ce->error_s))
			fprintf(out, " +/- %.6f s", ce->error_s);
		fprintf(out, " from %" PRIu64 " matches (a->b %" PRIu64 ", b->a %" PRIu64 "; %s",
			ce->matches, ce->matches_ab, ce->matches_ba, ce->basis ? ce->basis : "");
		if (ce->fragment_matches)
			fprintf(out, ", %" PRIu64 " of them IP fragments", ce->fragment_matches);
		fprintf(out, "), one-way delay %.6f s, spread %.6f s, drift %.3f ppm\n", ce->delay_ab_s,
			ce->spread_s, ce->drift_ppm);
		if (!isfinite(ce->error_s))
			fprintf(out, "       one direction only: the offset includes its one-way delay, "
				"which the data does not bound\n");
		for (uint32_t k = 0; k < ce->nsteps && k < 4; k++)
			fprintf(out, "       clock step of %+.6f s at %s\n", ce->steps[k].step_s,
				corr_clock_text(ce->steps[k].at_s, t1, sizeof(t1)));
	}
	if (e->covered_to_s < e->covered_from_s)
		fputs("overlap (a's clock): none: the captures never ran at the same instant\n", out);
	else
		fprintf(out, "overlap (a's clock): %s - %s\n",
			corr_clock_text(e->covered_from_s, t1, sizeof(t1)),
			corr_clock_text(e->covered_to_s, t2, sizeof(t2)));
	fprintf(out, "packets: a sent %" PRIu64 " (%" PRIu64 " arrived, %" PRIu64 " lost), b sent %" PRIu64
		" (%" PRIu64 " arrived, %" PRIu64 " lost); %" PRIu64 " dropped with an ICMP error; %" PRIu64
		" outside the overlap not judged\n",
		st.sent_a, st.matched_ab, st.lost_ab, st.sent_b, st.matched_ba, st.lost_ba,
		st.dropped_with_icmp, st.not_covered);
	if (st.discarded_ab || st.discarded_ba)
		fprintf(out, "changed in transit: %" PRIu64 " a->b and %" PRIu64 " b->a arrived changed "
			"and were discarded by the receiver (not counted as arrived)\n",
			st.discarded_ab, st.discarded_ba);
	if (st.modified_not_compared)
		fprintf(out, "changed in transit: %" PRIu64 " packets not compared byte by byte (a cap "
			"was reached, or a file could not be read again)\n", st.modified_not_compared);
	if (st.modified_compared_partly)
		fprintf(out, "changed in transit: %" PRIu64 " packets compared only in part (fragments "
			"past a cap, or cut differently in the path: their changed bytes are a lower "
			"bound)\n", st.modified_compared_partly);
	if (st.icv_failed_ab || st.icv_failed_ba)
		fprintf(out, "integrity (with keys): %" PRIu64 " ICV failures at b (%" PRIu64
			" of them on packets changed in transit), %" PRIu64 " at a (%" PRIu64 ")\n",
			st.icv_failed_ab, st.icv_failed_modified_ab, st.icv_failed_ba,
			st.icv_failed_modified_ba);
	if (st.host_dropped_a || st.host_dropped_b)
		fprintf(out, "host drops (arrived, then dropped inside the capturing host): a %" PRIu64
			", b %" PRIu64 "\n", st.host_dropped_a, st.host_dropped_b);

	corr_text_logs(out, in, c);

	const iks_negotiation *negs;
	size_t nn = iks_correlation_negotiations(c, &negs);
	fprintf(out, "\nnegotiations (%zu):\n", nn);
	corr_text_negotiations(out, negs, nn);

	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	fprintf(out, "\nfindings (%zu):\n", nf);
	corr_text_findings(out, in, c, ce->known ? ce->offset_s : 0.0);

	fprintf(out, "\ntimeline (a's clock on the left, b's on the right):\n");
	corr_text_timelines(out, in, c);
}

void corr_text_logs(FILE *out, const corr_input in[2], const iks_correlation *c)
{
	for (int s = 0; s < 2; s++) {
		if (!in[s].log)
			continue;
		fprintf(out, "%c: ", s ? 'b' : 'a');
		logview_summary_text(in[s].log, out);
	}
	for (int s = 0; s < 2; s++)
		if (in[s].events)
			corr_events_text(out, in[s].events, s ? 'b' : 'a', c);
}

void corr_text_timelines(FILE *out, const corr_input in[2], const iks_correlation *c)
{
	char i[17];
	const iks_negotiation *negs;
	size_t nn = iks_correlation_negotiations(c, &negs);
	for (size_t k = 0; k < nn; k++) {
		if (!corr_text_shown(nn, &negs[k]))
			continue;
		hex8(i, negs[k].ispi);
		fprintf(out, "  IKEv%u %s\n", negs[k].version, i);
		text_timeline(out, in, &negs[k], iks_correlation_clock(c));
	}
	corr_text_not_drawn(out, negs, nn);
}
