/*
 * corr_pcapng.c - pcapcorrelate --pcapng: both captures in one annotated
 * pcapng for Wireshark.
 *
 * One interface per capture point ("a 192.0.2.1", "b 198.51.100.1"); every
 * frame of both files (pktmon copies merged as for the correlation), b's
 * times moved onto a's clock (offset and drift of the correlation) with
 * b's own time kept in the comment; frames in time order; epb_flags by
 * direction (sent by that point's host: outbound); a comment on each frame
 * with its fate: "a->b arrived at b after 0.031 ms (b frame 12)",
 * "a->b LOST in the path", "retransmit 2 of IKE_AUTH mid 0x00000001",
 * "ICMP frag-needed (mtu 1300) from 192.0.2.254; for a frame 44 (ip id ...)",
 * "modified in transit: bytes 52 (0x3c->0xc3) of 1 changed",
 * "dropped inside host a (verdict 51 at TCPIP)". The section comment lists
 * the clock estimate and the findings.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ikescope/ikescope.h>

#include "correlate/corr_lost.h"
#include "correlate/corr_pcapng.h"
#include "correlate/corr_pcapng_parts.h"
#include "correlate/corr_report.h"

typedef struct side_state {
	iks_capture *cap;
	iks_frame f;
	bool have;              /* f holds the next frame */
	int rc;                 /* last iks_capture_next() result */
	double on_a;            /* f's time on a's clock, epoch s (b: converted) */
	uint32_t iface;
	iks_addr host;          /* this point's host as its capture sees it */
	corr_ng_lost lost;      /* its lost list */
	corr_ng_seen seen;      /* IKE messages and IP IDs seen */
	uint64_t written;
} side_state;

static void advance(side_state *s, int side, const iks_correlation *c)
{
	s->rc = iks_capture_next(s->cap, &s->f);
	s->have = s->rc == 1;
	if (s->have)
		s->on_a = iks_correlation_time_on_a(c, side, s->f.ts_sec, s->f.ts_nsec);
}

static void frame_comment(side_state *ss, int side, const iks_correlation *c,
			  const iks_frame *f, char *buf, size_t len, uint32_t *flags)
{
	char me = side ? 'b' : 'a', peer = side ? 'a' : 'b';
	iks_packet p;
	buf[0] = '\0';
	*flags = 0;
	bool decoded = iks_decode_buffer(f->linktype, f->data, f->caplen, &p) == IKS_OK;
	iks_frame_fate ff;
	iks_correlation_frame_fate(c, side, f->number, &ff);
	const char *dir = ff.dir == IKS_DIR_A_TO_B ? "a->b" : "b->a";
	const iks_lost_packet *lost = corr_ng_lost_entry(&ss[side].lost, f, &p, decoded);
	if (ff.fate != IKS_FF_NONE)
		*flags = ff.fate == IKS_FF_RECEIVED || ff.fate == IKS_FF_ONLY_RECEIVED ? 1 : 2;
	else if (decoded && p.l.ip.present && ss[side].host.family)
		*flags = memcmp(&p.l.ip.src, &ss[side].host, sizeof(iks_addr)) == 0 ? 2
			 : memcmp(&p.l.ip.dst, &ss[side].host, sizeof(iks_addr)) == 0 ? 1 : 0;
	if (lost && lost->reason == IKS_LOST_ICMP) {
		corr_ng_appendf(buf, len, "%c->%c dropped in the path: an ICMP error about it reached %c",
				me, peer, me);
	} else if (lost) {
		corr_ng_appendf(buf, len, "%c->%c LOST in the path%s", me, peer,
				lost->reason == IKS_LOST_STALE_NAT ? " (sent to a NAT mapping the path had "
				"already replaced)" : "");
	} else if (ff.fate == IKS_FF_LOST && p.l.ip.is_fragment) {
		corr_ng_appendf(buf, len, "%s fragment arrived, its datagram did not arrive whole", dir);
	} else {
		switch (ff.fate) {
		case IKS_FF_ARRIVED:
			corr_ng_appendf(buf, len, "%s arrived at %c after %.3f ms (%c frame %" PRIu64 ")",
					dir, peer, ff.delay_s * 1e3, peer, ff.other_frame);
			break;
		case IKS_FF_RECEIVED:
			corr_ng_appendf(buf, len, "%s received from %c after %.3f ms (%c frame %" PRIu64
					")", dir, peer, ff.delay_s * 1e3, peer, ff.other_frame);
			break;
		case IKS_FF_LOST:
			corr_ng_appendf(buf, len, "%s LOST in the path", dir);
			break;
		case IKS_FF_DROPPED_ICMP:
			corr_ng_appendf(buf, len, "%s dropped in the path: an ICMP error about it reached "
					"the sender", dir);
			break;
		case IKS_FF_NOT_JUDGED:
			corr_ng_appendf(buf, len, "%s not seen at %c (not judged: outside the overlap or "
					"answered by an ICMP error)", dir, peer);
			break;
		case IKS_FF_ONLY_RECEIVED:
			corr_ng_appendf(buf, len, "%s received; %c's capture does not show it leaving", dir,
					peer);
			break;
		default:
			break;
		}
	}
	char who[2] = { me, 0 };
	corr_ng_packet_notes(&ss[side].seen, &p, decoded, who, *flags == 2, f->number, buf, len);
	corr_ng_modified(c, side, f->number, "", buf, len);
	if (f->meta.has_verdict)
		corr_ng_appendf(buf, len, "dropped inside host %c (verdict %" PRIu64 "%s%s)", me,
				f->meta.verdict, f->meta.verdict_name ? " at " : "",
				f->meta.verdict_name ? f->meta.verdict_name : "");
	if (side == 1) {
		char t[48];
		corr_ng_clock_text(f->ts_sec, f->ts_nsec, t, sizeof(t));
		corr_ng_appendf(buf, len, "b's own clock %s", t);
	}
	corr_ng_appendf(buf, len, "%c frame %" PRIu64, me, f->number);
}

