/* trace.h - the compact per-capture summary correlation works on (internal). */
#ifndef IKS_TRACE_H
#define IKS_TRACE_H

#include <ikescope/correlate.h>

#include "trace/trace_hostdrop.h"

/* What a unit is. */
enum unit_kind {
	UNIT_IKE = 1,
	UNIT_ESP,
	UNIT_AH,
	UNIT_KEEPALIVE,
	UNIT_OTHER,        /* any other IP packet or datagram */
	UNIT_ICMP_ERROR,   /* an ICMP/ICMPv6 error (generated in the path) */
	UNIT_INCOMPLETE    /* a fragmented datagram that never completed here */
};

#define UNIT_F_DF         0x01
#define UNIT_F_FRAGMENTED 0x02 /* arrived / left in more than one fragment */
#define UNIT_F_RESPONSE   0x04 /* IKEv2 response flag */
#define UNIT_F_FIRST_SEEN 0x08 /* incomplete: the offset-0 fragment was among the pieces */
#define UNIT_F_ICV_OK     0x10 /* with keys: its ESP/AH/IKE SK integrity check verified here */
#define UNIT_F_ICV_BAD    0x20 /* with keys: its integrity check failed here (changed in transit,
				  or a wrong key): the receiver discards it */

/* Frame numbers are kept in 32 bits: frames past this are not kept as
 * units or fragments (counted in info.dropped, like units past units_max). */
#define TRACE_FRAME_MAX UINT32_MAX

/* One IP packet, reassembled datagram or incomplete datagram: 72 bytes,
 * so that a million packets take 72 MB. What only some kinds need lives in
 * side tables (ike[], icmp[], holes[]), found through a rank index: see
 * unit_ike(). */
typedef struct trace_unit {
	int64_t ts;            /* ns: time of `frame` */
	int64_t ts_first;      /* ns: time of first_frame */
	uint32_t frame;        /* frame that carries it (completes it); <= TRACE_FRAME_MAX */
	uint32_t first_frame;  /* frame of its first fragment (== frame if unfragmented) */
	uint64_t key;          /* exact identity: survives NAT, not modification */
	uint64_t loose;        /* identity without content: survives modification too */
	uint32_t size;         /* IP datagram length (header + payload) */
	uint32_t ip_id;
	uint32_t spi, seq;     /* ESP / AH */
	uint16_t addr_src, addr_dst; /* indices into the trace's address table */
	uint16_t sport, dport;
	uint16_t nfrags;
	uint8_t kind, proto, ttl, flags;
} trace_unit;

/* IKE header facts of an IKE unit, and what its payloads (in clear, or
 * decrypted with keys) say that the correlation uses. */
typedef struct trace_ike {
	uint8_t ispi[8], rspi[8];
	uint32_t msgid, length;
	uint8_t version, exchange, flags;
	bool encrypted;        /* v1 E flag, or a v2 SK/SKF payload */
	bool decrypted;        /* the encrypted part was decrypted with keys */
	uint16_t notify_error; /* first error Notify type (v1 1..8191, v2 1..16383), 0: none */
	bool fragment;         /* one IKE fragment of a message (v2 SKF, RFC 7383; v1 FRAG 132):
				  decrypted when the message it belongs to was, on any of them */
	uint32_t frag_prev;    /* fragment: the previous fragment of the same message (its
				  index in ike[] + 1; 0: none known), see frag_heads */
} trace_ike;

/* An ESP/AH SPI named in a Delete payload (RFC 2408 section 3.15, RFC 7296
 * section 3.11): the sender's inbound SA, which the peer must stop using. */
typedef struct trace_delete {
	uint32_t unit;         /* the IKE unit that carried it */
	uint32_t spi;
	uint8_t proto;         /* 2 AH, 3 ESP */
} trace_delete;

/* An ESP/AH SPI an SA payload's proposal carries (RFC 2409 section 5.5 quick
 * mode, RFC 7296 sections 1.3 and 3.3.1): the sender's inbound SA, the SPI
 * the peer's ESP/AH to it will carry. Same fields as a Delete's SPI. */
typedef trace_delete trace_offer;

/* An ICMP error and the packet it quotes. */
typedef struct trace_icmp {
	uint64_t quoted_loose; /* loose identity of the quoted packet (0: found by IP ID) */
	uint32_t mtu;
	uint32_t quoted_ip_id;
	uint8_t type, code, quoted_proto;
} trace_icmp;

typedef struct trace_holes {
	uint16_t n;
	bool truncated;
	uint32_t received;
	uint32_t datagram_len; /* IP payload length (IKS_LEN_UNKNOWN if never known) */
	struct { uint32_t start, end; } r[IKS_EVENT_MAX_HOLES];
} trace_holes;

/* first-fragment facts of datagrams under reassembly, by datagram id */
typedef struct pending_dgram {
	uint64_t id;
	uint64_t frame;
	int64_t ts;
	uint32_t header_len;
	uint8_t ttl;
	bool df;
} pending_dgram;
/* One IP fragment as it was on the wire: a unit of its own for matching
 * (issue 15): first fragments alone align the clocks and prove which
 * pieces crossed. `key` is IP protocol, ID, offset, length and a digest of
 * the fragment's bytes; in a first fragment the transport header fields
 * NAT rewrites (UDP/TCP ports and checksums, ICMP identifier and checksum)
 * are left out of the digest. The IP ID, length and MF flag are in the
 * key only (40 bytes a fragment, was 56). */
