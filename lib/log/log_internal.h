/* log_internal.h - the log object shared by the log parsers (internal). */
#ifndef IKS_LOG_INTERNAL_H
#define IKS_LOG_INTERNAL_H

#include <ikescope/log.h>

#include "log/logpat.h"

#define LOG_THREADS 64
#define LOG_GEN_FIFO 8
#define LOG_REASM_PENDING 8

/* What a parser remembers per logging thread between lines (bounded:
 * LOG_THREADS entries, the least recently used one is reused). */
typedef struct log_thread {
	bool used;
	uint32_t tid;
	uint64_t last_use;
	uint32_t open_msg;            /* Oakley: message whose header lines follow */
	uint32_t pending_recv;        /* charon: received message waiting for its "parsed" line */
	struct log_gen {
		uint8_t version, exchange;
		bool response, fragment;
		uint32_t msgid;
	} gen[LOG_GEN_FIFO];          /* charon: generated, not yet sent */
	unsigned ngen;
	bool has_rexmit;              /* charon: retransmit context for the next sends */
	uint32_t rexmit_n, rexmit_msgid;
} log_thread;

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
	uint32_t reasm[LOG_REASM_PENDING]; /* charon: sizes of self-reassembled messages */
	unsigned nreasm;
};

/* Per-format line handlers: fill the record's kind, time, thread and
 * fields from line[0..len); may add message records. `rec_index` is the
 * index the record will get (IKS_LOG_NONE when it is not kept). */
void oakley_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		 const uint8_t *line, size_t len);
void charon_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		 const uint8_t *line, size_t len);
/* Whether the line starts with the format's time prefix (format detection). */
bool oakley_has_prefix(const uint8_t *line, size_t len);
bool charon_has_prefix(const uint8_t *line, size_t len);
/* A charon line's prefix ("[Mon DD ]HH:MM:SS [HOST TAG: ]TT[GRP] "): the
 * thread number and where the text starts; false when it has none. */
bool charon_line_prefix(const uint8_t *line, size_t len, uint32_t *thread, size_t *text);

/* The store the parsers and logcore.c share (log_store.c, below them). */
/* Record the first cap hit (which: static text) in the stats. */
void log_hit_limit(iks_log *log, const char *which);
log_thread *log_thread_get(iks_log *log, uint32_t tid);
/* Add a message; returns its index or IKS_LOG_NONE (cap reached: counted). */
uint32_t log_add_msg(iks_log *log, const iks_log_msg *m);
/* A message record started from its send/receive line (time, place, thread). */
void log_msg_init(iks_log_msg *m, const iks_log_record *rec, uint32_t rec_index,
		  uint32_t resolution_ms);
iks_log_msg *log_msg(iks_log *log, uint32_t idx); /* NULL for NONE */
/* Track midnights: set rec->day_index from rec->tod_ms. */
void log_set_day(iks_log *log, iks_log_record *rec);

#endif
