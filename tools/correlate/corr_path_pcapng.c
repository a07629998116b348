/*
 * corr_path_pcapng.c - pcapcorrelate --pcapng with more than two points:
 * every frame of every point's capture in one pcapng for Wireshark.
 *
 * One interface per point, named as the text report names it ("P2 (r,
 * interface ra)", its file as the description), so that Wireshark's
 * frame.interface_name tells which point each frame came from. Every
 * point's times are moved onto P1's clock (each hop's offset and drift,
 * composed from P1 outwards) and its own time kept in the comment; frames
 * in time order. Each frame's comment gives its fate on the hop ahead of
 * it in its direction of travel: "a->b arrived at P3 (r, interface rb)
 * after 0.015 ms (P3 frame 40)", "a->b LOST on hop 1: between P2 (r,
 * interface ra) and P3 (r, interface rb) (inside the router)", or, when the
 * next point lacks it and a point beyond holds it, "capture incomplete:
 * ..." (the capture-check "incomplete" finding, not loss); at the end that
 * receives it, where it came from. The ends' frames carry epb_flags
 * (sent by that end's host: outbound), the middle points' none. The
 * section comment lists the points, the hops, the verdicts and the
 * findings, each with its hop.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "correlate/corr_path_report.h"
#include "correlate/corr_pcapng.h"
#include "correlate/corr_pcapng_parts.h"

typedef struct point_state {
	iks_capture *cap;
	iks_frame f;
	bool have;              /* f holds the next frame */
	int rc;                 /* last iks_capture_next() result */
	double on_p1;           /* f's time on P1's clock, epoch s */
	uint32_t iface;
	iks_addr host;          /* P1, PN: that end's host as its capture sees it */
	corr_ng_lost fwd;       /* what a sent, lost on the hop after this point */
	corr_ng_lost back;      /* what b sent, lost on the hop before this point */
	corr_ng_seen seen;
	char short_name[24];    /* "P2" (room for any size_t) */
} point_state;

typedef struct path_ctx {
	const iks_path *p;
	size_t n;
	const iks_correlation *hop[CORR_POINTS_MAX];
	corr_point_name names[CORR_POINTS_MAX];
	char where[CORR_POINTS_MAX][128];
} path_ctx;

/* An instant of point i's clock on P1's clock: back along the hops. */
static double on_p1(const path_ctx *x, size_t i, int64_t sec, uint32_t nsec)
{
	double t = (double)sec + (double)nsec / 1e9;
	for (size_t h = i; h-- > 0;) {
		double s = floor(t);
		long ns = lround((t - s) * 1e9);
		if (ns >= 1000000000L) {
			s += 1;
			ns -= 1000000000L;
		}
		t = iks_correlation_time_on_a(x->hop[h], 1, (int64_t)s, (uint32_t)(ns < 0 ? 0 : ns));
	}
	return t;
}

static void advance(point_state *s, const path_ctx *x, size_t i)
{
	s->rc = iks_capture_next(s->cap, &s->f);
	s->have = s->rc == 1;
	if (s->have)
		s->on_p1 = on_p1(x, i, s->f.ts_sec, s->f.ts_nsec);
}

static bool sent_fate(int fate)
{
	return fate == IKS_FF_ARRIVED || fate == IKS_FF_LOST || fate == IKS_FF_NOT_JUDGED ||
	       fate == IKS_FF_DROPPED_ICMP || fate == IKS_FF_MISSED_NEXT;
}

/* "hop 1: between P2 (r, interface ra) and P3 (r, interface rb) (inside the router)" */
static void hop_text(const path_ctx *x, size_t h, char *buf, size_t len)
{
	snprintf(buf, len, "hop %zu: between %s and %s (%s)", h, x->names[h].title,
		 x->names[h + 1].title, x->where[h]);
}

/* The fate on the hop ahead: ff is what that hop says of this frame as
 * sent, `next` the point it goes to, `lost` its lost-list entry. */
