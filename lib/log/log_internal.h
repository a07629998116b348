/* log_internal.h - the log object shared by the log parsers (internal). */
#ifndef IKS_LOG_INTERNAL_H
#define IKS_LOG_INTERNAL_H

#include <ikescope/log.h>

#include "log/logpat.h"

#define LOG_THREADS 64
#define LOG_GEN_FIFO 8
#define LOG_REASM_PENDING 8
/* Message records looked back through for the original of a
 * retransmission (charon, pluto, racoon). */
#define LOG_REXMIT_LOOKBACK 4096
/* Thread ids below this are remembered (one bit each) when their state
 * was given away holding only a received message waiting for its
 * "parsed" line: the eviction is counted when that line comes. */
#define LOG_EVICT_TIDS 65536u

/* What a parser remembers per logging thread between lines (bounded:
 * LOG_THREADS entries, the least recently used one is reused). */
typedef struct log_thread {
	bool used;
	uint32_t tid;
	uint64_t last_use;
	uint32_t open_msg;            /* Oakley: message whose header lines follow */
	uint32_t pending_recv;        /* charon: received message waiting for its "parsed" line */
	bool recv_evicted;            /* charon: this thread's earlier state was given away
					 holding a pending_recv (LOG_EVICT_TIDS) */
	struct log_gen {
		uint8_t version, exchange;
		bool response, fragment;
		uint32_t msgid;
	} gen[LOG_GEN_FIFO];          /* charon: generated, not yet sent */
	unsigned ngen;
	bool has_rexmit;              /* charon: retransmit context for the next sends */
	uint32_t rexmit_n, rexmit_msgid;
	struct log_dump {             /* a hex dump being read in this thread (logdump.c) */
		bool open, done;      /* lines still expected / complete, not yet used */
		uint8_t kind;         /* parser-specific: which dump */
		uint32_t len, got;    /* announced size, bytes read so far */
		size_t off;           /* where its bytes start in the log's dump store */
		bool kept;            /* the bytes are stored (dump_max not reached) */
		bool lenient;         /* other lines may come between its lines (pluto's
					 crypto helpers log into the middle of a dump) */
		uint32_t rec;         /* the record that announced it */
		iks_addr addr[2];     /* from, to (pluto: on the announcing line) */
		uint16_t port[2];
		uint32_t serial;
	} dump;
} log_thread;

/* A received datagram charon dumped in its receiver thread, waiting for
 * the worker's "received packet ... (N bytes)" line (logdump.c). */
#define LOG_RX_PENDING 32
typedef struct log_rx {
	iks_addr src, dst;
	uint16_t sport, dport;
	uint32_t len;                 /* IKE bytes (non-ESP marker removed) */
	size_t off;
} log_rx;

struct log_text_block;

struct iks_log {
	int format;
	iks_log_limits lim;
	iks_log_record *recs;
	size_t nrecs, cap_recs;
	iks_log_msg *msgs;
	size_t nmsgs, cap_msgs;
	char **files;
	uint32_t nfiles;
	struct log_text_block *text;
	uint64_t text_used;
	iks_log_stats st;
	bool nomem;
	/* per-file parse state */
	uint32_t cur_file;
	bool have_last_tod;
	uint32_t last_tod, day_index;
	uint64_t tick;
	log_thread threads[LOG_THREADS];
	uint8_t recv_evicted[LOG_EVICT_TIDS / 8]; /* tids given away with only a pending_recv */
	struct log_older {            /* keys of sent messages the look back no longer reaches */
		uint64_t *keys;       /* open addressing, 0 empty */
		size_t cap, n;
		size_t upto;          /* messages [0, upto) are in */
		bool nomem;           /* a key could not be kept: every miss counts */
	} older;
	uint32_t reasm[LOG_REASM_PENDING]; /* charon: sizes of self-reassembled messages */
	unsigned nreasm;
	uint8_t *dump;                /* bytes of hex dumps (capped by lim.dump_max) */
	size_t ndump, cap_dump;
	log_rx rx[LOG_RX_PENDING];    /* charon: dumped datagrams not yet tied to a message */
	unsigned nrx;
	int pluto_state;              /* pluto: what the last lines announced (plutolog.c) */
	uint32_t pluto_msg;           /* pluto: message whose header lines follow */
	bool pluto_suspend;           /* pluto: the last result was STF_SUSPEND */
	struct pluto_hdr {            /* pluto: a "parse/emit ISAKMP Message" block */
		int state;            /* 0 none, 1 parse, 2 emit */
		bool has_spi[2], has_exchange, has_flags, has_msgid;
		uint8_t spi[2][8];
		uint8_t exchange, flags, version;
		uint32_t msgid;
		uint32_t target;      /* parse: the received message it describes */
	} pluto_hdr, pluto_emitted;
	struct fg_state {             /* FortiGate: what the last lines announced */
		bool has_out;         /* an "out" hex line waiting for its "sent" line */
		size_t out_off;
		uint32_t out_len;
		bool has_comes;       /* a "comes" 4-tuple waiting for its exchange line */
		iks_addr src, dst;
		uint16_t sport, dport;
		uint32_t last_recv;   /* the message an "in" line belongs to */
	} fg;
/* RC_PENDING is never reached: a sent line opens the dump, and any other
 * line with a prefix abandons an open dump and empties pend (racoon_line),
 * so pend holds at most one message (docs/limits.md). */
#define RC_PENDING 8
	struct rc_state {             /* racoon: what the last lines announced */
		bool has_from;        /* "N bytes from A[P] to B[Q]" seen */
		iks_addr from, to;
		uint16_t from_port, to_port;
		uint32_t pend[RC_PENDING]; /* sent copies waiting for the dump */
		unsigned npend;
		uint32_t recv;        /* the received message waiting for the dump */
		int dump_dir;         /* which of them the open dump is for */
	} rc;
	struct cisco_state {          /* Cisco: a packet's lines being read */
		uint32_t msg;         /* IKEv2 message whose SPI/exchange lines follow */
		unsigned lines;       /* lines since its first one */
		bool rexmit;          /* "retransmitting phase N": the next send repeats */
		uint32_t rexmit_n;
	} cs;
};

