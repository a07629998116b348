/* logview.c - the aligned view of a capture and an IKE log (ikedump --log). */
#include "common/logview.h"
#include "common/hex.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct logview {
	iks_log *log;
	iks_log_join *join;   /* its pkt_frame: the frames of the joined IKE packets */
	size_t next;          /* IKE records seen in the main pass */
	/* received messages the daemon then logged as dropped: (record of the
	 * message, record of the "dropped" line), sorted by the first */
	struct dropped_ref { uint32_t msg_record, record; } *dropped;
	size_t ndropped;
	char warning[2048];
};

static int cmp_dropped(const void *x, const void *y)
{
	const struct dropped_ref *a = x, *b = y;
	if (a->msg_record != b->msg_record)
		return a->msg_record < b->msg_record ? -1 : 1;
	return a->record < b->record ? -1 : a->record > b->record;
}

/* Index the "dropped" lines by the received message they follow (false:
 * out of memory). */
static bool index_dropped(logview *v)
{
	size_t n = 0, nr = iks_log_nrecords(v->log);
	for (size_t i = 0; i < nr; i++) {
		const iks_log_record *r = iks_log_record_at(v->log, i);
		n += r->kind == IKS_LK_DROPPED && r->msg != IKS_LOG_NONE;
	}
	if (!n)
		return true;
	if (!(v->dropped = malloc(n * sizeof(*v->dropped))))
		return false;
	for (size_t i = 0; i < nr; i++) {
		const iks_log_record *r = iks_log_record_at(v->log, i);
		if (r->kind != IKS_LK_DROPPED || r->msg == IKS_LOG_NONE)
			continue;
		const iks_log_msg *m = iks_log_message_at(v->log, r->msg);
		if (m && m->dir == IKS_LOG_RECEIVED)
			v->dropped[v->ndropped++] = (struct dropped_ref){ m->record, (uint32_t)i };
	}
	qsort(v->dropped, v->ndropped, sizeof(*v->dropped), cmp_dropped);
	return true;
}

/* The first "dropped" line after a received message, or NULL. */
static const iks_log_record *dropped_of(const logview *v, const iks_log_msg *m)
{
	size_t lo = 0, hi = v->ndropped;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->dropped[mid].msg_record < m->record)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->ndropped || v->dropped[lo].msg_record != m->record)
		return NULL;
	return iks_log_record_at(v->log, v->dropped[lo].record);
}

/* The IKE packets of a capture, for ikedump: it prints as it reads, so the
 * join must be done before its main pass. (A trace would do, but keeps a
 * unit for every packet; this keeps the IKE packets only.) */
static bool collect(const char *capture, const char *filter, iks_log_pkt **pkts, size_t *npkts,
		    char *err)
{
	iks_capture *cap = iks_capture_open(capture, filter, err);
	if (!cap)
		return false;
	iks_decoder *dec = iks_decoder_new(NULL);
	size_t cap_n = 0;
	iks_frame f;
	iks_packet p;
	int rc;
	bool ok = dec != NULL;
	while (ok && (rc = iks_capture_next(cap, &f)) == 1) {
		iks_decode(dec, &f, &p);
		iks_event ev;
		while (iks_decoder_next_event(dec, &ev) == 1)
			;
		if (!p.l.ike.present)
			continue;
		if (*npkts == cap_n) {
			size_t n = cap_n ? cap_n * 2 : 256;
			iks_log_pkt *q = realloc(*pkts, n * sizeof(*q));
			if (!q) {
				ok = false;
				break;
			}
			*pkts = q;
			cap_n = n;
		}
		iks_log_pkt_from_packet(&p, &(*pkts)[(*npkts)++]);
	}
	if (!ok)
		snprintf(err, IKS_ERRBUF_SIZE, "%s: out of memory", capture);
	iks_decoder_free(dec);
	iks_capture_close(cap);
	return ok; /* a read error shows again in the main pass */
}

