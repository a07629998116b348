/*
 * corr_events.c - audit events next to the correlation: each event with
 * what it was joined to (an ESP SA, an IKE exchange, the negotiation that
 * failed) and that negotiation's outcome as the two captures show it.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correlate/corr_events.h"
#include "common/hex.h"

struct corr_events {
	char *path;
	iks_audit *audit;
	iks_audit_join *join;
	char warning[IKS_ERRBUF_SIZE];
};

corr_events *corr_events_new(const char *path, const iks_trace *t, bool has_offset,
			     double offset_s, const logview *log, char *err)
{
	corr_events *ev = calloc(1, sizeof(*ev));
	if (!ev || !(ev->path = strdup(path)) || !(ev->audit = iks_audit_new(NULL))) {
		snprintf(err, IKS_ERRBUF_SIZE, "%s: out of memory", path);
		corr_events_free(ev);
		return NULL;
	}
	iks_status st = iks_audit_read_file(ev->audit, path, err);
	if (st == IKS_E_IO || st == IKS_E_NOMEM || st == IKS_E_INVALID) {
		if (st != IKS_E_IO)
			snprintf(err, IKS_ERRBUF_SIZE, "%s: %s", path, iks_strerror(st));
		corr_events_free(ev);
		return NULL;
	}
	iks_audit_stats s;
	iks_audit_get_stats(ev->audit, &s);
	if (s.limit)
		snprintf(ev->warning, sizeof(ev->warning), "%s: %s reached: %" PRIu64 " not kept",
			 path, s.limit, s.dropped);
	if (s.ipsec_events == 0) {
		snprintf(err, IKS_ERRBUF_SIZE, "%s: no IPsec audit event (541, 542, 543, 547) in %" PRIu64
			 " lines", path, s.lines);
		corr_events_free(ev);
		return NULL;
	}
	iks_audit_join_options o = { 0 };
	o.has_offset = has_offset;
	o.offset_ns = (int64_t)llround(offset_s * 1e9);
	if (!has_offset && logview_oakley_offset(log, &o.offset_ns)) {
		o.has_offset = true;
		o.offset_from = "oakley-log";
	}
	if (iks_audit_join_run(ev->audit, t, &o, &ev->join) != IKS_OK) {
		snprintf(err, IKS_ERRBUF_SIZE, "%s: out of memory", path);
		corr_events_free(ev);
		return NULL;
	}
	if (ev->join->spi_limit && !ev->warning[0])
		snprintf(ev->warning, sizeof(ev->warning),
			 "%s: the capture holds more than 65,536 distinct ESP SPIs: %" PRIu64
			 " ESP packets of later SPIs were not indexed, and events naming them are not "
			 "joined",
			 path, ev->join->spi_packets_not_indexed);
	return ev;
}

void corr_events_free(corr_events *ev)
{
	if (!ev)
		return;
	iks_audit_join_free(ev->join);
	iks_audit_free(ev->audit);
	free(ev->path);
	free(ev);
}

const char *corr_events_warning(const corr_events *ev)
{
	return ev && ev->warning[0] ? ev->warning : NULL;
}

/* "2026-11-22 13:05:14.123" on the host's own clock */
static const char *event_time(const iks_audit_event *e, char *buf, size_t len)
{
	if (!e->has_time) {
		snprintf(buf, len, "-");
		return buf;
	}
	int64_t s = e->time_ns / 1000000000;
	long ms = (long)(e->time_ns % 1000000000 / 1000000);
	if (e->time_ns < 0 && ms) {
		s--;
		ms += 1000;
	}
	time_t tt = (time_t)s;
	struct tm tm;
	char d[32];
	gmtime_r(&tt, &tm);
	strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm);
	if (e->resolution_ms < 1000)
		snprintf(buf, len, "%s.%03ld", d, ms);
	else
		snprintf(buf, len, "%s", d);
	return buf;
}

static const char *mode_word(int kind)
{
	return kind == IKS_AUDIT_MAIN_MODE ? "main" : kind == IKS_AUDIT_QUICK_MODE ? "quick" : "unknown";
}

/* The negotiation of an IKE SA as correlated, or NULL. */
static const iks_negotiation *negotiation_of(const iks_correlation *c, const uint8_t ispi[8])
{
	const iks_negotiation *n;
	size_t nn = c ? iks_correlation_negotiations(c, &n) : 0;
	for (size_t i = 0; i < nn; i++)
		if (!memcmp(n[i].ispi, ispi, 8))
			return &n[i];
	return NULL;
}

