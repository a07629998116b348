/*
 * corr_html_lost.c - when each lost packet of a run was sent, so that the
 * ladder draws every loss at its own time. A group of iks_correlation_groups()
 * gives only its first and last instant, and a run of losses may span a
 * second with arrivals between them; iks_correlation_lost() lists the lost
 * packets by frame, so the sender's capture is read again (as --lost does)
 * for those frames' times.
 *
 * Each lost packet is given to the lost group of its direction whose frame
 * range holds it: its first frame, else the only such group with room left,
 * else the one whose SPI, protocol and fragmentation match the packet's
 * (decoded from its first frame). A group whose packets cannot all be told
 * this way gets no times (drawn as one cross, as before).
 */
#include "correlate/corr_html_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct lost_pkt {
	uint64_t frame;     /* first frame in the sender's file */
	int64_t ns;         /* its capture time; -1 when not read */
	uint32_t spi;
	uint8_t proto;
	bool fragmented;
} lost_pkt;

static int cmp_lost(const void *x, const void *y)
{
	const lost_pkt *a = x, *b = y;
	return a->frame < b->frame ? -1 : (a->frame > b->frame);
}

/* The capture times (and SPI/protocol) of the lost packets' first frames. */
static int read_times(const char *path, lost_pkt *p, size_t n)
{
	char err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(path, NULL, err);
	if (!cap)
		return -1;
	iks_frame f;
	size_t k = 0;
	while (k < n && iks_capture_next(cap, &f) == 1) {
		while (k < n && p[k].frame < f.number)
			k++;
		if (k < n && p[k].frame == f.number) {
			iks_packet pk;
			memset(&pk, 0, sizeof(pk));
			p[k].ns = f.ts_sec * 1000000000LL + f.ts_nsec;
			if (iks_decode_buffer(f.linktype, f.data, f.caplen, &pk) == IKS_OK) {
				p[k].proto = pk.l.ip.proto;
				p[k].spi = pk.l.esp.present ? pk.l.esp.spi : pk.l.ah.present ? pk.l.ah.spi : 0;
			}
			k++;
		}
	}
	iks_capture_close(cap);
	return 0;
}

static bool key_matches(const iks_packet_group *g, const lost_pkt *p)
{
	bool spi = g->kind != IKS_GROUP_ESP && g->kind != IKS_GROUP_AH ? true : g->spi == p->spi;
	return spi && g->fragmented == p->fragmented && (!p->proto || g->proto == p->proto);
}

/* One side's lost packets (of lost runs' kinds), by frame, and their times
 * read from the sender's capture. */
typedef struct side_read {
	const char *path;
	lost_pkt *p;         /* NULL: nothing to read on this side */
	size_t n;
	int rc;              /* read_times' */
} side_read;

/* Side s's lost packets into r (r->p stays NULL when it has no lost run to
 * spread, or reads standard input, which cannot be read twice); 0, or -1
 * when out of memory. */
static int side_lost(html_ctx *h, int s, side_read *r)
{
	const iks_lost_packet *L;
	size_t n = iks_correlation_lost(h->c, s, &L);
	int dir = s == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
	bool runs = false;
	for (size_t i = 0; i < h->ng && !runs; i++)
		runs = h->g[i].dir == dir && h->g[i].fate == IKS_FATE_LOST && h->g[i].count > 1;
	memset(r, 0, sizeof(*r));
	r->path = h->in[s].path;
	if (!n || !runs || !strcmp(r->path, "-"))
		return 0;
	if (!(r->p = malloc(n * sizeof(*r->p))))
		return -1;
	for (size_t k = 0; k < n; k++) /* other traffic's losses are not on the ladder */
		if (L[k].reason != IKS_LOST_OTHER)
			r->p[r->n++] = (lost_pkt){ L[k].first_frame, -1, 0, 0, L[k].fragmented };
	qsort(r->p, r->n, sizeof(*r->p), cmp_lost);
	return 0;
}

static void *read_thread(void *arg)
{
	side_read *r = arg;
	r->rc = read_times(r->path, r->p, r->n);
	return NULL;
}

