/*
 * logjoin.c - joining a log's message records to captured IKE packets.
 *
 * 1. Identity: a packet is a candidate for a log message when every key
 *    the log gives agrees: exchange, IKE length, message ID, cookie pair,
 *    IKEv2 request/response, and the direction where the log names
 *    addresses. Oakley cookies and message IDs are tried as printed and
 *    byte-reversed; each file keeps the order under which more of its
 *    messages have candidates.
 * 2. Clock: every (message, candidate) pair proposes an offset (capture
 *    time minus log time). The densest window of proposals (window_ms
 *    wide) wins; its median is the first estimate. Log times count from
 *    the middle of their resolution (charon: hh:mm:ss.5). Only messages
 *    with at most candidates_max candidates propose: a larger set is not
 *    looked at whole, and a part of it (the first in time) pulls the
 *    estimate towards its own end. When no message has so few (a gateway
 *    whose log holds only one key, e.g. IKE_SA_INIT requests to many
 *    peers), every message proposes all its candidates, messages taken at
 *    an even stride when the pairs would pass OFFSETS_MAX.
 * 3. Assignment: in log order, each message takes the unused candidate
 *    closest to its log time plus the offset, within window_ms. Packets
 *    are searched in time order outwards from that time, so candidates
 *    outside the window cost nothing; candidates_max bounds the
 *    candidates looked at inside it, and a message whose search it cut
 *    short is counted (candidates_capped), not called "not in the capture".
 * 4. The reported offset is the median over the assigned pairs.
 */
#include "config.h"
#include "core/civil.h"

#include <stdlib.h>
#include <string.h>

#include "log/log_internal.h"

#define NS 1000000000LL
#define HALF_DAY_NS (43200LL * NS)
#define OFFSETS_MAX (1u << 22)