/* Per-format line handlers: fill the record's kind, time, thread and
 * fields from line[0..len); may add message records. `rec_index` is the
 * index the record will get (IKS_LOG_NONE when it is not kept). */
void oakley_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		 const uint8_t *line, size_t len);
void charon_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		 const uint8_t *line, size_t len);
void pluto_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		const uint8_t *line, size_t len);
void fortigate_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		    const uint8_t *line, size_t len);
void racoon_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		 const uint8_t *line, size_t len);
void cisco_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		const uint8_t *line, size_t len);
/* Whether the line starts with the format's time prefix (format detection). */
bool oakley_has_prefix(const uint8_t *line, size_t len);
bool charon_has_prefix(const uint8_t *line, size_t len);
bool pluto_has_prefix(const uint8_t *line, size_t len);
bool fortigate_has_prefix(const uint8_t *line, size_t len);
bool racoon_has_prefix(const uint8_t *line, size_t len);
/* Cisco: a line that starts (after an optional time stamp) with an
 * "IKEv2"/"ISAKMP" debug tag. */
bool cisco_has_prefix(const uint8_t *line, size_t len);
/* A charon line's prefix ("[Mon DD ]HH:MM:SS [HOST TAG: ]TT[GRP] "): the
 * thread number and where the text starts; false when it has none. */
bool charon_line_prefix(const uint8_t *line, size_t len, uint32_t *thread, size_t *text);
/* The prefix of a charon line in any time format, syslog or journald form
 * (charon_prefix.c): fills the record's time, thread and ike_name serial;
 * *text is where the text starts. */
bool charon_prefix(const uint8_t *line, size_t len, iks_log_record *rec, size_t *text);

/* The store the parsers and logcore.c share (log_store.c, below them). */
/* Record the first cap hit (which: static text) in the stats. */
void log_hit_limit(iks_log *log, const char *which);
log_thread *log_thread_get(iks_log *log, uint32_t tid);
/* Thread state tid starts over (after log_thread_get gave it a fresh
 * state): was its earlier state given away with only a received message
 * waiting for its "parsed" line? Clears the mark. */
bool log_thread_recv_evicted(iks_log *log, uint32_t tid);
/* The keys a format's retransmission search compares, for a message
 * (0 to 2 of them; 0 when it could never be an original). */
typedef unsigned (*log_keys_fn)(const iks_log_msg *p, uint64_t keys[2]);
/* A retransmission's original was not found in messages [stop, nmsgs):
 * is there a message before stop with that key (the look back cut the
 * search)? Messages before stop are indexed by fn once, as they leave the
 * look back. */
bool log_beyond_lookback(iks_log *log, size_t stop, log_keys_fn fn, uint64_t key);
/* Add a message; returns its index or IKS_LOG_NONE (cap reached: counted). */
uint32_t log_add_msg(iks_log *log, const iks_log_msg *m);
/* A message record started from its send/receive line (time, place, thread). */
void log_msg_init(iks_log_msg *m, const iks_log_record *rec, uint32_t rec_index,
		  uint32_t resolution_ms);
iks_log_msg *log_msg(iks_log *log, uint32_t idx); /* NULL for NONE */
/* The two ends a line names (addr[0]/port[0] first, as each format says). */
void log_rec_ends(iks_log_record *rec, iks_addr a0, uint16_t p0, iks_addr a1, uint16_t p1);
/* Track midnights: set rec->day_index from rec->tod_ms. */
void log_set_day(iks_log *log, iks_log_record *rec);

/* Hex dumps (logdump.c). Start a dump of `len` bytes in thread t. */
void log_dump_start(iks_log *log, log_thread *t, uint8_t kind, uint32_t len, uint32_t rec);
/* Feed one line of a dump ("OFF: HH HH ..." or "HH HH HH HH  HH ..."): true
 * when the line was dump bytes (t->dump.done once all have come). */
bool log_dump_line(iks_log *log, log_thread *t, const uint8_t *text, size_t len);
/* Tie a dump (its bytes at off, len; a leading non-ESP marker dropped when
 * the rest is an IKE message of `want` bytes) to a message: sets has_data,
 * data_len, digest. Returns false (nothing set) when the sizes disagree. */
bool log_dump_attach(iks_log *log, iks_log_msg *m, size_t off, uint32_t len, uint32_t want);
void log_dump_free(iks_log *log);
/* Keep n bytes given whole (a one-line hex dump): their place in *off;
 * false when dump_max is reached (counted) or out of memory. */
bool log_dump_store(iks_log *log, const uint8_t *bytes, size_t n, size_t *off);

#endif