static void ahead_comment(const path_ctx *x, size_t h, size_t next, const iks_frame_fate *ff,
			  const iks_lost_packet *lost, const iks_packet *p, char *buf, size_t len)
{
	const char *dir = ff->dir == IKS_DIR_B_TO_A ? "b->a" : "a->b";
	const char *sender = ff->dir == IKS_DIR_B_TO_A ? "b" : "a";
	char hop[320];
	hop_text(x, h, hop, sizeof(hop));
	const corr_point_name *nx = &x->names[next];
	char nshort[8];
	snprintf(nshort, sizeof(nshort), "P%zu", next + 1);
	if (lost && lost->reason == IKS_LOST_ICMP) {
		corr_ng_appendf(buf, len, "%s dropped on %s: an ICMP error about it reached %s", dir,
				hop, sender);
	} else if (lost) {
		corr_ng_appendf(buf, len, "%s LOST on %s%s", dir, hop,
				lost->reason == IKS_LOST_STALE_NAT ? " (sent to a NAT mapping the path had "
				"already replaced)" : "");
	} else if (ff->fate == IKS_FF_LOST && p->l.ip.is_fragment) {
		corr_ng_appendf(buf, len, "%s fragment arrived at %s, its datagram did not arrive whole "
				"(lost on %s)", dir, nshort, hop);
	} else {
		switch (ff->fate) {
		case IKS_FF_ARRIVED:
			corr_ng_appendf(buf, len, "%s arrived at %s after %.3f ms (%s frame %" PRIu64 ")",
					dir, nx->title, ff->delay_s * 1e3, nshort, ff->other_frame);
			break;
		case IKS_FF_LOST:
			corr_ng_appendf(buf, len, "%s LOST on %s", dir, hop);
			break;
		case IKS_FF_DROPPED_ICMP:
			corr_ng_appendf(buf, len, "%s dropped on %s: an ICMP error about it reached %s",
					dir, hop, sender);
			break;
		case IKS_FF_MISSED_NEXT:
			corr_ng_appendf(buf, len, "%s capture incomplete: not in %s's capture, but a point "
					"beyond it holds it (capture-check incomplete on hop %zu; not lost)",
					dir, nx->title, h);
			break;
		case IKS_FF_NOT_JUDGED:
			corr_ng_appendf(buf, len, "%s not seen at %s (not judged: outside the overlap or "
					"answered by an ICMP error)", dir, nx->title);
			break;
		default:
			break;
		}
	}
}

/* Where it came from: ff is what the hop behind says of this frame as
 * received from point `prev`. */
static void behind_comment(const iks_frame_fate *ff, size_t prev, bool end, char *buf, size_t len)
{
	const char *dir = ff->dir == IKS_DIR_B_TO_A ? "b->a" : "a->b";
	if (ff->fate == IKS_FF_RECEIVED)
		corr_ng_appendf(buf, len, "%s %s from P%zu after %.3f ms (P%zu frame %" PRIu64 ")", dir,
				end ? "received" : "came", prev + 1, ff->delay_s * 1e3, prev + 1,
				ff->other_frame);
	else if (ff->fate == IKS_FF_ONLY_RECEIVED)
		corr_ng_appendf(buf, len, "%s %s; P%zu's capture does not show it", dir,
				end ? "received" : "seen here", prev + 1);
}

