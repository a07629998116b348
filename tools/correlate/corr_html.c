/*
 * corr_html.c - pcapcorrelate --html: the page around the ladder (see
 * corr_html.h): header with both ends and the clock offset applied,
 * verdicts (each linking to the findings that show it), findings (most severe first, each linking to its arrow), negotiations,
 * legend, and the containers the script draws into. Every string from the
 * input goes through html_text()/js_str().
 *
 * Elements the tests count (docs/pcapcorrelate.1, HTML REPORT):
 * div.verdict (data-cause, data-direction), its a.evidence links (href
 * "#fN": a finding's position in the page; data-fi: its index in --json's
 * findings), its p.lognote (with --log-a/--log-b: what the logs say of its
 * messages), li.finding (data-kind, data-severity, data-fi, data-g: the
 * arrow's index or -1).
 */
#include "correlate/corr_html_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/verdicts_out.h"
#include "correlate/html_esc.h"

/* longer lists are folded (the rest one click away) so the ladder stays near the top */
#define FINDINGS_SHOWN 15
#define NEGOTIATIONS_SHOWN 12

static const char *arrow(int dir)
{
	return dir == IKS_DIR_A_TO_B ? "a\xe2\x86\x92" "b" : dir == IKS_DIR_B_TO_A ? "b\xe2\x86\x92" "a" : "";
}

