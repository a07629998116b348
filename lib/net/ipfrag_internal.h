/* ipfrag_internal.h - the reassembly table's state, shared by ipfrag.c
 * (reassembly, events) and ipfrag_table.c (keys, hash table, age lists,
 * the ring of recently finished datagrams). Internal. */
#ifndef IKS_IPFRAG_INTERNAL_H
#define IKS_IPFRAG_INTERNAL_H

#include "net/ipfrag.h"



#define NS_PER_SEC 1000000000
#define NS_PER_MS 1000000u
#define RIDX_NIL UINT32_MAX
#define BUCKETS_MAX (1u << 20)
#define RECENT_MAX 65536u
/* How long a completed datagram's key stays "recent" (a datagram given up
 * stays recent for its family's timeout). Copies from a second
 * capture interface arrive within microseconds; a host reuses an IP ID after
 * 65536 datagrams to the same peer, which a sender at 100k packets/s
 * reaches in 0.65 s, well inside the 30 s reassembly timeout: so the window
 * is kept short. */
#define RECENT_WINDOW_MS 50u
/* Largest data buffer of a finished datagram reused for the next one
 * (frag_dgram_new). */
#define FRAG_SPARE_DATA_MAX 4096u

/* RFC 791 section 3.2 / RFC 8200 section 4.5 reassembly key. */
struct frag_key {
	uint8_t version;
	uint8_t proto;                  /* IPv4 only; 0 for IPv6 */
	uint32_t id;
	uint8_t src[16], dst[16];       /* IPv4 uses the first 4, rest zero */
};

struct frag_range {
	uint32_t start, end;
};

struct frag_dgram {
	struct frag_key key;
	uint64_t hash;
	struct frag_dgram *hnext;               /* hash chain */
	struct frag_dgram *older, *newer;       /* age list of its family */
	uint64_t datagram_id;
	uint64_t seq;                           /* insertion order, both families */
	int64_t start_ns;
	iks_addr src, dst;
	uint8_t proto;
	bool have_total;
	uint32_t total;
	uint8_t *data;
	uint32_t cap;                           /* bytes in data: highest end seen */
	uint32_t alloc;                         /* bytes allocated for data (>= cap) */
	uint32_t received;                      /* distinct bytes held */
	struct frag_range *ranges;              /* sorted, disjoint, not touching */
	uint32_t nranges, ranges_cap;
	uint64_t *frames;                       /* arrival order */
	uint16_t nframes, frames_cap;
	uint64_t first_frame, last_frame;
};

struct frag_recent {
	struct frag_key key;
	uint64_t hash;
	uint32_t hnext;                 /* index chain, RIDX_NIL ends it */
	bool used;
	uint64_t datagram_id;
	uint32_t total;                 /* IKS_LEN_UNKNOWN when never learnt */
	int64_t when_ns;
	bool completed;                 /* completed (else given up) */
};

struct iks_frag_table {
	iks_decoder_limits lim;
	iks_evq *events;
	uint64_t seed;
	struct frag_dgram **buckets;
	uint32_t bucket_mask;
	struct frag_dgram *oldest[2], *newest[2];       /* [0] IPv4, [1] IPv6 */
	uint32_t ndgrams;
	uint64_t held;
	uint64_t next_id, next_seq;
	bool have_now;
	int64_t now_ns, now_sec;
	uint32_t now_nsec;
	struct frag_dgram *done;        /* last completed; freed at the next call */
	struct frag_dgram *spare;       /* the last one finished, its buffers kept for
					   the next datagram (frag_dgram_new) */
	uint64_t atomic_frame;
	struct frag_recent *recent;
	uint32_t *recent_buckets;
	uint32_t recent_cap, recent_mask, recent_next;
	iks_frag_stats st;
};

uint32_t frag_pow2_at_least(uint64_t n, uint32_t max);
int64_t frag_ts_to_ns(int64_t sec, uint32_t nsec);
void frag_clock_update(iks_frag_table *t, int64_t sec, uint32_t nsec);
bool frag_too_old(const iks_frag_table *t, int64_t when_ns, uint8_t version);
void frag_key_make(struct frag_key *k, const iks_frag_input *in);
bool frag_key_eq(const struct frag_key *a, const struct frag_key *b);
uint64_t frag_key_hash(const iks_frag_table *t, const struct frag_key *k);
void frag_dgram_free(struct frag_dgram *d);
struct frag_dgram *frag_dgram_new(iks_frag_table *t);
void frag_release_done(iks_frag_table *t);
struct frag_dgram *frag_table_find(const iks_frag_table *t, const struct frag_key *k, uint64_t h);
void frag_table_link(iks_frag_table *t, struct frag_dgram *d);
void frag_table_unlink(iks_frag_table *t, struct frag_dgram *d);
struct frag_dgram *frag_oldest_except(const iks_frag_table *t, const struct frag_dgram *skip);
void frag_recent_unlink(iks_frag_table *t, uint32_t i);
void frag_recent_add(iks_frag_table *t, const struct frag_dgram *d, bool completed);
const struct frag_recent *frag_recent_find(const iks_frag_table *t, const struct frag_key *k, uint64_t h);

#endif