static void frame_comment(point_state *ps, const path_ctx *x, size_t i, const iks_frame *f,
			  char *buf, size_t len, uint32_t *flags)
{
	point_state *s = &ps[i];
	iks_packet p;
	buf[0] = '\0';
	*flags = 0;
	bool decoded = iks_decode_buffer(f->linktype, f->data, f->caplen, &p) == IKS_OK;
	iks_frame_fate fn, fp; /* point i as hop i's a / as hop i-1's b */
	memset(&fn, 0, sizeof(fn));
	memset(&fp, 0, sizeof(fp));
	const iks_lost_packet *lf = NULL, *lb = NULL;
	if (i + 1 < x->n) {
		iks_correlation_frame_fate(x->hop[i], 0, f->number, &fn);
		lf = corr_ng_lost_entry(&s->fwd, f, &p, decoded);
	}
	if (i > 0) {
		iks_correlation_frame_fate(x->hop[i - 1], 1, f->number, &fp);
		lb = corr_ng_lost_entry(&s->back, f, &p, decoded);
	}
	bool end = i == 0 || i + 1 == x->n;
	/* ahead in its direction of travel: hop i for what a sent, hop i-1 for
	 * what b sent; the fate there is a sent one */
	bool ahead_fn = sent_fate(fn.fate), ahead_fp = sent_fate(fp.fate);
	const iks_frame_fate *ah = ahead_fn ? &fn : ahead_fp ? &fp : NULL;
	const iks_frame_fate *bk = ahead_fn ? &fp : &fn;
	if (decoded && p.l.ip.is_fragment && ah && ah->fate == IKS_FF_NOT_JUDGED &&
	    bk->fate == IKS_FF_ONLY_RECEIVED) {
		/* pieces of a datagram the hop behind lost part of: it never
		 * was whole here, so it is judged on that hop only */
		corr_ng_appendf(buf, len, "%s fragment of a datagram that did not reach %s whole "
				"(not judged beyond it)", ah->dir == IKS_DIR_B_TO_A ? "b->a" : "a->b",
				s->short_name);
		ahead_fn = ahead_fp = false;
		fn.fate = fp.fate = IKS_FF_NONE;
	} else if (ahead_fn)
		ahead_comment(x, i, i + 1, &fn, lf, &p, buf, len);
	else if (ahead_fp)
		ahead_comment(x, i - 1, i - 1, &fp, lb, &p, buf, len);
	/* behind: where it came from (at the end that receives it, or when the
	 * point before does not show it) */
	const iks_frame_fate *bh = ahead_fn ? &fp : ahead_fp ? &fn : fp.fate ? &fp : &fn;
	size_t prev = bh == &fp ? i - 1 : i + 1;
	if (bh->fate == IKS_FF_ONLY_RECEIVED || (bh->fate == IKS_FF_RECEIVED && !ahead_fn && !ahead_fp))
		behind_comment(bh, prev, end, buf, len);
	/* direction flags at the ends: sent by that end's host is outbound */
	const iks_frame_fate *own = i == 0 ? &fn : i + 1 == x->n ? &fp : NULL;
	if (own && own->fate != IKS_FF_NONE)
		*flags = sent_fate(own->fate) ? 2 : 1;
	else if (own && decoded && p.l.ip.present && s->host.family)
		*flags = memcmp(&p.l.ip.src, &s->host, sizeof(iks_addr)) == 0 ? 2
			 : memcmp(&p.l.ip.dst, &s->host, sizeof(iks_addr)) == 0 ? 1 : 0;
	/* the IP IDs remembered for ICMP quotes: what the end's host sent; at a
	 * middle point, whatever passes between the ends */
	bool note = own ? *flags == 2 : fn.fate != IKS_FF_NONE || fp.fate != IKS_FF_NONE;
	corr_ng_packet_notes(&s->seen, &p, decoded, s->short_name, note, f->number, buf, len);
	char where[32];
	if (i + 1 < x->n) {
		snprintf(where, sizeof(where), " on hop %zu", i);
		corr_ng_modified(x->hop[i], 0, f->number, where, buf, len);
	}
	if (i > 0) {
		snprintf(where, sizeof(where), " on hop %zu", i - 1);
		corr_ng_modified(x->hop[i - 1], 1, f->number, where, buf, len);
	}
	if (f->meta.has_verdict)
		corr_ng_appendf(buf, len, "dropped inside %s's host (verdict %" PRIu64 "%s%s)",
				s->short_name, f->meta.verdict, f->meta.verdict_name ? " at " : "",
				f->meta.verdict_name ? f->meta.verdict_name : "");
	if (i > 0) {
		char t[48];
		corr_ng_clock_text(f->ts_sec, f->ts_nsec, t, sizeof(t));
		corr_ng_appendf(buf, len, "%s's own clock %s", s->short_name, t);
	}
	corr_ng_appendf(buf, len, "%s frame %" PRIu64, s->short_name, f->number);
}