/* A one-line headline for a finding, into buf. */
static void headline(const iks_finding *f, char *buf, size_t len)
{
	char ex[24], x[IKS_ADDRSTRLEN], y[IKS_ADDRSTRLEN];
	size_t n = 0;
	/* as the text report: request/response (IKEv2), 0x%08x message IDs, the size */
	if (f->has_ike) {
		n = (size_t)snprintf(buf, len, "IKEv%u %s%s mid 0x%08" PRIx32, f->version,
				     corr_exchange_name(f->version, f->exchange, ex),
				     f->version == 2 ? (f->response ? " response" : " request") : "", f->msgid);
		if (n < len && f->size && f->kind != IKS_FIND_PACKET_LOSS && f->kind != IKS_FIND_FRAGMENT_LOSS)
			n += (size_t)snprintf(buf + n, len - n, " (%" PRIu32 " bytes)", f->size);
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, ": ");
	}
	if (n >= len)
		return;
	char *p = buf + n;
	size_t left = len - n;
	switch (f->kind) {
	case IKS_FIND_CLOCK_OFFSET:
		snprintf(p, left, "b's clock - a's clock = %+.6f s (from %" PRIu64 " packets seen at both ends)",
			 f->offset_s, f->matches);
		break;
	case IKS_FIND_IKE_RETRANSMIT:
		/* an IKEv2 responder re-sends only when the request comes again (RFC 7296 2.1) */
		snprintf(p, left, "sent %u more time%s%s", f->count, f->count == 1 ? "" : "s",
			 f->version != 2 ? "" : f->response ? ", each time the request came again"
							    : " without an answer in time");
		break;
	case IKS_FIND_IKE_UNANSWERED:
		snprintf(p, left, "never arrived at %c", f->direction == IKS_DIR_A_TO_B ? 'b' : 'a');
		break;
	case IKS_FIND_PACKET_LOSS:
		if (f->has_ike) {
			snprintf(p, left, "lost in the path (%" PRIu32 " bytes)", f->size);
		} else {
			const char *pn = iks_ip_proto_name(f->proto);
			snprintf(p, left, "%u of %u %s packets lost", f->count, f->total, pn ? pn : "IP");
		}
		break;
	case IKS_FIND_FRAGMENT_LOSS:
		if (f->nranges && f->missing[0].end == IKS_LEN_UNKNOWN)
			snprintf(p, left, "IP ID 0x%04" PRIx32 " (%" PRIu32 " B): %u fragment%s arrived, bytes %"
				 PRIu32 " to the end never did", f->ip_id, f->size, f->count,
				 f->count == 1 ? "" : "s", f->missing[0].start);
		else
			snprintf(p, left, "IP ID 0x%04" PRIx32 " (%" PRIu32 " B): %u fragment%s arrived, %u "
				 "range%s missing", f->ip_id, f->size, f->count, f->count == 1 ? "" : "s",
				 f->nranges, f->nranges == 1 ? "" : "s");
		break;
	case IKS_FIND_ICMP_FRAG_NEEDED:
		snprintf(p, left, "a router sent \"fragmentation needed\", MTU %" PRIu32 ", for IP ID 0x%04" PRIx32
			 "; it %s the sender", f->mtu, f->ip_id, f->reached_sender ? "reached" : "did NOT reach");
		break;
	case IKS_FIND_PMTU_BLACKHOLE:
		snprintf(p, left, "%u packets of %" PRIu32 " bytes or more lost, up to %" PRIu32 " bytes pass",
			 f->count, f->size_lost_min, f->size_ok_max);
		break;
	case IKS_FIND_NAT_DETECTED:
		snprintf(p, left, "%c's %s:%u appears as %s:%u at %c", f->side,
			 f->addr_before.family ? iks_addr_format(&f->addr_before, x, sizeof(x)) : "?",
			 f->port_before,
			 f->addr_after.family ? iks_addr_format(&f->addr_after, y, sizeof(y)) : "?",
			 f->port_after, f->side == 'a' ? 'b' : 'a');
		break;
	case IKS_FIND_NAT_REBIND:
		snprintf(p, left, "%c's public %s:%u became %s:%u mid-SA; %u packets to the old one lost",
			 f->side,
			 f->addr_before.family ? iks_addr_format(&f->addr_before, x, sizeof(x)) : "?",
			 f->port_before,
			 f->addr_after.family ? iks_addr_format(&f->addr_after, y, sizeof(y)) : "?",
			 f->port_after, f->count);
		break;
	case IKS_FIND_MODIFIED_IN_TRANSIT:
		snprintf(p, left, "arrived with different bytes (spi 0x%08" PRIx32 " seq %" PRIu32 ", %" PRIu32
			 " bytes changed%s)%s", f->spi, f->seq, f->changed_bytes,
			 f->fragments_not_compared ? " in the fragments compared" : "",
			 f->discarded ? ", discarded by the receiver" : "");
		break;
	case IKS_FIND_LIMIT:
		/* which cap, and what the count counts: the explanation below */
		if (f->side)
			snprintf(p, left, "capture %c: %u past a cap, not followed", f->side, f->count);
		else
			snprintf(p, left, "%u not kept past a cap", f->count);
		break;
	case IKS_FIND_IKE_ERROR: {
		const char *nm = iks_ike_notify_name(f->version, f->notify);
		snprintf(p, left, "carried %s (%u)", nm ? nm : "an error notification", f->notify);
		break;
	}
	case IKS_FIND_ONE_WAY:
		snprintf(p, left, "%u negotiations started this way failed, %u started the other way completed",
			 f->count, f->total);
		break;
	case IKS_FIND_BAD_SPI:
		snprintf(p, left, "%u %s packets for spi 0x%08" PRIx32 " after its Delete (frame %" PRIu64 ")%s",
			 f->count, f->proto == 51 ? "AH" : "ESP", f->spi, f->delete_frame,
			 f->delete_arrived ? "" : ", which never arrived");
		break;
	default:
		snprintf(p, left, "%s", iks_finding_kind_name(f->kind));
		break;
	}
}

/* The diagnosis first: one block per verdict (iks_correlation_verdicts), most
 * decisive first, each with its advice and links to its evidence. */
