/*
 * trace.c - summarising a capture for correlation: one fixed-size unit per
 * IP packet or reassembled datagram, its identity keys and digests, and the
 * datagrams that never completed.
 *
 * Identities are chosen to survive what the path may do to a packet: NAT
 * rewrites addresses, ports and checksums, routers re-fragment and
 * decrement the TTL, clocks differ. What a path does not change: IKE
 * messages (cookies, message ID, exchange, bytes), ESP/AH (SPI, sequence,
 * bytes) and, for everything else, the IP identification with the protocol
 * and total length.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/correlate.h>
#include <ikescope/ike.h>

#include "core/bigmem.h"
#include "core/hash.h"
#include "trace/trace.h"


/* the sizes docs/limits.md gives (memory per packet and per fragment) */
_Static_assert(sizeof(trace_unit) == 72, "trace_unit grew");
_Static_assert(sizeof(trace_frag) == 40, "trace_frag grew");

static void trace_limits_default(iks_trace_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->units_max = 16000000;
	lim->addresses_max = 65535;
	iks_decoder_limits_default(&lim->decoder);
}

iks_trace *iks_trace_new(const iks_trace_limits *lim)
{
	iks_trace *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	trace_limits_default(&t->lim);
	if (lim) {
		if (lim->units_max)
			t->lim.units_max = lim->units_max;
		if (lim->addresses_max)
			t->lim.addresses_max = lim->addresses_max;
		if (t->lim.addresses_max > 65535)
			t->lim.addresses_max = 65535; /* indices are 16-bit */
		t->lim.decoder = lim->decoder;
	}
	t->addr_slots = 1;
	while (t->addr_slots < 2 * t->lim.addresses_max)
		t->addr_slots <<= 1;
	t->addrs = calloc(t->lim.addresses_max, sizeof(*t->addrs));
	t->addr_index = calloc(t->addr_slots, sizeof(*t->addr_index));
	t->pending = calloc(TRACE_PENDING, sizeof(*t->pending));
	if (!t->addrs || !t->addr_index || !t->pending) {
		iks_trace_free(t);
		return NULL;
	}
	/* a capture's units and fragments grow to an unknown number within
	 * the cap: reserved at the cap, they are never copied */
	t->units = big_reserve(t->lim.units_max, sizeof(*t->units));
	t->units_reserved = t->units != NULL;
	t->frags = big_reserve(t->lim.units_max, sizeof(*t->frags));
	if ((t->frags_reserved = t->frags != NULL))
		t->cap_frags = t->lim.units_max;
	t->info.first_ns = INT64_MAX;
	t->info.last_ns = INT64_MIN;
	return t;
}

void iks_trace_free(iks_trace *t)
{
	if (!t)
		return;
	trace_hostdrops_free(&t->hostdrops);
	if (t->units_reserved)
		big_unreserve(t->units, t->lim.units_max, sizeof(*t->units));
	else
		free(t->units);
	for (int k = 0; k < TRACE_SIDES; k++) {
		free(t->rank[k].bits);
		free(t->rank[k].before);
	}
	free(t->holes);
	free(t->ike);
	free(t->icmp);
	free(t->deletes);
	free(t->offers);
	if (t->frags_reserved)
		big_unreserve(t->frags, t->lim.units_max, sizeof(*t->frags));
	else
		free(t->frags);
	free(t->addrs);
	free(t->addr_index);
	free(t->pending);
	free(t->frag_heads);
	free(t->path);
	free(t);
}

void iks_trace_get_info(const iks_trace *t, iks_trace_info *info)
{
	if (t && info)
		*info = t->info;
}

/* Index of an address, adding it; the last index is shared by all
 * addresses past the cap (each such lookup counted in
 * info.addresses_merged). */
static uint32_t intern_addr_slow(iks_trace *t, const iks_addr *a)
{
	uint64_t h = h_final(h_bytes(IKS_FNV_OFFSET, (const uint8_t *)a, sizeof(*a)));
	uint32_t mask = t->addr_slots - 1;
	for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
		uint32_t v = t->addr_index[i];
		if (v == 0) {
			if (t->naddrs == t->lim.addresses_max) {
				t->info.addresses_merged++;
				return t->naddrs - 1; /* full: the last slot stands for the rest */
			}
			t->addrs[t->naddrs] = *a;
			t->addr_index[i] = ++t->naddrs;
			return t->naddrs - 1;
		}
		if (!memcmp(&t->addrs[v - 1], a, sizeof(*a)))
			return v - 1;
	}
}