/* The section header's comment: points, hops, verdicts, findings. */
static char *section_comment(const path_ctx *x, const char *const *paths)
{
	size_t cap = 32768, n = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	s[0] = '\0';
	char a[IKS_ADDRSTRLEN], b[IKS_ADDRSTRLEN];
	corr_ng_put(s, cap, &n, "ikescope pcapcorrelate: %zu points along one path, in order from end "
		    "a to end b; every point's times moved to P1's clock\n", x->n);
	for (size_t i = 0; i < x->n; i++) {
		const iks_path_point *pt = iks_path_point_get(x->p, i);
		corr_ng_put(s, cap, &n, "%s: %s", x->names[i].title, paths[i]);
		if (pt->hosts_known)
			corr_ng_put(s, cap, &n, ", sees a = %s, b = %s",
				    iks_addr_format(&pt->a, a, sizeof(a)), iks_addr_format(&pt->b, b, sizeof(b)));
		if (i && pt->clock_known)
			corr_ng_put(s, cap, &n, ", clock %+.6f s, drift %.3f ppm against P1", pt->offset_s,
				    pt->drift_ppm);
		if (pt->incomplete)
			corr_ng_put(s, cap, &n, ", capture incomplete: %" PRIu64 " packets", pt->incomplete);
		corr_ng_put(s, cap, &n, "\n");
	}
	for (size_t h = 0; h + 1 < x->n; h++) {
		iks_correlation_stats st;
		iks_correlation_get_stats(x->hop[h], &st);
		char hop[320];
		hop_text(x, h, hop, sizeof(hop));
		corr_ng_put(s, cap, &n, "%s: lost %" PRIu64 " a->b, %" PRIu64 " b->a, %" PRIu64
			    " dropped with an ICMP error\n", hop, st.lost_ab + st.other_lost_ab,
			    st.lost_ba + st.other_lost_ba, st.dropped_with_icmp);
	}
	for (size_t h = 0; h + 1 < x->n; h++) {
		const iks_verdict *vs;
		size_t nv = iks_correlation_verdicts(x->hop[h], &vs);
		for (size_t k = 0; k < nv; k++)
			if (vs[k].cause != IKS_CAUSE_NO_PATH_PROBLEM)
				corr_ng_put(s, cap, &n, "VERDICT hop %zu %s%s%s: %s. What to do: %s\n", h,
					    iks_cause_name(vs[k].cause), vs[k].direction ? " " : "",
					    vs[k].direction ? iks_direction_name(vs[k].direction) : "",
					    vs[k].summary, vs[k].advice);
	}
	for (size_t h = 0; h + 1 < x->n; h++) {
		const iks_finding *fs;
		size_t nf = iks_correlation_findings(x->hop[h], &fs);
		corr_ng_put(s, cap, &n, "hop %zu findings (%zu):\n", h, nf);
		for (size_t k = 0; k < nf; k++) {
			const iks_finding *f = &fs[k];
			corr_ng_put(s, cap, &n, "hop %zu %s %s%s%s", h, iks_severity_name(f->severity),
				    iks_finding_kind_name(f->kind), f->direction ? " " : "",
				    f->direction ? iks_direction_name(f->direction) : "");
			if (f->count)
				corr_ng_put(s, cap, &n, " count %" PRIu32, f->count);
			if (f->frame_a)
				corr_ng_put(s, cap, &n, " P%zu frame %" PRIu64, h + 1, f->frame_a);
			if (f->frame_b)
				corr_ng_put(s, cap, &n, " P%zu frame %" PRIu64, h + 2, f->frame_b);
			corr_ng_put(s, cap, &n, "\n");
		}
	}
	return s;
}