/* A view with the log files read, not yet joined. */
static logview *read_logs(const char *const *logs, size_t nlogs, char *err)
{
	logview *v = calloc(1, sizeof(*v));
	if (!v || !(v->log = iks_log_new(IKS_LOG_AUTO, NULL))) {
		snprintf(err, IKS_ERRBUF_SIZE, "out of memory");
		logview_free(v);
		return NULL;
	}
	iks_status st = iks_log_read_files(v->log, logs, nlogs, err);
	if (st == IKS_E_LIMIT) {
		iks_log_stats s;
		iks_log_get_stats(v->log, &s);
		snprintf(v->warning, sizeof(v->warning), "log cap %s reached: %llu lines not kept",
			 s.limit ? s.limit : "?",
			 (unsigned long long)(s.records_dropped + s.messages_dropped));
	} else if (st != IKS_OK) {
		logview_free(v);
		return NULL;
	}
	if (iks_log_format_of(v->log) == IKS_LOG_AUTO) {
		snprintf(err, IKS_ERRBUF_SIZE, "%s: not an Oakley.log, charon or pluto log, nor a FortiGate, "
			 "racoon or Cisco debug (no line has a known prefix)", logs[0]);
		logview_free(v);
		return NULL;
	}
	return v;
}

/* Messages the join's candidate cap cut short and left with no packet:
 * not known to be absent from the capture. */
static uint32_t capped_unmatched(const iks_log_join *j)
{
	return (uint32_t)(j->nmsgs - j->matched - j->unmatched_log);
}

/* The join's cap, when reached, goes into the warning (stderr): its
 * messages are listed apart from those "not in the capture". */
static void note_join_cap(logview *v)
{
	const iks_log_join *j = v->join;
	if (!j->candidates_capped)
		return;
	size_t n = strlen(v->warning);
	snprintf(v->warning + n, sizeof(v->warning) - n,
		 "%slog join: candidate cap (candidates_max) reached for %u message(s), %u of them "
		 "with no packet: not known to be absent from the capture", n ? "; " : "",
		 j->candidates_capped, capped_unmatched(j));
}

/* The parsers' fixed state bounds and the join's bounds that were reached
 * (iks_log_stats, iks_log_join: issue #19), as "; "-separated words;
 * "" when none was. */
static void bounds_text(const logview *v, char *buf, size_t len)
{
	iks_log_stats s;
	iks_log_get_stats(v->log, &s);
	const iks_log_join *j = v->join;
	size_t n = 0;
	buf[0] = 0;
#define ADD(cond, ...)                                                                     \
	do {                                                                               \
		if ((cond) && n < len) {                                                   \
			n += (size_t)snprintf(buf + n, len - n, "%s", n ? "; " : "");      \
			if (n < len)                                                       \
				n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);      \
		}                                                                          \
	} while (0)
	ADD(s.threads_evicted, "%llu thread state(s) given away unfinished (more than 64 threads "
	    "at once): their messages lack bytes or header fields",
	    (unsigned long long)s.threads_evicted);
	ADD(s.rx_dropped, "%llu dumped datagram(s) dropped before their message's line (32 "
	    "waiting): those messages have no bytes", (unsigned long long)s.rx_dropped);
	ADD(s.rexmit_lookback_cut, "%llu retransmission(s) whose original is beyond the "
	    "4096-message look back: not looked up completely",
	    (unsigned long long)s.rexmit_lookback_cut);
	ADD(s.reasm_dropped, "%llu reassembled message size(s) forgotten (8 waiting): their "
	    "lines count as received messages", (unsigned long long)s.reasm_dropped);
	ADD(s.gen_dropped, "%llu generated message(s) forgotten before their send (8 per thread "
	    "waiting): that thread's later sends may carry the wrong exchange",
	    (unsigned long long)s.gen_dropped);
	ADD(j && j->offsets_dropped, "join: %llu clock offset proposal(s) past 4,194,304 not used",
	    (unsigned long long)(j ? j->offsets_dropped : 0));
	ADD(j && j->order_unvoted, "join: %u message(s) without cookies could not vote on the "
	    "byte order (more packets of their length than the candidate cap)",
	    j ? j->order_unvoted : 0);
