/*
 * corr_fold.c - matched pairs folded into counts (issue 19, step 1 of
 * docs/dev/streaming.md, where they are called "elided pairs").
 *
 * Most of a long capture is ESP and AH that crossed the path unchanged:
 * no finding names one of those packets, only counts of them. Such a pair
 * is folded: marked in a bitmap that the passes taught so far skip, and
 * added to counts (corr_fold) that they read instead. Nothing is moved or
 * renumbered yet, so a pass not yet taught still sees every unit and the
 * report stays the same byte for byte; the equivalence test proves it for
 * each pass taught. Later steps fold pairs while loading, so that the
 * folded units are never kept.
 *
 * A pair (u sent by side s, v its copy received by the other side) is
 * folded only if:
 *  - u and v are ESP, or AH, matched by exact identity (not modified);
 *  - neither failed its integrity check (UNIT_F_ICV_BAD);
 *  - neither is the first unit of its (kind, SPI) in its capture (the
 *    audit join and ICMP quotes read the first unit of an SPI);
 *  - no Delete in either capture names its SPI, and the capturing hosts
 *    dropped no packet of its SPI (pcapng epb_verdict);
 *  - on UDP (NAT rebinding, corr_nat.c), the received copy is not the
 *    first to its port since the source last changed, comes from the same
 *    source as the port's previous UDP IPsec packet, carries the SA
 *    identity the port's packets last carried, and goes to one of the
 *    ports the rebinding check follows: then the check's state does not
 *    change with it, and every identity a later source carries stays
 *    visible. The sent copy's mapping has room in a table of the last
 *    folded position per mapping (FOLD_MAPPINGS_MAX), which stands in for
 *    it when the check looks for the last packet to a mapping that arrived.
 *  - no ICMP error in either capture quotes it (by identity, or by IP ID
 *    and protocol for a short quote): the ICMP findings name the first
 *    packet a quote fits. (Exact while the whole capture is at hand; a
 *    streaming load meets errors long after what they quote, and needs
 *    the aggregates of §3.15 instead.)
 *
 * Passes taught (they skip folded units and read the counts instead): the
 * loss tally of the findings (findings.c loss_side), the loss profile
 * (loss.c), the not-covered total and nothing-arrived (corr_checks.c), the
 * deleted SAs (corr_deletes.c) and the host drops (corr_hostdrop.c), these
 * two by the rules above, NAT rebinding (corr_nat.c) and the ICMP quotes
 * (corr_icmp.c, by the rule). Passes that read no ESP/AH unit need
 * nothing: negotiations, other traffic, modified packets, ICV failures
 * (never folded). Still reading folded units: groups (groups.c), frame
 * fates (corr_fate.c), the audit join (lib/audit/auditjoin.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/hash.h"
#include "correlate/correlate_internal.h"

/* SPIs seen in one capture, to tell the first unit of each: past this
 * many, units of SPIs not yet seen are not folded (the report is the same
 * either way). */
#define FOLD_SPIS_MAX 65536
/* NAT mappings (addr_dst, dport, sport) of folded UDP units per capture:
 * past this many, UDP units to further mappings are not folded. */
#define FOLD_MAPPINGS_MAX 4096
#define FOLD_MAPPING_SLOTS (2 * FOLD_MAPPINGS_MAX)

/* A set of non-zero 64-bit keys ((kind, SPI), quoted identities), open
 * addressing over twice the entries kept. */
typedef struct spi_set {
	uint64_t *key;         /* 0: empty (kind is never 0) */
	size_t slots, n, max;
	bool full;             /* a key was refused */
} spi_set;

static bool spi_set_init(spi_set *x, size_t max)
{
	size_t slots = 64;
	while (slots < 2 * max)
		slots *= 2;
	x->key = calloc(slots, sizeof(*x->key));
	x->slots = slots;
	x->n = 0;
	x->max = max;
	x->full = false;
	return x->key != NULL;
}

static uint64_t spi_key(uint8_t kind, uint32_t spi)
{
	return (uint64_t)kind << 32 | spi;
}