static int year_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	return (int)(yoe + era * 400 + (m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t iks_log_msg_time_ns(const iks_log_join *j, const iks_log_msg *m)
{
	int64_t res_ns = m->resolution_us ? (int64_t)m->resolution_us * 1000
					  : (int64_t)m->resolution_ms * 1000000;
	int64_t mid = (int64_t)m->tod_ms * 1000000 + (int64_t)m->sub_ms_us * 1000 + res_ns / 2;
	if (m->month && m->year)
		return civil_days(m->year, m->month, m->day) * 86400 * NS + mid;
	if (m->month == 0)
		return (j->capture_day0 + (int64_t)m->day_index * 86400) * NS + mid;
	int64_t best = 0, bestdist = INT64_MAX;
	for (int y = j->capture_year - 1; y <= j->capture_year + 1; y++) {
		int64_t t = civil_days(y, m->month, m->day) * 86400;
		int64_t dist = t > j->capture_day0 ? t - j->capture_day0 : j->capture_day0 - t;
		if (dist < bestdist) {
			bestdist = dist;
			best = t;
		}
	}
	return best * NS + mid;
}

bool iks_log_pkt_from_packet(const iks_packet *p, iks_log_pkt *o)
{
	const iks_ike_info *ike = &p->l.ike;
	if (!p || !ike->present)
		return false;
	memset(o, 0, sizeof(*o));
	o->frame = p->frame;
	o->ts_sec = p->ts_sec;
	o->ts_nsec = p->ts_nsec;
	o->src = p->l.ip.src;
	o->dst = p->l.ip.dst;
	o->sport = p->l.udp.sport;
	o->dport = p->l.udp.dport;
	o->version = ike->version;
	o->exchange = ike->exchange;
	o->flags = ike->flags;
	memcpy(o->ispi, ike->ispi, 8);
	memcpy(o->rspi, ike->rspi, 8);
	o->msgid = ike->msgid;
	o->length = ike->length;
	if (ike->raw.p && ike->raw.len == ike->length) {
		o->has_digest = true;
		o->digest = iks_log_digest(ike->raw.p, ike->raw.len);
	}
	return true;
}

static bool addr_eq(const iks_addr *a, const iks_addr *b)
{
	if (!a->family || a->family != b->family)
		return false;
	return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

static uint32_t bswap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

static bool cookie_eq(const uint8_t *logc, const uint8_t *pkt, bool reversed)
{
	for (int i = 0; i < 8; i++)
		if (logc[reversed ? 7 - i : i] != pkt[i])
			return false;
	return true;
}

static bool key_match(const iks_log_msg *m, const iks_log_pkt *p, int order)
{
	bool rev = order == IKS_LOG_ORDER_REVERSED;
	if (m->has_exchange && m->exchange != p->exchange)
		return false;
	if (m->length && m->length != p->length)
		return false;
	if (m->has_data && p->has_digest && m->digest != p->digest)
		return false; /* the log holds the message's bytes: they must be the packet's */
	if (m->version && m->version != p->version)
		return false;
	if (m->has_msgid && (rev ? bswap32(m->msgid) : m->msgid) != p->msgid)
		return false;
	if (m->has_cookies &&
	    !(cookie_eq(m->icookie, p->ispi, rev) && cookie_eq(m->rcookie, p->rspi, rev)))
		return false;
	if (m->has_response && p->version == 2 &&
	    m->response != ((p->flags & IKS_IKEV2_FLAG_RESPONSE) != 0))
		return false;
	/* direction, when the addresses say something */
	bool sent = m->dir == IKS_LOG_SENT;
	bool forward = addr_eq(&m->local, sent ? &p->src : &p->dst) ||
		       addr_eq(&m->peer, sent ? &p->dst : &p->src);
	bool backward = addr_eq(&m->local, sent ? &p->dst : &p->src) ||
			addr_eq(&m->peer, sent ? &p->src : &p->dst);
	return forward || !backward;
}

struct ctx {
	const iks_log *log;
	const iks_log_pkt *pkts;
	size_t npkts;
	uint32_t *by_len;   /* packet indices sorted by (length, capture time, index) */
	uint32_t *by_time;  /* packet indices sorted by (capture time, index) */
	uint32_t *by_cookie;/* packet indices sorted by (initiator cookie/SPI, message ID, index) */
	int64_t *lt;        /* per message: log time ns */
	int64_t *pt;        /* per packet: capture time ns */
	int *order;         /* per file */
	bool wrap;          /* offsets are modulo one day (no dates in the log) */
	int64_t *half_res;  /* per message: half its time resolution, ns */
};

/* The packets a message can match, in time order. */
struct cands {
	const uint32_t *v;
	size_t n;
};

enum sort_key { BY_TIME, BY_LENGTH, BY_COOKIE };

/* (length, time, index) by length, (time, index) by time, (initiator
 * cookie, message ID, index) by cookie: total orders, so the sort is
 * deterministic. */
static int cmp_pkt(const struct ctx *c, uint32_t x, uint32_t y, enum sort_key key)
{
	if (key == BY_COOKIE) {
		int d = memcmp(c->pkts[x].ispi, c->pkts[y].ispi, 8);
		if (d)
			return d < 0 ? -1 : 1;
		if (c->pkts[x].msgid != c->pkts[y].msgid)
			return c->pkts[x].msgid < c->pkts[y].msgid ? -1 : 1;
		return x < y ? -1 : x > y;
	}
	if (key == BY_LENGTH && c->pkts[x].length != c->pkts[y].length)
		return c->pkts[x].length < c->pkts[y].length ? -1 : 1;
	if (c->pt[x] != c->pt[y])
		return c->pt[x] < c->pt[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Merge sort of packet indices; no global state. */
static void sort_pkts(const struct ctx *c, uint32_t *v, uint32_t *tmp, size_t n, enum sort_key key)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_pkts(c, v, tmp, h, key);
	sort_pkts(c, v + h, tmp, n - h, key);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_pkt(c, v[i], v[j], key) <= 0 ? v[i++] : v[j++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* The packets of this length (every packet for length 0), in time order. */
static struct cands cands_of(const struct ctx *c, uint32_t len)
{
	if (len == 0)
		return (struct cands){ c->by_time, c->npkts };
	size_t a = 0, b = c->npkts;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (c->pkts[c->by_len[mid]].length < len)
			a = mid + 1;
		else
			b = mid;
	}
	size_t lo = a;
	b = c->npkts;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (c->pkts[c->by_len[mid]].length <= len)
			a = mid + 1;
		else
			b = mid;
	}
	return (struct cands){ c->by_len + lo, a - lo };
}

/* First position in r whose capture time is >= t. */
static size_t first_at(const struct ctx *c, struct cands r, int64_t t)
{
	size_t a = 0, b = r.n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (c->pt[r.v[mid]] < t)
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

static int64_t norm(const struct ctx *c, int64_t d)
{
	if (!c->wrap)
		return d;
	d %= 86400 * NS;
	if (d > HALF_DAY_NS)
		d -= 86400 * NS;
	else if (d <= -HALF_DAY_NS)
		d += 86400 * NS;
	return d;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t median_sorted(const int64_t *v, size_t n)
{
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

/* First position in by_cookie whose (cookie, message ID) is >= (ck, msgid). */
static size_t cookie_at(const struct ctx *c, const uint8_t ck[8], uint32_t msgid)
{
	size_t a = 0, b = c->npkts;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		const iks_log_pkt *p = &c->pkts[c->by_cookie[mid]];
		int d = memcmp(p->ispi, ck, 8);
		if (d < 0 || (d == 0 && p->msgid < msgid))
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

/* Does message m have a candidate under byte order o? A message with a
 * cookie pair and message ID looks up the packets of both as the order
 * reads them, all of them (one exchange of one SA); with no message ID,
 * the first candidates_max packets of its cookie; a message without
 * cookies, the first candidates_max packets of its length (*cut: more
 * were left). */
static bool votes_for(const struct ctx *c, const iks_log_msg *m, int o, uint32_t max, bool *cut)
{
	if (m->has_cookies) {
		bool rev = o == IKS_LOG_ORDER_REVERSED;
		uint8_t ck[8];
		for (int i = 0; i < 8; i++)
			ck[i] = m->icookie[rev ? 7 - i : i];
		uint32_t id = !m->has_msgid ? 0 : rev ? bswap32(m->msgid) : m->msgid;
		size_t k0 = cookie_at(c, ck, id);
		for (size_t k = k0; k < c->npkts; k++) {
			const iks_log_pkt *p = &c->pkts[c->by_cookie[k]];
			if (memcmp(p->ispi, ck, 8) != 0 || (m->has_msgid && p->msgid != id))
				break;
			if (!m->has_msgid && k - k0 == max) {
				*cut = true;
				break;
			}
			if (key_match(m, p, o))
				return true;
		}
		return false;
	}
	struct cands r = cands_of(c, m->length);
	for (size_t k = 0; k < r.n && k < max; k++)
		if (key_match(m, &c->pkts[r.v[k]], o))
			return true;
	*cut = *cut || r.n > max;
	return false;
}

/* Each file's byte order: the one under which more of its messages have
 * a candidate. Messages that could not vote are counted in order_unvoted. */
static void choose_orders(struct ctx *c, const iks_log_join_options *opt, iks_log_join *j)
{
	const iks_log *log = c->log;
	bool ambiguous = log->format == IKS_LOG_OAKLEY || log->format == IKS_LOG_FORTIGATE ||
			 log->format == IKS_LOG_CISCO;
	for (uint32_t f = 0; f < log->nfiles; f++) {
		size_t count[3] = { 0, 0, 0 };
		for (size_t i = 0; i < log->nmsgs; i++) {
			const iks_log_msg *m = &log->msgs[i];
			if (m->file != f)
				continue;
			bool cut = false, any = false;
			for (int o = IKS_LOG_ORDER_AS_PRINTED; o <= IKS_LOG_ORDER_REVERSED; o++)
				if (votes_for(c, m, o, opt->candidates_max, &cut)) {
					count[o]++;
					any = true;
				}
			if (!any && cut && ambiguous)
				j->order_unvoted++;
		}
		if (count[1] == 0 && count[2] == 0)
			c->order[f] = IKS_LOG_ORDER_NA;
		else
			c->order[f] = count[2] > count[1] ? IKS_LOG_ORDER_REVERSED
							  : IKS_LOG_ORDER_AS_PRINTED;
	}
}

static int match_order(const struct ctx *c, uint32_t file)
{
	if (c->log->format != IKS_LOG_OAKLEY && c->log->format != IKS_LOG_FORTIGATE &&
	    c->log->format != IKS_LOG_CISCO)
		return IKS_LOG_ORDER_AS_PRINTED;
	return c->order[file] == IKS_LOG_ORDER_REVERSED ? IKS_LOG_ORDER_REVERSED
							: IKS_LOG_ORDER_AS_PRINTED;
}

/* Offset proposals, at most OFFSETS_MAX; those past it are counted. */
struct proposals {
	int64_t *v;
	size_t n, room;
	uint64_t dropped;
};

/* Append one; false when out of memory (a full table takes no more, as
 * the proposals it holds are enough for an estimate). */
static bool propose(struct proposals *s, int64_t off)
{
	if (s->n == OFFSETS_MAX) {
		s->dropped++;
		return true;
	}
	if (s->n == s->room) {
		size_t room = s->room ? s->room * 2 : 1024;
		int64_t *q = realloc(s->v, room * sizeof(*q));
		if (!q)
			return false;
		s->v = q;
		s->room = room;
	}
	s->v[s->n++] = off;
	return true;
}

/* Candidates of message i (key matches), counted up to `limit`. */
static size_t count_keyed(const struct ctx *c, size_t i, size_t limit)
{
	const iks_log_msg *m = &c->log->msgs[i];
	int o = match_order(c, m->file);
	struct cands r = cands_of(c, m->length);
	size_t n = 0;
	for (size_t k = 0; k < r.n && n < limit; k++)
		n += key_match(m, &c->pkts[r.v[k]], o);
	return n;
}

/* Every candidate of message i proposes its offset. */
static bool propose_all(const struct ctx *c, size_t i, struct proposals *s)
{
	const iks_log_msg *m = &c->log->msgs[i];
	int o = match_order(c, m->file);
	struct cands r = cands_of(c, m->length);
	for (size_t k = 0; k < r.n; k++) {
		uint32_t p = r.v[k];
		if (key_match(m, &c->pkts[p], o) && !propose(s, norm(c, c->pt[p] - c->lt[i])))
			return false;
	}
	return true;
}

/* The proposals: from messages with at most candidates_max candidates
 * (their whole set); when there are none, from every message, at a
 * stride that keeps the packets looked at near OFFSETS_MAX. */
static bool gather(const struct ctx *c, const iks_log_join_options *opt, struct proposals *s)
{
	const iks_log *log = c->log;
	for (size_t i = 0; i < log->nmsgs; i++)
		if (count_keyed(c, i, (size_t)opt->candidates_max + 1) <= opt->candidates_max &&
		    !propose_all(c, i, s))
			return false;
	if (s->n > 0)
		return true;
	uint64_t looked = 0;
	for (size_t i = 0; i < log->nmsgs; i++)
		looked += cands_of(c, log->msgs[i].length).n;
	uint64_t stride = looked / OFFSETS_MAX + 1;
	for (size_t i = 0; i < log->nmsgs; i += stride)
		if (!propose_all(c, i, s))
			return false;
	return true;
}

static bool estimate(struct ctx *c, const iks_log_join_options *opt, int64_t *off,
		     iks_log_join *j)
{
	struct proposals s = { NULL, 0, 0, 0 };
	if (!gather(c, opt, &s)) {
		free(s.v);
		return false;
	}
	j->offsets_dropped = s.dropped;
	int64_t *v = s.v;
	size_t n = s.n;
	*off = 0;
	if (n > 0) {
		qsort(v, n, sizeof(*v), cmp_i64);
		int64_t w = (int64_t)opt->window_ms * 1000000;
		size_t best_lo = 0, best_n = 0, lo = 0;
		for (size_t hi = 0; hi < n; hi++) {
			while (v[hi] - v[lo] > w)
				lo++;
			if (hi - lo + 1 > best_n) {
				best_n = hi - lo + 1;
				best_lo = lo;
			}
		}
		*off = median_sorted(v + best_lo, best_n);
	}
	free(v);
	return true;
}

/* One message's search for its packet. */
struct search {
	const iks_log_msg *m;
	int order;
	int64_t half;      /* half the message's time resolution */
	int64_t w;         /* window_ms in ns */
	uint32_t max;      /* candidates_max */
	uint32_t looked;   /* candidates (key matches in the window) looked at */
	bool capped;       /* stopped at max with candidates left in the window */
	uint32_t best;     /* unused candidate closest in time, or IKS_LOG_NONE */
	int64_t bestd;     /* its distance beyond the log's resolution */
	int64_t bestt;     /* its capture time */
};

/* Is packet p (in the window) a candidate? Counts it against the cap;
 * returns 1 for an unused candidate, 0 for anything else, -1 when the
 * cap stops the search. */
static int look(const struct ctx *c, struct search *s, const iks_log_join *j, uint32_t p)
{
	if (!key_match(s->m, &c->pkts[p], s->order))
		return 0;
	if (s->looked == s->max) {
		s->capped = true;
		return -1;
	}
	s->looked++;
	return j->pkt_msg[p] == IKS_LOG_NONE;
}

/* Keep p when closer than the best so far; between equally close ones the
 * earlier (a whole-second log prints two messages of one second in their
 * order). */
static void consider(const struct ctx *c, struct search *s, uint32_t p, int64_t d)
{
	if (s->best == IKS_LOG_NONE || d < s->bestd || (d == s->bestd && c->pt[p] < s->bestt)) {
		s->best = p;
		s->bestd = d;
		s->bestt = c->pt[p];
	}
}

/* Search the packets around capture time t: forwards from t - half (all
 * within the log's resolution are equally close, so the earliest unused
 * one wins and nothing later can beat it), then backwards from there when
 * no packet at distance 0 was found. Returns false when capped. */
static bool search_at(const struct ctx *c, struct search *s, const iks_log_join *j,
		      struct cands r, int64_t t)
{
	size_t a = first_at(c, r, t - s->half);
	for (size_t k = a; k < r.n && c->pt[r.v[k]] <= t + s->w; k++) {
		int got = look(c, s, j, r.v[k]);
		if (got < 0)
			return false;
		if (got) {
			int64_t d = c->pt[r.v[k]] - t;
			consider(c, s, r.v[k], d > s->half ? d - s->half : 0);
			break;
		}
	}
	if (s->best != IKS_LOG_NONE && s->bestd == 0)
		return true;
	for (size_t k = a; k > 0 && c->pt[r.v[k - 1]] >= t - s->w; k--) {
		int got = look(c, s, j, r.v[k - 1]);
		if (got < 0)
			return false;
		if (got) {
			consider(c, s, r.v[k - 1], t - c->pt[r.v[k - 1]] - s->half);
			break;
		}
	}
	return true;
}

/* Message i's search: the window around its log time plus the offset. A
 * log without dates matches modulo a day, so each day of the capture
 * that has packets of the message's length in its window is searched (the
 * window is less than half a day: the windows never overlap); days
 * without such packets are skipped, so a capture spanning years costs no
 * more than one spanning a day. */
static void search_msg(const struct ctx *c, struct search *s, const iks_log_join *j, size_t i,
		       int64_t off)
{
	struct cands r = cands_of(c, s->m->length);
	int64_t t = c->lt[i] + off;
	if (!c->wrap || r.n == 0) {
		search_at(c, s, j, r, t);
		return;
	}
	const int64_t day = 86400 * NS;
	/* the first day whose window reaches packet a: t + k * day + w >= pt */
	size_t a = 0;
	int64_t k = floor_div(c->pt[r.v[a]] - s->w - t + day - 1, day);
	for (;;) {
		int64_t at = t + k * day;
		a = first_at(c, r, at - s->w);
		if (a == r.n)
			return;
		int64_t next = floor_div(c->pt[r.v[a]] - s->w - t + day - 1, day);
		if (next > k) {
			k = next; /* no packet in this day's window */
			continue;
		}
		if (!search_at(c, s, j, r, at))
			return;
		k++;
	}
}

static void assign(struct ctx *c, const iks_log_join_options *opt, int64_t off, iks_log_join *j)
{
	const iks_log *log = c->log;
	int64_t w = (int64_t)opt->window_ms * 1000000;
	if (c->wrap && w >= HALF_DAY_NS)
		w = HALF_DAY_NS - 1; /* modulo a day, every packet is within half a day */
	for (size_t i = 0; i < log->nmsgs; i++) {
		const iks_log_msg *m = &log->msgs[i];
		struct search s = { m, match_order(c, m->file), c->half_res[i], w,
				    opt->candidates_max, 0, false, IKS_LOG_NONE, 0, 0 };
		search_msg(c, &s, j, i, off);
		if (s.capped) {
			j->msg_capped[i] = true;
			j->candidates_capped++;
		}
		if (s.best != IKS_LOG_NONE) {
			j->msg_pkt[i] = s.best;
			j->pkt_msg[s.best] = (uint32_t)i;
		}
	}
}

static void summarize(struct ctx *c, iks_log_join *j)
{
	const iks_log *log = c->log;
	int64_t *v = malloc((log->nmsgs ? log->nmsgs : 1) * sizeof(*v));
	size_t n = 0;
	uint32_t capped_unmatched = 0;
	for (size_t i = 0; i < log->nmsgs; i++) {
		if (j->msg_pkt[i] == IKS_LOG_NONE) {
			capped_unmatched += j->msg_capped[i];
			continue;
		}
		j->matched++;
		const iks_log_pkt *pk = &c->pkts[j->msg_pkt[i]];
		if (log->msgs[i].has_data && pk->has_digest && pk->digest == log->msgs[i].digest)
			j->matched_exact++;
		if (log->msgs[i].retransmit)
			j->retransmits++;
		if (v)
			v[n++] = norm(c, c->pt[j->msg_pkt[i]] - c->lt[i]);
	}
	/* a message whose search was cut short may well be in the capture */
	j->unmatched_log = (uint32_t)(log->nmsgs - j->matched - capped_unmatched);
	j->unmatched_capture = (uint32_t)(c->npkts - j->matched);
	if (v && n > 0) {
		qsort(v, n, sizeof(*v), cmp_i64);
		j->has_offset = true;
		j->offset_ns = median_sorted(v, n);
	}
	free(v);
	if (log->format == IKS_LOG_OAKLEY || log->format == IKS_LOG_FORTIGATE ||
	    log->format == IKS_LOG_CISCO) {
		int order = IKS_LOG_ORDER_NA;
		for (uint32_t f = 0; f < log->nfiles; f++) {
			if (c->order[f] == IKS_LOG_ORDER_NA)
				continue;
			if (order == IKS_LOG_ORDER_NA)
				order = c->order[f];
			else if (order != c->order[f])
				order = IKS_LOG_ORDER_MIXED;
		}
		j->byte_order = order;
	}
}

void iks_log_join_free(iks_log_join *j)
{
	if (!j)
		return;
	free(j->msg_pkt);
	free(j->pkt_msg);
	free(j->pkt_frame);
	free(j->msg_capped);
	free(j);
}

iks_status iks_log_join_run(const iks_log *log, const iks_log_pkt *pkts, size_t npkts,
			    const iks_log_join_options *options, iks_log_join **out)
{
	if (!log || !out || (!pkts && npkts) || npkts >= IKS_LOG_NONE)
		return IKS_E_INVALID;
	*out = NULL;
	iks_log_join_options opt = { 2000, 64 };
	if (options) {
		if (options->window_ms)
			opt.window_ms = options->window_ms;
		if (options->candidates_max)
			opt.candidates_max = options->candidates_max;
	}
	iks_log_join *j = calloc(1, sizeof(*j));
	struct ctx c = { log, pkts, npkts, NULL, NULL, NULL, NULL, NULL, NULL,
			 log->format != IKS_LOG_OAKLEY, NULL };
	size_t nm = log->nmsgs;
	iks_status st = IKS_E_NOMEM;
	if (!j)
		return st;
	j->nmsgs = nm;
	j->npkts = npkts;
	j->msg_pkt = malloc((nm ? nm : 1) * sizeof(uint32_t));
	j->pkt_msg = malloc((npkts ? npkts : 1) * sizeof(uint32_t));
	j->pkt_frame = malloc((npkts ? npkts : 1) * sizeof(uint64_t));
	j->msg_capped = calloc(nm ? nm : 1, sizeof(bool));
	c.by_len = malloc((npkts ? npkts : 1) * sizeof(uint32_t));
	c.by_time = malloc((npkts ? npkts : 1) * sizeof(uint32_t));
	c.by_cookie = malloc((npkts ? npkts : 1) * sizeof(uint32_t));
	uint32_t *tmp = malloc((npkts ? npkts : 1) * sizeof(uint32_t));
	c.lt = malloc((nm ? nm : 1) * sizeof(int64_t));
	c.pt = malloc((npkts ? npkts : 1) * sizeof(int64_t));
	c.order = calloc(log->nfiles ? log->nfiles : 1, sizeof(int));
	c.half_res = malloc((nm ? nm : 1) * sizeof(int64_t));
	if (!j->msg_pkt || !j->pkt_msg || !j->pkt_frame || !j->msg_capped || !c.by_len ||
	    !c.by_time || !c.by_cookie || !tmp || !c.lt || !c.pt || !c.order || !c.half_res)
		goto out;
	for (size_t i = 0; i < nm; i++)
		j->msg_pkt[i] = IKS_LOG_NONE;
	for (size_t i = 0; i < npkts; i++) {
		j->pkt_msg[i] = IKS_LOG_NONE;
		j->pkt_frame[i] = pkts[i].frame;
		c.by_len[i] = c.by_time[i] = c.by_cookie[i] = (uint32_t)i;
		c.pt[i] = pkts[i].ts_sec * NS + pkts[i].ts_nsec;
	}
	/* capture order is not always time order (clock steps, merged files) */
	sort_pkts(&c, c.by_len, tmp, npkts, BY_LENGTH);
	sort_pkts(&c, c.by_time, tmp, npkts, BY_TIME);
	sort_pkts(&c, c.by_cookie, tmp, npkts, BY_COOKIE);
	int64_t first = npkts ? pkts[0].ts_sec : 0;
	j->capture_day0 = floor_div(first, 86400) * 86400;
	j->capture_year = year_from_days(floor_div(first, 86400));
	for (size_t i = 0; i < nm; i++) {
		const iks_log_msg *m = &log->msgs[i];
		c.lt[i] = iks_log_msg_time_ns(j, m);
		c.half_res[i] = (m->resolution_us ? (int64_t)m->resolution_us * 1000
						  : (int64_t)m->resolution_ms * 1000000) / 2;
	}
	choose_orders(&c, &opt, j);
	int64_t off;
	if (!estimate(&c, &opt, &off, j))
		goto out;
	assign(&c, &opt, off, j);
	summarize(&c, j);
	st = IKS_OK;
out:
	free(tmp);
	free(c.by_len);
	free(c.by_time);
	free(c.by_cookie);
	free(c.lt);
	free(c.pt);
	free(c.order);
	free(c.half_res);
	if (st != IKS_OK) {
		iks_log_join_free(j);
		return st;
	}
	*out = j;
	return IKS_OK;
}

const char *iks_log_byte_order_name(int order)
{
	switch (order) {
	case IKS_LOG_ORDER_AS_PRINTED: return "as-printed";
	case IKS_LOG_ORDER_REVERSED: return "reversed";
	case IKS_LOG_ORDER_MIXED: return "mixed";
	default: return "n/a";
	}
}