/* The section header's comment: the points, the clock, the verdicts (what
 * to tell the customer) and the findings. */
static char *section_comment(const char *paths[2], const iks_correlation *c)
{
	size_t cap = 16384, n = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	s[0] = '\0';
	const iks_clock_estimate *ce = iks_correlation_clock(c);
	const iks_endpoints *e = iks_correlation_endpoints(c);
	char aa[IKS_ADDRSTRLEN], ba[IKS_ADDRSTRLEN];
	iks_addr_format(&e->a_in_a, aa, sizeof(aa));
	iks_addr_format(&e->b_in_b, ba, sizeof(ba));
	corr_ng_put(s, cap, &n, "ikescope pcapcorrelate: a = %s (%s), b = %s (%s); b's times moved to "
			"a's clock: b - a = %+.6f s, drift %.3f ppm\n",
	    paths[0], aa, paths[1], ba, ce->known ? ce->offset_s : 0.0, ce->known ? ce->drift_ppm : 0.0);
	const iks_verdict *vs;
	size_t nv = iks_correlation_verdicts(c, &vs);
	for (size_t i = 0; i < nv; i++)
		corr_ng_put(s, cap, &n, "%s %s%s%s: %s. What to do: %s\n", i ? "ALSO" : "VERDICT",
		    iks_cause_name(vs[i].cause), vs[i].direction ? " " : "",
		    vs[i].direction ? iks_direction_name(vs[i].direction) : "", vs[i].summary,
		    vs[i].advice);
	const iks_finding *fs;
	size_t nf = iks_correlation_findings(c, &fs);
	corr_ng_put(s, cap, &n, "findings (%zu):\n", nf);
	for (size_t i = 0; i < nf; i++) {
		const iks_finding *f = &fs[i];
		corr_ng_put(s, cap, &n, "%s %s%s%s", iks_severity_name(f->severity), iks_finding_kind_name(f->kind),
		    f->direction ? " " : "", f->direction ? iks_direction_name(f->direction) : "");
		if (f->count)
			corr_ng_put(s, cap, &n, " count %" PRIu32, f->count);
		if (f->frame_a)
			corr_ng_put(s, cap, &n, " a frame %" PRIu64, f->frame_a);
		if (f->frame_b)
			corr_ng_put(s, cap, &n, " b frame %" PRIu64, f->frame_b);
		corr_ng_put(s, cap, &n, "\n");
	}
	return s;
}

