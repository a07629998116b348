/*
 * ikescope/log.h - IKE logs as a second witness: Windows Oakley.log and
 * strongSwan charon logs, parsed into records and message records, and
 * joined to the IKE packets of a capture.
 *
 * The Oakley.log line format is reconstructed, not documented: see
 * docs/logs.md. The parser never stops on a line it does not know;
 * it keeps it as a raw record and counts it.
 */
#ifndef IKESCOPE_LOG_H
#define IKESCOPE_LOG_H

#include <ikescope/common.h>
#include <ikescope/packet.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IKS_LOG_NONE UINT32_MAX

enum iks_log_format {
	IKS_LOG_AUTO = 0,   /* detect from the first lines that carry a time prefix */
	IKS_LOG_OAKLEY = 1, /* Windows IKE log (Oakley.log, reconstructed format) */
	IKS_LOG_CHARON = 2, /* strongSwan charon file/stderr/syslog/journald log: "TIME TT[GRP] text"
			       in any time_format, with time_add_ms and ike_name "<conn|N>" */
	IKS_LOG_PLUTO = 3,  /* libreswan pluto logfile/syslog: "TIME: text", "| " debug lines */
	IKS_LOG_FORTIGATE = 4,/* FortiGate "diagnose debug application ike -1" with console
				 timestamps: "YYYY-MM-DD HH:MM:SS ike CTX: text" */
	IKS_LOG_RACOON = 5,   /* racoon (ipsec-tools) at "log debug": "YYYY-MM-DD HH:MM:SS: LEVEL: text"
				 or syslog "... racoon: LEVEL: text", with its hex dumps */
	IKS_LOG_CISCO = 6     /* Cisco IOS/IOS-XE "debug crypto ikev2" / "debug crypto isakmp" */
};

/* What a line is. A line no pattern knows is IKS_LK_UNKNOWN. */
enum iks_log_kind {
	IKS_LK_UNKNOWN = 0,
	IKS_LK_SEND = 1,          /* a message sent (Oakley "Sending:", charon "sending packet ... (N bytes)") */
	IKS_LK_RECV = 2,          /* a message received */
	IKS_LK_HEADER = 3,        /* Oakley "ISAKMP Header: (V1.0), len = N" */
	IKS_LK_ICOOKIE = 4,       /* Oakley header fields ... */
	IKS_LK_RCOOKIE = 5,
	IKS_LK_EXCHANGE = 6,
	IKS_LK_FLAGS = 7,
	IKS_LK_NEXT_PAYLOAD = 8,
	IKS_LK_MSGID = 9,
	IKS_LK_PORTS = 10,        /* Oakley "Ports S:f401 D:f401" (little-endian hex) */
	IKS_LK_ACQUIRE = 11,      /* Oakley kernel acquire */
	IKS_LK_FILTER = 12,
	IKS_LK_FAILURE = 13,      /* Oakley ProcessFailure / isadb_set_status: status set */
	IKS_LK_DEAD = 14,         /* Oakley "SA Dead.": status set */
	IKS_LK_POLICY = 15,       /* Oakley MM/QM PolicyName */
	IKS_LK_GENERATE = 16,     /* charon "generating EXCH request|response N [ ... ]" */
	IKS_LK_PARSED = 17,       /* charon "parsed EXCH request|response N [ ... ]" */
	IKS_LK_RETRANSMIT = 18,   /* charon "retransmit N of request with message ID M" */
	IKS_LK_GIVE_UP = 19,      /* charon "giving up after N retransmits" */
	IKS_LK_SPLIT = 20,        /* charon "splitting IKE message (N bytes) into M fragments" */
	IKS_LK_REASSEMBLED = 21,  /* charon "received fragment #N, reassembled ... (N bytes)" */
	IKS_LK_RECV_INTERNAL = 22,/* charon "received packet" line for a message it reassembled
				     itself from IKE fragments: not a packet on the wire */
	IKS_LK_CHILD_SPIS = 23,   /* charon "CHILD_SA NAME{N} established with SPIs X_i Y_o" */
	IKS_LK_IKE_UP = 24,       /* charon "IKE_SA NAME[N] established between ..." */
	IKS_LK_SOCKET = 25,       /* charon sender/receiver thread line without a size
				     (any datagram on the socket, ESP-in-UDP included) */
	IKS_LK_FAILED = 26,       /* charon "establishing IKE_SA failed ..." and similar */
	IKS_LK_PARSED_HEADER = 27,/* charon "parsed a EXCH ... header" (receiver thread) */
	IKS_LK_ICV_FAILED = 28,   /* charon (libipsec) "ESP decryption or ICV verification failed":
				     an inbound ESP packet discarded on its integrity check */
	IKS_LK_DUMP = 29,         /* a hex dump of a datagram or message: its first line or a
				     line of bytes (charon net=3/enc=3, pluto plutodebug) */
	IKS_LK_DROPPED = 30,      /* a received message the daemon logged as dropped */
	IKS_LK_SUSPENDED = 31,    /* pluto "IKEv1 packet dropped" right after STF_SUSPEND: the
				     message was parked for a crypto helper, not discarded */
	IKS_LK_STATE = 32         /* pluto "#N: sent/received ..." and state lines (serial in num) */
};