#undef ADD
}

/* The bounds reached, appended to the warning (stderr). */
static void note_bounds(logview *v)
{
	char t[1024];
	bounds_text(v, t, sizeof(t));
	if (!t[0])
		return;
	size_t n = strlen(v->warning);
	snprintf(v->warning + n, sizeof(v->warning) - n, "%slog bounds reached: %s",
		 n ? "; " : "", t);
}

logview *logview_new(const iks_trace *trace, const char *const *logs, size_t nlogs, char *err)
{
	logview *v = read_logs(logs, nlogs, err);
	if (v && (iks_log_join_trace(v->log, trace, NULL, &v->join) != IKS_OK || !index_dropped(v))) {
		snprintf(err, IKS_ERRBUF_SIZE, "out of memory");
		logview_free(v);
		return NULL;
	}
	if (v) {
		note_join_cap(v);
		note_bounds(v);
	}
	return v;
}

logview *logview_new_capture(const char *capture, const char *filter, const char *const *logs,
			     size_t nlogs, char *err)
{
	if (strcmp(capture, "-") == 0) {
		snprintf(err, IKS_ERRBUF_SIZE, "--log needs a capture file, not standard input");
		return NULL;
	}
	logview *v = read_logs(logs, nlogs, err);
	if (!v)
		return NULL;
	iks_log_pkt *pkts = NULL;
	size_t npkts = 0;
	if (!collect(capture, filter, &pkts, &npkts, err) ||
	    iks_log_join_run(v->log, pkts, npkts, NULL, &v->join) != IKS_OK || !index_dropped(v)) {
		if (!err[0])
			snprintf(err, IKS_ERRBUF_SIZE, "out of memory");
		free(pkts);
		logview_free(v);
		return NULL;
	}
	free(pkts);
	note_join_cap(v);
	note_bounds(v);
	return v;
}

void logview_free(logview *v)
{
	if (!v)
		return;
	iks_log_join_free(v->join);
	iks_log_free(v->log);
	free(v->dropped);
	free(v);
}

const iks_log *logview_log(const logview *v)
{
	return v->log;
}

const iks_log_join *logview_join(const logview *v)
{
	return v->join;
}

const char *logview_warning(const logview *v)
{
	return v->warning[0] ? v->warning : NULL;
}

/* The log's own time text: "MM-DD HH:MM:SS.mmm" (Oakley) or "HH:MM:SS". */
static void time_text(unsigned month, unsigned day, uint32_t tod_ms, char *buf, size_t len)
{
	unsigned t = tod_ms / 1000;
	if (month)
		snprintf(buf, len, "%02u-%02u %02u:%02u:%02u.%03u", month, day, t / 3600,
			 t / 60 % 60, t % 60, (unsigned)(tod_ms % 1000));
	else
		snprintf(buf, len, "%02u:%02u:%02u", t / 3600, t / 60 % 60, t % 60);
}

static void log_time(const iks_log_msg *m, char *buf, size_t len)
{
	time_text(m->month, m->day, m->tod_ms, buf, len);
	if (!m->month && m->resolution_us && m->resolution_us < 1000000) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, ".%03u", (unsigned)(m->tod_ms % 1000));
	}
	if (m->resolution_us && m->resolution_us < 1000) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%03u", (unsigned)m->sub_ms_us);
	}
}

/* Failure records, and "dropped" lines tied to the message they discard
 * (pluto's IKEv1 "packet dropped" is not tied: it is printed after answered
 * messages too). */