/* Whether k is in x; added when not (and room is left) if add. */
static bool spi_set_has(spi_set *x, uint64_t k, bool add)
{
	size_t i = (size_t)h_u64(IKS_FNV_OFFSET, k) & (x->slots - 1);
	for (; x->key[i]; i = (i + 1) & (x->slots - 1))
		if (x->key[i] == k)
			return true;
	if (add) {
		if (x->n < x->max) {
			x->key[i] = k;
			x->n++;
		} else {
			x->full = true;
		}
	}
	return false;
}

static bool esp_or_ah(const trace_unit *u)
{
	return u->kind == UNIT_ESP || u->kind == UNIT_AH;
}

/* Units that are the first of their (kind, SPI) in trace t, marked 1 in
 * first[] (also those whose SPI the set had no room for). */
static bool mark_first_of_spi(const iks_trace *t, uint8_t *first)
{
	spi_set seen;
	if (!spi_set_init(&seen, FOLD_SPIS_MAX))
		return false;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (esp_or_ah(u) && !spi_set_has(&seen, spi_key(u->kind, u->spi), true))
			first[i] = 1;
	}
	free(seen.key);
	return true;
}

/* The SPIs no pair may be folded of: named in a Delete, or of a packet a
 * capturing host dropped. False when that cannot be told (a table past its
 * cap, a dropped packet of unknown SPI): then nothing is folded. */
static bool never_fold(const corr_ctx *c, spi_set *never, bool *ok)
{
	size_t n = 0;
	*ok = true;
	for (int s = 0; s < 2; s++) {
		const iks_trace *t = c->t[s];
		if (t->deletes_dropped || t->hostdrops.over)
			return false;
		n += t->ndeletes + t->hostdrops.n;
	}
	if (!spi_set_init(never, n)) {
		*ok = false;
		return false;
	}
	for (int s = 0; s < 2; s++) {
		const iks_trace *t = c->t[s];
		for (size_t i = 0; i < t->ndeletes; i++) {
			const trace_delete *d = &t->deletes[i];
			uint8_t kind = d->proto == 2 ? UNIT_AH : UNIT_ESP;
			(void)spi_set_has(never, spi_key(kind, d->spi), true);
		}
		for (size_t i = 0; i < t->hostdrops.n; i++) {
			const trace_hostdrop *h = &t->hostdrops.v[i];
			if (!h->spi)
				return false;
			(void)spi_set_has(never, spi_key(UNIT_ESP, h->spi), true);
			(void)spi_set_has(never, spi_key(UNIT_AH, h->spi), true);
		}
	}
	return true;
}

/* The UDP IPsec packets capture r received that the NAT rebinding check
 * (corr_nat.c) may skip: marked 1 in ok[] (see the rules above). */
static void mark_nat_foldable(const corr_ctx *c, int r, uint8_t *ok)
{
	const iks_trace *t = c->t[r];
	struct {
		uint16_t port, addr, sport;
		uint64_t last_id; /* since the source last changed */
	} p[CORR_NAT_PORTS_MAX];
	size_t np = 0;
	for (size_t k = 0; k < t->nunits; k++) {
		const trace_unit *u = &t->units[k];
		if (c->role[r][k] != ROLE_RECEIVED || !corr_udp_ipsec(u))
			continue;
		uint64_t id = corr_sa_id(t, u);
		size_t i = 0;
		while (i < np && p[i].port != u->dport)
			i++;
		if (i == np) {
			if (np == CORR_NAT_PORTS_MAX)
				continue; /* counted by the check, packet by packet */
			np++;
			p[i].port = u->dport;
		} else if (p[i].addr == u->addr_src && p[i].sport == u->sport) {
			if (id && id == p[i].last_id)
				ok[k] = 1;
			else if (id)
				p[i].last_id = id;
			continue;
		}
		p[i].addr = u->addr_src; /* a new source (or port): kept */
		p[i].sport = u->sport;
		p[i].last_id = id;
	}
}

static uint64_t map_key(uint16_t addr_dst, uint16_t dport, uint16_t sport)
{
	return 1 + ((uint64_t)addr_dst << 32 | (uint64_t)dport << 16 | sport);
}

static struct corr_fold_map *map_slot(const corr_fold *f, uint64_t key)
{
	size_t i = (size_t)h_u64(IKS_FNV_OFFSET, key) & (f->map_slots - 1);
	while (f->map[i].key && f->map[i].key != key)
		i = (i + 1) & (f->map_slots - 1);
	return &f->map[i];
}