/* One line of a log. Plain data; `text` is owned by the log. */
typedef struct iks_log_record {
	uint32_t file;         /* index in the set: iks_log_file_name() */
	uint32_t line;         /* 1-based line number in that file */
	int kind;              /* an iks_log_kind */
	bool has_time;
	uint8_t month, day;    /* 0 when the format prints no date (charon) */
	uint32_t day_index;    /* midnights passed since the first timed line of the log */
	uint32_t tod_ms;       /* time of day in milliseconds (charon: whole seconds) */
	bool has_thread;
	uint32_t thread;       /* Oakley TID (hex in the log) / charon thread number */
	uint32_t msg;          /* message record this line belongs to, or IKS_LOG_NONE */
	uint64_t sa;           /* Oakley SA handle */
	uint32_t status;       /* IKS_LK_FAILURE / IKS_LK_DEAD: Windows error code */
	uint32_t num;          /* kind-specific number: retransmit count, length, ... */
	iks_addr addr[2];      /* addresses on the line (source/peer first) */
	uint16_t port[2];
	uint32_t spi[2];       /* IKS_LK_CHILD_SPIS: inbound, outbound */
	bool cut;              /* the file ended inside this line */
	bool long_line;        /* longer than the line cap: text is shortened */
	uint16_t year;         /* 0 when the format prints no year */
	uint16_t sub_ms_us;    /* microseconds after tod_ms (0-999) when printed */
	uint32_t res_us;       /* resolution of the time: 1000000, 1000 or 1 (0: no time) */
	uint32_t serial;       /* pluto state serial "#N", charon IKE_SA unique id "<conn|N>",
				  0 when the line names none */
	const char *text;      /* the whole line as read (NUL-terminated, no line end,
				  control bytes replaced by '?'), NULL when the text cap was reached */
} iks_log_record;

enum iks_log_dir { IKS_LOG_SENT = 1, IKS_LOG_RECEIVED = 2 };

/* A message the log says was sent or received: a send/receive line and
 * the header lines that followed it in the same thread (Oakley), or a
 * packet line with the generating/parsed line of the same thread (charon). */
typedef struct iks_log_msg {
	uint32_t record;       /* index of the send/receive record */
	uint32_t file, line;
	uint8_t month, day;
	uint32_t day_index, tod_ms;
	uint32_t resolution_ms;/* 1 for Oakley, 1000 for charon */
	uint32_t thread;
	int dir;               /* an iks_log_dir */
	iks_addr peer, local;  /* local is unset (family 0) when the log does not say */
	uint16_t peer_port, local_port;
	uint64_t sa;           /* Oakley SA handle */
	bool has_cookies;
	uint8_t icookie[8], rcookie[8]; /* as printed (see the join's byte order) */
	uint8_t version;       /* 1, 2, or 0 when unknown */
	bool has_exchange;
	uint8_t exchange;      /* IKE exchange type number */
	bool has_flags;
	uint8_t flags;
	bool has_msgid;
	uint32_t msgid;        /* as printed */
	bool has_response;
	bool response;         /* charon: a response (else a request) */
	uint32_t length;       /* IKE message length, 0 when unknown */
	uint32_t retransmit;   /* charon: N of the "retransmit N" line before this send, else 0 */
	bool fragment;         /* an IKE fragment (IKEv1 FRAG / IKEv2 EF) */
	/* Added for issue #21 (keep at the end): */
	uint16_t year;         /* 0 when the log prints no year */
	uint16_t sub_ms_us;    /* microseconds after tod_ms (0-999) */
	uint32_t resolution_us;/* resolution in microseconds (1000000 charon %T, 1000 with
				  time_add_ms, 1 pluto); 0: use resolution_ms */
	uint32_t serial;       /* pluto state serial / charon IKE_SA unique id, 0 if none */
	bool has_data;         /* the log holds the message's bytes (hex dump): the join is
				  byte-exact; iks_log_msg_data() returns them */
	uint32_t data_len;     /* bytes of the IKE message in the dump (non-ESP marker removed) */
	uint64_t digest;       /* of those bytes, comparable with iks_log_pkt.digest */
	size_t data_off;       /* internal: where the bytes are kept */
} iks_log_msg;

