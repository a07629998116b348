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
#include "correlate/corr_report.h"

#define RETX_SLOTS 4096 /* IKE messages remembered per side for retransmit numbering */
#define SENT_SLOTS 4096 /* IP ID -> frame of what a side's host sent, for ICMP quotes */

typedef struct retx_slot {
	uint8_t ispi[8], rspi[8];
	uint32_t msgid, length;
	uint8_t flags;
	uint32_t seen;
	bool used;
} retx_slot;

typedef struct side_state {
	iks_capture *cap;
	iks_frame f;
	bool have;              /* f holds the next frame */
	int rc;                 /* last iks_capture_next() result */
	double on_a;            /* f's time on a's clock, epoch s (b: converted) */
	uint32_t iface;
	iks_addr host;          /* this point's host as its capture sees it */
	const iks_lost_packet **lost; /* the lost list by first frame */
	const iks_lost_packet **active; /* those whose frame span covers the frame read */
	size_t nlost, next, nactive;
	retx_slot *retx;
	uint64_t *sent_by_id;   /* SENT_SLOTS: frame of the last packet sent with IP ID i % slots
				   (its ID in sent_id) */
	uint32_t *sent_id;
	uint64_t written;
	uint64_t unnumbered;    /* IKE messages past the RETX_SLOTS remembered: not numbered */
} side_state;

static void advance(side_state *s, int side, const iks_correlation *c)
{
	s->rc = iks_capture_next(s->cap, &s->f);
	s->have = s->rc == 1;
	if (s->have)
		s->on_a = iks_correlation_time_on_a(c, side, s->f.ts_sec, s->f.ts_nsec);
}

/* The frame's IKE message seen before on this side: its copy number (1 =
 * first), 0 when not IKE. */
static uint32_t ike_copy(side_state *s, const iks_packet *p)
{
	const iks_ike_info *k = &p->l.ike;
	if (!k->present || !s->retx)
		return 0;
	uint32_t h = k->msgid * 2654435761u;
	for (int i = 0; i < 8; i++)
		h = h * 31u + k->ispi[i] + k->rspi[i];
	h ^= k->length;
	for (uint32_t n = 0; n < RETX_SLOTS; n++) {
		retx_slot *r = &s->retx[(h + n) % RETX_SLOTS];
		if (!r->used) {
			r->used = true;
			memcpy(r->ispi, k->ispi, 8);
			memcpy(r->rspi, k->rspi, 8);
			r->msgid = k->msgid;
			r->length = k->length;
			r->flags = k->flags;
			r->seen = 1;
			return 1;
		}
		if (r->msgid == k->msgid && r->length == k->length && r->flags == k->flags &&
		    memcmp(r->ispi, k->ispi, 8) == 0 && memcmp(r->rspi, k->rspi, 8) == 0)
			return ++r->seen;
	}
	s->unnumbered++; /* table full: no numbering, said on stderr at the end */
	return 0;
}

/* The lost-list entry frame f of this side belongs to, or NULL: an
 * unfragmented lost packet is its frame; of a fragmented datagram only the
 * fragments carrying bytes the receiver never got (as --write-lost). Frames
 * come in increasing order. */
static const iks_lost_packet *lost_entry(side_state *s, const iks_frame *f, const iks_packet *p,
					 bool decoded)
{
	while (s->next < s->nlost && s->lost[s->next]->first_frame <= f->number)
		s->active[s->nactive++] = s->lost[s->next++];
	const iks_lost_packet *hit = NULL;
	for (size_t i = 0; i < s->nactive && !hit; i++) {
		const iks_lost_packet *l = s->active[i];
		if (f->number < l->first_frame || f->number > l->last_frame)
			continue;
		if (!l->fragmented) {
			if (f->number == l->first_frame)
				hit = l;
			continue;
		}
		if (decoded && p->l.ip.present && p->l.ip.is_fragment && p->l.ip.id == l->ip_id &&
		    p->l.ip.proto == l->proto &&
		    corr_lost_carries_missing(l, p->l.ip.frag_offset, (uint32_t)p->l.ip.payload.len))
			hit = l;
	}
	size_t k = 0;
	for (size_t i = 0; i < s->nactive; i++)
		if (s->active[i]->last_frame > f->number)
			s->active[k++] = s->active[i];
	s->nactive = k;
	return hit;
}

static void appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= len)
		return;
	if (n)
		snprintf(buf + n, len - n, "; "), n = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static void clock_text(int64_t sec, uint32_t nsec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09" PRIu32 " UTC", nsec);
}

/* "modified in transit: bytes 52 (0x3c->0xc3) ..." for a frame a
 * modified-in-transit finding compared. */