size_t corr_fold_last_to(const corr_ctx *c, int s, uint16_t addr_dst, uint16_t dport,
			 uint16_t sport)
{
	const corr_fold *f = c->fold[s];
	if (!f || !f->map)
		return SIZE_MAX;
	const struct corr_fold_map *m = map_slot(f, map_key(addr_dst, dport, sport));
	return m->key ? m->last : SIZE_MAX;
}

/* Unit i of side s, sent on UDP, folded: its mapping's last position.
 * False when the table is full. */
static bool map_sent(corr_fold *f, const trace_unit *u, size_t i)
{
	struct corr_fold_map *m = map_slot(f, map_key(u->addr_dst, u->dport, u->sport));
	if (!m->key) {
		if (f->nmap == FOLD_MAPPINGS_MAX)
			return false;
		m->key = map_key(u->addr_dst, u->dport, u->sport);
		f->nmap++;
	}
	m->last = i;
	return true;
}

/* What the ICMP errors of one capture quote: identities, and (IP ID,
 * protocol) of short quotes. */
typedef struct quotes {
	spi_set loose, by_id;
} quotes;

static uint64_t id_key(uint32_t ip_id, uint8_t proto)
{
	return (uint64_t)1 << 40 | (uint64_t)proto << 32 | ip_id;
}

static bool quotes_build(const iks_trace *t, quotes *q)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nunits; i++)
		n += t->units[i].kind == UNIT_ICMP_ERROR;
	if (!spi_set_init(&q->loose, n) || !spi_set_init(&q->by_id, n))
		return false;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind != UNIT_ICMP_ERROR)
			continue;
		const trace_icmp *k = unit_icmp(t, u);
		if (k->quoted_loose)
			(void)spi_set_has(&q->loose, k->quoted_loose, true);
		else
			(void)spi_set_has(&q->by_id, id_key(k->quoted_ip_id, k->quoted_proto), true);
	}
	return true;
}

static bool quoted(quotes *q, const trace_unit *u)
{
	return (u->loose && spi_set_has(&q->loose, u->loose, false)) ||
	       spi_set_has(&q->by_id, id_key(u->ip_id, u->proto), false);
}

static bool foldable(const corr_ctx *c, spi_set *never, int s, size_t i, uint8_t *const first[2],
		     uint8_t *const nat_ok[2], quotes q[2])
{
	const trace_unit *u = &c->t[s]->units[i];
	if (c->role[s][i] != ROLE_SENT || !esp_or_ah(u) || c->modified[s][i])
		return false;
	uint32_t m = c->match[s][i];
	if (m == NO_MATCH)
		return false;
	const trace_unit *v = &c->t[1 - s]->units[m];
	if (v->kind != u->kind || ((u->flags | v->flags) & UNIT_F_ICV_BAD))
		return false;
	if (first[s][i] || first[1 - s][m])
		return false;
	if (v->proto == 17 && !nat_ok[1 - s][m])
		return false;
	if (quoted(&q[s], u) || quoted(&q[1 - s], v))
		return false;
	return !spi_set_has(never, spi_key(u->kind, u->spi), false) &&
	       !spi_set_has(never, spi_key(v->kind, v->spi), false);
}

/* Count folded unit i of side s, sent, into f. */
static void count_sent(corr_ctx *c, corr_fold *f, int s, size_t i)
{
	const trace_unit *u = &c->t[s]->units[i];
	const trace_unit *v = &c->t[1 - s]->units[c->match[s][i]];
	bool frag_sent = (u->flags & UNIT_F_FRAGMENTED) != 0;
	bool frag_any = frag_sent || (v->flags & UNIT_F_FRAGMENTED);
	if (!f->n) {
		f->first = i;
		f->first_ts = u->ts;
	}
	f->last = i;
	f->last_ts = u->ts;
	f->n++;
	f->by_kind[u->kind]++;
	if (frag_any)
		f->fragmented++;
	else if (u->flags & UNIT_F_DF)
		f->df++;
	if (!frag_sent && u->size > f->size_max_whole)
		f->size_max_whole = u->size;
	f->size_band[corr_size_band(u->size)]++;
	if (!corr_filtered_out(c, s, u))
		f->judgeable++;
}