static void write_verdicts(html_ctx *h)
{
	FILE *o = h->o;
	const iks_verdict *v;
	size_t nv = iks_correlation_verdicts(h->c, &v);
	char buf[512];
	fprintf(o, "<section id=\"verdicts\"><h2>Verdict%s</h2>\n", nv > 1 ? "s" : "");
	if (!nv && verdicts_no_overlap(h->c))
		fputs("<p class=\"verdict-none\">None: the captures do not overlap in time (see the "
		      "capture notes above): they were not taken at the same time, or a clock is wrong "
		      "by more than the captures last.</p>\n", o);
	else if (!nv)
		fputs("<p class=\"verdict-none\">None: nothing sent by one end could be judged at the "
		      "other (see the capture notes above).</p>\n", o);
	for (size_t k = 0; k < nv; k++) {
		const iks_verdict *x = &v[k];
		const char *cause = iks_cause_name(x->cause);
		bool ok = x->cause == IKS_CAUSE_NO_PATH_PROBLEM;
		fprintf(o, "<div class=\"verdict%s\" id=\"v%zu\" data-cause=\"%s\" data-direction=\"%s\">"
			"<div class=\"vhead\"><span class=\"vlabel\">%s</span> <span class=\"cause\">%s",
			ok ? " healthy" : "", k, cause, x->direction ? iks_direction_name(x->direction) : "",
			k ? "also" : "verdict", cause);
		if (x->which || x->what) {
			fputs(" (", o);
			html_text(o, x->which ? x->which : x->what);
			fputc(')', o);
		}
		fputs("</span>", o);
		if (x->direction)
			fprintf(o, " <span class=\"dir\">%s</span>",
				x->direction == IKS_DIR_BOTH ? "both ways" : arrow(x->direction));
		if (x->confidence) {
			fputs(" <span class=\"conf\">", o);
			html_text(o, x->confidence);
			fputs("</span>", o);
		}
		fputs("</div>\n<p class=\"summary\">", o);
		html_text(o, x->summary);
		fputs(".</p>\n<p class=\"advice\"><b>What to do:</b> ", o);
		html_text(o, x->advice);
		fputs("</p>\n", o);
		if (x->log_note[0]) { /* only with --log-a/--log-b */
			fputs("<p class=\"lognote\"><b>Logs:</b> ", o);
			html_text(o, x->log_note);
			fputs(".</p>\n", o);
		}
		if (x->nevidence) {
			/* each finding its own link, in page order; its headline as a tooltip */
			size_t ev[IKS_VERDICT_MAX_EVIDENCE], ne = 0;
			for (uint32_t e = 0; e < x->nevidence && e < IKS_VERDICT_MAX_EVIDENCE; e++)
				if (x->evidence[e] < h->nf)
					ev[ne++] = x->evidence[e];
			for (size_t i = 1; i < ne; i++) /* insertion sort by page position: at most 32 */
				for (size_t j = i; j > 0 && h->fpos[ev[j - 1]] > h->fpos[ev[j]]; j--) {
					size_t t = ev[j];
					ev[j] = ev[j - 1];
					ev[j - 1] = t;
				}
			fprintf(o, "<p class=\"evidence-list\">Evidence (%zu finding%s):", ne, ne == 1 ? "" : "s");
			for (size_t i = 0; i < ne; i++) {
				size_t pos = h->fpos[ev[i]];
				const iks_finding *f = &h->f[ev[i]];
				fprintf(o, " <a class=\"evidence\" href=\"#f%zu\" data-fi=\"%zu\" title=\"%s %s: ", pos,
					ev[i], iks_severity_name(f->severity), iks_finding_kind_name(f->kind));
				headline(f, buf, sizeof(buf));
				html_text(o, buf);
				fprintf(o, "\">#%zu</a>", pos + 1);
			}
			if (x->evidence_truncated)
				fprintf(o, " and more (the first %d cited are listed)", IKS_VERDICT_MAX_EVIDENCE);
			fputs("</p>\n", o);
		}
		fputs("</div>\n", o);
	}
	fputs("</section>\n", o);
}

