/*
 * corr_html_data.c - the data the --html ladder is drawn from: one JSON
 * block (id "ikescope-data") with one object per packet group of
 * iks_correlation_groups(). Keys of a group:
 *   d   0: a->b, 1: b->a (direction of travel)
 *   k   kind: "ike", "esp", "ah", "keepalive", "other", "icmp-error"
 *   f   fate: "arrived", "lost", "dropped-icmp", "not-covered", "only-received", "from-path"
 *   n   packets in the group
 *   s, s2 / r, r2   first / last packet sent / received, seconds on a's clock from
 *       "t0" (the common clock; absent: not seen there). The host's own clock:
 *       a's is t0 + s; b's is t0 + s + off + drift * 1e-6 * s
 *   fs, fr  frame in the sender's / receiver's file ([first, last] for a run)
 *   z   datagram size ([smallest, largest] for a run); by: bytes of a run
 *   fl  flags: F fragmented by the sender, P fragmented in the path, M modified in
 *       transit, N addresses/ports rewritten (NAT), X a retransmitted IKE copy
 *   nf  [fragments sent, fragments arrived] when fragmented; id: IP ID (of the first)
 *   a   [src, sport, dst, dport] as the sender's capture shows them, then as the
 *       receiver's (addresses: index into "A", or the text; null: not seen)
 *   IKE: x exchange number (names in "X"[version - 1]), v version, m message ID,
 *        i/j initiator/responder SPI, rs 1 for an IKEv2 response, L IKE length,
 *        c/cn copy number / copies sent (when sent more than once)
 *   ESP/AH: spi, q [first, last sequence number]; other: pn protocol name
 *   ICMP error: ic (type and code as text), mtu, qid (the quoted IP ID)
 *   pf  [fragments, a's-clock time, leading bytes] of a lost datagram's pieces
 *       that did arrive
 *   lt  a lost run (n > 1): when each of its packets was sent (a's clock, from t0),
 *       absent when the sender's capture could not be read again
 *   lg  [sender's log line, receiver's log line] (--log-a/--log-b), null where none
 *   fd  positions (in the finding list) of the findings about it
 */
#include "correlate/corr_html_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/html_esc.h"

/* ---------------------------------------------- findings and their groups */

typedef html_frame_group frame_key;