int corr_write_pcapng_path(const char *out, const char *const *paths, size_t n, const iks_path *p)
{
	char err[IKS_ERRBUF_SIZE];
	path_ctx x;
	memset(&x, 0, sizeof(x));
	x.p = p;
	x.n = n;
	for (size_t h = 0; h + 1 < n; h++)
		x.hop[h] = iks_path_hop_correlation(p, h);
	corr_point_names(paths, n, x.names);
	for (size_t h = 0; h + 1 < n; h++)
		corr_hop_where(x.names, h, iks_path_hop_get(p, h), x.where[h], sizeof(x.where[h]));
	point_state *ps = calloc(n, sizeof(*ps));
	if (!ps) {
		fprintf(stderr, "pcapcorrelate: out of memory\n");
		return 1;
	}
	int status = 0;
	iks_pcapng_writer *w = NULL;
	char *sc = NULL;
	ps[0].host = iks_correlation_endpoints(x.hop[0])->a_in_a;
	ps[n - 1].host = iks_correlation_endpoints(x.hop[n - 2])->b_in_b;
	for (size_t i = 0; i < n; i++) {
		snprintf(ps[i].short_name, sizeof(ps[i].short_name), "P%zu", i + 1);
		ps[i].cap = iks_capture_open(paths[i], NULL, err);
		if (!ps[i].cap) {
			fprintf(stderr, "pcapcorrelate: %s\n", err);
			status = 1;
			goto out;
		}
		if (!corr_ng_seen_init(&ps[i].seen) ||
		    !corr_ng_lost_init(&ps[i].fwd, i + 1 < n ? x.hop[i] : NULL, 0) ||
		    !corr_ng_lost_init(&ps[i].back, i > 0 ? x.hop[i - 1] : NULL, 1) ||
		    iks_capture_merge_copies(ps[i].cap, true) != IKS_OK) {
			fprintf(stderr, "pcapcorrelate: out of memory\n");
			status = 1;
			goto out;
		}
	}
	sc = section_comment(&x, paths);
	w = iks_pcapng_writer_open(out, sc, err);
	if (!w) {
		fprintf(stderr, "pcapcorrelate: cannot write: %s\n", err);
		status = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (iks_pcapng_writer_add_interface(w, iks_capture_linktype(ps[i].cap), x.names[i].title,
						    paths[i], &ps[i].iface) != IKS_OK) {
			status = 1;
			goto out;
		}
	for (size_t i = 0; i < n; i++)
		advance(&ps[i], &x, i);
	char comment[1536];
	for (;;) {
		size_t s = n;
		for (size_t i = 0; i < n; i++)
			if (ps[i].have && (s == n || ps[i].on_p1 < ps[s].on_p1))
				s = i;
		if (s == n)
			break;
		iks_frame f = ps[s].f;
		if (s > 0) /* on P1's clock, to the nanosecond */
			corr_ng_set_time(&f, ps[s].on_p1);
		uint32_t flags;
		frame_comment(ps, &x, s, &ps[s].f, comment, sizeof(comment), &flags);
		if (iks_pcapng_write(w, ps[s].iface, &f, flags, comment) != IKS_OK) {
			status = 1;
			break;
		}
		advance(&ps[s], &x, s);
	}
	for (size_t i = 0; i < n; i++)
		if (ps[i].rc < 0) {
			fprintf(stderr, "pcapcorrelate: %s\n", iks_capture_error(ps[i].cap));
			status = 1;
		}
out:
	for (size_t i = 0; i < n; i++)
		if (ps[i].seen.unnumbered)
			fprintf(stderr, "pcapcorrelate: --pcapng: %s: %llu IKE messages past the %d "
				"remembered were not numbered as retransmits in their comments\n",
				paths[i], (unsigned long long)ps[i].seen.unnumbered, CORR_NG_RETX_SLOTS);
	if (w && iks_pcapng_writer_close(w, err) != IKS_OK) {
		fprintf(stderr, "pcapcorrelate: %s\n", err);
		status = 1;
	}
	free(sc);
	for (size_t i = 0; i < n; i++) {
		iks_capture_close(ps[i].cap);
		corr_ng_seen_free(&ps[i].seen);
		corr_ng_lost_free(&ps[i].fwd);
		corr_ng_lost_free(&ps[i].back);
	}
	free(ps);
	return status;
}