static bool is_failure(const iks_log_record *r)
{
	int kind = r->kind;
	return kind == IKS_LK_FAILURE || kind == IKS_LK_DEAD || kind == IKS_LK_FAILED ||
	       kind == IKS_LK_GIVE_UP || kind == IKS_LK_ICV_FAILED ||
	       (kind == IKS_LK_DROPPED && r->msg != IKS_LOG_NONE);
}

/* One failure record as a JSON object (never the raw line text);
 * `give_up_count` adds charon's retransmit count. */
static void json_failure(jsonw *w, const logview *v, const iks_log_record *r, bool give_up_count)
{
	char t[32] = "";
	if (r->has_time)
		time_text(r->month, r->day, r->tod_ms, t, sizeof(t));
	jw_obj_begin(w);
	jw_key(w, "file");
	jw_str(w, iks_log_file_name(v->log, r->file));
	jw_key(w, "line");
	jw_uint(w, r->line);
	jw_key(w, "time");
	jw_str(w, r->has_time ? t : NULL);
	jw_key(w, "kind");
	jw_str(w, iks_log_kind_name(r->kind));
	if (r->kind == IKS_LK_FAILURE || r->kind == IKS_LK_DEAD) {
		jw_key(w, "status");
		jw_uint(w, r->status);
		jw_key(w, "name");
		jw_str(w, iks_ike_error_name(r->status));
		jw_key(w, "text");
		jw_str(w, iks_ike_error_text(r->status));
	}
	if (give_up_count && r->kind == IKS_LK_GIVE_UP) {
		jw_key(w, "retransmits");
		jw_uint(w, r->num);
	}
	jw_obj_end(w);
}

/* The log's failure records: Oakley statuses decoded (ERROR_IPSEC_IKE_*),
 * charon "giving up" / "failed" lines. Never the raw line text. */
static void failures(const logview *v, FILE *out, bool json, strbuf *b)
{
	for (size_t i = 0; i < iks_log_nrecords(v->log); i++) {
		const iks_log_record *r = iks_log_record_at(v->log, i);
		if (!is_failure(r))
			continue;
		char t[32] = "";
		if (r->has_time)
			time_text(r->month, r->day, r->tod_ms, t, sizeof(t));
		bool has_status = r->kind == IKS_LK_FAILURE || r->kind == IKS_LK_DEAD;
		const char *name = has_status ? iks_ike_error_name(r->status) : NULL;
		const char *text = has_status ? iks_ike_error_text(r->status) : NULL;
		const char *file = iks_log_file_name(v->log, r->file);
		if (!json) {
			fprintf(out, "log: %s:%u %s %s", file, r->line, t, iks_log_kind_name(r->kind));
			if (has_status)
				fprintf(out, " status %u %s (%s)", r->status, name ? name : "?",
					text ? text : "not an IKE error code");
			if (r->kind == IKS_LK_GIVE_UP)
				fprintf(out, " after %u retransmits", r->num);
			fputc('\n', out);
			continue;
		}
		jsonw w;
		sb_reset(b);
		jw_init(&w, b);
		jw_obj_begin(&w);
		jw_key(&w, "log_failure");
		json_failure(&w, v, r, false);
		jw_obj_end(&w);
		fprintf(out, "%s\n", sb_cstr(b));
	}
}

static const char *dir_name(const iks_log_msg *m)
{
	return m->dir == IKS_LOG_SENT ? "sent" : "received";
}

static void json_msg(jsonw *w, const logview *v, const iks_log_msg *m)
{
	char t[32];
	log_time(m, t, sizeof(t));
	jw_obj_begin(w);
	jw_key(w, "file");
	jw_str(w, iks_log_file_name(v->log, m->file));
	jw_key(w, "line");
	jw_uint(w, m->line);
	jw_key(w, "time");
	jw_str(w, t);
	jw_key(w, "dir");
	jw_str(w, dir_name(m));
	if (m->retransmit) {
		jw_key(w, "retransmit");
		jw_uint(w, m->retransmit);
	}
	const iks_log_record *d = dropped_of(v, m);
	if (d) { /* the daemon received it, then discarded it */
		jw_key(w, "dropped_line");
		jw_uint(w, d->line);
	}
}

