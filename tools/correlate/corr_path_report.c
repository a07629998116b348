/*
 * corr_path_report.c - pcapcorrelate with more than two captures: the
 * points, the hops and what each hop lost or changed (text and JSON).
 *
 * Points are named from their files: the part of the name the files do
 * not share ("a", "r-ra", "r-rb", "b"); when two points' names share a
 * device before a '-', they are that device's interfaces ("r, interface
 * ra"). A hop between two interfaces of one device whose packets lose TTL
 * is "inside the router"; TTL unchanged between two devices is the link
 * between them.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_path_report.h"

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static size_t stem_len(const char *base)
{
	const char *dot = strrchr(base, '.');
	return dot && dot != base ? (size_t)(dot - base) : strlen(base);
}

void corr_point_names(const char *const *paths, size_t n, corr_point_name *names)
{
	/* the prefix every stem shares, cut back to a separator */
	const char *b0 = base_of(paths[0]);
	size_t common = stem_len(b0);
	for (size_t i = 1; i < n; i++) {
		const char *bi = base_of(paths[i]);
		size_t k = 0, li = stem_len(bi);
		while (k < common && k < li && bi[k] == b0[k])
			k++;
		common = k;
	}
	while (common > 0 && !strchr("_-.", b0[common - 1]))
		common--;
	for (size_t i = 0; i < n; i++) {
		const char *bi = base_of(paths[i]);
		size_t len = stem_len(bi) - common;
		const char *lab = bi + common;
		if (len == 0) {
			lab = bi;
			len = stem_len(bi);
		}
		if (len >= sizeof(names[i].label))
			len = sizeof(names[i].label) - 1;
		memcpy(names[i].label, lab, len);
		names[i].label[len] = 0;
		names[i].device[0] = names[i].interface[0] = 0;
	}
	/* device-interface, when another point names the same device */
	for (size_t i = 0; i < n; i++) {
		const char *dash = strchr(names[i].label, '-');
		if (!dash || dash == names[i].label || !dash[1])
			continue;
		size_t dl = (size_t)(dash - names[i].label);
		for (size_t j = 0; j < n; j++) {
			if (j == i || strncmp(names[j].label, names[i].label, dl + 1) != 0)
				continue;
			memcpy(names[i].device, names[i].label, dl);
			names[i].device[dl] = 0;
			snprintf(names[i].interface, sizeof(names[i].interface), "%s", dash + 1);
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (names[i].interface[0])
			snprintf(names[i].title, sizeof(names[i].title), "P%zu (%s, interface %s)", i + 1,
				 names[i].device, names[i].interface);
		else
			snprintf(names[i].title, sizeof(names[i].title), "P%zu (%s)", i + 1,
				 names[i].label);
	}
}

const char *corr_hop_where(const corr_point_name *names, size_t hop, const iks_path_hop *h,
			   char *buf, size_t len)
{
	const corr_point_name *x = &names[hop], *y = &names[hop + 1];
	int ttl = h->ttl_drop_ab >= 0 ? h->ttl_drop_ab : h->ttl_drop_ba;
	bool same = x->device[0] && !strcmp(x->device, y->device);
	if (same && ttl > 0)
		snprintf(buf, len, "inside the router");
	else if (same)
		snprintf(buf, len, "inside %s%s", x->device, ttl == 0 ? " (TTL unchanged)" : "");
	else if (ttl == 0)
		snprintf(buf, len, "on the link between them (TTL unchanged: no router)");
	else if (ttl > 0)
		snprintf(buf, len, "across %d router%s between them (TTL -%d)", ttl, ttl > 1 ? "s" : "",
			 ttl);
	else
		snprintf(buf, len, "between them");
	return buf;
}

/* What hop i lost and changed. */
typedef struct hop_counts {
	uint64_t lost_ab, lost_ba, icmp, changed;
} hop_counts;

static void count_hop(const iks_correlation *c, hop_counts *k)
{
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	k->lost_ab = st.lost_ab + st.other_lost_ab;
	k->lost_ba = st.lost_ba + st.other_lost_ba;
	k->icmp = st.dropped_with_icmp;
	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	k->changed = 0;
	for (size_t i = 0; i < nf; i++)
		k->changed += f[i].kind == IKS_FIND_MODIFIED_IN_TRANSIT;
}

bool corr_end_finding(int kind)
{
	return kind == IKS_FIND_IKE_RETRANSMIT || kind == IKS_FIND_IKE_UNANSWERED ||
	       kind == IKS_FIND_IKE_ERROR || kind == IKS_FIND_ONE_WAY || kind == IKS_FIND_BAD_SPI;
}

