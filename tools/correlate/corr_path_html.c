/*
 * corr_path_html.c - pcapcorrelate --html with more than two captures: one
 * self-contained page (inline CSS, the ladder as inline SVG, no script, no
 * network resource) with one lane per point.
 *
 * Each hop's packet groups (iks_correlation_groups) are rows, in the order
 * of their first instant on P1's clock (each point's composed offset taken
 * out): an arrow from the lane of the point a group left to the lane of
 * the next point, or, for one that did not arrive, a line to the middle of
 * the hop ending in a cross. Elements the tests count: svg.ladder
 * (data-points, data-groups, data-drawn), g.lane (data-point), g.arrow
 * (data-hop, data-fate, data-kind, data-dir, data-n), path.cross,
 * div.verdict (data-hop, data-cause), li.finding (data-hop, data-kind).
 * At most ROWS_MAX rows are drawn; the page says how many were not.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_path_report.h"
#include "correlate/html_esc.h"

#define ROWS_MAX 4000
#define LANE_GAP 220
#define ROW_H 16
#define TOP 60

typedef struct row {
	double t;              /* first instant, P1's clock */
	uint32_t hop;
	const iks_packet_group *g;
} row;

static int cmp_row(const void *x, const void *y)
{
	const row *a = x, *b = y;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->hop < b->hop ? -1 : a->hop > b->hop;
}

static const char *fate_class(int fate)
{
	switch (fate) {
	case IKS_FATE_LOST:
	case IKS_FATE_DROPPED_ICMP: return "bad";
	case IKS_FATE_NOT_COVERED:
	case IKS_FATE_ONLY_RECEIVED: return "unknown";
	default: return "ok";
	}
}

static void label(FILE *o, const iks_packet_group *g)
{
	char ex[24];
	if (g->kind == IKS_GROUP_IKE)
		fprintf(o, "IKEv%u %s mid 0x%08" PRIx32, g->version,
			corr_exchange_name(g->version, g->exchange, ex), g->msgid);
	else if (g->kind == IKS_GROUP_ESP || g->kind == IKS_GROUP_AH)
		fprintf(o, "%s 0x%08" PRIx32 " seq %" PRIu32 "-%" PRIu32, iks_group_kind_name(g->kind),
			g->spi, g->seq_first, g->seq_last);
	else
		fputs(iks_group_kind_name(g->kind), o);
	if (g->count > 1)
		fprintf(o, " \xc3\x97%" PRIu32, g->count);
	fprintf(o, " (%s)", iks_fate_name(g->fate));
}