void logview_annotate(logview *v, const iks_packet *p, strbuf *line, bool json)
{
	if (!p->l.ike.present || v->next >= v->join->npkts)
		return;
	size_t k = v->next++;
	if (v->join->pkt_frame[k] != p->frame)
		return; /* the two passes disagree: say nothing rather than something wrong */
	uint32_t mi = v->join->pkt_msg[k];
	const iks_log_msg *m = mi == IKS_LOG_NONE ? NULL : iks_log_message_at(v->log, mi);
	if (json) {
		if (line->len == 0 || line->s[line->len - 1] != '}')
			return;
		line->len--;
		sb_puts(line, ",\"log\":");
		jsonw w;
		jw_init(&w, line);
		if (m) {
			json_msg(&w, v, m);
			jw_obj_end(&w);
		} else {
			jw_null(&w);
		}
		sb_putc(line, '}');
		return;
	}
	if (!m) {
		sb_puts(line, "  [log: not in the log]");
		return;
	}
	char t[32];
	log_time(m, t, sizeof(t));
	sb_printf(line, "  [log %s:%u %s %s", iks_log_file_name(v->log, m->file), m->line, t,
		  dir_name(m));
	if (m->retransmit)
		sb_printf(line, " retransmit %u", m->retransmit);
	const iks_log_record *d = dropped_of(v, m);
	if (d)
		sb_printf(line, ", then dropped (line %u)", d->line);
	sb_putc(line, ']');
}

/* One log message with no packet; `capped`: its search stopped at the
 * join's candidate cap, so its absence is not known. */
static void text_unmatched(logview *v, FILE *out, const iks_log_msg *m, bool capped)
{
	char t[32];
	log_time(m, t, sizeof(t));
	fprintf(out, "  %s:%u %s %s", iks_log_file_name(v->log, m->file), m->line, t, dir_name(m));
	if (m->has_exchange) {
		const char *ex = iks_ike_exchange_name(m->version ? m->version : 1, m->exchange);
		fprintf(out, " %s", ex ? ex : "?");
	}
	if (m->has_msgid)
		fprintf(out, " mid 0x%08" PRIx32, m->msgid);
	if (m->length)
		fprintf(out, " len %" PRIu32, m->length);
	if (m->retransmit)
		fprintf(out, " retransmit %" PRIu32, m->retransmit);
	const iks_log_record *d = dropped_of(v, m);
	if (d)
		fprintf(out, ", then dropped (line %u)", d->line);
	fputs(capped ? ": not looked up completely (candidate cap)\n" : ": not in the capture\n", out);
}

/* The JSON line of a log message with no packet: "log_message" (not in
 * the capture) or "log_capped" (not looked up completely). */