static bool only_healthy(const iks_correlation *c)
{
	const iks_verdict *v;
	size_t nv = iks_correlation_verdicts(c, &v);
	return nv == 1 && v[0].cause == IKS_CAUSE_NO_PATH_PROBLEM;
}

/* How a verdict's hop is said: what happened between the two points. */
static const char *verdict_verb(int cause)
{
	switch (cause) {
	case IKS_CAUSE_MODIFIED_IN_TRANSIT: return "changed";
	case IKS_CAUSE_FRAGMENTS_DROPPED:
	case IKS_CAUSE_PMTU_BLACKHOLE:
	case IKS_CAUSE_BLOCKED:
	case IKS_CAUSE_RANDOM_LOSS:
	case IKS_CAUSE_STALE_SA:
	case IKS_CAUSE_NAT_REBIND: return "lost";
	default: return "seen";
	}
}

void corr_path_text(FILE *out, const corr_input *in, size_t n, const iks_path *p)
{
	corr_point_name names[CORR_POINTS_MAX];
	const char *paths[CORR_POINTS_MAX] = { NULL };
	char a1[IKS_ADDRSTRLEN], b1[IKS_ADDRSTRLEN], where[128];
	for (size_t i = 0; i < n; i++)
		paths[i] = in[i].path;
	corr_point_names(paths, n, names);
	/* what an end's log proves its daemon dropped (the path delivered it) */
	const iks_correlation *e2e_v = iks_path_end_to_end(p);
	const iks_verdict *ev;
	size_t nev = iks_correlation_verdicts(e2e_v, &ev);
	for (size_t k = 0; k < nev; k++) {
		if (ev[k].cause != IKS_CAUSE_DAEMON_DROPPED)
			continue;
		const char *dir = iks_correlation_direction_name(e2e_v, ev[k].direction);
		fprintf(out, "VERDICT %s%s%s: %s\n", iks_cause_name(ev[k].cause), dir ? " " : "",
			dir ? dir : "", ev[k].summary);
		fprintf(out, "  what to do: %s\n", ev[k].advice);
	}
	/* the verdicts, each on its hop */
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_correlation *c = iks_path_hop_correlation(p, h);
		if (only_healthy(c))
			continue;
		const iks_verdict *v;
		size_t nv = iks_correlation_verdicts(c, &v);
		corr_hop_where(names, h, iks_path_hop_get(p, h), where, sizeof(where));
		for (size_t k = 0; k < nv; k++) {
			if (v[k].cause == IKS_CAUSE_NO_PATH_PROBLEM)
				continue;
			const char *dir = iks_correlation_direction_name(c, v[k].direction);
			fprintf(out, "VERDICT hop %zu %s%s%s: %s\n", h, iks_cause_name(v[k].cause),
				dir ? " " : "", dir ? dir : "", v[k].summary);
			fprintf(out, "  %s between %s and %s: %s\n", verdict_verb(v[k].cause),
				names[h].title, names[h + 1].title, where);
			if (v[k].advice[0])
				fprintf(out, "  what to do: %s\n", v[k].advice);
		}
	}
	fprintf(out, "\npoints (%zu, in path order from end a to end b):\n", n);
	for (size_t i = 0; i < n; i++) {
		const iks_path_point *pt = iks_path_point_get(p, i);
		fprintf(out, "  %s: %s (%" PRIu64 " frames)", names[i].title, in[i].path,
			in[i].info.frames);
		if (pt->hosts_known)
			fprintf(out, ", sees a = %s, b = %s", iks_addr_format(&pt->a, a1, sizeof(a1)),
				iks_addr_format(&pt->b, b1, sizeof(b1)));
		if (i && pt->clock_known)
			fprintf(out, ", clock %+.6f s, drift %.3f ppm against P1", pt->offset_s,
				pt->drift_ppm);
		else if (i)
			fprintf(out, ", clock against P1 not known");
		fputc('\n', out);
		if (in[i].warning)
			fprintf(out, "    warning: %s\n", in[i].warning);
		if (pt->incomplete)
			fprintf(out, "    capture incomplete: %" PRIu64 " packets the points on both sides "
				"hold are missing from it (not counted lost)\n", pt->incomplete);
	}
	fprintf(out, "\nhops:\n");
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_path_hop *hp = iks_path_hop_get(p, h);
		hop_counts k;
		count_hop(iks_path_hop_correlation(p, h), &k);
		fprintf(out, "  hop %zu: %s - %s: %s\n", h, names[h].title, names[h + 1].title,
			corr_hop_where(names, h, hp, where, sizeof(where)));
		if (k.lost_ab || k.lost_ba)
			fprintf(out, "    lost: %" PRIu64 " a->b, %" PRIu64 " b->a\n", k.lost_ab,
				k.lost_ba);
		if (k.icmp)
			fprintf(out, "    dropped with an ICMP error: %" PRIu64 "\n", k.icmp);
		if (k.changed)
			fprintf(out, "    changed: %" PRIu64 " packets\n", k.changed);
		if (hp->nat_a || hp->nat_b)
			fprintf(out, "    NAT: %s%s%s rewritten here\n", hp->nat_a ? "a" : "",
				hp->nat_a && hp->nat_b ? " and " : "", hp->nat_b ? "b" : "");
		if (!k.lost_ab && !k.lost_ba && !k.icmp && !k.changed && !hp->nat_a && !hp->nat_b)
			fprintf(out, "    nothing lost, nothing changed\n");
	}
	const iks_correlation *e2e = iks_path_end_to_end(p);
	const iks_negotiation *negs;
	size_t nn = iks_correlation_negotiations(e2e, &negs);
	fprintf(out, "\nnegotiations (%zu, as the ends %s and %s saw them):\n", nn, names[0].title,
		names[n - 1].title);
	corr_text_negotiations(out, negs, nn);
	/* the ends' logs and events belong to P1's and PN's captures */
	corr_input ends[2] = { in[0], in[n - 1] };
	corr_text_logs(out, ends, e2e);
	fprintf(out, "\ntimeline (end to end: %s's clock on the left, %s's on the right):\n",
		names[0].title, names[n - 1].title);
	corr_text_timelines(out, ends, e2e);
	/* each hop with something to say, in full */
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_correlation *c = iks_path_hop_correlation(p, h);
		hop_counts k;
		count_hop(c, &k);
		const iks_path_hop *hp = iks_path_hop_get(p, h);
		if (only_healthy(c) && !k.lost_ab && !k.lost_ba && !k.changed && !hp->nat_a &&
		    !hp->nat_b)
			continue;
		fprintf(out, "\n== hop %zu: a = %s, b = %s\n", h, names[h].title, names[h + 1].title);
		corr_report_text(out, &in[h], c);
	}
}