static uint32_t intern_addr(iks_trace *t, const iks_addr *a)
{
	for (int r = 0; r < 2; r++) {
		uint32_t v = t->addr_recent[r];
		if (v && !memcmp(&t->addrs[v - 1], a, sizeof(*a)))
			return v - 1;
	}
	uint32_t v = intern_addr_slow(t, a);
	t->addr_recent[1] = t->addr_recent[0];
	t->addr_recent[0] = v + 1;
	return v;
}

/* Room for one more element in a side table of n used of *cap (doubling).
 * Returns the (possibly moved) array, or NULL when out of memory (the old
 * array is then still valid). */
static void *grow(void *arr, size_t n, size_t *cap, size_t elem)
{
	if (n < *cap)
		return arr;
	size_t nc = *cap ? *cap * 2 : 64;
	void *p = big_realloc(arr, n * elem, nc * elem);
	if (p)
		*cap = nc;
	return p;
}

static trace_unit *new_unit(iks_trace *t)
{
	if (t->nunits == t->lim.units_max) {
		t->info.dropped++;
		return NULL;
	}
	if (t->nunits == t->cap_units) {
		size_t cap = t->cap_units ? t->cap_units * 2 : 1024;
		if (cap > t->lim.units_max)
			cap = t->lim.units_max;
		for (int k = 0; k < TRACE_SIDES; k++) {
			trace_rank *r = &t->rank[k];
			uint64_t *b = realloc(r->bits, (cap / 64 + 1) * sizeof(*b));
			if (b)
				r->bits = b;
			uint32_t *w = realloc(r->before, (cap / 64 + 1) * sizeof(*w));
			if (w)
				r->before = w;
			if (!b || !w)
				return NULL;
		}
		if (!t->units_reserved) {
			trace_unit *u = big_realloc(t->units, t->nunits * sizeof(*u),
						    cap * sizeof(*u));
			if (!u)
				return NULL;
			t->units = u;
		}
		t->cap_units = cap;
	}
	if (t->nunits % 64 == 0) {
		/* a new block of units: none has a side-table entry yet, and the
		 * block starts after the entries so far (a unit given back, below,
		 * takes its bits back with it) */
		size_t w = t->nunits / 64, counts[TRACE_SIDES] = { t->nike, t->nicmp, t->nholes };
		for (int k = 0; k < TRACE_SIDES; k++) {
			t->rank[k].bits[w] = 0;
			t->rank[k].before[w] = (uint32_t)counts[k];
		}
	}
	trace_unit *u = &t->units[t->nunits++];
	memset(u, 0, sizeof(*u));
	t->info.units++;
	return u;
}

/* Unit i (the last one added) has an entry in side table k. */
static void rank_set(iks_trace *t, int k, size_t i)
{
	t->rank[k].bits[i / 64] |= UINT64_C(1) << (i % 64);
}

static int64_t ns_of(int64_t sec, uint32_t nsec)
{
	return sec * 1000000000LL + nsec;
}