/* Caps fixed at creation; a zero field means its default. */
typedef struct iks_log_limits {
	uint32_t records_max;   /* records kept (default 2,000,000); further lines are counted */
	uint32_t messages_max;  /* message records kept (default 200,000) */
	uint64_t text_max;      /* bytes of line text kept (default 128 MiB) */
	uint32_t line_max;      /* longest line kept whole (default 4096) */
	uint32_t files_max;     /* files in one set (default 16) */
	uint64_t dump_max;      /* bytes of hex-dumped packets kept (default 64 MiB) */
} iks_log_limits;

typedef struct iks_log_stats {
	uint64_t lines;         /* every line read */
	uint64_t known;         /* lines a pattern recognised */
	uint64_t unknown;       /* complete lines no pattern knew (kept raw) */
	uint64_t cut;           /* last lines cut short by the end of the file (kept raw) */
	uint64_t long_lines;
	uint64_t records_dropped;  /* lines not kept because records_max was reached */
	uint64_t messages_dropped; /* messages not kept because messages_max was reached */
	uint64_t text_dropped;     /* lines kept without text because text_max was reached */
	uint64_t utf16_files;      /* files read as UTF-16LE (BOM) */
	uint64_t dumps;            /* complete hex dumps tied to a message */
	uint64_t dump_bytes_dropped; /* dumped bytes not kept because dump_max was reached */
	const char *limit;         /* the first cap reached ("records_max", ...) or NULL */
	/* Added for issue #19 (keep at the end): the parsers' fixed state
	 * bounds (docs/limits.md). Reaching one loses a detail of a message,
	 * never a line; it does not set `limit` nor make a parse return
	 * IKS_E_LIMIT. Each counts every time it was reached. */
	uint64_t threads_evicted;  /* per-thread states given away while still holding unfinished
				      work (64 threads are followed at once; the least recently
				      used gives way): a hex dump being read or not yet tied to
				      its message, generated messages not yet sent, a received
				      message waiting for its "parsed" line (charon), an Oakley
				      message before its "Ports" line. That message then lacks
				      its bytes, exchange or header fields. A state holding only
				      a received message counts when that thread's next line is
				      the "parsed" line it lost (none comes for a message charon
				      could not parse: not counted) */
	uint64_t rx_dropped;       /* charon: datagrams the receiver thread dumped that were
				      dropped, 32 being already kept for their worker's
				      "received packet" line: that message has no bytes */
	uint64_t rexmit_lookback_cut; /* charon, pluto, racoon: retransmissions (charon
				      "retransmit", pluto "for EVENT_RETRANSMIT", a racoon send
				      repeating an earlier one's bytes) whose original send was
				      not found in the last 4096 message records while an older
				      record that could be it exists: the retransmission lacks
				      the exchange (and bytes) of its original (racoon: looks
				      like a first send). One never logged is not counted */
	uint64_t reasm_dropped;    /* charon: reassembled-message sizes forgotten, 8 being already
				      kept for their "received packet" line: that line then
				      counts as a message received on the wire */
	uint64_t gen_dropped;      /* charon: "generating" lines forgotten, 8 of the thread being
				      already kept for their "sending packet" lines: each later
				      send of that thread takes the exchange and message ID of
				      the message generated before it */
} iks_log_stats;

typedef struct iks_log iks_log;

/* Create an empty log of the given format (IKS_LOG_AUTO detects it from the
 * first file). lim may be NULL. Returns NULL when out of memory. */
IKS_API iks_log *iks_log_new(int format, const iks_log_limits *lim);

/* Free a log and all it owns. Accepts NULL. */
IKS_API void iks_log_free(iks_log *log);

/*
 * Parse one whole file held in memory and append it to the log (the files
 * of a set go in chronological order). `name` names the file in records
 * and messages (copied). Any bytes are accepted: UTF-16LE with a BOM,
 * CRLF, a cut last line, binary junk. Returns IKS_OK, IKS_E_LIMIT when a
 * cap was reached (everything up to it is kept and the rest counted; see
 * iks_log_get_stats), IKS_E_NOMEM, or IKS_E_INVALID.
 */
