/* verdicts_out.c - the verdicts as text lines and as JSON, for both tools
 * (pcapcorrelate's reports, ikedump --summary). */
#include "common/verdicts_out.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"

static void verdict_json(jsonw *w, const iks_correlation *c, const iks_verdict *v)
{
	char m[9];
	jw_obj_begin(w);
	jw_key(w, "cause");
	jw_str(w, iks_cause_name(v->cause));
	jw_key(w, "direction");
	jw_str(w, iks_correlation_direction_name(c, v->direction));
	jw_key(w, "confidence");
	jw_str(w, v->confidence);
	jw_key(w, "settle");
	jw_str(w, v->settle[0] ? v->settle : NULL);
	jw_key(w, "summary");
	jw_str(w, v->summary);
	jw_key(w, "advice");
	jw_str(w, v->advice);
	switch (v->cause) {
	case IKS_CAUSE_FRAGMENTS_DROPPED:
		jw_key(w, "which");
		jw_str(w, v->which);
		jw_key(w, "count");
		jw_uint(w, v->count);
		jw_key(w, "total");
		jw_uint(w, v->total);
		break;
	case IKS_CAUSE_PMTU_BLACKHOLE:
		jw_key(w, "size_ok_max");
		if (v->size_ok_max || v->size_lost_min)
			jw_uint(w, v->size_ok_max);
		else
			jw_null(w);
		jw_key(w, "size_lost_min");
		if (v->size_lost_min)
			jw_uint(w, v->size_lost_min);
		else
			jw_null(w);
		jw_key(w, "icmp_reached_sender");
		jw_bool(w, v->icmp_reached_sender);
		jw_key(w, "icmp_from");
		if (v->icmp_from_known)
			jw_addr(w, &v->icmp_from);
		else
			jw_null(w);
		jw_key(w, "mtu");
		if (v->mtu)
			jw_uint(w, v->mtu);
		else
			jw_null(w);
		jw_key(w, "count");
		jw_uint(w, v->count);
		break;
	case IKS_CAUSE_BLOCKED:
		jw_key(w, "what");
		jw_str(w, v->what);
		jw_key(w, "from");
		jw_time(w, v->from_s);
		jw_key(w, "to");
		jw_time(w, v->to_s);
		jw_key(w, "count");
		jw_uint(w, v->count);
		break;
	case IKS_CAUSE_RANDOM_LOSS:
		jw_key(w, "rate_ab");
		jw_fixed(w, v->rate_ab, 4);
		jw_key(w, "rate_ba");
		jw_fixed(w, v->rate_ba, 4);
		jw_key(w, "count");
		jw_uint(w, v->count);
		jw_key(w, "total");
		jw_uint(w, v->total);
		break;
	case IKS_CAUSE_MODIFIED_IN_TRANSIT:
		jw_key(w, "count");
		jw_uint(w, v->count);
		jw_key(w, "discarded");
		jw_bool(w, v->discarded);
		break;
	case IKS_CAUSE_STALE_SA:
		jw_key(w, "spi");
		hex_u32(m, v->spi);
		jw_str(w, m);
		jw_key(w, "count");
		jw_uint(w, v->count);
		jw_key(w, "delete_frame");
		if (v->delete_frame)
			jw_uint(w, v->delete_frame);
		else
			jw_null(w);
		break;
	case IKS_CAUSE_NEGOTIATION_ERROR:
		jw_key(w, "notify");
		jw_uint(w, v->notify);
		jw_key(w, "sent_by");
		jw_str(w, v->notify_dir == IKS_DIR_B_TO_A ? "b" : "a");
		jw_key(w, "count");
		jw_uint(w, v->count);
		break;
	case IKS_CAUSE_DAEMON_DROPPED: {
		char side[2] = { v->log_side, '\0' };
		jw_key(w, "count");
		jw_uint(w, v->count);
		jw_key(w, "log_side");
		jw_str(w, v->log_side ? side : NULL);
		jw_key(w, "log_line");
		jw_uint(w, v->log_line);
		jw_key(w, "log_reason");
		jw_str(w, v->log_reason);
		break;
	}
	default:
		jw_key(w, "count");
		jw_uint(w, v->count);
		if (v->total) {
			jw_key(w, "total");
			jw_uint(w, v->total);
		}
		break;
	}
	if (v->log_note[0]) { /* only with logs: the reports without stay as they were */
		jw_key(w, "log_note");
		jw_str(w, v->log_note);
	}
	jw_key(w, "evidence");
	jw_arr_begin(w);
	for (uint32_t i = 0; i < v->nevidence; i++)
		jw_uint(w, v->evidence[i]);
	jw_arr_end(w);
	jw_key(w, "evidence_truncated");
	jw_bool(w, v->evidence_truncated);
	jw_obj_end(w);
}