/* Identities of one layer set. `loose` leaves content out. */
static void identify(const iks_layers *L, uint32_t size, uint64_t *key, uint64_t *loose,
		     uint8_t *kind)
{
	uint64_t h = IKS_FNV_OFFSET;
	uint64_t digest = 0;
	if (L->ike.present) {
		const iks_ike_info *k = &L->ike;
		h = h_u64(h, UNIT_IKE);
		h = h_bytes(h, k->ispi, 8);
		h = h_bytes(h, k->rspi, 8);
		h = h_u64(h, (uint64_t)k->version << 40 | (uint64_t)k->exchange << 32 | k->msgid);
		h = h_u64(h, (uint64_t)k->flags << 32 | k->length);
		*kind = UNIT_IKE;
		digest = h_final(h_bytes_fast(IKS_FNV_OFFSET, k->raw.p, k->raw.len));
	} else if (L->esp.present) {
		h = h_u64(h, UNIT_ESP);
		h = h_u64(h, (uint64_t)L->esp.spi << 32 | L->esp.seq);
		*kind = UNIT_ESP;
		digest = h_final(h_bytes_fast(IKS_FNV_OFFSET, L->esp.raw.p, L->esp.raw.len));
	} else if (L->ah.present) {
		h = h_u64(h, UNIT_AH);
		h = h_u64(h, (uint64_t)L->ah.spi << 32 | L->ah.seq);
		*kind = UNIT_AH;
	} else {
		h = h_u64(h, UNIT_OTHER);
		h = h_u64(h, (uint64_t)L->ip.proto << 48 | (uint64_t)L->ip.id << 16);
		h = h_u64(h, size);
		/* IPv6 without a fragment header has no identification: the
		 * protocol and size alone would make strangers look alike, so
		 * its bytes count (NAT66 is rare) */
		if (L->ip.version == 6 && !L->ip.has_id)
			h = h_bytes_fast(h, L->ip.payload.p, L->ip.payload.len);
		*kind = L->udp.encap == IKS_ENCAP_KEEPALIVE ? UNIT_KEEPALIVE : UNIT_OTHER;
	}
	*loose = h_final(h);
	*key = digest ? h_final(h_u64(h, digest)) : *loose;
}

static pending_dgram *pending_slot(iks_trace *t, uint64_t id)
{
	return &t->pending[id % TRACE_PENDING];
}

static void fill_ip(iks_trace *t, trace_unit *u, const iks_ip_info *ip)
{
	u->addr_src = (uint16_t)intern_addr(t, &ip->src);
	u->addr_dst = (uint16_t)intern_addr(t, &ip->dst);
	u->ip_id = ip->id;
	u->proto = ip->proto;
	u->ttl = ip->ttl;
	if (ip->df)
		u->flags |= UNIT_F_DF;
}

/* Append one ESP/AH SPI (4 bytes at b) to a list capped at max; past the cap
 * or without memory it is counted in *dropped. */