static void write_findings(html_ctx *h)
{
	FILE *o = h->o;
	char t1[32], t2[32], buf[512];
	fprintf(o, "<section id=\"findings\"><h2>Findings (%zu)</h2>\n", h->nf);
	if (!h->nf)
		fputs("<p>None: everything sent inside the overlap arrived.</p>\n", o);
	if (h->nf > FINDINGS_SHOWN) {
		/* a long list: how many of each kind first, then the first ones open */
		fputs("<p class=\"fsum\">", o);
		for (int k = 0; k <= IKS_FIND_NAT_REBIND; k++) {
			size_t cnt = 0;
			for (size_t j = 0; j < h->nf; j++)
				cnt += h->f[j].kind == k;
			if (cnt)
				fprintf(o, "<span class=\"fk\">%s &times;%zu</span> ", iks_finding_kind_name(k), cnt);
		}
		fputs("</p>\n", o);
	}
	fputs("<ol class=\"findings\">\n", o);
	for (size_t p = 0; p < h->nf; p++) {
		if (p == FINDINGS_SHOWN)
			fprintf(o, "</ol>\n<details class=\"more\"><summary>show the other %zu findings</summary>"
				"<ol class=\"findings\" start=\"%d\">\n", h->nf - FINDINGS_SHOWN, FINDINGS_SHOWN + 1);
		const iks_finding *f = &h->f[h->forder[p]];
		size_t gi = h->fgroup[h->forder[p]];
		const char *sev = iks_severity_name(f->severity);
		fprintf(o, "<li class=\"finding sev-%s\" id=\"f%zu\" data-kind=\"%s\" data-severity=\"%s\" "
			"data-fi=\"%zu\" data-g=\"%ld\">", sev, p, iks_finding_kind_name(f->kind), sev,
			h->forder[p], gi == SIZE_MAX ? -1L : (long)gi);
		if (gi != SIZE_MAX)
			fprintf(o, "<a class=\"goto\" href=\"#g%zu\" data-g=\"%zu\">", gi, gi);
		fprintf(o, "<span class=\"sev\">%s</span> <span class=\"kind\">%s</span> "
			"<span class=\"dir\">%s</span> ", sev, iks_finding_kind_name(f->kind), arrow(f->direction));
		headline(f, buf, sizeof(buf));
		html_text(o, buf);
		if (gi != SIZE_MAX)
			fputs("</a>", o);
		/* an explanation once: the same text five times hides the list */
		if (h->efirst[p]) {
			fputs("<div class=\"explain\">", o);
			html_text(o, f->explain);
			fputs("</div>", o);
		}
		if (f->frame_a || f->frame_b) {
			fputs("<div class=\"where\">", o);
			if (f->frame_a)
				fprintf(o, "a: frame %" PRIu64 " at %s", f->frame_a, corr_clock_text(f->time_a_s, t1, sizeof(t1)));
			else
				fputs("a: not seen", o);
			if (f->frame_b)
				fprintf(o, " &middot; b: frame %" PRIu64 " at %s", f->frame_b,
					corr_clock_text(f->time_b_s, t2, sizeof(t2)));
			else
				fputs(" &middot; b: not seen", o);
			fputs("</div>", o);
		}
		fputs("</li>\n", o);
	}
	fputs(h->nf > FINDINGS_SHOWN ? "</ol></details></section>\n" : "</ol></section>\n", o);
}

/* IKE groups by (version, initiator SPI), first group first: each
 * negotiation finds its first message's arrow by binary search instead of a
 * scan over every group (which made --html quadratic). */
typedef struct neg_key {
	uint8_t ispi[8];
	uint8_t version;
	size_t idx;
} neg_key;

static int cmp_neg_key(const neg_key *a, uint8_t version, const uint8_t ispi[8])
{
	if (a->version != version)
		return a->version < version ? -1 : 1;
	return memcmp(a->ispi, ispi, 8);
}