void corr_events_text(FILE *out, const corr_events *ev, char side, const iks_correlation *c)
{
	const iks_audit_join *j = ev->join;
	uint64_t count[5] = { 0 };
	size_t n = iks_audit_nevents(ev->audit);
	for (size_t i = 0; i < n; i++) {
		uint32_t id = iks_audit_event_at(ev->audit, i)->id;
		count[id == 541 ? 0 : id == 542 ? 1 : id == 543 ? 2 : id == 547 ? 3 : 4]++;
	}
	fprintf(out, "events %c: %s: %zu events (541: %" PRIu64 ", 542: %" PRIu64 ", 543: %" PRIu64
		", 547: %" PRIu64 ", other: %" PRIu64 "); %u joined, %u not",
		side, ev->path, n, count[0], count[1], count[2], count[3], count[4], j->matched,
		j->unmatched);
	if (j->spi_limit)
		fprintf(out, "; %" PRIu64 " ESP packets of SPIs past the 65,536 indexed",
			j->spi_packets_not_indexed);
	if (j->has_offset)
		fprintf(out, "; capture - event clock = %+.3f s (%s)\n", (double)j->offset_ns / 1e9,
			j->offset_from);
	else
		fprintf(out, "; clock offset unknown (no 541 SPI in the capture; give --events-offset-%c)\n",
			side);
	for (size_t i = 0; i < n; i++) {
		const iks_audit_event *e = iks_audit_event_at(ev->audit, i);
		const iks_audit_match *m = &j->m[i];
		char t[40], i8[17], r8[17];
		if (e->id != 541 && e->id != 542 && e->id != 543 && e->id != 547)
			continue;
		fprintf(out, "  %u line %u %s %s mode", e->id, e->line, event_time(e, t, sizeof(t)),
			mode_word(e->mode_kind));
		if (e->has_spi)
			fprintf(out, " in %08" PRIx32 " out %08" PRIx32 "%s", e->spi_in, e->spi_out,
				e->soft_sa ? " (soft SA)" : "");
		if (e->id == 547)
			fprintf(out, " failed at %s: %s (%" PRIu32 " %s)",
				e->failure_point ? e->failure_point : "?",
				e->failure_reason ? e->failure_reason : "?", e->failure_code,
				e->failure_code ? iks_ike_error_name(e->failure_code) : "unknown");
		if (m->kind == IKS_AUDIT_UNMATCHED) {
			fprintf(out, " -> not in the capture\n");
			continue;
		}
		if (m->kind == IKS_AUDIT_BY_SPI) {
			fprintf(out, " -> ESP frame %" PRIu64 " (in: %" PRIu32 " packets, out: %" PRIu32
				" packets), %+.3f s\n", m->frame, m->spi_in_packets, m->spi_out_packets,
				m->delta_s);
			continue;
		}
		hex8(i8, m->ispi);
		hex8(r8, m->rspi);
		const char *xn = iks_ike_exchange_name(m->version, m->exchange);
		fprintf(out, " -> %s IKEv%u %s/%s %s msgid %08" PRIx32 " frame %" PRIu64 ", %+.3f s",
			iks_audit_match_name(m->kind), m->version, i8, r8, xn ? xn : "?", m->msgid,
			m->frame, m->delta_s);
		const iks_negotiation *neg = negotiation_of(c, m->ispi);
		if (neg)
			fprintf(out, "; negotiation %s (%s)", iks_outcome_name(neg->outcome),
				neg->outcome_reason);
		fputc('\n', out);
	}
}

static void jw_spi(jsonw *w, uint32_t spi)
{
	char b[9];
	hex_u32(b, spi);
	jw_str(w, b);
}

static void jw_addr_or_null(jsonw *w, const iks_addr *a)
{
	if (!a->family)
		jw_null(w);
	else
		jw_addr(w, a);
}