IKS_API iks_status iks_log_parse_buffer(iks_log *log, const char *name,
					const uint8_t *data, size_t len);

/*
 * Read files into the log. With n > 1 and an Oakley log the files are put
 * in rotation order first (Oakley.log.bak.sav, .sav, .bak, Oakley.log);
 * charon files are read in the order given. Returns as
 * iks_log_parse_buffer, or IKS_E_IO with a message naming the file in
 * errbuf (IKS_ERRBUF_SIZE bytes).
 */
IKS_API iks_status iks_log_read_files(iks_log *log, const char *const *paths, size_t n,
				      char *errbuf);

/* The rank of a file name in an Oakley rotation set: 0 ".bak.sav",
 * 1 ".sav", 2 ".bak", 3 anything else (the current file). */
IKS_API int iks_log_rotation_rank(const char *path);

IKS_API int iks_log_format_of(const iks_log *log);  /* detected or given format */
IKS_API const char *iks_log_format_name(int format);  /* "oakley", "charon", "auto" */
IKS_API void iks_log_get_stats(const iks_log *log, iks_log_stats *st);
IKS_API size_t iks_log_nrecords(const iks_log *log);
IKS_API size_t iks_log_nmessages(const iks_log *log);
/* Borrowed pointers, valid until the log is freed or more input is parsed;
 * NULL for an index out of range. */
IKS_API const iks_log_record *iks_log_record_at(const iks_log *log, size_t i);
IKS_API const iks_log_msg *iks_log_message_at(const iks_log *log, size_t i);
IKS_API const char *iks_log_file_name(const iks_log *log, uint32_t file);
/* The bytes of a message as the log dumped them (the IKE message from its
 * header on, without the non-ESP marker), *len set; NULL when the log has
 * none (m->has_data false). Borrowed like the message. */
IKS_API const uint8_t *iks_log_msg_data(const iks_log *log, const iks_log_msg *m, size_t *len);
/* The digest the join compares (the same function as iks_log_pkt.digest). */
IKS_API uint64_t iks_log_digest(const uint8_t *p, size_t len);

/* Name of a record kind ("send", "receive", "failure", "unknown", ...). */
IKS_API const char *iks_log_kind_name(int kind);

/* Windows IKE error codes (ERROR_IPSEC_IKE_*, 13801 and up): the symbolic
 * name and the message text; NULL for a code not in the table. */
IKS_API const char *iks_ike_error_name(uint32_t code);
IKS_API const char *iks_ike_error_text(uint32_t code);

/* ------------------------------------------------------------ the join */

/* What the join needs of one captured IKE packet. */
typedef struct iks_log_pkt {
	uint64_t frame;
	int64_t ts_sec;
	uint32_t ts_nsec;
	iks_addr src, dst;
	uint16_t sport, dport;
	uint8_t version, exchange, flags;
	uint8_t ispi[8], rspi[8];
	uint32_t msgid, length;
	bool has_digest;       /* the whole message was captured */
	uint64_t digest;       /* iks_log_digest() of the IKE message (from its header) */
} iks_log_pkt;

/* Fill *out from a decoded record; returns false when the record carries
 * no IKE message (pkt->l.ike not present). */
IKS_API bool iks_log_pkt_from_packet(const iks_packet *pkt, iks_log_pkt *out);

enum iks_log_byte_order {
	IKS_LOG_ORDER_NA = 0,        /* the format has no ambiguity (charon) or nothing matched */
	IKS_LOG_ORDER_AS_PRINTED = 1,/* cookies and message IDs as printed = network order */
	IKS_LOG_ORDER_REVERSED = 2,  /* printed byte-reversed (little-endian integers) */
	IKS_LOG_ORDER_MIXED = 3      /* files of the set disagree */
};

typedef struct iks_log_join_options {
	uint32_t window_ms;    /* largest distance between a log message and its packet once
				  the offset is applied (default 2000) */
	uint32_t candidates_max; /* candidate packets (every key the log gives agrees) looked at
				    per log message within window_ms of its time, nearest first
				    (default 64); a message with more than this many candidates
				    in all proposes no clock offset (see iks_log_join_run) */
} iks_log_join_options;