static int cmp_frame_key(const void *x, const void *y)
{
	const frame_key *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

static size_t lookup(const frame_key *k, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (k[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && k[lo].key == key ? k[lo].idx : SIZE_MAX;
}

static uint64_t fkey(uint64_t frame, int side, int received)
{
	return frame * 4 + (uint64_t)side * 2 + (uint64_t)received;
}

int html_link_findings(html_ctx *h)
{
	frame_key *k = malloc((2 * h->ng + h->nlmap + 1) * sizeof(*k));
	h->fgroup = malloc((h->nf + 1) * sizeof(size_t));
	if (!k || !h->fgroup) {
		free(k);
		return -1;
	}
	size_t n = 0;
	for (size_t i = 0; i < h->ng; i++) {
		const iks_packet_group *g = &h->g[i];
		int s = g->dir == IKS_DIR_A_TO_B ? 0 : 1;
		if (g->frame_sent_first)
			k[n++] = (frame_key){ fkey(g->frame_sent_first, s, 0), i };
		if (g->frame_received_first)
			k[n++] = (frame_key){ fkey(g->frame_received_first, 1 - s, 1), i };
	}
	/* the later packets of lost runs (a finding about one links to its run) */
	for (size_t i = 0; i < h->nlmap; i++)
		k[n++] = h->lmap[i];
	qsort(k, n, sizeof(*k), cmp_frame_key);
	for (size_t j = 0; j < h->nf; j++) {
		const iks_finding *f = &h->f[j];
		size_t gi = SIZE_MAX;
		if (f->kind == IKS_FIND_ICMP_FRAG_NEEDED) {
			/* the ICMP error, in the file that saw it */
			int s = f->frame_a ? 0 : 1;
			gi = lookup(k, n, fkey(s ? f->frame_b : f->frame_a, s, 1));
		} else if (f->kind == IKS_FIND_NAT_DETECTED) {
			int dir = f->side == 'a' ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
			for (size_t i = 0; i < h->ng && gi == SIZE_MAX; i++)
				if (h->g[i].nat && h->g[i].dir == dir)
					gi = i;
		} else if (f->kind == IKS_FIND_BAD_SPI) {
			/* the Delete, sent by the end the packets go to */
			int s = f->direction == IKS_DIR_A_TO_B ? 1 : 0;
			gi = lookup(k, n, fkey(f->delete_frame, s, 0));
		} else if (f->direction == IKS_DIR_A_TO_B && f->frame_a) {
			gi = lookup(k, n, fkey(f->frame_a, 0, 0));
		} else if (f->direction == IKS_DIR_B_TO_A && f->frame_b) {
			gi = lookup(k, n, fkey(f->frame_b, 1, 0));
		}
		h->fgroup[j] = gi;
	}
	free(k);
	return 0;
}

/* IKE copies: the same message (direction, version, initiator SPI,
 * exchange, message ID, IKEv2 response flag, length) sent again. */
typedef struct ike_key {
	uint8_t ispi[8];
	uint32_t msgid, length, rest; /* rest: direction, version, exchange, flag */
	size_t idx;
} ike_key;

static int same_message(const ike_key *a, const ike_key *b)
{
	return !memcmp(a->ispi, b->ispi, 8) && a->msgid == b->msgid && a->length == b->length &&
	       a->rest == b->rest;
}

static int cmp_ike_key(const void *x, const void *y)
{
	const ike_key *a = x, *b = y;
	int r = memcmp(a->ispi, b->ispi, 8);
	if (r)
		return r;
	if (a->msgid != b->msgid)
		return a->msgid < b->msgid ? -1 : 1;
	if (a->length != b->length)
		return a->length < b->length ? -1 : 1;
	if (a->rest != b->rest)
		return a->rest < b->rest ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

int html_number_copies(html_ctx *h)
{
	h->copy = calloc(h->ng + 1, sizeof(uint32_t));
	h->copies = calloc(h->ng + 1, sizeof(uint32_t));
	ike_key *k = malloc((h->ng + 1) * sizeof(*k));
	if (!h->copy || !h->copies || !k) {
		free(k);
		return -1;
	}
	size_t n = 0;
	for (size_t i = 0; i < h->ng; i++) {
		const iks_packet_group *g = &h->g[i];
		if (g->kind != IKS_GROUP_IKE || g->fate == IKS_FATE_ONLY_RECEIVED)
			continue;
		memcpy(k[n].ispi, g->ispi, 8);
		k[n].msgid = g->msgid;
		k[n].length = g->ike_length;
		uint32_t resp = g->version == 2 ? (g->ike_flags & 0x20u) : 0;
		k[n].rest = (uint32_t)g->dir << 24 | (uint32_t)g->version << 16 |
			    (uint32_t)g->exchange << 8 | resp;
		k[n].idx = i;
		n++;
	}
	qsort(k, n, sizeof(*k), cmp_ike_key);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && same_message(&k[j], &k[i]))
			j++;
		for (size_t m = i; m < j; m++) {
			h->copy[k[m].idx] = (uint32_t)(m - i + 1);
			h->copies[k[m].idx] = (uint32_t)(j - i);
		}
		i = j;
	}
	free(k);
	return 0;
}

/* -------------------------------------------------------------- writing */

static void key(FILE *o, const char *k)
{
	fprintf(o, ",\"%s\":", k);
}

/* seconds on a's clock from t0 (microseconds are enough to draw) */
static void rel(html_ctx *h, const char *k, double t_on_a)
{
	key(h->o, k);
	fprintf(h->o, "%.6f", t_on_a - h->t0);
}

static void write_addr(html_ctx *h, const iks_addr *a)
{
	for (size_t i = 0; i < h->naddrs; i++)
		if (h->addrs[i].family == a->family && !memcmp(h->addrs[i].bytes, a->bytes, 16)) {
			fprintf(h->o, "%zu", i);
			return;
		}
	char buf[IKS_ADDRSTRLEN];
	if (h->naddrs < HTML_ADDR_TABLE) {
		h->addrs[h->naddrs] = *a;
		fprintf(h->o, "%zu", h->naddrs++);
		return;
	}
	js_str(h->o, a->family ? iks_addr_format(a, buf, sizeof(buf)) : "?");
}

static void log_ref(html_ctx *h, int side, uint64_t frame)
{
	const logview *v = h->in[side].log;
	const iks_log_msg *m = v && frame ? logview_msg_for_frame(v, frame) : NULL;
	if (!m) {
		fputs("null", h->o);
		return;
	}
	char where[512];
	logview_msg_where(v, m, where, sizeof(where));
	js_str(h->o, where);
}

/* the fragment-loss finding among a group's findings (fd: page positions) */
static const iks_finding *frag_finding(const html_ctx *h, const size_t *fd, size_t nfd)
{
	for (size_t k = 0; k < nfd; k++)
		if (h->f[h->forder[fd[k]]].kind == IKS_FIND_FRAGMENT_LOSS)
			return &h->f[h->forder[fd[k]]];
	return NULL;
}

/* [first, last] frames, or one number when they are the same */
static void frames(FILE *o, const char *k, uint64_t first, uint64_t last)
{
	key(o, k);
	if (first == last)
		fprintf(o, "%" PRIu64, first);
	else
		fprintf(o, "[%" PRIu64 ",%" PRIu64 "]", first, last);
}

static void write_group(html_ctx *h, size_t i, const size_t *fd, size_t nfd)
{
	const iks_packet_group *g = &h->g[i];
	FILE *o = h->o;
	int s = g->dir == IKS_DIR_A_TO_B ? 0 : 1;
	fprintf(o, "{\"d\":%d,\"k\":\"%s\",\"f\":\"%s\",\"n\":%" PRIu32, s, iks_group_kind_name(g->kind),
		iks_fate_name(g->fate), g->count);
	if (g->sent_first_s) {
		rel(h, "s", g->sent_first_on_a_s);
		if (g->count > 1)
			rel(h, "s2", g->sent_last_on_a_s);
		frames(o, "fs", g->frame_sent_first, g->frame_sent_last);
	}
	if (g->received_first_s) {
		rel(h, "r", g->received_first_on_a_s);
		if (g->count > 1)
			rel(h, "r2", g->received_last_on_a_s);
		frames(o, "fr", g->frame_received_first, g->frame_received_last);
	}
	key(o, "z");
	if (g->size_min == g->size_max)
		fprintf(o, "%" PRIu32, g->size_min);
	else
		fprintf(o, "[%" PRIu32 ",%" PRIu32 "]", g->size_min, g->size_max);
	if (g->count > 1) {
		key(o, "by");
		fprintf(o, "%" PRIu64, g->bytes);
	}
	char fl[8];
	size_t nfl = 0;
	if (g->fragmented)
		fl[nfl++] = 'F';
	if (g->fragmented_in_path)
		fl[nfl++] = 'P';
	if (g->modified)
		fl[nfl++] = 'M';
	if (g->nat)
		fl[nfl++] = 'N';
	if (h->copy[i] > 1)
		fl[nfl++] = 'X';
	fl[nfl] = 0;
	if (nfl) {
		key(o, "fl");
		js_str(o, fl);
	}
	if (g->nfrags_sent > 1 || g->nfrags_received > 1) {
		key(o, "nf");
		fprintf(o, "[%u,%u]", g->nfrags_sent, g->nfrags_received);
	}
	key(o, "id");
	fprintf(o, "%" PRIu32, g->ip_id);
	key(o, "a");
	fputc('[', o);
	for (int e = 0; e < 2; e++) {
		bool have = e ? g->received_first_s != 0 : g->sent_first_s != 0;
		if (!have) {
			fputs(e ? "null,0,null,0" : "null,0,null,0,", o);
			continue;
		}
		write_addr(h, e ? &g->src_received : &g->src_sent);
		fprintf(o, ",%u,", e ? g->sport_received : g->sport_sent);
		write_addr(h, e ? &g->dst_received : &g->dst_sent);
		fprintf(o, ",%u%s", e ? g->dport_received : g->dport_sent, e ? "" : ",");
	}
	fputc(']', o);
	if (g->kind == IKS_GROUP_IKE) {
		char i8[17], r8[17];
		hex8(i8, g->ispi);
		hex8(r8, g->rspi);
		h->exchanges[g->version == 1 ? 0 : 1][g->exchange] = 1;
		fprintf(o, ",\"x\":%u,\"v\":%u,\"m\":\"%08" PRIx32 "\",\"i\":\"%s\",\"j\":\"%s\",\"L\":%" PRIu32,
			g->exchange, g->version, g->msgid, i8, r8, g->ike_length);
		if (g->version == 2 && (g->ike_flags & 0x20))
			fputs(",\"rs\":1", o);
		if (h->copies[i] > 1)
			fprintf(o, ",\"c\":%u,\"cn\":%u", h->copy[i], h->copies[i]);
		if (h->in[0].log || h->in[1].log) {
			key(o, "lg");
			fputc('[', o);
			log_ref(h, s, g->frame_sent_last);
			fputc(',', o);
			log_ref(h, 1 - s, g->frame_received_last);
			fputc(']', o);
		}
	} else if (g->kind == IKS_GROUP_ESP || g->kind == IKS_GROUP_AH) {
		fprintf(o, ",\"spi\":\"%08" PRIx32 "\",\"q\":[%" PRIu32 ",%" PRIu32 "]", g->spi, g->seq_first,
			g->seq_last);
	} else if (g->kind == IKS_GROUP_ICMP_ERROR) {
		char buf[128];
		const char *tn = iks_icmp_type_name(g->proto == 58 ? 6 : 4, g->icmp_type);
		snprintf(buf, sizeof(buf), "%s (type %u code %u)", tn ? tn : "ICMP error", g->icmp_type,
			 g->icmp_code);
		key(o, "ic");
		js_str(o, buf);
		if (g->mtu)
			fprintf(o, ",\"mtu\":%" PRIu32, g->mtu);
		fprintf(o, ",\"qid\":%" PRIu32, g->quoted_ip_id);
	} else if (g->kind == IKS_GROUP_OTHER) {
		const char *pn = iks_ip_proto_name(g->proto);
		key(o, "pn");
		js_str(o, pn ? pn : "IP");
	}
	if (g->fate == IKS_FATE_LOST && g->fragmented) {
		const iks_finding *f = frag_finding(h, fd, nfd);
		double tb = s == 0 ? (f ? f->time_b_s : 0) : (f ? f->time_a_s : 0);
		if (f && f->count && tb > 0) {
			/* the receiver's clock back to a's */
			const iks_clock_estimate *ce = iks_correlation_clock(h->c);
			double ta = tb;
			if (s == 0) {
				/* not known (nothing crossed): the clocks taken to agree */
				double d = ce->known ? ce->drift_ppm * 1e-6 : 0;
				ta = (tb - (ce->known ? ce->offset_s : 0) + d * h->t0) / (1 + d);
			}
			/* bytes from the start that arrived (0: a hole at the start) */
			uint32_t head = f->nranges ? f->missing[0].start : 0;
			fprintf(o, ",\"pf\":[%u,%.6f,%" PRIu32 "]", f->count, ta - h->t0, head);
		}
	}
	if (h->ltoff[i] != SIZE_MAX) {
		/* a lost run: when each of its packets was sent */
		key(o, "lt");
		fputc('[', o);
		for (uint32_t k = 0; k < g->count; k++)
			fprintf(o, "%s%.6f", k ? "," : "", h->lt[h->ltoff[i] + k] - h->t0);
		fputc(']', o);
	}
	if (nfd) {
		key(o, "fd");
		fputc('[', o);
		for (size_t k = 0; k < nfd; k++)
			fprintf(o, "%s%zu", k ? "," : "", fd[k]);
		fputc(']', o);
	}
	fputc('}', o);
}

/* findings by group, for the "fd" keys: (group, position in the page) */
typedef struct gf {
	size_t g, pos;
} gf;

static int cmp_gf(const void *x, const void *y)
{
	const gf *a = x, *b = y;
	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	return a->pos < b->pos ? -1 : (a->pos > b->pos);
}

void html_write_data(html_ctx *h)
{
	FILE *o = h->o;
	const iks_clock_estimate *ce = iks_correlation_clock(h->c);
	gf *byg = malloc((h->nf + 1) * sizeof(*byg));
	size_t nbyg = 0;
	for (size_t p = 0; byg && p < h->nf; p++) {
		size_t gi = h->fgroup[h->forder[p]];
		if (gi != SIZE_MAX)
			byg[nbyg++] = (gf){ gi, p };
	}
	if (byg)
		qsort(byg, nbyg, sizeof(*byg), cmp_gf);
	size_t *fd = malloc((h->nf + 1) * sizeof(size_t));
	fprintf(o, "<script type=\"application/json\" id=\"ikescope-data\">{\"v\":1,\"t0\":%.6f,"
		"\"off\":%.6f,\"drift\":%.3f,\"dropped\":%" PRIu64 ",\"logs\":[%d,%d],\"g\":[\n",
		h->t0, ce->known ? ce->offset_s : 0.0, ce->known ? ce->drift_ppm : 0.0, h->gdropped, h->in[0].log != NULL,
		h->in[1].log != NULL);
	size_t k = 0;
	for (size_t i = 0; i < h->ng; i++) {
		size_t nfd = 0;
		while (byg && k < nbyg && byg[k].g < i)
			k++;
		while (byg && fd && k < nbyg && byg[k].g == i)
			fd[nfd++] = byg[k++].pos;
		if (i)
			fputs(",\n", o);
		write_group(h, i, fd, fd ? nfd : 0);
	}
	fputs("],\"X\":[{", o);
	for (int v = 0; v < 2; v++) {
		bool any = false;
		if (v)
			fputs("},{", o);
		for (unsigned x = 0; x < 256; x++) {
			char ex[24];
			if (!h->exchanges[v][x])
				continue;
			fprintf(o, "%s\"%u\":", any ? "," : "", x);
			js_str(o, corr_exchange_name(v + 1, x, ex));
			any = true;
		}
	}
	fputs("}],\"A\":[", o);
	for (size_t i = 0; i < h->naddrs; i++) {
		char buf[IKS_ADDRSTRLEN];
		if (i)
			fputc(',', o);
		js_str(o, iks_addr_format(&h->addrs[i], buf, sizeof(buf)));
	}
	fputs("]}</script>\n", o);
	free(byg);
	free(fd);
}