void verdicts_json(jsonw *w, const iks_correlation *c)
{
	const iks_verdict *v;
	size_t n = iks_correlation_verdicts(c, &v);
	jw_arr_begin(w);
	for (size_t k = 0; k < n; k++)
		verdict_json(w, c, &v[k]);
	jw_arr_end(w);
}

/* "#1-#5, #7" from a verdict's evidence (finding positions, 1-based) */
static void evidence_text(FILE *out, const iks_verdict *v)
{
	uint32_t ev[IKS_VERDICT_MAX_EVIDENCE];
	uint32_t n = v->nevidence;
	memcpy(ev, v->evidence, n * sizeof(ev[0]));
	for (uint32_t i = 1; i < n; i++) /* insertion sort: at most 32 */
		for (uint32_t j = i; j > 0 && ev[j - 1] > ev[j]; j--) {
			uint32_t t = ev[j];
			ev[j] = ev[j - 1];
			ev[j - 1] = t;
		}
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i;
		while (j + 1 < n && ev[j + 1] == ev[j] + 1)
			j++;
		fprintf(out, "%s#%u", i ? ", " : "", ev[i] + 1);
		if (j > i)
			fprintf(out, "-#%u", ev[j] + 1);
		i = j + 1;
	}
}

const iks_finding *verdicts_no_overlap(const iks_correlation *c)
{
	const iks_finding *f;
	size_t n = iks_correlation_findings(c, &f);
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == IKS_FIND_CAPTURE_CHECK && f[i].check &&
		    !strcmp(f[i].check, "no-overlap") && f[i].nspans == 2)
			return &f[i];
	return NULL;
}

/* "YYYY-MM-DD HH:MM:SS" (UTC) of an epoch time. */
static const char *verdicts_clock(double s, char *buf, size_t len)
{
	time_t t = (time_t)s;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "?");
	return buf;
}

void verdicts_text(FILE *out, const iks_correlation *c)
{
	const iks_verdict *v;
	size_t nv = iks_correlation_verdicts(c, &v);
	if (!nv) {
		const iks_finding *f = verdicts_no_overlap(c);
		if (f) {
			char a1[32], a2[32], b1[32], b2[32];
			fprintf(out, "VERDICT none: the captures do not overlap in time (a %s - %s, b %s - %s, "
				     "each on its own clock): they were not taken at the same time, or a "
				     "clock is wrong by more than the captures last; check the files and "
				     "the hosts' clocks\n\n",
				verdicts_clock(f->spans[0].from_s, a1, sizeof(a1)),
				verdicts_clock(f->spans[0].to_s, a2, sizeof(a2)),
				verdicts_clock(f->spans[1].from_s, b1, sizeof(b1)),
				verdicts_clock(f->spans[1].to_s, b2, sizeof(b2)));
			return;
		}
		fputs("VERDICT none: nothing sent by one end could be judged at the other "
		      "(see the capture notes below)\n\n", out);
		return;
	}
	for (size_t k = 0; k < nv; k++) {
		char head[64];
		snprintf(head, sizeof(head), "%s%s%s%s", iks_cause_name(v[k].cause),
			 v[k].which ? " (" : "", v[k].which ? v[k].which : "", v[k].which ? ")" : "");
		if (v[k].what)
			snprintf(head, sizeof(head), "%s (%s)", iks_cause_name(v[k].cause), v[k].what);
		fprintf(out, "%s %s%s%s: %s.\n", nv > 1 ? (k ? "ALSO" : "VERDICT") : "VERDICT", head,
			v[k].direction ? " " : "",
			v[k].direction ? iks_correlation_direction_name(c, v[k].direction) : "",
			v[k].summary);
		if (!strcmp(v[k].confidence, "likely"))
			fprintf(out, "  (likely%s%s)\n", v[k].settle[0] ? ": " : "", v[k].settle);
		fprintf(out, "  what to do: %s\n", v[k].advice);
		if (v[k].log_note[0])
			fprintf(out, "  logs: %s.\n", v[k].log_note);
		if (v[k].nevidence) {
			fputs("  evidence: findings ", out);
			evidence_text(out, &v[k]);
			if (v[k].evidence_truncated)
				fprintf(out, " and more (the first %d cited are listed)",
					IKS_VERDICT_MAX_EVIDENCE);
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