typedef struct trace_frag {
	int64_t ts;
	uint64_t key;
	uint64_t pkey;         /* the same from its first FRAG_PREFIX bytes, without the
				  length: a router that fragments again keeps it */
	uint32_t frame;        /* <= TRACE_FRAME_MAX */
	uint16_t offset;       /* where in the datagram's payload this piece starts (a
				  13-bit field in 8-byte units: at most 65528) */
	uint16_t addr_src, addr_dst;
	uint16_t sport, dport; /* first fragment of UDP: its ports (0 otherwise) */
	uint8_t proto, ttl;
} trace_frag;

#define FRAG_PREFIX 256
#define TRACE_PENDING 65536
/* The latest IKE fragment of each message, by a hash of the message's
 * identity (cookies, message ID, exchange, flags, version): a slot another
 * message takes breaks the first one's chain, and its fragments are then
 * looked for TRACE_FRAG_LOOKBACK IKE units back only. */
#define TRACE_FRAG_HEADS 4096
#define TRACE_DELETES_MAX 100000
#define TRACE_OFFERS_MAX 100000

/* Which units have an entry in one side table: a bit per unit, and per
 * block of 64 units the entries of the units before it (0.19 bytes a unit;
 * an index field in every unit would take 8 with its padding). */
typedef struct trace_rank {
	uint64_t *bits;        /* bit i % 64 of word i / 64: unit i has an entry */
	uint32_t *before;      /* per word: entries of the units before its first */
} trace_rank;

enum { TRACE_SIDE_IKE, TRACE_SIDE_ICMP, TRACE_SIDE_HOLES, TRACE_SIDES };

struct iks_trace {
	iks_trace_limits lim;
	trace_unit *units;     /* reserved for lim.units_max (big_reserve) where
				  units_reserved, else grown by big_realloc */
	size_t nunits, cap_units;
	bool units_reserved, frags_reserved;
	trace_rank rank[TRACE_SIDES]; /* cap_units / 64 + 1 words each */
	trace_holes *holes;
	size_t nholes, cap_holes;
	trace_ike *ike;
	size_t nike, cap_ike;
	trace_icmp *icmp;
	size_t nicmp, cap_icmp;
	trace_delete *deletes;
	size_t ndeletes, cap_deletes;
	uint64_t deletes_dropped; /* past TRACE_DELETES_MAX */
	trace_offer *offers;   /* SPIs offered in SA payloads (clear or decrypted) */
	size_t noffers, cap_offers;
	uint64_t offers_dropped; /* past TRACE_OFFERS_MAX */
	trace_frag *frags;     /* every IP fragment, in capture order (cap lim.units_max;
				  reserved like units where frags_reserved) */
	size_t nfrags, cap_frags;
	uint64_t frags_dropped;
	iks_addr *addrs;
	uint32_t naddrs;
	uint32_t *addr_index;  /* open addressing: slot -> addr index + 1 */
	uint32_t addr_slots;
	uint32_t addr_recent[2]; /* the last two addresses interned (index + 1; 0: none):
				    most packets repeat a source and destination */
	pending_dgram *pending; /* TRACE_PENDING slots */
	uint32_t *frag_heads;  /* TRACE_FRAG_HEADS slots (at the first IKE fragment): index in
				  ike[] + 1 of the latest fragment of a message, 0 none */
	trace_hostdrops hostdrops; /* frames the capturing host dropped (pcapng epb_verdict) */
	iks_trace_info info;
	char *path;            /* the file iks_trace_load read (NULL for a trace built by
				  hand): steps that need bytes again read it by frame number */
};

static inline unsigned trace_popcount(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555u);
	x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
	return (unsigned)((x * 0x0101010101010101u) >> 56);
}

/* The index in its side table of the entry of unit i (which has one):
 * entries are added in unit order, so it is the number of units before i
 * with an entry. */
static inline size_t trace_rank_of(const trace_rank *r, size_t i)
{
	uint64_t below = r->bits[i / 64] & ((UINT64_C(1) << (i % 64)) - 1);
	return r->before[i / 64] + trace_popcount(below);
}

/* The side-table facts of u, an element of t->units of that kind (IKE,
 * ICMP error, incomplete). */
static inline const trace_ike *unit_ike(const iks_trace *t, const trace_unit *u)
{
	return &t->ike[trace_rank_of(&t->rank[TRACE_SIDE_IKE], (size_t)(u - t->units))];
}

static inline const trace_icmp *unit_icmp(const iks_trace *t, const trace_unit *u)
{
	return &t->icmp[trace_rank_of(&t->rank[TRACE_SIDE_ICMP], (size_t)(u - t->units))];
}

static inline const trace_holes *unit_holes(const iks_trace *t, const trace_unit *u)
{
	return &t->holes[trace_rank_of(&t->rank[TRACE_SIDE_HOLES], (size_t)(u - t->units))];
}

/* The address with index i. */
static inline const iks_addr *trace_addr(const iks_trace *t, uint32_t i)
{
	return &t->addrs[i];
}

#endif