static void json_match(jsonw *w, const iks_audit_match *m, const iks_correlation *c)
{
	char b[48];
	jw_obj_begin(w);
	jw_key(w, "kind");
	jw_str(w, iks_audit_match_name(m->kind));
	jw_key(w, "frame");
	jw_uint(w, m->frame);
	jw_key(w, "delta");
	snprintf(b, sizeof(b), "%.6f", m->delta_s);
	jw_raw(w, b);
	if (m->kind == IKS_AUDIT_BY_SPI) {
		jw_key(w, "spi_in_frame");
		jw_uint(w, m->spi_in_frame);
		jw_key(w, "spi_in_packets");
		jw_uint(w, m->spi_in_packets);
		jw_key(w, "spi_out_frame");
		jw_uint(w, m->spi_out_frame);
		jw_key(w, "spi_out_packets");
		jw_uint(w, m->spi_out_packets);
	}
	if (m->has_ike) {
		jw_key(w, "ike");
		jw_obj_begin(w);
		jw_key(w, "version");
		jw_uint(w, m->version);
		jw_key(w, "ispi");
		jw_hex(w, m->ispi, 8);
		jw_key(w, "rspi");
		jw_hex(w, m->rspi, 8);
		jw_key(w, "exchange");
		jw_uint(w, m->exchange);
		jw_key(w, "msgid");
		jw_spi(w, m->msgid);
		jw_key(w, "first_frame");
		jw_uint(w, m->first_frame);
		const iks_negotiation *neg = negotiation_of(c, m->ispi);
		jw_key(w, "outcome");
		jw_str(w, neg ? iks_outcome_name(neg->outcome) : NULL);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void json_event(jsonw *w, const iks_audit_event *e, const iks_audit_match *m,
		       const iks_correlation *c)
{
	char t[40];
	jw_obj_begin(w);
	jw_key(w, "id");
	jw_uint(w, e->id);
	jw_key(w, "line");
	jw_uint(w, e->line);
	jw_key(w, "time");
	jw_str(w, e->has_time ? event_time(e, t, sizeof(t)) : NULL);
	jw_key(w, "mode");
	jw_str(w, e->mode);
	jw_key(w, "mode_kind");
	jw_str(w, mode_word(e->mode_kind));
	jw_key(w, "local");
	jw_addr_or_null(w, &e->local);
	jw_key(w, "peer");
	jw_addr_or_null(w, &e->peer);
	if (e->has_filter) {
		jw_key(w, "filter");
		jw_obj_begin(w);
		jw_key(w, "src");
		jw_addr_or_null(w, &e->filter_src);
		jw_key(w, "dst");
		jw_addr_or_null(w, &e->filter_dst);
		jw_key(w, "protocol");
		jw_uint(w, e->protocol);
		jw_key(w, "sport");
		jw_uint(w, e->sport);
		jw_key(w, "dport");
		jw_uint(w, e->dport);
		jw_obj_end(w);
	}
	jw_key(w, "peer_identity");
	jw_str(w, e->peer_identity);
	if (e->has_spi) {
		jw_key(w, "spi_in");
		jw_spi(w, e->spi_in);
		jw_key(w, "spi_out");
		jw_spi(w, e->spi_out);
		jw_key(w, "soft_sa");
		jw_bool(w, e->soft_sa);
	}
	if (e->id == 547) {
		jw_key(w, "failure_point");
		jw_str(w, e->failure_point);
		jw_key(w, "failure_reason");
		jw_str(w, e->failure_reason);
		jw_key(w, "failure_code");
		jw_uint(w, e->failure_code);
		jw_key(w, "failure_name");
		jw_str(w, e->failure_code ? iks_ike_error_name(e->failure_code) : NULL);
	}
	jw_key(w, "match");
	json_match(w, m, c);
	jw_key(w, "unknown_fields");
	jw_arr_begin(w);
	for (uint32_t i = 0; i < e->nfields; i++) {
		const iks_audit_field *f = &e->fields[i];
		if (f->known)
			continue;
		jw_obj_begin(w);
		jw_key(w, "section");
		jw_str(w, f->section);
		jw_key(w, "name");
		jw_str(w, f->name);
		jw_key(w, "value");
		jw_str(w, f->value);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void corr_events_json(jsonw *w, const corr_events *ev, const iks_correlation *c)
{
	const iks_audit_join *j = ev->join;
	iks_audit_stats s;
	iks_audit_get_stats(ev->audit, &s);
	char b[48];
	jw_obj_begin(w);
	jw_key(w, "file");
	jw_str(w, ev->path);
	jw_key(w, "format");
	jw_str(w, s.format == IKS_AUDIT_CSV ? "csv" : "text");
	jw_key(w, "events");
	jw_uint(w, s.events);
	jw_key(w, "ipsec_events");
	jw_uint(w, s.ipsec_events);
	jw_key(w, "unknown_fields");
	jw_uint(w, s.unknown_fields);
	jw_key(w, "bad_values");
	jw_uint(w, s.bad_values);
	jw_key(w, "limit");
	jw_str(w, s.limit);
	jw_key(w, "offset");
	if (j->has_offset) {
		snprintf(b, sizeof(b), "%.6f", (double)j->offset_ns / 1e9);
		jw_raw(w, b);
	} else {
		jw_null(w);
	}
	jw_key(w, "offset_from");
	jw_str(w, j->offset_from);
	jw_key(w, "joined");
	jw_uint(w, j->matched);
	jw_key(w, "not_joined");
	jw_uint(w, j->unmatched);
	jw_key(w, "spi_packets_not_indexed");
	jw_uint(w, j->spi_packets_not_indexed);
	jw_key(w, "list");
	jw_arr_begin(w);
	size_t n = iks_audit_nevents(ev->audit);
	for (size_t i = 0; i < n; i++) {
		const iks_audit_event *e = iks_audit_event_at(ev->audit, i);
		if (e->id == 541 || e->id == 542 || e->id == 543 || e->id == 547)
			json_event(w, e, &j->m[i], c);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}