static void push_spi(trace_delete **arr, size_t *n, size_t *cap, uint64_t *dropped, size_t max,
		     uint32_t unit, uint8_t proto, const uint8_t *b)
{
	if (*n == max) {
		(*dropped)++;
		return;
	}
	trace_delete *a = grow(*arr, *n, cap, sizeof(**arr));
	if (!a) {
		(*dropped)++;
		return;
	}
	*arr = a;
	trace_delete *d = &a[(*n)++];
	d->unit = unit;
	d->proto = proto;
	d->spi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The facts the correlation uses from an IKE message's payloads: its
 * first error Notify (RFC 2408 section 3.14.1: types 1-8191; RFC 7296
 * section 3.10.1: 1-16383), the ESP/AH SPIs its Delete payloads name and
 * the ESP/AH SPIs its SA payloads' proposals offer. */
static void read_payloads(iks_trace *t, trace_ike *k, const iks_ike_msg *m, uint32_t unit)
{
	if (!m)
		return;
	unsigned err_max = m->version == 1 ? 8191 : 16383;
	for (uint16_t i = 0; i < m->npayloads; i++) {
		const iks_ike_payload *p = &m->payloads[i];
		if (p->status != IKS_OK)
			continue;
		if (p->kind == IKS_PK_NOTIFY && p->notify_type >= 1 && p->notify_type <= err_max &&
		    !k->notify_error)
			k->notify_error = p->notify_type;
		if (p->kind != IKS_PK_DELETE || (p->protocol != 2 && p->protocol != 3) ||
		    p->spi_size != 4)
			continue;
		for (size_t at = 0; p->spi.len - at >= 4 && at / 4 < p->spi_count; at += 4)
			push_spi(&t->deletes, &t->ndeletes, &t->cap_deletes, &t->deletes_dropped,
				 TRACE_DELETES_MAX, unit, p->protocol, p->spi.p + at);
	}
	for (uint16_t i = 0; i < m->nproposals; i++) {
		const iks_ike_proposal *q = &m->proposals[i];
		if ((q->protocol == 2 || q->protocol == 3) && q->spi_size == 4 && q->spi.len >= 4)
			push_spi(&t->offers, &t->noffers, &t->cap_offers, &t->offers_dropped,
				 TRACE_OFFERS_MAX, unit, q->protocol, q->spi.p);
	}
}

/* Bytes of a first fragment's transport header that NAT rewrites: the
 * digest starts after them. */
static size_t nat_mask_len(uint8_t proto)
{
	switch (proto) {
	case 17: return 8;   /* UDP: ports, length, checksum (RFC 768) */
	case 6: return 20;   /* TCP: fixed header (RFC 9293 section 3.1) */
	case 1: return 8;    /* ICMP: type, code, checksum, identifier, sequence */
	case 58: return 8;   /* ICMPv6 */
	}
	return 0;
}

/* Record one IP fragment as a matching unit of its own. Returns false
 * when it was not kept (counted). */
static bool add_frag(iks_trace *t, const iks_layers *L, const iks_frag_info *f, uint64_t frame,
		     int64_t ts)
{
	/* past the cap a fragment is not a unit of its own (it still counts
	 * in its datagram); counted in info.dropped like any unit not kept */
	if (t->nfrags == t->lim.units_max) {
		t->frags_dropped++;
		t->info.dropped++;
		return false;
	}
	trace_frag *arr = grow(t->frags, t->nfrags, &t->cap_frags, sizeof(*t->frags));
	if (!arr) {
		t->frags_dropped++;
		t->info.dropped++;
		return false;
	}
	t->frags = arr;
	trace_frag *g = &t->frags[t->nfrags++];
	memset(g, 0, sizeof(*g));
	g->ts = ts;
	g->frame = (uint32_t)frame; /* the caller checked TRACE_FRAME_MAX */
	g->offset = (uint16_t)L->ip.frag_offset; /* RFC 791, RFC 8200 section 4.5: 13 bits x 8 */
	/* bytes of the datagram's payload this piece carries */
	uint32_t len = (uint32_t)L->ip.payload.len;
	if (f->result != IKS_FRAG_NONE && f->result != IKS_FRAG_UNREASSEMBLED)
		len = f->length;
	g->proto = L->ip.proto;
	g->ttl = L->ip.ttl;
	g->addr_src = (uint16_t)intern_addr(t, &L->ip.src);
	g->addr_dst = (uint16_t)intern_addr(t, &L->ip.dst);
	size_t skip = 0;
	const iks_span *pl = &L->ip.payload;
	if (g->offset == 0) {
		skip = nat_mask_len(g->proto);
		if (g->proto == 17 && pl->len >= 4) {
			g->sport = (uint16_t)(pl->p[0] << 8 | pl->p[1]);
			g->dport = (uint16_t)(pl->p[2] << 8 | pl->p[3]);
		}
	}
	uint64_t h = h_u64(IKS_FNV_OFFSET, 0x66726167); /* "frag" */
	h = h_u64(h, (uint64_t)g->proto << 48 | (uint64_t)L->ip.id << 16 | (L->ip.mf ? 1u : 0u));
	uint64_t ph = h_u64(h_u64(IKS_FNV_OFFSET, 0x70726566), /* "pref" */
			    (uint64_t)g->proto << 48 | (uint64_t)L->ip.id << 16);
	ph = h_u64(ph, g->offset);
	h = h_u64(h, (uint64_t)g->offset << 32 | len);
	if (pl->len > skip) {
		/* each byte digested once: the prefix, then the rest */
		size_t n = pl->len - skip, pn = n < FRAG_PREFIX ? n : FRAG_PREFIX;
		uint64_t prefix = h_bytes_fast(IKS_FNV_OFFSET, pl->p + skip, pn);
		uint64_t rest = n > pn ? h_bytes_fast(IKS_FNV_OFFSET, pl->p + skip + pn, n - pn) : 0;
		h = h_u64(h_u64(h, prefix), rest);
		ph = h_u64(ph, prefix);
	}
	g->key = h_final(h);
	g->pkey = h_final(ph);
	return true;
}

/* When a message's chain of fragments is broken (its frag_heads slot
 * taken by another message meanwhile), IKE fragments look back this far
 * (IKE units) for the others; those further back are counted
 * (info.ike_frags_unmarked). */
#define TRACE_FRAG_LOOKBACK 256

/* o and k are fragments of the same IKE message. */
static bool same_message(const trace_ike *o, const trace_ike *k)
{
	return o->fragment && o->version == k->version && o->exchange == k->exchange &&
	       o->msgid == k->msgid && o->flags == k->flags && !memcmp(o->ispi, k->ispi, 8) &&
	       !memcmp(o->rspi, k->rspi, 8);
}

static uint32_t *frag_head(iks_trace *t, const trace_ike *k)
{
	uint64_t h = h_bytes(IKS_FNV_OFFSET, k->ispi, 8);
	h = h_bytes(h, k->rspi, 8);
	h = h_u64(h, (uint64_t)k->version << 48 | (uint64_t)k->exchange << 40 |
		     (uint64_t)k->flags << 32 | k->msgid);
	return &t->frag_heads[h_final(h) % TRACE_FRAG_HEADS];
}

/* Chain the fragment k (the last entry of ike[]) to the earlier fragments
 * of its message. False when out of memory. */
static bool link_fragment(iks_trace *t, trace_ike *k)
{
	if (!t->frag_heads && !(t->frag_heads = calloc(TRACE_FRAG_HEADS, sizeof(*t->frag_heads))))
		return false;
	uint32_t *head = frag_head(t, k);
	k->frag_prev = *head && *head <= t->nike - 1 && same_message(&t->ike[*head - 1], k) ? *head : 0;
	*head = (uint32_t)t->nike; /* index + 1 */
	return true;
}

/* The message unit k completed was read (k->decrypted) or is encrypted:
 * so are the earlier fragments of the same message, which the decoder
 * could only take apart once all were there (as ikedump -k shows it).
 * `expected` is the message's number of fragments (0: unknown). */
static void mark_fragments(iks_trace *t, const trace_ike *k, unsigned expected)
{
	unsigned chained = 0;
	for (uint32_t v = k->frag_prev; v; v = t->ike[v - 1].frag_prev) {
		trace_ike *o = &t->ike[v - 1];
		o->encrypted |= k->encrypted;
		o->decrypted |= k->decrypted;
		chained++;
	}
	if (expected <= 1 || chained >= expected - 1)
		return;
	/* a chain broken by another message's fragments taking its slot:
	 * look back (marking again what the chain marked) */
	size_t n = t->nike - 1, stop = n > TRACE_FRAG_LOOKBACK ? n - TRACE_FRAG_LOOKBACK : 0;
	unsigned found = 0;
	while (n-- > stop) {
		trace_ike *o = &t->ike[n];
		if (!same_message(o, k))
			continue;
		o->encrypted |= k->encrypted;
		o->decrypted |= k->decrypted;
		found++;
	}
	/* all fragments were seen (the message was taken apart): those found
	 * neither way are out of reach (a retransmitted fragment found twice
	 * may hide one) */
	if (found < chained)
		found = chained;
	if (stop > 0 && found < expected - 1)
		t->info.ike_frags_unmarked += expected - 1 - found;
}

iks_status iks_trace_add_packet(iks_trace *t, const iks_packet *pkt)
{
	if (!t || !pkt)
		return IKS_E_INVALID;
	int64_t ts = ns_of(pkt->ts_sec, pkt->ts_nsec);
	t->info.frames++;
	if (ts < t->info.first_ns)
		t->info.first_ns = ts;
	if (ts > t->info.last_ns)
		t->info.last_ns = ts;
	if (pkt->err.status != IKS_OK)
		t->info.decode_errors++;
	if (trace_hostdrop_add(&t->hostdrops, pkt) != IKS_OK)
		return IKS_E_NOMEM;
	t->info.host_drops_unlisted = t->hostdrops.over;
	t->info.host_drop_names_lost = t->hostdrops.names_lost;
	const iks_layers *L = &pkt->l;
	if (!L->ip.present)
		return IKS_OK;
	if (pkt->frame > TRACE_FRAME_MAX) {
		t->info.dropped++; /* a unit's frame number is 32 bits */
		t->info.frames_dropped++;
		return IKS_E_LIMIT;
	}

	const iks_frag_info *f = &pkt->frag;
	/* a frame counts once in frames_dropped, whatever of it was not kept */
	bool frag_lost = L->ip.is_fragment && !add_frag(t, L, f, pkt->frame, ts);
	if (frag_lost)
		t->info.frames_dropped++;
	if (L->ip.is_fragment && f->result == IKS_FRAG_HELD) {
		pending_dgram *p = pending_slot(t, f->datagram_id);
		if (p->id != f->datagram_id) {
			/* the slot of another datagram still under reassembly (ids are
			 * given in turn: 65,536 later datagrams started while it waited):
			 * its first-fragment facts are lost, said and counted */
			if (p->id != 0)
				t->info.pending_overwritten++;
			p->id = f->datagram_id;
			p->frame = pkt->frame;
			p->ts = ts;
			p->ttl = L->ip.ttl;
			p->df = L->ip.df;
			p->header_len = L->ip.header_len;
		} else if (ts < p->ts) {
			p->ts = ts;
		}
		return IKS_OK;
	}
	if (L->ip.is_fragment && f->result != IKS_FRAG_COMPLETED)
		return IKS_OK; /* late duplicates and rejected pieces are not units */

	trace_unit *u = new_unit(t);
	if (!u) {
		if (t->nunits != t->lim.units_max)
			return IKS_E_NOMEM;
		if (!frag_lost)
			t->info.frames_dropped++;
		return IKS_E_LIMIT;
	}
	fill_ip(t, u, &L->ip);
	u->frame = u->first_frame = (uint32_t)pkt->frame;
	u->ts = u->ts_first = ts;
	u->size = L->ip.total_len;
	u->nfrags = 1;
	if (f->result == IKS_FRAG_COMPLETED) {
		u->flags |= UNIT_F_FRAGMENTED;
		u->nfrags = f->fragment_count;
		u->size = L->ip.header_len + f->datagram_len;
		pending_dgram *p = pending_slot(t, f->datagram_id);
		if (p->id == f->datagram_id) {
			u->first_frame = (uint32_t)p->frame; /* earlier than pkt->frame */
			u->ts_first = p->ts < ts ? p->ts : ts;
			u->ttl = p->ttl;
			if (p->df)
				u->flags |= UNIT_F_DF;
			p->id = 0;
		}
	}
	u->sport = L->udp.sport;
	u->dport = L->udp.dport;
	identify(L, u->size, &u->key, &u->loose, &u->kind);
	if (L->ike.present) {
		trace_ike *arr = grow(t->ike, t->nike, &t->cap_ike, sizeof(*t->ike));
		if (!arr) {
			t->nunits--;
			return IKS_E_NOMEM;
		}
		t->ike = arr;
		trace_ike *k = &t->ike[t->nike];
		rank_set(t, TRACE_SIDE_IKE, t->nunits - 1);
		t->nike++;
		k->version = L->ike.version;
		k->exchange = L->ike.exchange;
		k->flags = L->ike.flags;
		k->msgid = L->ike.msgid;
		k->length = L->ike.length;
		memcpy(k->ispi, L->ike.ispi, 8);
		memcpy(k->rspi, L->ike.rspi, 8);
		if (L->ike.version == 2 && (L->ike.flags & IKS_IKEV2_FLAG_RESPONSE))
			u->flags |= UNIT_F_RESPONSE;
		k->decrypted = L->ike.decrypted != NULL;
		k->encrypted = L->ike.encrypted;
		for (uint16_t i = 0; i < L->ike.npayloads && i < IKS_IKE_MAX_PAYLOADS; i++)
			if (L->ike.payloads[i].type == 46 || L->ike.payloads[i].type == 53)
				k->encrypted = L->ike.version == 2;
		k->notify_error = 0;
		k->fragment = false;
		k->frag_prev = 0;
		const iks_ike_detail *dt = L->ike.detail;
		if (dt)
			read_payloads(t, k, dt->msg, (uint32_t)(t->nunits - 1));
		if (dt && dt->reassembled && dt->reassembled != L->ike.decrypted) {
			/* an IKEv1 fragmented message, rebuilt: its own chain */
			if (dt->reassembled->encrypted)
				k->encrypted = true;
			else
				read_payloads(t, k, dt->reassembled, (uint32_t)(t->nunits - 1));
		}
		if (L->ike.decrypted)
			read_payloads(t, k, L->ike.decrypted, (uint32_t)(t->nunits - 1));
		if (dt && dt->is_fragment) {
			k->fragment = true;
			if (!link_fragment(t, k)) {
				t->nike--;
				t->nunits--;
				t->rank[TRACE_SIDE_IKE].bits[t->nunits / 64] &=
					~(UINT64_C(1) << (t->nunits % 64));
				return IKS_E_NOMEM;
			}
			if (L->ike.decrypted || dt->reassembled)
				mark_fragments(t, k, dt->reassembled ? dt->frag_count : dt->frag_expected);
		}
	}
	int crypto = IKS_ESP_NOT_TRIED;
	if (L->esp.present) {
		u->spi = L->esp.spi;
		u->seq = L->esp.seq;
		crypto = L->esp.crypto;
	} else if (L->ah.present) {
		u->spi = L->ah.spi;
		u->seq = L->ah.seq;
		crypto = L->ah.crypto;
	} else if (L->ike.present) {
		crypto = L->ike.crypto;
	}
	if (crypto == IKS_ESP_OK)
		u->flags |= UNIT_F_ICV_OK;
	else if (crypto == IKS_ESP_ICV_MISMATCH)
		u->flags |= UNIT_F_ICV_BAD;
	if (L->icmp.present && L->icmp.is_error) {
		trace_icmp *arr = grow(t->icmp, t->nicmp, &t->cap_icmp, sizeof(*t->icmp));
		if (!arr) {
			t->nunits--;
			/* no side-table entry may name the unit index given back */
			size_t i = t->nunits;
			uint64_t *b = &t->rank[TRACE_SIDE_IKE].bits[i / 64];
			if (*b >> (i % 64) & 1) {
				*b &= ~(UINT64_C(1) << (i % 64));
				t->nike--;
			}
			return IKS_E_NOMEM;
		}
		t->icmp = arr;
		trace_icmp *x = &t->icmp[t->nicmp];
		memset(x, 0, sizeof(*x));
		rank_set(t, TRACE_SIDE_ICMP, t->nunits - 1);
		t->nicmp++;
		u->kind = UNIT_ICMP_ERROR;
		x->type = L->icmp.type;
		x->code = L->icmp.code;
		x->mtu = L->icmp.has_mtu ? L->icmp.mtu : 0;
		if (pkt->has_inner && pkt->inner.ip.present) {
			const iks_layers *I = &pkt->inner;
			uint64_t k;
			uint8_t kind;
			/* the quote carries the original length in its IP header */
			identify(I, I->ip.total_len, &k, &x->quoted_loose, &kind);
			x->quoted_ip_id = I->ip.id;
			x->quoted_proto = I->ip.proto;
			if (I->ip.is_fragment && I->ip.frag_offset == 0 && !I->esp.present &&
			    !I->ike.present && !I->ah.present)
				x->quoted_loose = 0; /* a first fragment: its datagram is found by IP ID */
		}
	}
	return IKS_OK;
}

iks_status iks_trace_add_event(iks_trace *t, const iks_event *ev)
{
	if (!t || !ev)
		return IKS_E_INVALID;
	if (ev->kind != IKS_EV_DATAGRAM_INCOMPLETE)
		return IKS_OK;
	if (ev->last_frame > TRACE_FRAME_MAX) {
		t->info.dropped++; /* a unit's frame number is 32 bits */
		return IKS_E_LIMIT;
	}
	trace_holes *arr = grow(t->holes, t->nholes, &t->cap_holes, sizeof(*t->holes));
	if (!arr)
		return IKS_E_NOMEM;
	t->holes = arr;
	trace_unit *u = new_unit(t);
	if (!u)
		return t->nunits == t->lim.units_max ? IKS_E_LIMIT : IKS_E_NOMEM;
	trace_holes *h = &t->holes[t->nholes];
	memset(h, 0, sizeof(*h));
	h->n = ev->nholes;
	h->truncated = ev->holes_truncated;
	h->received = ev->received_bytes;
	for (unsigned i = 0; i < ev->nholes && i < IKS_EVENT_MAX_HOLES; i++) {
		h->r[i].start = ev->holes[i].start;
		h->r[i].end = ev->holes[i].end;
	}
	h->datagram_len = ev->datagram_len;
	rank_set(t, TRACE_SIDE_HOLES, t->nunits - 1);
	t->nholes++;
	u->kind = UNIT_INCOMPLETE;
	u->addr_src = (uint16_t)intern_addr(t, &ev->src);
	u->addr_dst = (uint16_t)intern_addr(t, &ev->dst);
	u->ip_id = ev->ip_id;
	u->proto = ev->proto;
	u->frame = (uint32_t)ev->last_frame;
	u->first_frame = (uint32_t)ev->first_frame; /* <= last_frame */
	u->nfrags = ev->fragments;
	pending_dgram *p = pending_slot(t, ev->datagram_id);
	if (p->id == ev->datagram_id) {
		u->ts = u->ts_first = p->ts;
		u->ttl = p->ttl;
		p->id = 0;
	} else {
		u->ts = u->ts_first = ns_of(ev->ts_sec, ev->ts_nsec);
	}
	if (ev->nholes == 0 || ev->holes[0].start > 0)
		u->flags |= UNIT_F_FIRST_SEEN;
	u->flags |= UNIT_F_FRAGMENTED;
	return IKS_OK;
}

iks_status iks_trace_load(const char *path, const iks_trace_limits *lim, iks_trace **out,
			  char *errbuf)
{
	return iks_trace_load_keys(path, lim, NULL, out, errbuf);
}

iks_status iks_trace_load_keys(const char *path, const iks_trace_limits *lim, const iks_keys *keys,
			       iks_trace **out, char *errbuf)
{
	char err[IKS_ERRBUF_SIZE];
	*out = NULL;
	iks_capture *cap = iks_capture_open(path, NULL, err);
	if (!cap) {
		if (errbuf)
			memcpy(errbuf, err, sizeof(err));
		return IKS_E_FORMAT;
	}
	iks_trace *t = iks_trace_new(lim);
	iks_decoder *dec = t ? iks_decoder_new(&t->lim.decoder) : NULL;
	if (t)
		t->path = strdup(path);
	/* pktmon / etl2pcapng: one unit per packet, not one per driver component */
	if (!t || !dec || !t->path || iks_capture_merge_copies(cap, true) != IKS_OK) {
		iks_capture_close(cap);
		iks_decoder_free(dec);
		iks_trace_free(t);
		return IKS_E_NOMEM;
	}
	if (keys && iks_decoder_set_keys(dec, keys) != IKS_OK) {
		iks_capture_close(cap);
		iks_decoder_free(dec);
		iks_trace_free(t);
		return IKS_E_NOMEM;
	}
	iks_frame f;
	iks_packet p;
	iks_event ev;
	iks_status st = IKS_OK;
	int rc;
	while ((rc = iks_capture_next(cap, &f)) == 1) {
		iks_decode(dec, &f, &p);
		while (iks_decoder_next_event(dec, &ev) == 1)
			iks_trace_add_event(t, &ev);
		iks_status s = iks_trace_add_packet(t, &p);
		if (s == IKS_E_NOMEM) {
			st = s;
			break;
		}
	}
	iks_decoder_finish(dec);
	while (iks_decoder_next_event(dec, &ev) == 1)
		iks_trace_add_event(t, &ev);
	iks_capture_stats cs;
	iks_capture_get_stats(cap, &cs);
	t->info.copies_released_early = cs.copies_released_early;
	t->info.copies_split = cs.copies_split;
	t->info.comments_dropped = cs.comments_dropped;
	if (rc < 0 && st == IKS_OK) {
		st = (iks_status)rc;
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s", iks_capture_error(cap));
	}
	iks_decoder_free(dec);
	iks_capture_close(cap);
	if (st == IKS_E_NOMEM) {
		iks_trace_free(t);
		return st;
	}
	*out = t;
	return st;
}