static void json_point(jsonw *w, const corr_input *in, const corr_point_name *nm,
		       const iks_path_point *pt, size_t i)
{
	jw_obj_begin(w);
	jw_key(w, "point");
	jw_uint(w, i);
	jw_key(w, "file");
	jw_str(w, in->path);
	jw_key(w, "name");
	jw_str(w, nm->label);
	jw_key(w, "device");
	jw_str(w, nm->device[0] ? nm->device : nm->label);
	jw_key(w, "interface");
	jw_str(w, nm->interface[0] ? nm->interface : NULL);
	jw_key(w, "frames");
	jw_uint(w, in->info.frames);
	jw_key(w, "warning");
	jw_str(w, in->warning);
	jw_key(w, "hosts");
	jw_obj_begin(w);
	jw_key(w, "a");
	if (pt->hosts_known)
		jw_addr(w, &pt->a);
	else
		jw_null(w);
	jw_key(w, "b");
	if (pt->hosts_known)
		jw_addr(w, &pt->b);
	else
		jw_null(w);
	jw_obj_end(w);
	jw_key(w, "clock");
	jw_obj_begin(w);
	jw_key(w, "known");
	jw_bool(w, pt->clock_known);
	jw_key(w, "offset_s");
	if (pt->clock_known)
		jw_fixed(w, pt->offset_s, 9);
	else
		jw_null(w);
	jw_key(w, "drift_ppm");
	if (pt->clock_known)
		jw_fixed(w, pt->drift_ppm, 3);
	else
		jw_null(w);
	jw_obj_end(w);
	jw_key(w, "coverage");
	jw_obj_begin(w);
	jw_key(w, "first");
	jw_time(w, pt->first_s);
	jw_key(w, "last");
	jw_time(w, pt->last_s);
	jw_key(w, "incomplete");
	jw_uint(w, pt->incomplete);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void json_ttl(jsonw *w, int v)
{
	if (v >= 0)
		jw_uint(w, (uint64_t)v);
	else
		jw_null(w);
}

/* One verdict of the path's list: its hop (-1: null, the ends'), where,
 * and the verdict's words; the object is left open unless `close`. */
static void json_path_verdict(jsonw *w, int hop, const char *where, const iks_correlation *c,
			      const iks_verdict *v, bool close)
{
	jw_obj_begin(w);
	jw_key(w, "hop");
	if (hop >= 0)
		jw_uint(w, (uint64_t)hop);
	else
		jw_null(w);
	jw_key(w, "where");
	jw_str(w, where);
	jw_key(w, "cause");
	jw_str(w, iks_cause_name(v->cause));
	jw_key(w, "direction");
	jw_str(w, iks_correlation_direction_name(c, v->direction));
	jw_key(w, "confidence");
	jw_str(w, v->confidence);
	jw_key(w, "summary");
	jw_str(w, v->summary);
	jw_key(w, "advice");
	jw_str(w, v->advice);
	if (close)
		jw_obj_end(w);
}

void corr_path_json(FILE *out, const corr_input *in, size_t n, const iks_path *p)
{
	corr_point_name names[CORR_POINTS_MAX];
	const char *paths[CORR_POINTS_MAX] = { NULL };
	char where[128];
	for (size_t i = 0; i < n; i++)
		paths[i] = in[i].path;
	corr_point_names(paths, n, names);
	strbuf b;
	jsonw w;
	sb_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w);
	jw_key(&w, "points");
	jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++)
		json_point(&w, &in[i], &names[i], iks_path_point_get(p, i), i);
	jw_arr_end(&w);
	jw_key(&w, "verdicts");
	jw_arr_begin(&w);
	const iks_correlation *e2e_v = iks_path_end_to_end(p);
	const iks_verdict *ev;
	size_t nev = iks_correlation_verdicts(e2e_v, &ev);
	for (size_t k = 0; k < nev; k++) {
		if (ev[k].cause != IKS_CAUSE_DAEMON_DROPPED)
			continue;
		char side[2] = { ev[k].log_side, '\0' };
		json_path_verdict(&w, -1, ev[k].log_side == 'a' ? "in a's IKE daemon" : "in b's IKE daemon",
				  e2e_v, &ev[k], false);
		jw_key(&w, "log_side");
		jw_str(&w, side);
		jw_key(&w, "log_line");
		jw_uint(&w, ev[k].log_line);
		jw_obj_end(&w);
	}
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_correlation *c = iks_path_hop_correlation(p, h);
		const iks_verdict *v;
		size_t nv = iks_correlation_verdicts(c, &v);
		corr_hop_where(names, h, iks_path_hop_get(p, h), where, sizeof(where));
		for (size_t k = 0; k < nv; k++)
			if (v[k].cause != IKS_CAUSE_NO_PATH_PROBLEM)
				json_path_verdict(&w, (int)h, where, c, &v[k], true);
	}
	jw_arr_end(&w);
	jw_key(&w, "hops");
	jw_arr_begin(&w);
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_path_hop *hp = iks_path_hop_get(p, h);
		jw_obj_begin(&w);
		jw_key(&w, "hop");
		jw_uint(&w, h);
		jw_key(&w, "from");
		jw_uint(&w, h);
		jw_key(&w, "to");
		jw_uint(&w, h + 1);
		jw_key(&w, "where");
		jw_str(&w, corr_hop_where(names, h, hp, where, sizeof(where)));
		jw_key(&w, "ttl_drop_ab");
		json_ttl(&w, hp->ttl_drop_ab);
		jw_key(&w, "ttl_drop_ba");
		json_ttl(&w, hp->ttl_drop_ba);
		jw_key(&w, "nat_a");
		jw_bool(&w, hp->nat_a);
		jw_key(&w, "nat_b");
		jw_bool(&w, hp->nat_b);
		jw_key(&w, "correlation");
		corr_report_json_w(&w, &in[h], iks_path_hop_correlation(p, h), (int)h);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	const iks_correlation *e2e = iks_path_end_to_end(p);
	jw_key(&w, "end_to_end");
	corr_input ends[2] = { in[0], in[n - 1] };
	corr_report_json_w(&w, ends, e2e, -1);
	jw_key(&w, "findings");
	jw_arr_begin(&w);
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_correlation *c = iks_path_hop_correlation(p, h);
		const iks_finding *f;
		size_t nf = iks_correlation_findings(c, &f);
		for (int rank = 0; rank < 3; rank++)
			for (size_t k = 0; k < nf; k++)
				if (corr_severity_rank(f[k].severity) == rank &&
				    !corr_end_finding(f[k].kind))
					corr_json_finding(&w, c, &f[k], &in[h], NULL, (int)h);
	}
	/* what the ends did, once, as the ends' captures show it */
	const iks_finding *f;
	size_t nf = iks_correlation_findings(e2e, &f);
	for (int rank = 0; rank < 3; rank++)
		for (size_t k = 0; k < nf; k++)
			if (corr_severity_rank(f[k].severity) == rank && corr_end_finding(f[k].kind))
				corr_json_finding(&w, e2e, &f[k], ends, NULL, CORR_HOP_NULL);
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (b.s)
		fprintf(out, "%s\n", sb_cstr(&b));
	sb_free(&b);
}