static void modified_comment(const iks_correlation *c, int side, uint64_t frame, char *buf,
			     size_t len)
{
	const iks_finding *fs;
	size_t nf = iks_correlation_findings(c, &fs);
	for (size_t i = 0; i < nf; i++) {
		const iks_finding *f = &fs[i];
		if (f->kind != IKS_FIND_MODIFIED_IN_TRANSIT)
			continue;
		char part[256] = "";
		size_t n = 0;
		for (unsigned k = 0; k < f->nchanges && k < IKS_FINDING_MAX_CHANGES; k++) {
			const struct iks_byte_change *ch = &f->changes[k];
			if ((side == 0 ? ch->frame_a : ch->frame_b) != frame || n + 40 > sizeof(part))
				continue;
			n += (size_t)snprintf(part + n, sizeof(part) - n, "%s%" PRIu32 " (0x%02x->0x%02x)",
					      n ? ", " : "", ch->ip_offset, ch->before, ch->after);
		}
		if (n)
			appendf(buf, len, "modified in transit: bytes %s of %" PRIu32 " changed%s", part,
				f->changed_bytes, f->discarded ? ", discarded by the receiver" : "");
	}
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
	const iks_lost_packet *lost = lost_entry(&ss[side], f, &p, decoded);
	if (ff.fate != IKS_FF_NONE)
		*flags = ff.fate == IKS_FF_RECEIVED || ff.fate == IKS_FF_ONLY_RECEIVED ? 1 : 2;
	else if (decoded && p.l.ip.present && ss[side].host.family)
		*flags = memcmp(&p.l.ip.src, &ss[side].host, sizeof(iks_addr)) == 0 ? 2
			 : memcmp(&p.l.ip.dst, &ss[side].host, sizeof(iks_addr)) == 0 ? 1 : 0;
	if (lost && lost->reason == IKS_LOST_ICMP) {
		appendf(buf, len, "%c->%c dropped in the path: an ICMP error about it reached %c", me,
			peer, me);
	} else if (lost) {
		appendf(buf, len, "%c->%c LOST in the path%s", me, peer,
			lost->reason == IKS_LOST_STALE_NAT ? " (sent to a NAT mapping the path had "
			"already replaced)" : "");
	} else if (ff.fate == IKS_FF_LOST && p.l.ip.is_fragment) {
		appendf(buf, len, "%s fragment arrived, its datagram did not arrive whole", dir);
	} else {
		switch (ff.fate) {
		case IKS_FF_ARRIVED:
			appendf(buf, len, "%s arrived at %c after %.3f ms (%c frame %" PRIu64 ")", dir,
				peer, ff.delay_s * 1e3, peer, ff.other_frame);
			break;
		case IKS_FF_RECEIVED:
			appendf(buf, len, "%s received from %c after %.3f ms (%c frame %" PRIu64 ")", dir,
				peer, ff.delay_s * 1e3, peer, ff.other_frame);
			break;
		case IKS_FF_LOST:
			appendf(buf, len, "%s LOST in the path", dir);
			break;
		case IKS_FF_DROPPED_ICMP:
			appendf(buf, len, "%s dropped in the path: an ICMP error about it reached the "
				"sender", dir);
			break;
		case IKS_FF_NOT_JUDGED:
			appendf(buf, len, "%s not seen at %c (not judged: outside the overlap or "
				"answered by an ICMP error)", dir, peer);
			break;
		case IKS_FF_ONLY_RECEIVED:
			appendf(buf, len, "%s received; %c's capture does not show it leaving", dir, peer);
			break;
		default:
			break;
		}
	}
	if (decoded) {
		uint32_t copy = ike_copy(&ss[side], &p);
		if (copy > 1) {
			const char *ex = iks_ike_exchange_name(p.l.ike.version, p.l.ike.exchange);
			appendf(buf, len, "retransmit %" PRIu32 " of %s mid 0x%08" PRIx32, copy - 1,
				ex ? ex : "exchange", p.l.ike.msgid);
		}
		if (p.l.icmp.present && p.l.icmp.has_mtu) {
			char src[IKS_ADDRSTRLEN];
			iks_addr_format(&p.l.ip.src, src, sizeof(src));
			appendf(buf, len, "ICMP %s (mtu %" PRIu32 ") from %s",
				p.l.icmp.version == 6 ? "packet-too-big" : "frag-needed", p.l.icmp.mtu,
				src);
			if (p.has_inner && p.inner.ip.has_id) {
				uint32_t slot = p.inner.ip.id % SENT_SLOTS;
				if (ss[side].sent_id[slot] == p.inner.ip.id && ss[side].sent_by_id[slot])
					appendf(buf, len, "for %c frame %" PRIu64 " (ip id 0x%04" PRIx32 ")",
						me, ss[side].sent_by_id[slot], p.inner.ip.id);
				else
					appendf(buf, len, "quoting ip id 0x%04" PRIx32, p.inner.ip.id);
			}
		}
	}
	if (decoded && p.l.ip.present && p.l.ip.has_id && *flags == 2 &&
	    (!p.l.ip.is_fragment || p.l.ip.frag_offset == 0)) {
		uint32_t slot = p.l.ip.id % SENT_SLOTS;
		ss[side].sent_id[slot] = p.l.ip.id;
		ss[side].sent_by_id[slot] = f->number;
	}
	modified_comment(c, side, f->number, buf, len);
	if (f->meta.has_verdict)
		appendf(buf, len, "dropped inside host %c (verdict %" PRIu64 "%s%s)", me,
			f->meta.verdict, f->meta.verdict_name ? " at " : "",
			f->meta.verdict_name ? f->meta.verdict_name : "");
	if (side == 1) {
		char t[48];
		clock_text(f->ts_sec, f->ts_nsec, t, sizeof(t));
		appendf(buf, len, "b's own clock %s", t);
	}
	appendf(buf, len, "%c frame %" PRIu64, me, f->number);
}