/* One side's lost packets (read) to its lost groups; times written into h->lt. */
static int side_times(html_ctx *h, int s, const side_read *r, size_t *nlt)
{
	if (!r->p)
		return 0;
	if (r->rc != 0)
		return 0; /* the file is gone: the runs stay one cross each */
	int dir = s == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
	const lost_pkt *p = r->p;
	size_t n = r->n;
	size_t *owner = malloc((n + 1) * sizeof(size_t));
	size_t *act = malloc(h->ng * sizeof(size_t)); /* lost groups whose frame range is open */
	uint32_t *room = calloc(h->ng, sizeof(uint32_t));
	bool *bad = calloc(h->ng, sizeof(bool));
	size_t *lg = malloc(h->ng * sizeof(size_t)); /* this side's lost groups by first frame */
	size_t *from = calloc(h->ng + 1, sizeof(size_t)); /* per group: where its packets start in byg */
	size_t *byg = malloc((n + 1) * sizeof(size_t)); /* packets by owner, in frame order within each */
	int rc = -1;
	if (!owner || !act || !room || !bad || !lg || !from || !byg)
		goto out;
	rc = 0;
	size_t nlg = 0;
	for (size_t i = 0; i < h->ng; i++)
		if (h->g[i].dir == dir && h->g[i].fate == IKS_FATE_LOST && h->g[i].frame_sent_first) {
			lg[nlg++] = i;
			room[i] = h->g[i].count;
		}
	/* groups are in time order; sort this side's by first frame (insertion: nearly sorted) */
	for (size_t i = 1; i < nlg; i++)
		for (size_t j = i; j > 0 && h->g[lg[j - 1]].frame_sent_first > h->g[lg[j]].frame_sent_first; j--) {
			size_t t = lg[j];
			lg[j] = lg[j - 1];
			lg[j - 1] = t;
		}
	size_t nact = 0, next = 0;
	for (size_t k = 0; k < n; k++) {
		uint64_t fr = p[k].frame;
		owner[k] = SIZE_MAX;
		while (next < nlg && h->g[lg[next]].frame_sent_first <= fr)
			act[nact++] = lg[next++];
		size_t keep = 0, exact = SIZE_MAX, cand = 0, one = SIZE_MAX, keyed = 0, onek = SIZE_MAX;
		for (size_t a = 0; a < nact; a++) {
			const iks_packet_group *g = &h->g[act[a]];
			if (g->frame_sent_last < fr)
				continue; /* closed */
			act[keep++] = act[a];
			if (!room[act[a]])
				continue;
			if (g->frame_sent_first == fr)
				exact = act[a];
			cand++;
			one = act[a];
			if (key_matches(g, &p[k])) {
				keyed++;
				onek = act[a];
			}
		}
		nact = keep;
		size_t o = exact != SIZE_MAX ? exact : cand == 1 ? one : keyed == 1 ? onek : SIZE_MAX;
		if (o == SIZE_MAX) {
			for (size_t a = 0; a < nact; a++) /* cannot tell: none of them gets times */
				bad[act[a]] = true;
			continue;
		}
		owner[k] = o;
		room[o]--;
	}
	/* each group's packets in one run (a counting sort by owner, stable):
	 * a pass over all lost packets per group was quadratic */
	for (size_t k = 0; k < n; k++)
		if (owner[k] != SIZE_MAX)
			from[owner[k] + 1]++;
	for (size_t i = 0; i < h->ng; i++)
		from[i + 1] += from[i];
	for (size_t k = 0; k < n; k++) /* from[g] moves from g's start to its end */
		if (owner[k] != SIZE_MAX)
			byg[from[owner[k]]++] = k;
	/* each group complete and told apart: its times, in frame order */
	for (size_t i = 0; i < nlg; i++) {
		size_t gi = lg[i];
		const iks_packet_group *g = &h->g[gi];
		if (g->count < 2 || bad[gi] || room[gi])
			continue;
		size_t at = *nlt, got = 0, b0 = gi ? from[gi - 1] : 0, b1 = from[gi];
		int64_t first = 0;
		for (size_t b = b0; b < b1; b++) {
			size_t k = byg[b];
			if (p[k].ns < 0)
				break;
			if (!got)
				first = p[k].ns; /* the group's first packet */
			/* on a's clock, from the group's first packet (converted by the library) */
			double d = (double)(p[k].ns - first) / 1e9;
			if (s == 1)
				d /= 1 + iks_correlation_clock(h->c)->drift_ppm * 1e-6;
			h->lt[at + got++] = g->sent_first_on_a_s + d;
		}
		if (got == g->count) {
			h->ltoff[gi] = at;
			*nlt += got;
			for (size_t b = b0; b < b1; b++) /* not the first: that one the group names */
				if (p[byg[b]].frame != g->frame_sent_first)
					h->lmap[h->nlmap++] = (html_frame_group){ p[byg[b]].frame * 4 + (uint64_t)s * 2,
										  gi };
		}
	}
out:
	free(owner);
	free(act);
	free(room);
	free(bad);
	free(lg);
	free(from);
	free(byg);
	return rc;
}

int html_lost_times(html_ctx *h)
{
	const iks_lost_packet *L;
	size_t total = iks_correlation_lost(h->c, 0, &L) + iks_correlation_lost(h->c, 1, &L);
	h->ltoff = malloc((h->ng + 1) * sizeof(size_t));
	h->lt = malloc((total + 1) * sizeof(double));
	h->lmap = malloc((total + 1) * sizeof(*h->lmap));
	if (!h->ltoff || !h->lt || !h->lmap)
		return -1;
	for (size_t i = 0; i < h->ng; i++)
		h->ltoff[i] = SIZE_MAX;
	side_read r[2];
	int rc = side_lost(h, 0, &r[0]);
	if (rc == 0)
		rc = side_lost(h, 1, &r[1]);
	else
		r[1].p = NULL;
	if (rc == 0) {
		/* both senders' captures read at once (one each on two cores) */
		pthread_t tid;
		bool threaded = r[0].p && r[1].p && pthread_create(&tid, NULL, read_thread, &r[1]) == 0;
		for (int s = 0; s < 2; s++)
			if (r[s].p && !(s == 1 && threaded))
				read_thread(&r[s]);
		if (threaded)
			pthread_join(tid, NULL);
		size_t nlt = 0;
		for (int s = 0; s < 2 && rc == 0; s++)
			rc = side_times(h, s, &r[s], &nlt);
	}
	free(r[0].p);
	free(r[1].p);
	return rc;
}
