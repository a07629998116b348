/*
 * ikescope/audit.h - Windows IPsec audit events (Security log 541, 542,
 * 543, 547) as exported to text (Event Viewer "Save as text", wevtutil qe
 * /f:text) or CSV, parsed into events, and joined to a capture: 541 SPIs
 * to ESP SPIs, 542/543 to deletes, 547 to the failed negotiation.
 *
 * The export formats are reconstructed, not documented byte for byte: see
 * docs/audit-events.md for what is known and what is assumed. The parser is
 * driven by field names (English first), keeps every field it does not
 * know, and never stops on input it does not understand.
 */
#ifndef IKESCOPE_AUDIT_H
#define IKESCOPE_AUDIT_H

#include <ikescope/common.h>
#include <ikescope/packet.h>
#include <ikescope/correlate.h>

#ifdef __cplusplus
extern "C" {
#endif

enum iks_audit_format {
	IKS_AUDIT_AUTO = 0,
	IKS_AUDIT_TEXT = 1,  /* "Event[N]:" / "Event Type:" blocks with a Description */
	IKS_AUDIT_CSV = 2    /* a header row naming the columns, quoted multi-line fields */
};

enum iks_audit_mode {
	IKS_AUDIT_MODE_UNKNOWN = 0,
	IKS_AUDIT_MAIN_MODE = 1,  /* "Key Exchange Mode (Main Mode)": the IKE SA */
	IKS_AUDIT_QUICK_MODE = 2  /* "Data Protection Mode (Quick Mode)": an IPsec SA */
};

/* One "name: value" of an event, in the order read; unknown fields too. */
typedef struct iks_audit_field {
	const char *section;  /* "Filter", "Parameters", ... or "" (header, summary) */
	const char *name;     /* as written ("" for a line with no name) */
	const char *value;
	bool known;           /* a field name in the table (lib/audit_fields.c) */
} iks_audit_field;

/* One event. Strings are owned by the iks_audit and NUL-terminated; NULL
 * when the event does not carry the field. */
typedef struct iks_audit_event {
	uint32_t id;              /* 541, 542, 543, 547, or any other id read */
	uint32_t line;            /* 1-based line where the event starts */
	bool has_time;
	int64_t time_ns;          /* the host's clock as written, read as UTC (epoch ns) */
	uint32_t resolution_ms;   /* 1000 for whole seconds, 1 for milliseconds */
	const char *computer;
	const char *summary;      /* the first description line */
	const char *mode;         /* as written */
	int mode_kind;            /* iks_audit_mode */
	bool has_filter;
	iks_addr filter_src, filter_dst;
	uint8_t protocol;
	uint16_t sport, dport;
	iks_addr local, peer;     /* IKE Local Addr / IKE Peer Addr (or Peer IP Address) */
	const char *peer_identity;
	const char *failure_point;/* "Me" / "Peer" */
	const char *failure_reason;
	uint32_t failure_code;    /* ERROR_IPSEC_IKE_* code for the reason text, 0 if none */
	bool has_spi;
	uint32_t spi_in, spi_out; /* quick mode: inbound / outbound SPI */
	bool soft_sa;             /* outbound SPI 0 and ESP/AH algorithms "None" */
	const char *esp_alg, *auth_alg;
	uint32_t nfields;
	const iks_audit_field *fields;
} iks_audit_event;

typedef struct iks_audit_limits {
	uint32_t events_max;      /* events kept (default 100,000); further ones counted */
	uint32_t fields_max;      /* fields per event (default 64) */
	uint64_t text_max;        /* bytes of field text kept (default 64 MiB) */
	uint32_t line_max;        /* longest line kept whole (default 4096) */
} iks_audit_limits;

typedef struct iks_audit_stats {
	uint64_t lines;
	uint64_t events;          /* events read (kept or not) */
	uint64_t ipsec_events;    /* of them 541, 542, 543, 547 */
	uint64_t unknown_fields;  /* fields no table entry knew (kept) */
	uint64_t bad_values;      /* known fields whose value could not be read (kept as text) */
	uint64_t dropped;         /* events or fields not kept because of a cap */
	const char *limit;        /* the first cap reached, or NULL */
	int format;               /* iks_audit_format detected */
} iks_audit_stats;

typedef struct iks_audit iks_audit;

/* Create an empty set of events (lim NULL: defaults); NULL when out of memory. */
IKS_API iks_audit *iks_audit_new(const iks_audit_limits *lim);
/* Free everything. Accepts NULL. */
IKS_API void iks_audit_free(iks_audit *a);

/*
 * Parse one whole export held in memory (the fuzzer entry point): any
 * bytes, UTF-16LE with a BOM, CRLF, a cut last event. Events are appended.
 * Returns IKS_OK, IKS_E_LIMIT (a cap was reached; what fit is kept),
 * IKS_E_NOMEM or IKS_E_INVALID.
 */
IKS_API iks_status iks_audit_parse_buffer(iks_audit *a, const uint8_t *data, size_t len);

/* Read a file; IKS_E_IO with a message naming the file in errbuf
 * (IKS_ERRBUF_SIZE bytes), else as iks_audit_parse_buffer. */
IKS_API iks_status iks_audit_read_file(iks_audit *a, const char *path, char *errbuf);

IKS_API size_t iks_audit_nevents(const iks_audit *a);
/* Borrowed, valid until the set is freed or more input is parsed. */
IKS_API const iks_audit_event *iks_audit_event_at(const iks_audit *a, size_t i);
IKS_API void iks_audit_get_stats(const iks_audit *a, iks_audit_stats *st);

/* The ERROR_IPSEC_IKE_* code whose message text is `text` (case and
 * surrounding blanks ignored, a trailing '.' allowed); 0 when none. */
IKS_API uint32_t iks_audit_reason_code(const char *text);

/* ------------------------------------------------------------ the join */

enum iks_audit_match_kind {
	IKS_AUDIT_UNMATCHED = 0,
	IKS_AUDIT_BY_SPI = 1,         /* 541 quick mode: its SPIs carry ESP in the capture */
	IKS_AUDIT_BY_EXCHANGE = 2,    /* 541 main mode: the IKE SA set up between its addresses */
	IKS_AUDIT_BY_DELETE = 3,      /* 542/543: an informational exchange near its time */
	IKS_AUDIT_BY_NEGOTIATION = 4  /* 547: the negotiation between its addresses at its time */
};

typedef struct iks_audit_match {
	int kind;                 /* iks_audit_match_kind */
	uint64_t frame;           /* the capture frame it rests on (first ESP packet, IKE message) */
	int64_t frame_ns;
	double delta_s;           /* frame time minus (event time + offset) */
	/* IKS_AUDIT_BY_SPI */
	uint64_t spi_in_frame, spi_out_frame; /* first frame with each SPI, 0 when not seen */
	uint32_t spi_in_packets, spi_out_packets;
	/* IKE kinds: the IKE SA and exchange found */
	bool has_ike;
	uint8_t version, exchange;
	uint8_t ispi[8], rspi[8];
	uint32_t msgid;
	uint64_t first_frame;     /* first frame of that IKE SA in the capture */
} iks_audit_match;

typedef struct iks_audit_join_options {
	bool has_offset;
	int64_t offset_ns;        /* given: capture time minus event time */
	uint32_t window_ms;       /* how far an event may be from its packets once the
				     offset is applied (default 30,000: a 547 "no response"
				     is written after the retransmissions) */
	uint32_t spis_max;        /* distinct ESP SPIs indexed (default 65,536) */
	const char *offset_from;  /* where a given offset came from (static text, reported
				     as iks_audit_join.offset_from); NULL: "given" */
} iks_audit_join_options;

typedef struct iks_audit_join {
	size_t nevents;
	iks_audit_match *m;       /* per event */
	bool has_offset;
	int64_t offset_ns;        /* capture time minus event time */
	const char *offset_from;  /* "given" (or the options' offset_from, e.g. "oakley-log"),
				     "spi" (median over 541 SPI matches), "none" */
	uint32_t matched, unmatched; /* IPsec events (541, 542, 543, 547) joined / not */
	bool spi_limit;           /* spis_max was reached: some SPIs were not indexed */
	uint64_t spi_packets_not_indexed; /* ESP packets of the SPIs past spis_max: events
				     naming those SPIs cannot be joined to them */
} iks_audit_join;

/*
 * Join the events to one capture's trace. Returns IKS_OK with *out (free
 * with iks_audit_join_free), IKS_E_NOMEM or IKS_E_INVALID.
 */
IKS_API iks_status iks_audit_join_run(const iks_audit *a, const iks_trace *t,
				      const iks_audit_join_options *opt, iks_audit_join **out);
IKS_API void iks_audit_join_free(iks_audit_join *j);

/* "spi", "exchange", "delete", "negotiation", "unmatched". */
IKS_API const char *iks_audit_match_name(int kind);

#ifdef __cplusplus
}
#endif
#endif