/* Count a folded unit of side s toward its host (nothing_arrived). */
static void count_host(corr_ctx *c, int s, size_t i)
{
	const trace_unit *u = &c->t[s]->units[i];
	if (u->addr_src == c->host[s] || u->addr_dst == c->host[s])
		c->fold[s]->host_units++;
}

/* The folded units each unit not folded follows (see corr_fold). */
static void count_positions(corr_ctx *c, int s)
{
	corr_fold *f = c->fold[s];
	uint32_t all = 0, esp = 0;
	for (size_t i = 0; i < c->t[s]->nunits; i++) {
		if (!f->bit[i]) {
			f->before_all[i] = all;
			f->before_esp[i] = esp;
			all = esp = 0;
		} else if (c->role[s][i] == ROLE_SENT) {
			all++;
			esp += c->t[s]->units[i].kind == UNIT_ESP;
		}
	}
	f->tail_all = all;
	f->tail_esp = esp;
}

iks_status corr_fold_pairs(corr_ctx *c)
{
	if (!c->opt.compact || c->hints)
		return IKS_OK;
	iks_status st = IKS_OK;
	uint8_t *first[2] = { NULL, NULL }, *nat_ok[2] = { NULL, NULL };
	quotes q[2];
	memset(q, 0, sizeof(q));
	spi_set never = { 0 };
	bool ok;
	if (!never_fold(c, &never, &ok)) {
		free(never.key);
		return ok ? IKS_OK : IKS_E_NOMEM;
	}
	for (int s = 0; s < 2 && st == IKS_OK; s++) {
		size_t n = c->t[s]->nunits ? c->t[s]->nunits : 1;
		corr_fold *f = c->fold[s] = calloc(1, sizeof(*f));
		first[s] = big_calloc(n, 1);
		nat_ok[s] = big_calloc(n, 1);
		if (!f || !first[s] || !nat_ok[s] || !(f->bit = big_calloc(n, 1)) ||
		    !(f->map = calloc(FOLD_MAPPING_SLOTS, sizeof(*f->map))) ||
		    !(f->before_all = big_malloc(n * sizeof(uint32_t))) ||
		    !(f->before_esp = big_malloc(n * sizeof(uint32_t))) ||
		    !mark_first_of_spi(c->t[s], first[s]) || !quotes_build(c->t[s], &q[s]))
			st = IKS_E_NOMEM;
		else
			f->map_slots = FOLD_MAPPING_SLOTS;
	}
	for (int s = 0; s < 2 && st == IKS_OK; s++)
		mark_nat_foldable(c, s, nat_ok[s]);
	for (int s = 0; s < 2 && st == IKS_OK; s++)
		for (size_t i = 0; i < c->t[s]->nunits; i++) {
			if (!foldable(c, &never, s, i, first, nat_ok, q))
				continue;
			const trace_unit *u = &c->t[s]->units[i];
			if (u->proto == 17 && !map_sent(c->fold[s], u, i))
				continue;
			c->fold[s]->bit[i] = 1;
			c->fold[1 - s]->bit[c->match[s][i]] = 1;
			count_sent(c, c->fold[s], s, i);
			count_host(c, s, i);
			count_host(c, 1 - s, c->match[s][i]);
		}
	for (int s = 0; s < 2 && st == IKS_OK; s++) {
		count_positions(c, s);
		if (s == 0)
			c->out->stats.folded_ab = c->fold[s]->n;
		else
			c->out->stats.folded_ba = c->fold[s]->n;
	}
	free(first[0]);
	free(first[1]);
	free(nat_ok[0]);
	free(nat_ok[1]);
	for (int s = 0; s < 2; s++) {
		free(q[s].loose.key);
		free(q[s].by_id.key);
	}
	free(never.key);
	if (st != IKS_OK)
		corr_fold_free(c);
	return st;
}

void corr_fold_free(corr_ctx *c)
{
	for (int s = 0; s < 2; s++) {
		corr_fold *f = c->fold[s];
		if (!f)
			continue;
		free(f->bit);
		free(f->before_all);
		free(f->before_esp);
		free(f->map);
		free(f);
		c->fold[s] = NULL;
	}
}