typedef struct iks_log_join {
	size_t nmsgs, npkts;
	uint32_t *msg_pkt;     /* per log message: index into the packets, or IKS_LOG_NONE */
	uint32_t *pkt_msg;     /* per packet: index of its log message, or IKS_LOG_NONE */
	int byte_order;        /* an iks_log_byte_order */
	bool has_offset;
	int64_t offset_ns;     /* capture time minus log time (median over the matches; a
				  log time is the middle of its resolution, e.g. hh:mm:ss.5) */
	uint32_t matched;      /* log messages with a packet */
	uint32_t unmatched_log;    /* log messages with no packet ("not in the capture"); not
				      those whose search candidates_max cut short */
	uint32_t unmatched_capture;/* packets with no log message ("not in the log") */
	uint32_t retransmits;      /* matched messages the log marks as retransmissions */
	int capture_year;          /* year of the first packet (UTC), used for the log dates */
	int64_t capture_day0;      /* UTC midnight before the first packet, epoch seconds */
	uint64_t *pkt_frame;       /* per packet: its frame number (the packets are in capture
				      order, so this is ascending) */
	uint32_t matched_exact;    /* matched messages whose dumped bytes equal the packet's */
	/* Added with the time-ordered candidate search (keep at the end): */
	uint32_t candidates_capped;/* log messages whose search stopped at candidates_max with
				      candidates left in their window: joined to the best
				      candidate seen, or, with no packet, not known to be absent
				      from the capture (matched + unmatched_log + those =
				      nmsgs) */
	bool *msg_capped;          /* per log message: its search stopped at candidates_max */
	/* Added for issue #19 (keep at the end): */
	uint64_t offsets_dropped;  /* clock offset proposals not kept past the join's bound
				      (4,194,304): the offset estimate is taken from the first
				      ones, in log order */
	uint32_t order_unvoted;    /* Oakley, FortiGate, Cisco: messages with no cookie pair that
				      could not vote on the file's byte order because more than
				      candidates_max packets share their length and none of the
				      first candidates_max matched in either order; a file all
				      of whose messages are so has byte order "n/a" and is
				      matched as printed */
} iks_log_join;

/*
 * Join the log's messages to captured IKE packets (given in capture order).
 * Matching uses (cookies, message ID, exchange, length) where the log
 * gives them, both byte orders for Oakley cookies/message IDs (kept per
 * file), direction when the log names addresses, then time once the clock
 * offset is estimated. The offset comes from messages with at most
 * candidates_max candidates (when none has so few, from every message's
 * candidates); each message then takes the unused candidate nearest its
 * time plus the offset, searched in time order within window_ms, at most
 * candidates_max looked at: a search cut short is counted in
 * candidates_capped and marked in msg_capped, never silent. opt may be
 * NULL (defaults); zero fields take their defaults. log and pkts are only
 * read. Returns IKS_OK with *out (owned by the caller: free with
 * iks_log_join_free), IKS_E_NOMEM or IKS_E_INVALID.
 */
IKS_API iks_status iks_log_join_run(const iks_log *log, const iks_log_pkt *pkts, size_t npkts,
				    const iks_log_join_options *opt, iks_log_join **out);
IKS_API void iks_log_join_free(iks_log_join *j);

typedef struct iks_trace iks_trace; /* one capture's summary (correlate.h) */

/*
 * The same join with the IKE packets of a trace (iks_trace_load*, or built
 * record by record with iks_trace_add_packet) instead of a packet array,
 * so a caller that already summarised the capture needs no second pass:
 * packet i of *out is the trace's i-th IKE message in capture order (an IP
 * datagram carrying IKE, reassembled ones at the frame that completed
 * them), and j->pkt_frame[i] its frame. IKE messages the trace did not
 * keep (its units_max reached) are not in the join; those whose address
 * the trace shares past its addresses_max are matched without direction. log and t are only
 * read; both may be shared by threads that only read them. Returns IKS_OK
 * with *out (free with iks_log_join_free), IKS_E_NOMEM or IKS_E_INVALID
 * (a NULL argument, or 2^32 - 1 IKE messages or more).
 */
IKS_API iks_status iks_log_join_trace(const iks_log *log, const iks_trace *t,
				      const iks_log_join_options *opt, iks_log_join **out);

/* A message's time in the log as epoch nanoseconds on the log's own clock,
 * dated with the join's capture year (charon: the day of the first packet);
 * add j->offset_ns to get capture time. */
IKS_API int64_t iks_log_msg_time_ns(const iks_log_join *j, const iks_log_msg *m);

/* "oakley byte order" names: "n/a", "as-printed", "reversed", "mixed". */
IKS_API const char *iks_log_byte_order_name(int order);

#ifdef __cplusplus
}
#endif
#endif
