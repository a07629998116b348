/* corr_report.c - the text and JSON reports of pcapcorrelate. */
#include "corr_report.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"

static const char *addr(const iks_addr *a, char *buf)
{
	return iks_addr_format(a, buf, IKS_ADDRSTRLEN);
}

static void hex8(char *out, const uint8_t *p)
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* "13:02:45.096384" (UTC) from epoch seconds */
static const char *clock_text(double t, char *buf, size_t len)
{
	if (t <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	time_t s = (time_t)floor(t);
	struct tm tm;
	char hms[16];
	gmtime_r(&s, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ld", hms, (long)((t - (double)s) * 1e6 + 0.5) % 1000000);
	return buf;
}

static int severity_rank(int sev)
{
	return 2 - sev;
}

static const char *exchange_name(int version, unsigned type, char *buf)
{
	const char *n = iks_ike_exchange_name(version, type);
	if (n)
		return n;
	snprintf(buf, 16, "exchange %u", type);
	return buf;
}

static void text_finding(FILE *out, const iks_finding *f)
{
	char a[IKS_ADDRSTRLEN], b[IKS_ADDRSTRLEN], i[17], r[17], t1[32], t2[32], ex[16];
	static const char *sev[] = { "INFO ", "WARN ", "ERROR" };
	fprintf(out, "  %s %-19s %-5s", sev[f->severity], iks_finding_kind_name(f->kind),
		f->direction ? iks_direction_name(f->direction) : "");
	if (f->has_ike) {
		hex8(i, f->ispi);
		hex8(r, f->rspi);
		fprintf(out, " IKEv%u %s mid 0x%08" PRIx32 " %s/%s", f->version,
			exchange_name(f->version, f->exchange, ex), f->msgid, i, r);
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
	case IKS_FIND_PACKET_LOSS:
		if (!f->has_ike) {
			const char *pn = iks_ip_proto_name(f->proto);
			fprintf(out, " %u of %u %s packets", f->count, f->total, pn ? pn : "IP");
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
	case IKS_FIND_NAT_DETECTED:
		fprintf(out, " %c's address %s:%u appears as %s:%u on the other side", f->side,
			addr(&f->addr_before, a), f->port_before, addr(&f->addr_after, b), f->port_after);
		break;
	case IKS_FIND_MODIFIED_IN_TRANSIT:
		if (f->spi)
			fprintf(out, " spi 0x%08" PRIx32 " seq %" PRIu32, f->spi, f->seq);
		break;
	case IKS_FIND_LIMIT:
		fprintf(out, " %u", f->count);
		break;
	default:
		break;
	}
	fprintf(out, "\n      %s", f->explain ? f->explain : "");
	if (f->frame_a || f->frame_b) {
		fputs("\n      ", out);
		if (f->frame_a)
			fprintf(out, "a: frame %" PRIu64 " at %s", f->frame_a, clock_text(f->time_a_s, t1, sizeof(t1)));
		else
			fputs("a: not seen", out);
		if (f->frame_b)
			fprintf(out, "   b: frame %" PRIu64 " at %s", f->frame_b, clock_text(f->time_b_s, t2, sizeof(t2)));
		else
			fputs("   b: not seen", out);
	}
	fputc('\n', out);
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
	char t1[32], t2[32], ex[16];
	for (uint32_t e = 0; e < n->nexchanges; e++) {
		const iks_ike_exchange *x = &n->exchanges[e];
		for (uint16_t k = 0; k < x->nmessages; k++) {
			const iks_ike_message *m = &x->messages[k];
			char what[96];
			snprintf(what, sizeof(what), "%s %s mid 0x%" PRIx32 " %" PRIu32 "B%s",
				 exchange_name(n->version, x->type, ex), m->response ? "resp" : "req",
				 x->msgid, m->length, m->sent_count > 1 ? " (repeated)" : "");
			/* a's clock: a's own times, b's times minus the offset */
			double ta = m->dir == IKS_DIR_A_TO_B ? m->sent_s
				    : (m->received_s > 0 ? m->received_s : m->sent_s - ce->offset_s);
			double tb = m->dir == IKS_DIR_B_TO_A ? m->sent_s : m->received_s;
			const char *arrow;
			if (!m->arrived_count && m->not_covered)
				arrow = m->dir == IKS_DIR_A_TO_B ? "- - - - - - ?" : "? - - - - - -";
			else if (m->dir == IKS_DIR_A_TO_B)
				arrow = m->arrived_count ? "------------->" : "-------X      ";
			else
				arrow = m->arrived_count ? "<-------------" : "      X-------";
			fprintf(out, "    %-15s %s %-44s %s  b %-15s", clock_text(ta, t1, sizeof(t1)),
				m->dir == IKS_DIR_A_TO_B ? "a" : " ", what, arrow,
				clock_text(m->dir == IKS_DIR_A_TO_B && !m->arrived_count ? 0 : tb, t2,
					   sizeof(t2)));
			if (m->sent_count > 1)
				fprintf(out, "  sent %ux, arrived %ux", m->sent_count, m->arrived_count);
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

void corr_report_text(FILE *out, const corr_input in[2], const iks_correlation *c)
{
	char a1[IKS_ADDRSTRLEN], a2[IKS_ADDRSTRLEN], b1[IKS_ADDRSTRLEN], b2[IKS_ADDRSTRLEN];
	char t1[32], t2[32], i[17], r[17], ex[16];
	const iks_clock_estimate *ce = iks_correlation_clock(c);
	const iks_endpoints *e = iks_correlation_endpoints(c);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
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
	}
	fprintf(out, "clock: b - a = %+.6f s from %" PRIu64 " matches (a->b %" PRIu64 ", b->a %" PRIu64
		"), one-way delay %.6f s, spread %.6f s, drift %.3f ppm\n",
		ce->offset_s, ce->matches, ce->matches_ab, ce->matches_ba, ce->delay_ab_s, ce->spread_s,
		ce->drift_ppm);
	fprintf(out, "overlap (a's clock): %s - %s\n", clock_text(e->covered_from_s, t1, sizeof(t1)),
		clock_text(e->covered_to_s, t2, sizeof(t2)));
	fprintf(out, "packets: a sent %" PRIu64 " (%" PRIu64 " arrived, %" PRIu64 " lost), b sent %" PRIu64
		" (%" PRIu64 " arrived, %" PRIu64 " lost); %" PRIu64 " dropped with an ICMP error; %" PRIu64
		" outside the overlap not judged\n",
		st.sent_a, st.matched_ab, st.lost_ab, st.sent_b, st.matched_ba, st.lost_ba,
		st.dropped_with_icmp, st.not_covered);

	for (int s = 0; s < 2; s++) {
		if (!in[s].log)
			continue;
		fprintf(out, "%c: ", s ? 'b' : 'a');
		logview_summary_text(in[s].log, out);
	}
	for (int s = 0; s < 2; s++)
		if (in[s].events)
			corr_events_text(out, in[s].events, s ? 'b' : 'a', c);

	const iks_negotiation *negs;
	size_t nn = iks_correlation_negotiations(c, &negs);
	fprintf(out, "\nnegotiations (%zu):\n", nn);
	for (size_t k = 0; k < nn; k++) {
		const iks_negotiation *n = &negs[k];
		hex8(i, n->ispi);
		hex8(r, n->rspi);
		fprintf(out, "  IKEv%u %s/%s initiated by %s: %s", n->version, i, r,
			n->initiator == IKS_DIR_A_TO_B ? "a" : "b", iks_outcome_name(n->outcome));
		if (n->outcome == IKS_OUTCOME_FAILED)
			fprintf(out, " at %s mid %" PRIu32, exchange_name(n->version, n->failed_exchange, ex),
				n->failed_msgid);
		fprintf(out, " (%s)\n", n->outcome_reason);
	}

	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	fprintf(out, "\nfindings (%zu):\n", nf);
	for (int rank = 0; rank < 3; rank++)
		for (size_t k = 0; k < nf; k++)
			if (severity_rank(f[k].severity) == rank)
				text_finding(out, &f[k]);

	fprintf(out, "\ntimeline (a's clock on the left, b's on the right):\n");
	for (size_t k = 0; k < nn; k++) {
		hex8(i, negs[k].ispi);
		fprintf(out, "  IKEv%u %s\n", negs[k].version, i);
		text_timeline(out, in, &negs[k], ce);
	}
}

/* ------------------------------------------------------------------ JSON */

static void jw_time(jsonw *w, double t)
{
	char buf[32];
	if (t <= 0) {
		jw_null(w);
		return;
	}
	snprintf(buf, sizeof(buf), "%.6f", t);
	jw_raw(w, buf);
}

static void jw_double(jsonw *w, double v, int digits)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%.*f", digits, v);
	jw_raw(w, buf);
}

static void jw_addr(jsonw *w, const iks_addr *a)
{
	char buf[IKS_ADDRSTRLEN];
	jw_str(w, iks_addr_format(a, buf, sizeof(buf)));
}

/* "spi" and "seq" of an ESP/AH packet a finding names */
static void json_spi_seq(jsonw *w, const iks_finding *f)
{
	char m[9];
	if (!f->spi)
		return;
	jw_key(w, "spi");
	snprintf(m, sizeof(m), "%08" PRIx32, f->spi);
	jw_str(w, m);
	jw_key(w, "seq");
	jw_uint(w, f->seq);
}

static void json_finding(jsonw *w, const iks_finding *f)
{
	char h[17], m[9];
	jw_obj_begin(w);
	jw_key(w, "kind");
	jw_str(w, iks_finding_kind_name(f->kind));
	jw_key(w, "severity");
	jw_str(w, iks_severity_name(f->severity));
	jw_key(w, "direction");
	if (f->direction)
		jw_str(w, iks_direction_name(f->direction));
	else
		jw_null(w);
	jw_key(w, "explain");
	jw_str(w, f->explain);
	jw_key(w, "time_a");
	jw_time(w, f->time_a_s);
	jw_key(w, "time_b");
	jw_time(w, f->time_b_s);
	jw_key(w, "frame_a");
	if (f->frame_a)
		jw_uint(w, f->frame_a);
	else
		jw_null(w);
	jw_key(w, "frame_b");
	if (f->frame_b)
		jw_uint(w, f->frame_b);
	else
		jw_null(w);
	if (f->has_ike) {
		jw_key(w, "version");
		jw_uint(w, f->version);
		jw_key(w, "ispi");
		hex8(h, f->ispi);
		jw_str(w, h);
		jw_key(w, "rspi");
		hex8(h, f->rspi);
		jw_str(w, h);
		jw_key(w, "exchange");
		jw_uint(w, f->exchange);
		jw_key(w, "msgid");
		snprintf(m, sizeof(m), "%08" PRIx32, f->msgid);
		jw_str(w, m);
	}
	switch (f->kind) {
	case IKS_FIND_CLOCK_OFFSET:
		jw_key(w, "seconds");
		jw_double(w, f->offset_s, 9);
		jw_key(w, "matches");
		jw_uint(w, f->matches);
		break;
	case IKS_FIND_IKE_RETRANSMIT:
		jw_key(w, "count");
		jw_uint(w, f->count);
		jw_key(w, "intervals");
		jw_arr_begin(w);
		for (unsigned k = 0; k < f->count && k < 8; k++)
			jw_double(w, f->intervals_s[k], 6);
		jw_arr_end(w);
		break;
	case IKS_FIND_PACKET_LOSS:
		jw_key(w, "count");
		jw_uint(w, f->count);
		if (f->total) {
			jw_key(w, "of");
			jw_uint(w, f->total);
		}
		jw_key(w, "proto");
		jw_uint(w, f->proto);
		json_spi_seq(w, f);
		break;
	case IKS_FIND_FRAGMENT_LOSS:
		jw_key(w, "ip_id");
		jw_uint(w, f->ip_id);
		jw_key(w, "size");
		jw_uint(w, f->size);
		jw_key(w, "fragments_arrived");
		jw_uint(w, f->count);
		jw_key(w, "fragmented_at_sender");
		jw_bool(w, f->fragmented_at_sender);
		jw_key(w, "missing");
		jw_arr_begin(w);
		for (unsigned k = 0; k < f->nranges; k++) {
			jw_arr_begin(w);
			jw_uint(w, f->missing[k].start);
			if (f->missing[k].end == IKS_LEN_UNKNOWN)
				jw_null(w);
			else
				jw_uint(w, f->missing[k].end);
			jw_arr_end(w);
		}
		jw_arr_end(w);
		json_spi_seq(w, f);
		if (f->pattern) {
			jw_key(w, "pattern");
			jw_str(w, f->pattern);
			jw_key(w, "pattern_lost");
			jw_uint(w, f->pattern_lost);
			jw_key(w, "pattern_total");
			jw_uint(w, f->pattern_total);
		}
		break;
	case IKS_FIND_ICMP_FRAG_NEEDED:
		jw_key(w, "mtu");
		jw_uint(w, f->mtu);
		jw_key(w, "reached_sender");
		jw_bool(w, f->reached_sender);
		jw_key(w, "ip_id");
		jw_uint(w, f->ip_id);
		json_spi_seq(w, f);
		break;
	case IKS_FIND_PMTU_BLACKHOLE:
		jw_key(w, "count");
		jw_uint(w, f->count);
		jw_key(w, "size_ok_max");
		jw_uint(w, f->size_ok_max);
		jw_key(w, "size_lost_min");
		jw_uint(w, f->size_lost_min);
		break;
	case IKS_FIND_NAT_DETECTED: {
		char side[2] = { f->side, 0 };
		jw_key(w, "side");
		jw_str(w, side);
		jw_key(w, "before");
		jw_addr(w, &f->addr_before);
		jw_key(w, "port_before");
		jw_uint(w, f->port_before);
		jw_key(w, "after");
		jw_addr(w, &f->addr_after);
		jw_key(w, "port_after");
		jw_uint(w, f->port_after);
		break;
	}
	case IKS_FIND_MODIFIED_IN_TRANSIT:
		jw_key(w, "proto");
		jw_uint(w, f->proto);
		json_spi_seq(w, f);
		break;
	case IKS_FIND_LIMIT:
		jw_key(w, "count");
		jw_uint(w, f->count);
		break;
	default:
		break;
	}
	jw_obj_end(w);
}

static void json_log_ref(jsonw *w, const corr_input *in, int side, uint64_t frame, const char *key)
{
	if (!in[side].log)
		return;
	jw_key(w, key);
	const iks_log_msg *m = frame ? logview_msg_for_frame(in[side].log, frame) : NULL;
	if (m)
		logview_msg_json(in[side].log, m, w);
	else
		jw_null(w);
}

static void json_negotiation(jsonw *w, const corr_input *in, const iks_negotiation *n)
{
	char h[17];
	jw_obj_begin(w);
	jw_key(w, "version");
	jw_uint(w, n->version);
	jw_key(w, "ispi");
	hex8(h, n->ispi);
	jw_str(w, h);
	jw_key(w, "rspi");
	hex8(h, n->rspi);
	jw_str(w, h);
	jw_key(w, "initiator");
	jw_str(w, n->initiator == IKS_DIR_A_TO_B ? "a" : "b");
	jw_key(w, "outcome");
	jw_str(w, iks_outcome_name(n->outcome));
	jw_key(w, "reason");
	jw_str(w, n->outcome_reason);
	if (n->outcome == IKS_OUTCOME_FAILED) {
		jw_key(w, "failed_exchange");
		jw_uint(w, n->failed_exchange);
		jw_key(w, "failed_msgid");
		snprintf(h, sizeof(h), "%08" PRIx32, n->failed_msgid);
		jw_str(w, h);
	}
	jw_key(w, "exchanges");
	jw_arr_begin(w);
	for (uint32_t e = 0; e < n->nexchanges; e++) {
		const iks_ike_exchange *x = &n->exchanges[e];
		jw_obj_begin(w);
		jw_key(w, "type");
		jw_uint(w, x->type);
		jw_key(w, "name");
		jw_str(w, iks_ike_exchange_name(n->version, x->type));
		jw_key(w, "msgid");
		snprintf(h, sizeof(h), "%08" PRIx32, x->msgid);
		jw_str(w, h);
		jw_key(w, "messages");
		jw_arr_begin(w);
		for (uint16_t k = 0; k < x->nmessages; k++) {
			const iks_ike_message *m = &x->messages[k];
			jw_obj_begin(w);
			jw_key(w, "dir");
			jw_str(w, iks_direction_name(m->dir));
			jw_key(w, "response");
			jw_bool(w, m->response);
			jw_key(w, "length");
			jw_uint(w, m->length);
			jw_key(w, "sent");
			jw_time(w, m->sent_s);
			jw_key(w, "received");
			jw_time(w, m->arrived_count ? m->received_s : 0);
			jw_key(w, "frame_sent");
			jw_uint(w, m->frame_sent);
			jw_key(w, "frame_received");
			if (m->arrived_count)
				jw_uint(w, m->frame_received);
			else
				jw_null(w);
			jw_key(w, "copies_sent");
			jw_uint(w, m->sent_count);
			jw_key(w, "copies_arrived");
			jw_uint(w, m->arrived_count);
			jw_key(w, "retransmits");
			jw_uint(w, m->sent_count ? m->sent_count - 1 : 0);
			int sender = m->dir == IKS_DIR_A_TO_B ? 0 : 1;
			json_log_ref(w, in, sender, m->frame_sent_whole, "log_sent");
			json_log_ref(w, in, 1 - sender, m->arrived_count ? m->frame_received : 0,
				     "log_received");
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void corr_report_json(FILE *out, const corr_input in[2], const iks_correlation *c)
{
	strbuf b;
	jsonw w;
	sb_init(&b);
	jw_init(&w, &b);
	const iks_clock_estimate *ce = iks_correlation_clock(c);
	const iks_endpoints *e = iks_correlation_endpoints(c);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	jw_obj_begin(&w);
	jw_key(&w, "captures");
	jw_obj_begin(&w);
	for (int s = 0; s < 2; s++) {
		jw_key(&w, s ? "b" : "a");
		jw_obj_begin(&w);
		jw_key(&w, "file");
		jw_str(&w, in[s].path);
		jw_key(&w, "frames");
		jw_uint(&w, in[s].info.frames);
		jw_key(&w, "first");
		jw_time(&w, (double)in[s].info.first_ns / 1e9);
		jw_key(&w, "last");
		jw_time(&w, (double)in[s].info.last_ns / 1e9);
		jw_key(&w, "warning");
		jw_str(&w, in[s].warning);
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	jw_key(&w, "hosts");
	jw_obj_begin(&w);
	jw_key(&w, "method");
	jw_str(&w, e->method);
	jw_key(&w, "a");
	jw_obj_begin(&w);
	jw_key(&w, "in_a");
	jw_addr(&w, &e->a_in_a);
	jw_key(&w, "in_b");
	jw_addr(&w, &e->a_in_b);
	jw_key(&w, "port_in_a");
	jw_uint(&w, e->a_port_in_a);
	jw_key(&w, "port_in_b");
	jw_uint(&w, e->a_port_in_b);
	jw_obj_end(&w);
	jw_key(&w, "b");
	jw_obj_begin(&w);
	jw_key(&w, "in_a");
	jw_addr(&w, &e->b_in_a);
	jw_key(&w, "in_b");
	jw_addr(&w, &e->b_in_b);
	jw_key(&w, "port_in_a");
	jw_uint(&w, e->b_port_in_a);
	jw_key(&w, "port_in_b");
	jw_uint(&w, e->b_port_in_b);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_key(&w, "clock_offset");
	jw_obj_begin(&w);
	jw_key(&w, "seconds");
	jw_double(&w, ce->offset_s, 9);
	jw_key(&w, "matches");
	jw_uint(&w, ce->matches);
	jw_key(&w, "matches_ab");
	jw_uint(&w, ce->matches_ab);
	jw_key(&w, "matches_ba");
	jw_uint(&w, ce->matches_ba);
	jw_key(&w, "delay_ab");
	jw_double(&w, ce->delay_ab_s, 9);
	jw_key(&w, "delay_ba");
	jw_double(&w, ce->delay_ba_s, 9);
	jw_key(&w, "spread");
	jw_double(&w, ce->spread_s, 9);
	jw_key(&w, "drift_ppm");
	jw_double(&w, ce->drift_ppm, 3);
	jw_obj_end(&w);
	jw_key(&w, "overlap");
	jw_obj_begin(&w);
	jw_key(&w, "from");
	jw_time(&w, e->covered_from_s);
	jw_key(&w, "to");
	jw_time(&w, e->covered_to_s);
	jw_obj_end(&w);
	jw_key(&w, "stats");
	jw_obj_begin(&w);
	jw_key(&w, "sent_a");
	jw_uint(&w, st.sent_a);
	jw_key(&w, "arrived_ab");
	jw_uint(&w, st.matched_ab);
	jw_key(&w, "lost_ab");
	jw_uint(&w, st.lost_ab);
	jw_key(&w, "sent_b");
	jw_uint(&w, st.sent_b);
	jw_key(&w, "arrived_ba");
	jw_uint(&w, st.matched_ba);
	jw_key(&w, "lost_ba");
	jw_uint(&w, st.lost_ba);
	jw_key(&w, "dropped_with_icmp");
	jw_uint(&w, st.dropped_with_icmp);
	jw_key(&w, "not_covered");
	jw_uint(&w, st.not_covered);
	jw_obj_end(&w);
	if (in[0].log || in[1].log) {
		jw_key(&w, "logs");
		jw_obj_begin(&w);
		for (int s = 0; s < 2; s++) {
			jw_key(&w, s ? "b" : "a");
			if (in[s].log)
				logview_summary_json(in[s].log, &w);
			else
				jw_null(&w);
		}
		jw_obj_end(&w);
	}
	if (in[0].events || in[1].events) {
		jw_key(&w, "events");
		jw_obj_begin(&w);
		for (int s = 0; s < 2; s++) {
			jw_key(&w, s ? "b" : "a");
			if (in[s].events)
				corr_events_json(&w, in[s].events, c);
			else
				jw_null(&w);
		}
		jw_obj_end(&w);
	}
	const iks_negotiation *negs;
	size_t nn = iks_correlation_negotiations(c, &negs);
	jw_key(&w, "negotiations");
	jw_arr_begin(&w);
	for (size_t k = 0; k < nn; k++)
		json_negotiation(&w, in, &negs[k]);
	jw_arr_end(&w);
	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	jw_key(&w, "findings");
	jw_arr_begin(&w);
	for (int rank = 0; rank < 3; rank++)
		for (size_t k = 0; k < nf; k++)
			if (severity_rank(f[k].severity) == rank)
				json_finding(&w, &f[k]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (b.s)
		fprintf(out, "%s\n", b.s);
	sb_free(&b);
}