static void draw_row(FILE *o, const row *r, size_t k, const corr_point_name *names)
{
	const iks_packet_group *g = r->g;
	bool ab = g->dir == IKS_DIR_A_TO_B;
	int from = (int)(ab ? r->hop : r->hop + 1), to = (int)(ab ? r->hop + 1 : r->hop);
	double x1 = 100 + from * LANE_GAP, x2 = 100 + to * LANE_GAP;
	double y = TOP + (double)k * ROW_H + ROW_H / 2.0;
	bool lost = g->fate == IKS_FATE_LOST || g->fate == IKS_FATE_DROPPED_ICMP;
	fprintf(o, "<g class=\"arrow %s\" data-hop=\"%" PRIu32 "\" data-fate=\"%s\" data-kind=\"%s\" "
		   "data-dir=\"%s\" data-n=\"%" PRIu32 "\"><title>",
		fate_class(g->fate), r->hop, iks_fate_name(g->fate), iks_group_kind_name(g->kind),
		ab ? "a->b" : "b->a", g->count);
	html_text(o, names[from].title);
	fputs(" \xe2\x86\x92 ", o);
	html_text(o, names[to].title);
	fputs(": ", o);
	label(o, g);
	fputs("</title>", o);
	if (g->fate == IKS_FATE_FROM_PATH) {
		/* an ICMP error made in the path, at the point it reached */
		fprintf(o, "<circle cx=\"%.0f\" cy=\"%.1f\" r=\"4\"/>", x2, y);
	} else if (lost) {
		double xm = (x1 + x2) / 2;
		fprintf(o, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>", x1, y, xm, y);
		fprintf(o, "<path class=\"cross\" d=\"M%.0f %.1fl8 8m0 -8l-8 8\"/>", xm - 4, y - 4);
	} else {
		fprintf(o, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" "
			   "marker-end=\"url(#head)\"/>", x1, y, x2, y);
	}
	fprintf(o, "<text class=\"lbl\" x=\"%.0f\" y=\"%.1f\">", (x1 < x2 ? x1 : x2) + 6, y - 3);
	label(o, g);
	fputs("</text></g>\n", o);
}

static const char CSS[] =
	"body{font:14px sans-serif;margin:1em 2em;color:#222}"
	"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
	".verdict{border-left:4px solid #c33;padding:4px 8px;margin:6px 0;background:#fdf3f3}"
	"svg.ladder line{stroke:#2a7;stroke-width:1.5}svg.ladder .bad line{stroke:#c33}"
	"svg.ladder .unknown line{stroke:#999;stroke-dasharray:4 3}"
	"svg.ladder .lane line{stroke:#444;stroke-width:2}"
	"svg.ladder .cross{stroke:#c33;stroke-width:2.5;fill:none}"
	"svg.ladder text.lbl{font-size:10px;fill:#444}svg.ladder .lane text{font-weight:bold}";

static void page_head(FILE *o, const corr_input *in, size_t n, const corr_point_name *names,
		      const iks_path *p)
{
	char where[128];
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>pcapcorrelate: ", o);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", o);
		html_text(o, names[i].label);
	}
	fprintf(o, "</title><style>%s</style></head><body>\n<h1>%zu points along one path</h1>\n",
		CSS, n);
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_correlation *c = iks_path_hop_correlation(p, h);
		const iks_verdict *v;
		size_t nv = iks_correlation_verdicts(c, &v);
		corr_hop_where(names, h, iks_path_hop_get(p, h), where, sizeof(where));
		for (size_t k = 0; k < nv; k++) {
			if (v[k].cause == IKS_CAUSE_NO_PATH_PROBLEM)
				continue;
			fprintf(o, "<div class=\"verdict\" data-hop=\"%zu\" data-cause=\"%s\"><b>hop %zu, "
				   "between ", h, iks_cause_name(v[k].cause), h);
			html_text(o, names[h].title);
			fputs(" and ", o);
			html_text(o, names[h + 1].title);
			fputs(": ", o);
			html_text(o, where);
			fputs("</b><br>", o);
			html_text(o, v[k].summary);
			fputs("<br><i>", o);
			html_text(o, v[k].advice);
			fputs("</i></div>\n", o);
		}
	}
	fputs("<h2>Points</h2><table><tr><th>point</th><th>file</th><th>frames</th>"
	      "<th>clock against P1</th><th>incomplete</th></tr>\n", o);
	for (size_t i = 0; i < n; i++) {
		const iks_path_point *pt = iks_path_point_get(p, i);
		fputs("<tr><td>", o);
		html_text(o, names[i].title);
		fputs("</td><td>", o);
		html_text(o, in[i].path);
		fprintf(o, "</td><td>%" PRIu64 "</td><td>", in[i].info.frames);
		if (pt->clock_known)
			fprintf(o, "%+.6f s, %.3f ppm", pt->offset_s, pt->drift_ppm);
		else
			fputs("not known", o);
		fprintf(o, "</td><td>%" PRIu64 "</td></tr>\n", pt->incomplete);
	}
	fputs("</table>\n<h2>Hops</h2><table><tr><th>hop</th><th>between</th><th>where</th>"
	      "<th>lost a\xe2\x86\x92" "b</th><th>lost b\xe2\x86\x92" "a</th><th>NAT</th></tr>\n", o);
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_path_hop *hp = iks_path_hop_get(p, h);
		iks_correlation_stats st;
		iks_correlation_get_stats(iks_path_hop_correlation(p, h), &st);
		fprintf(o, "<tr><td>%zu</td><td>", h);
		html_text(o, names[h].title);
		fputs(" \xe2\x80\x93 ", o);
		html_text(o, names[h + 1].title);
		fputs("</td><td>", o);
		html_text(o, corr_hop_where(names, h, hp, where, sizeof(where)));
		fprintf(o, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%s%s%s</td></tr>\n",
			st.lost_ab + st.other_lost_ab, st.lost_ba + st.other_lost_ba,
			hp->nat_a ? "a" : "", hp->nat_a && hp->nat_b ? ", " : "", hp->nat_b ? "b" : "");
	}
	fputs("</table>\n", o);
}