/* Append to a fixed buffer, never past its end (a cut comment is still a
 * comment). */
static void put(char *s, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *s, size_t cap, size_t *n, const char *fmt, ...)
{
	if (*n + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(s + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
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
	put(s, cap, &n, "ikescope pcapcorrelate: a = %s (%s), b = %s (%s); b's times moved to "
			"a's clock: b - a = %+.6f s, drift %.3f ppm\n",
	    paths[0], aa, paths[1], ba, ce->known ? ce->offset_s : 0.0, ce->known ? ce->drift_ppm : 0.0);
	const iks_verdict *vs;
	size_t nv = iks_correlation_verdicts(c, &vs);
	for (size_t i = 0; i < nv; i++)
		put(s, cap, &n, "%s %s%s%s: %s. What to do: %s\n", i ? "ALSO" : "VERDICT",
		    iks_cause_name(vs[i].cause), vs[i].direction ? " " : "",
		    vs[i].direction ? iks_direction_name(vs[i].direction) : "", vs[i].summary,
		    vs[i].advice);
	const iks_finding *fs;
	size_t nf = iks_correlation_findings(c, &fs);
	put(s, cap, &n, "findings (%zu):\n", nf);
	for (size_t i = 0; i < nf; i++) {
		const iks_finding *f = &fs[i];
		put(s, cap, &n, "%s %s%s%s", iks_severity_name(f->severity), iks_finding_kind_name(f->kind),
		    f->direction ? " " : "", f->direction ? iks_direction_name(f->direction) : "");
		if (f->count)
			put(s, cap, &n, " count %" PRIu32, f->count);
		if (f->frame_a)
			put(s, cap, &n, " a frame %" PRIu64, f->frame_a);
		if (f->frame_b)
			put(s, cap, &n, " b frame %" PRIu64, f->frame_b);
		put(s, cap, &n, "\n");
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
		ss[s].retx = calloc(RETX_SLOTS, sizeof(retx_slot));
		ss[s].sent_by_id = calloc(SENT_SLOTS, sizeof(uint64_t));
		ss[s].sent_id = calloc(SENT_SLOTS, sizeof(uint32_t));
		if (!ss[s].retx || !ss[s].sent_by_id || !ss[s].sent_id ||
		    iks_capture_merge_copies(ss[s].cap, true) != IKS_OK) {
			fprintf(stderr, "pcapcorrelate: out of memory\n");
			status = 1;
			goto out;
		}
		const iks_lost_packet *lost;
		size_t n = iks_correlation_lost(c, s, &lost);
		ss[s].lost = malloc((n ? n : 1) * sizeof(*ss[s].lost));
		ss[s].active = malloc((n ? n : 1) * sizeof(*ss[s].active));
		if (!ss[s].lost || !ss[s].active) {
			fprintf(stderr, "pcapcorrelate: out of memory\n");
			status = 1;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			ss[s].lost[i] = &lost[i];
		qsort(ss[s].lost, n, sizeof(*ss[s].lost), corr_lost_cmp_first);
		ss[s].nlost = n;
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
		if (s == 1) {
			/* on a's clock: the converted instant, to the nanosecond */
			double sec = floor(ss[1].on_a);
			f.ts_sec = (int64_t)sec;
			long ns = lround((ss[1].on_a - sec) * 1e9);
			if (ns >= 1000000000L) {
				f.ts_sec++;
				ns -= 1000000000L;
			}
			f.ts_nsec = (uint32_t)(ns < 0 ? 0 : ns);
		}
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
		if (ss[s].unnumbered)
			fprintf(stderr, "pcapcorrelate: --pcapng: %s: %llu IKE messages past the %d "
				"remembered were not numbered as retransmits in their comments\n",
				paths[s], (unsigned long long)ss[s].unnumbered, RETX_SLOTS);
	if (w && iks_pcapng_writer_close(w, err) != IKS_OK) {
		fprintf(stderr, "pcapcorrelate: %s\n", err);
		status = 1;
	}
	free(sc);
	for (int s = 0; s < 2; s++) {
		iks_capture_close(ss[s].cap);
		free(ss[s].retx);
		free(ss[s].lost);
		free(ss[s].active);
		free(ss[s].sent_by_id);
		free(ss[s].sent_id);
	}
	return status;
}