static int cmp_neg_sort(const void *x, const void *y)
{
	const neg_key *a = x, *b = y;
	int r = cmp_neg_key(a, b->version, b->ispi);
	if (r)
		return r;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The first IKE group of that version and initiator SPI, or -1. */
static long first_ike_group(const neg_key *k, size_t nk, uint8_t version, const uint8_t ispi[8])
{
	size_t lo = 0, hi = nk;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_neg_key(&k[mid], version, ispi) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nk && cmp_neg_key(&k[lo], version, ispi) == 0 ? (long)k[lo].idx : -1;
}

static void write_negotiations(html_ctx *h)
{
	FILE *o = h->o;
	const iks_negotiation *n;
	size_t nn = iks_correlation_negotiations(h->c, &n);
	char ex[24], i8[17], r8[17];
	fprintf(o, "<section id=\"negotiations\"><h2>IKE negotiations (%zu)</h2>\n", nn);
	if (nn > NEGOTIATIONS_SHOWN) {
		size_t cnt[4] = { 0, 0, 0, 0 };
		for (size_t k = 0; k < nn; k++)
			if (n[k].outcome >= 1 && n[k].outcome <= 3)
				cnt[n[k].outcome]++;
		fprintf(o, "<details><summary>%zu complete, %zu failed, %zu incomplete: show them</summary>\n",
			cnt[IKS_OUTCOME_COMPLETE], cnt[IKS_OUTCOME_FAILED], cnt[IKS_OUTCOME_INCOMPLETE]);
	}
	/* the index; without memory for it, no links (the page stays whole) */
	size_t nk = 0;
	neg_key *keys = nn ? malloc((h->ng + 1) * sizeof(*keys)) : NULL;
	if (keys) {
		for (size_t i = 0; i < h->ng; i++)
			if (h->g[i].kind == IKS_GROUP_IKE) {
				memcpy(keys[nk].ispi, h->g[i].ispi, 8);
				keys[nk].version = h->g[i].version;
				keys[nk++].idx = i;
			}
		qsort(keys, nk, sizeof(*keys), cmp_neg_sort);
	}
	fputs("<ul>\n", o);
	for (size_t k = 0; k < nn; k++) {
		const iks_negotiation *x = &n[k];
		hex8(i8, x->ispi);
		hex8(r8, x->rspi);
		/* its first message's arrow */
		long gi = first_ike_group(keys, nk, x->version, x->ispi);
		fprintf(o, "<li class=\"neg outcome-%s\">", iks_outcome_name(x->outcome));
		if (gi >= 0)
			fprintf(o, "<a class=\"goto\" href=\"#g%ld\" data-g=\"%ld\">", gi, gi);
		fprintf(o, "IKEv%u %s/%s%s", x->version, i8, r8, gi >= 0 ? "</a>" : "");
		fprintf(o, " initiated by %s: <b>%s</b>",
			x->initiator == IKS_DIR_A_TO_B ? "a" : x->initiator == IKS_DIR_B_TO_A ? "b" : "?",
			iks_outcome_name(x->outcome));
		if (x->outcome == IKS_OUTCOME_FAILED)
			fprintf(o, " at %s mid 0x%08" PRIx32, corr_exchange_name(x->version, x->failed_exchange, ex),
				x->failed_msgid);
		if (x->error_notify) {
			const char *nm = iks_ike_notify_name(x->version, x->error_notify);
			fprintf(o, " (%s sent ", x->error_dir == IKS_DIR_A_TO_B ? "a" : "b");
			html_text(o, nm ? nm : "an error notification");
			fputs(")", o);
		} else if (x->outcome_reason) {
			fputs(" (", o);
			html_text(o, x->outcome_reason);
			fputs(")", o);
		}
		fputs("</li>\n", o);
	}
	fputs(nn > NEGOTIATIONS_SHOWN ? "</ul></details></section>\n" : "</ul></section>\n", o);
	free(keys);
}

/* A finding's explanation and its position in the page. */
typedef struct explain_pos {
	const char *e;
	size_t p;
} explain_pos;

static int cmp_explain(const void *x, const void *y)
{
	const explain_pos *a = x, *b = y;
	int r = strcmp(a->e, b->e);
	return r ? r : a->p < b->p ? -1 : a->p > b->p;
}

/* efirst[p]: the finding at page position p carries the first copy of its
 * explanation in the page (sorted once instead of a scan of the earlier
 * findings for each: that was quadratic in findings). 0, or -1 when out
 * of memory. */
static int first_explanations(html_ctx *h)
{
	explain_pos *x = malloc((h->nf + 1) * sizeof(*x));
	size_t n = 0;
	h->efirst = calloc(h->nf + 1, sizeof(*h->efirst));
	if (!x || !h->efirst) {
		free(x);
		return -1;
	}
	for (size_t p = 0; p < h->nf; p++)
		if (h->f[h->forder[p]].explain)
			x[n++] = (explain_pos){ h->f[h->forder[p]].explain, p };
	qsort(x, n, sizeof(*x), cmp_explain);
	for (size_t i = 0; i < n; i++)
		h->efirst[x[i].p] = i == 0 || strcmp(x[i - 1].e, x[i].e) != 0;
	free(x);
	return 0;
}

static void write_host(html_ctx *h, int s, const iks_addr *addr, uint16_t port)
{
	FILE *o = h->o;
	char a[IKS_ADDRSTRLEN], t1[32], t2[32];
	fprintf(o, "<div class=\"host host-%c\" id=\"host-%c\"><b>%c</b> = ", s ? 'b' : 'a', s ? 'b' : 'a',
		s ? 'b' : 'a');
	html_text(o, addr->family ? iks_addr_format(addr, a, sizeof(a)) : "?");
	if (port)
		fprintf(o, ":%u", port);
	fputs(" &middot; <span class=\"file\">", o);
	html_text(o, h->in[s].path);
	fprintf(o, "</span> &middot; %" PRIu64 " frames, %s to %s UTC", h->in[s].info.frames,
		corr_clock_text((double)h->in[s].info.first_ns / 1e9, t1, sizeof(t1)),
		corr_clock_text((double)h->in[s].info.last_ns / 1e9, t2, sizeof(t2)));
	if (h->in[s].warning) {
		fputs("<div class=\"warn\">", o);
		html_text(o, h->in[s].warning);
		fputs("</div>", o);
	}
	fputs("</div>\n", o);
}

static void write_header(html_ctx *h)
{
	FILE *o = h->o;
	const iks_endpoints *e = iks_correlation_endpoints(h->c);
	const iks_clock_estimate *ce = iks_correlation_clock(h->c);
	iks_correlation_stats st;
	iks_correlation_get_stats(h->c, &st);
	char a[IKS_ADDRSTRLEN] = "?", b[IKS_ADDRSTRLEN] = "?", t1[32], t2[32];
	if (e->a_in_a.family)
		iks_addr_format(&e->a_in_a, a, sizeof(a));
	if (e->b_in_b.family)
		iks_addr_format(&e->b_in_b, b, sizeof(b));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", o);
	fprintf(o, "IPsec path %s \xe2\x87\x84 %s (pcapcorrelate)", a, b);
	fputs("</title>\n<style>\n", o);
	fputs(corr_html_css, o);
	fputs("</style></head>\n<body>\n<header id=\"top\">\n<h1>", o);
	fprintf(o, "IPsec path %s \xe2\x87\x84 %s</h1>\n", a, b);
	write_host(h, 0, &e->a_in_a, e->a_port_in_a);
	write_host(h, 1, &e->b_in_b, e->b_port_in_b);
	if (!ce->known)
		fprintf(o, "<p class=\"clock\" id=\"clock\">Common clock: none known: not one packet "
			"between the ends is in both captures, so each axis keeps its own host's clock "
			"(UTC), taken to agree. Both captures run from %s to %s; the ends were told apart "
			"by %s.</p>\n",
			corr_clock_text(e->covered_from_s, t1, sizeof(t1)),
			corr_clock_text(e->covered_to_s, t2, sizeof(t2)), e->method ? e->method : "?");
	else
		fprintf(o, "<p class=\"clock\" id=\"clock\">Common clock: <b>a's</b>. b's times are moved by "
		"<b>%+.6f s</b> (b's clock - a's = %+.6f s from %" PRIu64 " packets seen at both ends, "
		"spread %.6f s, drift %.3f ppm); one-way delay a\xe2\x86\x92" "b %.6f s. Each axis is labelled "
		"with its own host's clock (UTC). Both captures run from %s to %s (a's clock); the ends "
		"were told apart by %s.</p>\n",
		-ce->offset_s, ce->offset_s, ce->matches, ce->spread_s, ce->drift_ppm, ce->delay_ab_s,
		corr_clock_text(e->covered_from_s, t1, sizeof(t1)), corr_clock_text(e->covered_to_s, t2, sizeof(t2)),
		e->method ? e->method : "?");
	fprintf(o, "<p class=\"stats\" id=\"stats\" data-sent-a=\"%" PRIu64 "\" data-sent-b=\"%" PRIu64
		"\" data-lost-ab=\"%" PRIu64 "\" data-lost-ba=\"%" PRIu64 "\">a sent %" PRIu64
		" packets (%" PRIu64 " arrived, <b>%" PRIu64 " lost</b>), b sent %" PRIu64 " (%" PRIu64
		" arrived, <b>%" PRIu64 " lost</b>); %" PRIu64 " dropped with an ICMP error; %" PRIu64
		" sent outside the overlap (not judged).</p>\n",
		st.sent_a, st.sent_b, st.lost_ab, st.lost_ba, st.sent_a, st.matched_ab, st.lost_ab,
		st.sent_b, st.matched_ba, st.lost_ba, st.dropped_with_icmp, st.not_covered);
	if (st.discarded_ab || st.discarded_ba)
		fprintf(o, "<p class=\"stats\">Changed in transit and discarded by the receiver (not "
			"counted as arrived): <b>%" PRIu64 "</b> a&rarr;b, <b>%" PRIu64 "</b> b&rarr;a.</p>\n",
			st.discarded_ab, st.discarded_ba);
	fputs("<nav><a href=\"#verdicts\">Verdicts</a> &middot; <a href=\"#findings\">Findings</a> &middot; <a href=\"#negotiations\">IKE "
	      "negotiations</a> &middot; <a href=\"#view\">Ladder</a></nav>\n", o);
	if (h->gdropped)
		fprintf(o, "<p class=\"warn\">%" PRIu64 " packets are not drawn: the packet group cap was "
			"reached.</p>\n", h->gdropped);
	fputs("</header>\n", o);
}

/* The name over one axis: address, the file (its last component; all of it
 * as a tooltip), and the address the other end sees when NAT rewrites it. */
static void axis_name(html_ctx *h, int s, const iks_addr *own, uint16_t port, const iks_addr *seen,
		      uint16_t seen_port)
{
	FILE *o = h->o;
	char x[IKS_ADDRSTRLEN];
	const char *path = h->in[s].path, *base = strrchr(path, '/');
	fprintf(o, "<div class=\"axis-name axis-%c\">%c: ", s ? 'b' : 'a', s ? 'b' : 'a');
	html_text(o, own->family ? iks_addr_format(own, x, sizeof(x)) : "?");
	fputs(" <span class=\"file\" title=\"", o);
	html_text(o, path);
	fputs("\">", o);
	html_text(o, base && base[1] ? base + 1 : path);
	fputs("</span>", o);
	if (seen->family && (own->family != seen->family || memcmp(own->bytes, seen->bytes, 16) || port != seen_port)) {
		fprintf(o, "<span class=\"seen\">%c sees it as ", s ? 'a' : 'b');
		html_text(o, iks_addr_format(seen, x, sizeof(x)));
		fprintf(o, ":%u</span>", seen_port);
	}
	fputs("</div>", o);
}

/* Legend samples are drawn by the script (same code as the ladder). */
static void write_view(html_ctx *h)
{
	FILE *o = h->o;
	const iks_endpoints *e = iks_correlation_endpoints(h->c);
	fputs("<section id=\"view\"><h2>Ladder</h2>\n"
	      "<div id=\"legend\"></div>\n"
	      "<div id=\"toolbar\"><button id=\"zoom-out\" title=\"less space (-)\">\xe2\x88\x92</button>"
	      "<button id=\"zoom-in\" title=\"more space (+)\">+</button>"
	      "<button id=\"zoom-reset\" title=\"normal spacing (0)\">1:1</button>"
	      "<span id=\"zoom-level\"></span> <span class=\"hint\">Vertical spacing follows time, with "
	      "long pauses shortened and marked. Click an arrow for its decode.</span></div>\n"
	      "<div id=\"main\"><div id=\"ladder-wrap\"><div id=\"axes-head\">", o);
	axis_name(h, 0, &e->a_in_a, e->a_port_in_a, &e->a_in_b, e->a_port_in_b);
	axis_name(h, 1, &e->b_in_b, e->b_port_in_b, &e->b_in_a, e->b_port_in_a);
	fputs("</div><div id=\"ladder\"></div></div>\n"
	      "<aside id=\"detail\"><h3>Decode</h3><p class=\"hint\">Click an arrow.</p></aside></div>\n"
	      "<noscript><p class=\"warn\">The ladder is drawn by the page's script: allow scripts for "
	      "this file. The findings above do not need it.</p></noscript>\n</section>\n", o);
}

int corr_report_html(const char *path, const corr_input in[2], const iks_correlation *c)
{
	html_ctx h;
	memset(&h, 0, sizeof(h));
	h.in = in;
	h.c = c;
	h.ng = iks_correlation_groups(c, &h.g, &h.gdropped);
	h.nf = iks_correlation_findings(c, &h.f);
	h.t0 = (double)in[0].info.first_ns / 1e9;
	h.forder = malloc((h.nf + 1) * sizeof(size_t));
	h.fpos = malloc((h.nf + 1) * sizeof(size_t));
	int rc = 0;
	if (!h.forder || !h.fpos || html_lost_times(&h) != 0 || html_link_findings(&h) != 0 ||
	    html_number_copies(&h) != 0) {
		fprintf(stderr, "pcapcorrelate: %s: out of memory\n", path);
		rc = 1;
		goto out;
	}
	/* most severe first, otherwise in the library's order (as --json) */
	size_t m = 0;
	for (int sev = IKS_SEV_ERROR; sev >= IKS_SEV_INFO; sev--)
		for (size_t j = 0; j < h.nf; j++)
			if (h.f[j].severity == sev)
				h.forder[m++] = j;
	for (size_t j = 0; j < h.nf; j++)
		if (h.f[j].severity < IKS_SEV_INFO || h.f[j].severity > IKS_SEV_ERROR)
			h.forder[m++] = j;
	for (size_t p = 0; p < h.nf; p++)
		h.fpos[h.forder[p]] = p;
	if (first_explanations(&h) != 0) {
		fprintf(stderr, "pcapcorrelate: %s: out of memory\n", path);
		rc = 1;
		goto out;
	}
	h.o = fopen(path, "w");
	if (!h.o) {
		fprintf(stderr, "pcapcorrelate: %s: cannot write: %s\n", path, strerror(errno));
		rc = 1;
		goto out;
	}
	write_header(&h);
	write_verdicts(&h);
	write_findings(&h);
	write_negotiations(&h);
	write_view(&h);
	html_write_data(&h);
	fputs("<script>\n", h.o);
	fputs(corr_html_js, h.o);
	fputs("</script>\n</body></html>\n", h.o);
	if (ferror(h.o) | fclose(h.o)) {
		fprintf(stderr, "pcapcorrelate: %s: error writing the report\n", path);
		rc = 1;
	}
out:
	free(h.forder);
	free(h.fpos);
	free(h.efirst);
	free(h.fgroup);
	free(h.copy);
	free(h.copies);
	free(h.ltoff);
	free(h.lt);
	free(h.lmap);
	return rc;
}