static void findings_list(FILE *o, const iks_path *p, size_t n)
{
	fputs("<h2>Findings</h2><ul>\n", o);
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_correlation *c = iks_path_hop_correlation(p, h);
		const iks_finding *f;
		size_t nf = iks_correlation_findings(c, &f);
		for (size_t k = 0; k < nf; k++) {
			if (corr_end_finding(f[k].kind))
				continue;
			const char *dir = iks_correlation_direction_name(c, f[k].direction);
			fprintf(o, "<li class=\"finding\" data-hop=\"%zu\" data-kind=\"%s\">hop %zu: %s %s ",
				h, iks_finding_kind_name(f[k].kind), h, iks_severity_name(f[k].severity),
				iks_finding_kind_name(f[k].kind));
			html_text(o, dir ? dir : "");
			fputs(": ", o);
			html_text(o, f[k].explain);
			fputs("</li>\n", o);
		}
	}
	/* what the ends did, once */
	const iks_correlation *e = iks_path_end_to_end(p);
	const iks_finding *f;
	size_t nf = iks_correlation_findings(e, &f);
	for (size_t k = 0; k < nf; k++) {
		if (!corr_end_finding(f[k].kind))
			continue;
		const char *dir = iks_correlation_direction_name(e, f[k].direction);
		fprintf(o, "<li class=\"finding\" data-hop=\"\" data-kind=\"%s\">the ends: %s %s ",
			iks_finding_kind_name(f[k].kind), iks_severity_name(f[k].severity),
			iks_finding_kind_name(f[k].kind));
		html_text(o, dir ? dir : "");
		fputs(": ", o);
		html_text(o, f[k].explain);
		fputs("</li>\n", o);
	}
	fputs("</ul>\n", o);
}

int corr_path_html(const char *path, const corr_input *in, size_t n, const iks_path *p)
{
	corr_point_name names[CORR_POINTS_MAX];
	const char *paths[CORR_POINTS_MAX] = { NULL };
	if (n > CORR_POINTS_MAX)
		return 1;
	for (size_t i = 0; i < n; i++)
		paths[i] = in[i].path;
	corr_point_names(paths, n, names);
	size_t nrows = 0;
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_packet_group *g;
		nrows += iks_correlation_groups(iks_path_hop_correlation(p, h), &g, NULL);
	}
	row *rows = malloc((nrows ? nrows : 1) * sizeof(*rows));
	if (!rows) {
		fprintf(stderr, "pcapcorrelate: out of memory\n");
		return 1;
	}
	size_t k = 0;
	uint64_t dropped = 0;
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_packet_group *g;
		uint64_t d = 0;
		size_t ng = iks_correlation_groups(iks_path_hop_correlation(p, h), &g, &d);
		dropped += d;
		const iks_path_point *pt = iks_path_point_get(p, h);
		double off = pt->clock_known ? pt->offset_s : 0;
		for (size_t i = 0; i < ng; i++) {
			double t = g[i].sent_first_on_a_s ? g[i].sent_first_on_a_s : g[i].received_first_on_a_s;
			rows[k].t = t - off;
			rows[k].hop = (uint32_t)h;
			rows[k++].g = &g[i];
		}
	}
	qsort(rows, nrows, sizeof(*rows), cmp_row);
	size_t drawn = nrows < ROWS_MAX ? nrows : ROWS_MAX;
	FILE *o = fopen(path, "w");
	if (!o) {
		fprintf(stderr, "pcapcorrelate: %s: cannot write: %s\n", path, strerror(errno));
		free(rows);
		return 1;
	}
	page_head(o, in, n, names, p);
	fputs("<h2>Ladder</h2>\n", o);
	if (drawn < nrows || dropped)
		fprintf(o, "<p class=\"cap\">%zu of %zu packet groups drawn; %" PRIu64 " packets past "
			   "the correlation's group cap not grouped</p>\n", drawn, nrows, dropped);
	double width = 200 + (double)(n - 1) * LANE_GAP, height = TOP + (double)drawn * ROW_H + 20;
	fprintf(o, "<svg class=\"ladder\" data-points=\"%zu\" data-groups=\"%zu\" data-drawn=\"%zu\" "
		   "width=\"%.0f\" height=\"%.0f\">\n"
		   "<defs><marker id=\"head\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" "
		   "orient=\"auto\"><path d=\"M0 0L8 4L0 8z\" fill=\"#2a7\"/></marker></defs>\n",
		n, nrows, drawn, width, height);
	for (size_t i = 0; i < n; i++) {
		double x = 100 + (double)i * LANE_GAP;
		fprintf(o, "<g class=\"lane\" data-point=\"%zu\"><text x=\"%.0f\" y=\"20\" "
			   "text-anchor=\"middle\">", i, x);
		html_text(o, names[i].title);
		fprintf(o, "</text><line x1=\"%.0f\" y1=\"30\" x2=\"%.0f\" y2=\"%.0f\"/></g>\n", x, x,
			height - 10);
	}
	for (size_t r = 0; r < drawn; r++)
		draw_row(o, &rows[r], r, names);
	fputs("</svg>\n", o);
	findings_list(o, p, n);
	fputs("</body></html>\n", o);
	free(rows);
	if (fclose(o) != 0) {
		fprintf(stderr, "pcapcorrelate: %s: cannot write\n", path);
		return 1;
	}
	return 0;
}