static void json_unmatched(logview *v, FILE *out, strbuf *b, const iks_log_msg *m, bool capped)
{
	jsonw w;
	sb_reset(b);
	jw_init(&w, b);
	jw_obj_begin(&w);
	if (capped)
		jw_key(&w, "log_capped");
	else
		jw_key(&w, "log_message");
	json_msg(&w, v, m);
	if (m->has_exchange) {
		jw_key(&w, "exchange");
		jw_uint(&w, m->exchange);
	}
	if (m->has_msgid) {
		char id[12];
		hex_u32(id, m->msgid);
		jw_key(&w, "msgid");
		jw_str(&w, id);
	}
	jw_key(&w, "length");
	jw_uint(&w, m->length);
	jw_key(&w, "packet");
	jw_null(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	fprintf(out, "%s\n", sb_cstr(b));
}

/* The messages with no packet, capped ones (true) or the others. */
static void list_unmatched(logview *v, FILE *out, bool json, strbuf *b, bool capped)
{
	const iks_log_join *j = v->join;
	for (size_t i = 0; i < j->nmsgs; i++) {
		if (j->msg_pkt[i] != IKS_LOG_NONE || j->msg_capped[i] != capped)
			continue;
		const iks_log_msg *m = iks_log_message_at(v->log, i);
		if (json)
			json_unmatched(v, out, b, m, capped);
		else
			text_unmatched(v, out, m, capped);
	}
}

/* The bounds' counters as JSON keys (always present, 0 when not reached). */
static void json_bounds(const logview *v, jsonw *w)
{
	iks_log_stats s;
	iks_log_get_stats(v->log, &s);
	jw_key(w, "threads_evicted");
	jw_uint(w, s.threads_evicted);
	jw_key(w, "rx_dropped");
	jw_uint(w, s.rx_dropped);
	jw_key(w, "rexmit_lookback_cut");
	jw_uint(w, s.rexmit_lookback_cut);
	jw_key(w, "reasm_dropped");
	jw_uint(w, s.reasm_dropped);
	jw_key(w, "gen_dropped");
	jw_uint(w, s.gen_dropped);
	jw_key(w, "offsets_dropped");
	jw_uint(w, v->join->offsets_dropped);
	jw_key(w, "order_unvoted");
	jw_uint(w, v->join->order_unvoted);
}

/* The text report's line for the bounds reached (none when none was). */
static void text_bounds(const logview *v, FILE *out)
{
	char t[1024];
	bounds_text(v, t, sizeof(t));
	if (t[0])
		fprintf(out, "log: bounds reached, details lost: %s\n", t);
}

/* The text summary's words for the join's candidate cap ("" unless reached). */
static void cap_text(const iks_log_join *j, char *buf, size_t len)
{
	buf[0] = 0;
	if (j->candidates_capped)
		snprintf(buf, len, ", %u cut short at the candidate cap (%u of them with no packet: "
			 "not known to be absent)", j->candidates_capped, capped_unmatched(j));
}

void logview_finish(logview *v, FILE *out, bool json)
{
	const iks_log_join *j = v->join;
	iks_log_stats st;
	iks_log_get_stats(v->log, &st);
	strbuf b;
	sb_init(&b);
	jsonw w;
	if (!json && j->unmatched_log)
		fprintf(out, "log: %u message(s) not in the capture:\n", j->unmatched_log);
	list_unmatched(v, out, json, &b, false);
	if (!json && capped_unmatched(j))
		fprintf(out, "log: %u message(s) not looked up completely: more candidate packets in "
			"their time window than the join's candidate cap; their packet may be in the "
			"capture:\n", capped_unmatched(j));
	list_unmatched(v, out, json, &b, true);
	failures(v, out, json, &b);
	char off[48] = "null";
	if (j->has_offset)
		snprintf(off, sizeof(off), "%s%lld.%06lld", j->offset_ns < 0 ? "-" : "",
			 (long long)(llabs(j->offset_ns) / 1000000000),
			 (long long)(llabs(j->offset_ns) % 1000000000 / 1000));
	const char *fmt = iks_log_format_name(iks_log_format_of(v->log));
	const char *order = iks_log_byte_order_name(j->byte_order);
	if (!json) {
		char capped[160];
		cap_text(j, capped, sizeof(capped));
		fprintf(out, "log: %s, %zu records, %zu messages: %u matched (%u byte-exact), %u not in "
			"the capture%s, %u capture IKE packets not in the log, %u retransmits; offset %s s "
			"(capture minus log), byte order %s; lines %llu (known %llu, unknown %llu, "
			"cut %llu)\n", fmt, iks_log_nrecords(v->log), j->nmsgs, j->matched, j->matched_exact,
			j->unmatched_log, capped, j->unmatched_capture, j->retransmits, off, order,
			(unsigned long long)st.lines, (unsigned long long)st.known,
			(unsigned long long)st.unknown, (unsigned long long)st.cut);
		text_bounds(v, out);
		sb_free(&b);
		return;
	}
	sb_reset(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w);
	jw_key(&w, "log_stats");
	jw_obj_begin(&w);
	jw_key(&w, "files");
	jw_arr_begin(&w);
	for (uint32_t f = 0; iks_log_file_name(v->log, f); f++)
		jw_str(&w, iks_log_file_name(v->log, f));
	jw_arr_end(&w);
	jw_key(&w, "lines");
	jw_uint(&w, st.lines);
	jw_key(&w, "known");
	jw_uint(&w, st.known);
	jw_key(&w, "unknown");
	jw_uint(&w, st.unknown);
	jw_key(&w, "cut");
	jw_uint(&w, st.cut);
	jw_key(&w, "retransmits");
	jw_uint(&w, j->retransmits);
	jw_key(&w, "limit");
	jw_str(&w, st.limit);
	json_bounds(v, &w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	fprintf(out, "%s\n", sb_cstr(&b));
	sb_reset(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w);
	jw_key(&w, "log_summary");
	jw_obj_begin(&w);
	jw_key(&w, "format");
	jw_str(&w, fmt);
	jw_key(&w, "records");
	jw_uint(&w, iks_log_nrecords(v->log));
	jw_key(&w, "messages");
	jw_uint(&w, j->nmsgs);
	jw_key(&w, "matched");
	jw_uint(&w, j->matched);
	jw_key(&w, "matched_exact");
	jw_uint(&w, j->matched_exact);
	jw_key(&w, "unmatched_log");
	jw_uint(&w, j->unmatched_log);
	jw_key(&w, "unmatched_capture");
	jw_uint(&w, j->unmatched_capture);
	jw_key(&w, "offset_seconds");
	jw_raw(&w, off);
	jw_key(&w, "byte_order");
	jw_str(&w, order);
	jw_key(&w, "candidates_capped");
	jw_uint(&w, j->candidates_capped);
	jw_obj_end(&w);
	jw_obj_end(&w);
	fprintf(out, "%s\n", sb_cstr(&b));
	sb_free(&b);
}

const iks_log_msg *logview_msg_for_frame(const logview *v, uint64_t frame)
{
	size_t lo = 0, hi = v->join->npkts;
	while (lo < hi) { /* packets are in capture order */
		size_t mid = (lo + hi) / 2;
		if (v->join->pkt_frame[mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->join->npkts || v->join->pkt_frame[lo] != frame)
		return NULL;
	uint32_t mi = v->join->pkt_msg[lo];
	return mi == IKS_LOG_NONE ? NULL : iks_log_message_at(v->log, mi);
}

void logview_msg_where(const logview *v, const iks_log_msg *m, char *buf, size_t len)
{
	char t[32];
	log_time(m, t, sizeof(t));
	const iks_log_record *d = dropped_of(v, m);
	if (d)
		snprintf(buf, len, "%s:%u %s, then dropped (line %u)", iks_log_file_name(v->log, m->file),
			 m->line, t, d->line);
	else
		snprintf(buf, len, "%s:%u %s", iks_log_file_name(v->log, m->file), m->line, t);
}

void logview_msg_json(const logview *v, const iks_log_msg *m, jsonw *w)
{
	json_msg(w, v, m);
	jw_obj_end(w);
}

/* the offset as JSON/text seconds, "null" when unknown */
static void offset_text(const iks_log_join *j, char *off, size_t len)
{
	snprintf(off, len, "null");
	if (j->has_offset)
		snprintf(off, len, "%s%lld.%06lld", j->offset_ns < 0 ? "-" : "",
			 (long long)(llabs(j->offset_ns) / 1000000000),
			 (long long)(llabs(j->offset_ns) % 1000000000 / 1000));
}

void logview_summary_json(const logview *v, jsonw *w)
{
	const iks_log_join *j = v->join;
	char off[48];
	offset_text(j, off, sizeof(off));
	jw_obj_begin(w);
	jw_key(w, "format");
	jw_str(w, iks_log_format_name(iks_log_format_of(v->log)));
	jw_key(w, "files");
	jw_arr_begin(w);
	for (uint32_t f = 0; iks_log_file_name(v->log, f); f++)
		jw_str(w, iks_log_file_name(v->log, f));
	jw_arr_end(w);
	jw_key(w, "records");
	jw_uint(w, iks_log_nrecords(v->log));
	jw_key(w, "messages");
	jw_uint(w, j->nmsgs);
	jw_key(w, "matched");
	jw_uint(w, j->matched);
	jw_key(w, "unmatched_log");
	jw_uint(w, j->unmatched_log);
	jw_key(w, "unmatched_capture");
	jw_uint(w, j->unmatched_capture);
	jw_key(w, "retransmits");
	jw_uint(w, j->retransmits);
	jw_key(w, "offset_seconds");
	jw_raw(w, off);
	jw_key(w, "byte_order");
	jw_str(w, iks_log_byte_order_name(j->byte_order));
	jw_key(w, "candidates_capped");
	jw_uint(w, j->candidates_capped);
	json_bounds(v, w);
	jw_key(w, "failures");
	jw_arr_begin(w);
	for (size_t i = 0; i < iks_log_nrecords(v->log); i++) {
		const iks_log_record *r = iks_log_record_at(v->log, i);
		if (is_failure(r))
			json_failure(w, v, r, true);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void logview_summary_text(const logview *v, FILE *out)
{
	const iks_log_join *j = v->join;
	char off[48], capped[160];
	offset_text(j, off, sizeof(off));
	cap_text(j, capped, sizeof(capped));
	fprintf(out, "%s log (%s): %zu messages, %u matched to packets, %u not in the capture%s, "
		"%u IKE packets not in the log, %u retransmits; capture clock minus log clock %s s\n",
		iks_log_format_name(iks_log_format_of(v->log)), iks_log_file_name(v->log, 0), j->nmsgs,
		j->matched, j->unmatched_log, capped, j->unmatched_capture, j->retransmits, off);
	text_bounds(v, out);
	strbuf b;
	sb_init(&b);
	failures(v, out, false, &b);
	sb_free(&b);
}

bool logview_oakley_offset(const logview *v, int64_t *offset_ns)
{
	if (!v || !v->join || !v->join->has_offset || iks_log_format_of(v->log) != IKS_LOG_OAKLEY)
		return false;
	*offset_ns = v->join->offset_ns;
	return true;
}

size_t logview_icv_failures(const logview *v, const iks_log_record **rec, double *capture_s,
			    size_t max)
{
	const iks_log_join *j = v->join;
	size_t n = 0;
	for (size_t i = 0; i < iks_log_nrecords(v->log); i++) {
		const iks_log_record *r = iks_log_record_at(v->log, i);
		if (r->kind != IKS_LK_ICV_FAILED)
			continue;
		if (n < max) {
			rec[n] = r;
			capture_s[n] = 0;
			if (r->has_time && r->month == 0 && j->has_offset) {
				/* charon: whole seconds, dated like the join dates its messages */
				int64_t t = (j->capture_day0 + (int64_t)r->day_index * 86400) * 1000000000LL +
					    (int64_t)r->tod_ms * 1000000 + 500000000 + j->offset_ns;
				capture_s[n] = (double)t / 1e9;
			}
		}
		n++;
	}
	return n;
}

void logview_record_where(const logview *v, const iks_log_record *r, char *buf, size_t len)
{
	char t[32] = "";
	if (r->has_time)
		time_text(r->month, r->day, r->tod_ms, t, sizeof(t));
	snprintf(buf, len, "%s:%u %s", iks_log_file_name(v->log, r->file), r->line, t);
}

void logview_record_json(const logview *v, const iks_log_record *r, jsonw *w)
{
	json_failure(w, v, r, false);
}