int corr_write_pcapng(const char *out, const char *paths[2], const iks_correlation *c)
{
	char err[IKS_ERRBUF_SIZE];
	side_state ss[2];
	memset(ss, 0, sizeof(ss));
	int status = 0;
	iks_pcapng_writer *w = NULL;
	char *sc = NULL;
	const iks_endpoints *e = iks_correlation_endpoints(c);
	ss[0].host = e->a_in_a;
	ss[1].host = e->b_in_b;
	for (int s = 0; s < 2; s++) {
		ss[s].cap = iks_capture_open(paths[s], NULL, err);
		if (!ss[s].cap) {
			fprintf(stderr, "pcapcorrelate: %s\n", err);
			status = 1;
			goto out;
		}
		if (!corr_ng_seen_init(&ss[s].seen) || !corr_ng_lost_init(&ss[s].lost, c, s) ||
		    iks_capture_merge_copies(ss[s].cap, true) != IKS_OK) {
			fprintf(stderr, "pcapcorrelate: out of memory\n");
			status = 1;
			goto out;
		}
	}
	sc = section_comment(paths, c);
	w = iks_pcapng_writer_open(out, sc, err);
	if (!w) {
		fprintf(stderr, "pcapcorrelate: cannot write: %s\n", err);
		status = 1;
		goto out;
	}
	for (int s = 0; s < 2; s++) {
		char name[IKS_ADDRSTRLEN + 8];
		char host[IKS_ADDRSTRLEN];
		iks_addr_format(&ss[s].host, host, sizeof(host));
		snprintf(name, sizeof(name), "%c %s", s ? 'b' : 'a', host);
		if (iks_pcapng_writer_add_interface(w, iks_capture_linktype(ss[s].cap), name,
						    paths[s], &ss[s].iface) != IKS_OK) {
			status = 1;
			goto out;
		}
	}
	advance(&ss[0], 0, c);
	advance(&ss[1], 1, c);
	char comment[1024];
	while (ss[0].have || ss[1].have) {
		int s = !ss[0].have ? 1 : !ss[1].have ? 0 : ss[1].on_a < ss[0].on_a;
		iks_frame f = ss[s].f;
		if (s == 1) /* on a's clock: the converted instant, to the nanosecond */
			corr_ng_set_time(&f, ss[1].on_a);
		uint32_t flags;
		frame_comment(ss, s, c, &ss[s].f, comment, sizeof(comment), &flags);
		if (iks_pcapng_write(w, ss[s].iface, &f, flags, comment) != IKS_OK) {
			status = 1;
			break;
		}
		ss[s].written++;
		advance(&ss[s], s, c);
	}
	for (int s = 0; s < 2; s++)
		if (ss[s].rc < 0) {
			fprintf(stderr, "pcapcorrelate: %s\n", iks_capture_error(ss[s].cap));
			status = 1;
		}
out:
	for (int s = 0; s < 2; s++)
		if (ss[s].seen.unnumbered)
			fprintf(stderr, "pcapcorrelate: --pcapng: %s: %llu IKE messages past the %d "
				"remembered were not numbered as retransmits in their comments\n",
				paths[s], (unsigned long long)ss[s].seen.unnumbered, CORR_NG_RETX_SLOTS);
	if (w && iks_pcapng_writer_close(w, err) != IKS_OK) {
		fprintf(stderr, "pcapcorrelate: %s\n", err);
		status = 1;
	}
	free(sc);
	for (int s = 0; s < 2; s++) {
		iks_capture_close(ss[s].cap);
		corr_ng_seen_free(&ss[s].seen);
		corr_ng_lost_free(&ss[s].lost);
	}
	return status;
}
