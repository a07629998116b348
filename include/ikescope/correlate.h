/*
 * ikescope/correlate.h - two captures of the same path, side by side.
 *
 * A trace is the compact summary of one capture that correlation needs:
 * one unit per IP packet or reassembled datagram (identity, times, sizes,
 * addresses, frames) plus the datagrams that never completed. Build it by
 * streaming a capture once (iks_trace_load) or record by record
 * (iks_trace_add_packet / iks_trace_add_event).
 *
 * iks_correlate() matches the units of two traces by protocol identity
 * (IKE cookies/SPIs + message ID + exchange + length + digest, ESP/AH SPI
 * + sequence, IP ID + protocol + length for the rest; never by address or
 * time alone), estimates the clock offset between the captures, learns
 * which end each capture was taken at, follows every IKE negotiation and
 * reports findings. Everything it returns is data owned by the correlation.
 */
#ifndef IKESCOPE_CORRELATE_H
#define IKESCOPE_CORRELATE_H

#include <ikescope/common.h>
#include <ikescope/decoder.h>
#include <ikescope/keys.h>
#include <ikescope/log.h>
#include <ikescope/packet.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ trace */

typedef struct iks_trace iks_trace;

typedef struct iks_trace_limits {
	uint32_t units_max;       /* packets/datagrams kept (default 16,000,000); also the cap
				     on IP fragments kept as units of their own */
	uint32_t addresses_max;   /* distinct IP addresses (default and most 65,535; past it
				     the last slot stands for all further addresses, each lookup
				     counted in iks_trace_info.addresses_merged) */
	iks_decoder_limits decoder; /* used by iks_trace_load (zero fields: defaults) */
} iks_trace_limits;

/* Create an empty trace (lim NULL: defaults). NULL when out of memory. */
IKS_API iks_trace *iks_trace_new(const iks_trace_limits *lim);

/* Add one decoded record / one decoder event, in capture order. Returns
 * IKS_OK, or IKS_E_LIMIT when a cap is reached (the unit is counted in
 * iks_trace_info().dropped and not kept), IKS_E_NOMEM. */
IKS_API iks_status iks_trace_add_packet(iks_trace *t, const iks_packet *pkt);
IKS_API iks_status iks_trace_add_event(iks_trace *t, const iks_event *ev);

/*
 * Read a whole capture into a new trace. On failure returns NULL-trace with
 * a one-line message naming the file in errbuf (IKS_ERRBUF_SIZE) and the
 * status: IKS_E_FORMAT/IKS_E_IO (cannot open), IKS_E_TRUNCATED (file cut:
 * the trace is still returned with what was read, and errbuf says where).
 */
IKS_API iks_status iks_trace_load(const char *path, const iks_trace_limits *lim,
				  iks_trace **out, char *errbuf);

/* The same, decoding with keys (ikescope/keys.h; NULL: none): decrypted
 * IKE messages then contribute their error notifications and the SPIs of
 * their Delete payloads to the correlation. `keys` must outlive the call
 * only. */
IKS_API iks_status iks_trace_load_keys(const char *path, const iks_trace_limits *lim,
				       const iks_keys *keys, iks_trace **out, char *errbuf);

typedef struct iks_trace_info {
	uint64_t frames;          /* records added */
	uint64_t units;           /* units kept */
	uint64_t dropped;         /* units not kept because of a cap */
	int64_t first_ns, last_ns;/* capture time span (ns since the epoch) */
	uint64_t decode_errors;   /* records with an error */
	uint64_t addresses_merged;/* addresses of units looked up past addresses_max, each time:
				     taken as the last address kept (a `limit` finding says so) */
	uint64_t frames_dropped;  /* frames not kept, or not all of what they carry (a packet,
				     an IP fragment, or the datagram one completes, past
				     units_max or past 32-bit frame numbers): what the `limit`
				     finding on `dropped` counts */
	uint64_t pending_overwritten; /* datagrams under reassembly whose first-fragment facts
				     (first frame, time, TTL, DF) were lost because the trace's
				     table of them (65,536 slots, by datagram id) gave their
				     slot to a newer datagram: their units start at the frame
				     that completed them (a `limit` finding says so) */
	uint64_t copies_released_early; /* pktmon/etl2pcapng captures (iks_capture_merge_copies):
				     packets returned before their copy window ended because
				     IKS_COPIES_PENDING packets were waiting; later copies of
				     them become frames of their own (a `limit` finding) */
	uint64_t copies_split;    /* copies that came after their packet was returned early:
				     each became a frame (and unit) of its own */
	uint64_t ike_frags_unmarked; /* IKE fragments of a message that was read (decrypted or
				     reassembled) that the trace could not mark as read: too
				     far back in the capture (a `limit` finding) */
	uint64_t host_drops_unlisted; /* frames with an epb_verdict (dropped inside the
				     capturing host) past the 100,000 a trace lists: counted in
				     the stats' host_dropped_a/_b and in a `limit` finding, not
				     in a host-drop finding */
	uint64_t comments_dropped; /* pcapng comments not kept because their frame's joined
				     comments reached 64 KiB (COMMENT_MAX; a `limit` finding) */
	uint64_t host_drop_names_lost; /* host drops listed whose component name was not kept:
				     64 distinct names are (TRACE_HOSTDROP_NAMES); they are
				     grouped as unnamed (a `limit` finding) */
} iks_trace_info;

IKS_API void iks_trace_get_info(const iks_trace *t, iks_trace_info *info);

/* Free a trace. Accepts NULL. */
IKS_API void iks_trace_free(iks_trace *t);

/* ------------------------------------------------------------ correlation */

/* Directions: a is the end captured by the first trace. */
enum iks_direction {
	IKS_DIR_UNKNOWN = 0,
	IKS_DIR_A_TO_B = 1,
	IKS_DIR_B_TO_A = 2,
	IKS_DIR_BOTH = 3          /* verdicts only: both ways */
};

typedef struct iks_correlate_options {
	double end_margin_s;      /* packets sent this close to the end of the other capture's
				     coverage are "not covered" (default 0.5 s) */
	double match_window_s;    /* a copy must arrive within this many seconds of
				     its expected arrival (default 2 s) */
	uint32_t negotiations_max;/* IKE SAs followed (default 100,000) */
	uint32_t findings_max;    /* findings kept (default 100,000); past it one more, a `limit`
				     finding, counts those not kept */
	uint32_t groups_max;      /* packet groups kept (default 200,000; see
				     iks_correlation_groups) */
	uint32_t threads;         /* threads a correlation may run at once, the caller's
				     included (default 1: the caller's only). With more, the
				     independent halves of a step (sorting each capture,
				     matching each direction) run on POSIX threads started
				     and joined inside the call; the result is the same
				     byte for byte whatever the number */
	bool no_frame_fates;      /* true: do not keep what became of each frame (48 bytes per
				     packet of either capture, kept for
				     iks_correlation_frame_fate(), which then returns
				     IKS_E_INVALID); default false. Not for iks_correlate_points,
				     which needs them */
	bool compact;             /* developers (issue 19, docs/dev/streaming.md step 1): fold
				     matched ESP/AH pairs that no finding needs one by one into
				     counts, which the passes taught so far read instead of the
				     packets. The report is the same byte for byte; stats say
				     how many pairs were folded. Ignored with more than two
				     points. Default false */
} iks_correlate_options;

typedef struct iks_clock_estimate {
	bool known;
	double offset_s;          /* b's clock minus a's clock for the same instant (at the
				     start of capture a when the clocks drift) */
	double drift_ppm;         /* b's clock rate relative to a's, parts per million */
	uint64_t matches;         /* unique matches the estimate rests on (when the ends could
				     not be told apart: packets seen once in each capture) */
	uint64_t matches_ab, matches_ba;
	double delay_ab_s, delay_ba_s; /* one-way delays (median) */
	double spread_s;          /* median absolute deviation of the estimate */
	/* The model (issue 15): offset and drift from the lower envelope of both
	 * directions' one-way delays (the convex-hull / linear-programming
	 * estimators of Moon, Skelly and Towsley 1999 and Zhang, Liu and Xia
	 * 2002). The true clock lies between the envelope of what a sent (above
	 * it) and of what b sent (below it); the offset is the middle. */
	double error_s;           /* uncertainty of offset_s over the capture: half the widest
				     gap between the two envelopes; NAN when the data does not
				     bound it (one direction only: the offset then includes
				     that direction's smallest one-way delay) */
	const char *basis;        /* "both-directions", "a->b-only", "b->a-only", "single-packet";
				     NULL when not known */
	double delay_min_ab_s, delay_min_ba_s; /* smallest one-way delays (NAN when not seen) */
	uint64_t fragment_matches;  /* samples that are IP fragments matched on their own */
	uint64_t retransmit_matches;/* samples that are byte-identical copies paired by IP ID */
	double window_s;          /* a copy is looked for this close to its expected arrival */
	double cover_margin_s;    /* a packet is judged when the receiving capture holds a packet
				     at or before and one at or after its expected arrival, each
				     within this much of it (coverage by evidence): 2 error_s +
				     10 spread_s + 1 ms, at most window_s */
	uint32_t nsteps;          /* clock steps found (the envelope jumps in both directions) */
	struct {
		double at_s;          /* on a's clock (epoch s) */
		double step_s;        /* b's clock jumped by this much */
	} steps[4];
} iks_clock_estimate;

/* The two ends, as each capture sees them. */
typedef struct iks_endpoints {
	bool known;
	iks_addr a_in_a, b_in_a;  /* host a and its peer, as seen in capture a */
	iks_addr a_in_b, b_in_b;  /* the same two, as seen in capture b (NAT may differ) */
	uint16_t a_port_in_a, a_port_in_b, b_port_in_a, b_port_in_b; /* IKE ports, 0 if none */
	uint16_t a_natt_port_in_a, a_natt_port_in_b, b_natt_port_in_a, b_natt_port_in_b;
				  /* UDP 4500 (NAT-T: IKE and ESP) ports, 0 if none */
	const char *method;       /* how a and b were told apart ("ttl", "timing", ...) */
	double covered_from_s, covered_to_s; /* overlap of the captures on a's clock (epoch s) */
	bool same_capture;        /* both files are one capture (known is then false; the
				     capture-check finding says so) */
} iks_endpoints;

/* One IKE message of a negotiation (a retransmitted message is one entry). */
typedef struct iks_ike_message {
	int dir;                  /* iks_direction of the sender */
	bool response;
	uint32_t length;
	uint32_t sent_count;      /* copies the sender's capture shows (1 + retransmits) */
	uint32_t arrived_count;   /* copies the receiver's capture shows */
	double sent_s;            /* first copy, sender's clock (epoch s); 0 when not seen */
	double received_s;        /* first arriving copy, receiver's clock; 0 when none */
	uint64_t frame_sent, frame_received; /* in the sender's / receiver's file (for a fragmented
				     message: its first fragment sent / the fragment that completed it) */
	uint64_t frame_sent_whole;  /* sender's frame that completed the message (== frame_sent
				     when it was not fragmented) */
	double retransmit_gaps_s[8]; /* intervals between copies (first 8) */
	bool not_covered;         /* sent while the receiver's capture was not running: whether
				     it arrived is unknown (sent_s 0: only the receiver saw it) */
	bool encrypted;           /* it has an encrypted part (v1 E flag, v2 SK/SKF payload) */
	bool decrypted;           /* its encrypted part was read with keys (an IKE fragment: the
				     message it belongs to was reassembled and read) */
	bool ike_fragment;        /* one IKE fragment of a message (IKEv2 SKF, RFC 7383, or IKEv1
				     FRAG): each fragment is an entry of its own */
	uint16_t notify_error;    /* the first error Notify it carries (in clear, or decrypted):
				     v1 1-8191, v2 1-16383; 0 none (iks_ike_notify_name) */
} iks_ike_message;

/* One exchange: IKEv1 main mode (msgid 0), a quick mode or informational
 * (per message ID); IKEv2: one message ID. `messages`: nmessages entries in
 * the order of their first copy, owned by the correlation (freed by
 * iks_correlation_free). An exchange keeps at most
 * IKS_EXCHANGE_MAX_MESSAGES distinct messages (IKE fragments each count):
 * copies of messages past that are not followed, and a `limit` finding
 * naming the exchange says how many. */
#define IKS_EXCHANGE_MAX_MESSAGES 64
typedef struct iks_ike_exchange {
	uint8_t type;
	uint32_t msgid;
	uint16_t nmessages;
	iks_ike_message *messages;
} iks_ike_exchange;

enum iks_outcome {
	IKS_OUTCOME_COMPLETE = 1,
	IKS_OUTCOME_FAILED = 2,
	IKS_OUTCOME_INCOMPLETE = 3
};

typedef struct iks_negotiation {
	uint8_t version;
	uint8_t ispi[8], rspi[8];
	int initiator;            /* iks_direction of the first message: A_TO_B = a initiated */
	int outcome;              /* iks_outcome */
	const char *outcome_reason; /* static text */
	uint8_t failed_exchange;  /* when failed */
	uint32_t failed_msgid;
	uint32_t nexchanges;
	iks_ike_exchange *exchanges;
	uint16_t error_notify;    /* failed because a message carried this error Notify (0: not) */
	int error_dir;            /* iks_direction of that message's sender */
	double start_s;           /* its first message, on a's clock (epoch s); negotiations
				     are listed in this order */
} iks_negotiation;

enum iks_finding_kind {
	IKS_FIND_CLOCK_OFFSET = 1,
	IKS_FIND_IKE_RETRANSMIT,
	IKS_FIND_IKE_UNANSWERED,
	IKS_FIND_PACKET_LOSS,
	IKS_FIND_FRAGMENT_LOSS,
	IKS_FIND_ICMP_FRAG_NEEDED,
	IKS_FIND_PMTU_BLACKHOLE,
	IKS_FIND_NAT_DETECTED,
	IKS_FIND_MODIFIED_IN_TRANSIT,
	IKS_FIND_BAD_SPI,
	IKS_FIND_LIMIT,
	IKS_FIND_IKE_ERROR,       /* an IKE message carried an error Notify */
	IKS_FIND_ONE_WAY,         /* negotiations one end starts fail, the other's complete */
	IKS_FIND_NAT_REBIND,      /* an SA continues from a new public address/port (side,
				     addr_before/port_before: old mapping, addr_after/port_after:
				     new; time_a/time_b: its first packet from the new mapping;
				     count: the peer's packets to the old mapping lost, total: sent) */
	IKS_FIND_HOST_DROP,       /* packets the capturing host itself dropped (pcapng
				     epb_verdict, as pktmon writes it): arrived, not path loss */
	IKS_FIND_CAPTURE_CHECK,   /* the captures themselves: check "same-capture",
				     "filtered", "not-covered" */
	IKS_FIND_NOTHING_ARRIVED  /* not one packet one end sent toward the other reached it,
				     while the other end's own address was active */
};

enum iks_severity {
	IKS_SEV_INFO = 0,
	IKS_SEV_WARNING = 1,
	IKS_SEV_ERROR = 2
};

#define IKS_FINDING_MAX_RANGES 8
#define IKS_FINDING_MAX_CHANGES 16
typedef struct iks_finding {
	int kind;                 /* iks_finding_kind */
	int severity;             /* iks_severity */
	int direction;            /* iks_direction (UNKNOWN when not directional) */
	const char *explain;      /* one-line explanation (static, from the field notes) */
	double time_a_s, time_b_s;/* on each capture's clock (epoch s); 0 when not seen there */
	uint64_t frame_a, frame_b;/* in each file; 0 when not there */
	/* IKE kinds */
	bool has_ike;
	bool response;            /* IKEv2: the message is a response (IKEv1 has no such flag) */
	uint8_t version, exchange;
	uint8_t ispi[8], rspi[8];
	uint32_t msgid;
	/* counts: retransmits, packets lost, datagrams in a pattern */
	uint32_t count;
	uint32_t total;           /* of how many (pattern, loss) */
	double intervals_s[8];
	/* packet identity (loss, modified) */
	uint8_t proto;
	uint32_t spi, seq;        /* ESP/AH */
	uint32_t size;            /* IP datagram size */
	/* fragment-loss */
	uint32_t ip_id;
	uint32_t datagram_len;    /* IP payload length, IKS_LEN_UNKNOWN when unknown */
	uint16_t nranges;
	struct { uint32_t start, end; } missing[IKS_FINDING_MAX_RANGES]; /* end IKS_LEN_UNKNOWN: open */
	const char *pattern;      /* fragment-loss: what the direction's fragmented datagrams show:
				     "only-first-fragments-pass", "first-fragments-lost",
				     "no-fragment-passes", "some-fragments-lost" */
	uint32_t pattern_lost, pattern_total; /* fragmented datagrams lost / sent that way */
	bool fragmented_at_sender;
	/* icmp-frag-needed / pmtu-blackhole */
	uint32_t mtu;
	bool reached_sender;
	bool from_known;
	iks_addr from;            /* icmp-frag-needed: the ICMP error's sender (the router) */
	uint32_t size_ok_max, size_lost_min;
	/* nat-detected, nat-rebind */
	char side;                /* 'a' or 'b': whose address/port is rewritten in the path;
				     limit: the capture whose trace reached its cap (0: not a
				     capture's cap) */
	iks_addr addr_before, addr_after;
	uint16_t port_before, port_after;
	/* clock-offset */
	double offset_s;
	uint64_t matches;
	/* ike-error: the Notify type (iks_ike_notify_name) */
	uint16_t notify;
	/* bad-spi: the Delete that removed the SA (frame in the deleting end's file, its
	   time there), and whether it arrived at the end that kept using the SPI */
	uint64_t delete_frame;
	double delete_s;
	bool delete_arrived;
	/* capture-check: which check; the capture it is about in `side` ('a', 'b', or 0
	   for both); filtered: what it lacks ("esp", "ah", "udp-4500", "fragments",
	   "other-traffic", comma-separated, static); not-covered: the spans (epoch s,
	   on that capture's clock) and in count the packets not judged; no-overlap: the
	   captures never ran at the same instant, spans[0] a's and spans[1] b's span, each
	   on its own clock */
	const char *check;
	char missing_kinds[64];
	uint16_t nspans;
	struct { double from_s, to_s; } spans[IKS_FINDING_MAX_RANGES];
	uint32_t spans_more;      /* not-covered: further spans past the IKS_FINDING_MAX_RANGES
				     listed (their packets are in count) */
	/* packet-loss of traffic that is not IPsec (between any addresses on the path) */
	bool other_traffic;
	/* nothing-arrived: count = packets sent toward the other end, total = packets
	   the other end's own address sent or received in its capture */
	/* modified-in-transit: what changed (bytes a path may rewrite are left out: IPv4 TTL,
	   TOS and checksum, IPv6 traffic class and hop limit, addresses, UDP ports and
	   checksum), and what the receiver did with it */
	uint16_t nchanges;        /* changed bytes listed (at most IKS_FINDING_MAX_CHANGES) */
	uint32_t changed_bytes;   /* changed bytes in all (0 with nchanges 0: the bytes could not
				     be read again, e.g. a trace built by hand) */
	int32_t size_change;      /* received minus sent IP length of the packet (or fragment)
				     compared */
	uint32_t fragments_not_compared; /* fragments of either copy left out of the comparison
				     (past the caps of docs/limits.md, or cut differently in the
				     path, with no partner of the same offset and length):
				     changed_bytes is then a lower bound */
	struct iks_byte_change {
		uint64_t frame_a, frame_b; /* the frames compared (fragments: the pair by offset) */
		uint32_t ip_offset;   /* from the start of that packet's (fragment's) IP header */
		uint32_t payload_offset; /* from the start of the IPsec message (ESP SPI, IKE header,
					 AH header; otherwise the IP payload) in the datagram;
					 IKS_LEN_UNKNOWN inside the IP/UDP headers */
		uint8_t before, after;   /* as the sender sent it / as the receiver got it */
	} changes[IKS_FINDING_MAX_CHANGES];
	int icv;                  /* iks_icv_result at the receiver (needs -k) */
	bool discarded;           /* the receiver discards it: integrity-protected (ESP, AH,
				     encrypted IKE) or its ICV failed there */
	/* host-drop: `side` is the capturing host, `count` the packets it dropped with
	   this verdict at this component, frame/time those of the first; proto and spi
	   those of the first when all share them (spi 0 otherwise) */
	uint8_t verdict_type;     /* epb_verdict type octet */
	uint64_t verdict;         /* its value (pktmon: the drop reason) */
	uint32_t component_if;    /* interface index of the component in that file */
	char component[64];       /* its if_name ("" when unnamed) */
} iks_finding;

/* What the receiver's integrity check said of a packet (with keys). */
enum iks_icv_result {
	IKS_ICV_UNKNOWN = 0,      /* not checked (no keys for it, or not integrity-protected) */
	IKS_ICV_OK = 1,
	IKS_ICV_FAILED = 2
};

typedef struct iks_correlation iks_correlation;

/* Set opt to the defaults above. */
IKS_API void iks_correlate_options_default(iks_correlate_options *opt);

/*
 * Correlate two traces (opt NULL: defaults). Returns IKS_OK with *out set,
 * IKS_E_NOMEM, or IKS_E_INVALID. The traces must outlive nothing: the
 * correlation copies what it reports. Free with iks_correlation_free().
 */
IKS_API iks_status iks_correlate(const iks_trace *a, const iks_trace *b,
				 const iks_correlate_options *opt, iks_correlation **out);

IKS_API const iks_clock_estimate *iks_correlation_clock(const iks_correlation *c);
IKS_API const iks_endpoints *iks_correlation_endpoints(const iks_correlation *c);

/* Arrays owned by the correlation; the count is returned, *arr set. */
IKS_API size_t iks_correlation_negotiations(const iks_correlation *c, const iks_negotiation **arr);
IKS_API size_t iks_correlation_findings(const iks_correlation *c, const iks_finding **arr);

/* Why a packet is in the lost list. */
enum iks_lost_reason {
	IKS_LOST_PATH = 1,        /* sent inside the overlap, never arrived (stats lost_ab/lost_ba) */
	IKS_LOST_ICMP,            /* did not arrive, and a router's ICMP error quoting it reached
				     the sender (stats dropped_with_icmp) */
	IKS_LOST_STALE_NAT,       /* sent to a NAT mapping the path had already replaced (see the
				     nat-rebind finding; counted in lost_ab/lost_ba) */
	IKS_LOST_OTHER            /* other traffic than IPsec between the hosts, lost in the path
				     (stats other_lost_ab/other_lost_ba) */
};

/* A packet or datagram that did not arrive (or not whole), in the sender's
 * file: its frames are first_frame..last_frame (the fragments of one
 * datagram carry the same IP ID and protocol; an unfragmented packet has
 * first == last). For a fragmented datagram, only the fragments that carry
 * bytes of the `missing` payload ranges (what the receiver's reassembly
 * lacked; end IKS_LEN_UNKNOWN: to the end) did not arrive; nranges 0 means
 * the whole datagram. */
typedef struct iks_lost_packet {
	uint64_t first_frame, last_frame;
	uint32_t ip_id;
	bool fragmented;
	uint8_t proto;            /* IP protocol */
	uint8_t reason;           /* iks_lost_reason */
	uint16_t nranges;
	struct { uint32_t start, end; } missing[IKS_FINDING_MAX_RANGES];
} iks_lost_packet;

/* Lost packets sent by side 0 (a, frames of file a) or 1 (b); array owned
 * by the correlation, in frame order. */
IKS_API size_t iks_correlation_lost(const iks_correlation *c, int side, const iks_lost_packet **lost);

typedef struct iks_correlation_stats {
	uint64_t units_a, units_b;
	uint64_t sent_a, sent_b;          /* units sent by each end within the overlap */
	uint64_t matched_ab, matched_ba;
	uint64_t lost_ab, lost_ba;
	uint64_t not_covered;             /* sent outside the overlap, not seen arriving: not judged */
	uint64_t dropped_with_icmp;       /* not arrived, and a router said why (ICMP error) */
	uint64_t not_judged_filtered;     /* of a kind the receiving capture was filtered of */
	uint64_t other_sent_ab, other_sent_ba;  /* traffic that is not IPsec, in the overlap */
	uint64_t other_lost_ab, other_lost_ba;
	uint64_t discarded_ab, discarded_ba; /* arrived changed in transit and discarded by the
					     receiver (modified-in-transit with discarded set);
					     not in matched_ab/matched_ba */
	uint64_t icv_failed_ab, icv_failed_ba; /* with keys: packets of that direction whose
					     integrity check failed at the receiver (modified or
					     not: a wrong key fails too) */
	uint64_t icv_failed_modified_ab, icv_failed_modified_ba; /* of those, the ones a
					     modified-in-transit finding explains */
	uint64_t modified_not_compared;   /* modified packets whose bytes were not compared
					     (past the comparison caps, or the files could not
					     be read again): their findings list no changes */
	uint64_t modified_compared_partly; /* modified packets compared only in part: some
					      fragments past the caps or cut differently in the
					      path (their findings say how many) */
	uint64_t host_dropped_a, host_dropped_b; /* arrived, then dropped inside that host
					     (pcapng epb_verdict); never counted as lost */
	uint64_t folded_ab, folded_ba;    /* with iks_correlate_options.compact: matched pairs
					     folded into counts (not in the reports, which are the
					     same with and without folding) */
} iks_correlation_stats;
IKS_API void iks_correlation_get_stats(const iks_correlation *c, iks_correlation_stats *st);

/* Name of a finding kind ("ike-retransmit", ...), outcome ("complete", ...),
 * direction ("a->b", ...) or severity ("error", ...); static text. */
IKS_API const char *iks_finding_kind_name(int kind);
IKS_API const char *iks_outcome_name(int outcome);
IKS_API const char *iks_direction_name(int dir);
IKS_API const char *iks_severity_name(int sev);

/* ------------------------------------------------- loss characterisation */

/*
 * What was sent one way and what of it was lost, by kind, fragment
 * position, size and DF: the question it answers is "black hole, or flaky
 * link?". Only packets sent while the other capture ran are counted
 * (arrived, lost, or dropped with an ICMP error that reached the sender).
 */
#define IKS_SIZE_BANDS 5      /* IP datagram sizes: <=576, 577-1280, 1281-1400, 1401-1500, >1500 */
typedef struct iks_loss_tally {
	uint32_t sent, lost;
} iks_loss_tally;

/* A run of consecutive losses, in sending order, with no arrival between. */
typedef struct iks_loss_run {
	uint32_t count;
	double from_s, to_s;      /* first and last lost packet, on a's clock (epoch s) */
	bool to_end;              /* nothing of its kind arrived after it */
} iks_loss_run;

typedef struct iks_loss_profile {
	iks_loss_tally all;
	iks_loss_tally ike, esp, ah, other;   /* by kind (NAT-T keepalives count as other) */
	iks_loss_tally whole;                 /* left the sender unfragmented */
	iks_loss_tally fragmented;            /* left the sender, or arrived, in fragments */
	iks_loss_tally df;                    /* unfragmented with DF set */
	iks_loss_tally size[IKS_SIZE_BANDS];
	uint32_t dropped_icmp;                /* not arrived, an ICMP error reached the sender */
	iks_loss_run run_all, run_ike, run_esp; /* the longest runs: of everything, of IKE, of ESP */
	uint32_t arrived_between;             /* arrivals between the first and last loss */
	double first_lost_s, last_lost_s;     /* on a's clock (epoch s); 0 when none lost */
	double first_sent_s, last_sent_s;
} iks_loss_profile;

/* The profile of what side 0 (a->b) or 1 (b->a) sent; NULL for a bad side.
 * Owned by the correlation. */
IKS_API const iks_loss_profile *iks_correlation_loss_profile(const iks_correlation *c, int side);

/* --------------------------------------------------------------- verdicts */

/*
 * The diagnosis: what went wrong on the path, one entry per cause, most
 * decisive first, each with the findings that show it. A healthy path gets
 * exactly one verdict, IKS_CAUSE_NO_PATH_PROBLEM.
 */
enum iks_cause {
	IKS_CAUSE_FRAGMENTS_DROPPED = 1, /* which: "non-first", "first", "all", "some" */
	IKS_CAUSE_PMTU_BLACKHOLE,        /* size_ok_max < size_lost_min, icmp_reached_sender */
	IKS_CAUSE_BLOCKED,               /* everything of a kind (what) lost one way, from_s..to_s */
	IKS_CAUSE_RANDOM_LOSS,           /* scattered loss: rate per direction */
	IKS_CAUSE_MODIFIED_IN_TRANSIT,   /* count, discarded */
	IKS_CAUSE_STALE_SA,              /* spi, count, the lost Delete */
	IKS_CAUSE_NAT_REBIND,            /* packets lost to an outdated NAT mapping */
	IKS_CAUSE_NEGOTIATION_ERROR,     /* notify, its sender: configuration, not path */
	IKS_CAUSE_ONE_WAY_FAILURE,       /* negotiations one end starts fail, the other's succeed */
	IKS_CAUSE_NO_PATH_PROBLEM,       /* everything arrived, or only PMTU discovery that worked */
	IKS_CAUSE_NO_ANSWER,             /* one capture: requests to a peer that is heard from,
					    never answered (the peer, or the path one way) */
	IKS_CAUSE_DAEMON_DROPPED         /* with the receiver's log (iks_correlation_use_log): requests
					    the path delivered (the receiver's capture holds them) that
					    the receiver's IKE daemon logged as dropped, and that went
					    unanswered; log_side, log_line, log_reason, count */
};

#define IKS_VERDICT_MAX_EVIDENCE 32
#define IKS_VERDICT_TEXT 320
typedef struct iks_verdict {
	int cause;                /* iks_cause */
	int direction;            /* IKS_DIR_A_TO_B, IKS_DIR_B_TO_A, IKS_DIR_BOTH, or
				     IKS_DIR_UNKNOWN when it has none */
	const char *confidence;   /* "certain" (the captures prove it) or "likely" (the pattern
				     fits; `settle` says what would make it certain) (static) */
	char summary[IKS_VERDICT_TEXT]; /* one sentence: hosts, counts, the device where known */
	char advice[IKS_VERDICT_TEXT];  /* one sentence: what to check or change */
	char settle[IKS_VERDICT_TEXT];  /* "likely" verdicts: what a capture at the other end
					   would settle (empty when certain) */
	/* the cause's own facts (zero when they do not apply) */
	const char *which;        /* fragments-dropped: "non-first", "first", "all", "some" */
	const char *what;         /* blocked: "IKE", "ESP", "IKE and ESP", "everything" */
	double from_s, to_s;      /* blocked: first and last lost packet, sender's clock */
	uint32_t count, total;    /* packets (datagrams) concerned / of how many sent */
	double rate_ab, rate_ba;  /* random-loss: lost/sent per direction (0..1) */
	uint32_t size_ok_max, size_lost_min; /* pmtu-blackhole */
	bool icmp_reached_sender; /* pmtu-blackhole */
	bool icmp_from_known;
	iks_addr icmp_from;       /* pmtu-blackhole: the router that announced the MTU */
	uint32_t mtu;
	bool discarded;           /* modified-in-transit: the receiver dropped them (ICV) */
	uint32_t spi;             /* stale-sa */
	uint64_t delete_frame;    /* stale-sa: the Delete in the deleting end's file (0: none) */
	uint16_t notify;          /* negotiation-error: the Notify type */
	int notify_dir;           /* negotiation-error: iks_direction of its sender */
	uint32_t nevidence;
	uint32_t evidence[IKS_VERDICT_MAX_EVIDENCE]; /* indexes into the findings array */
	/* Added for issue #21 (keep at the end): what the hosts' IKE logs add, after
	   iks_correlation_use_log (zero / empty without logs). */
	char log_side;            /* daemon-dropped: 'a' or 'b', whose log (0: none) */
	uint32_t log_line;        /* daemon-dropped: the first "dropped" line in that log */
	const char *log_reason;   /* daemon-dropped: what the daemon said, as a kind, never the
				     log's text: "no-ike-sa" (it holds no IKE SA for the message),
				     "dropped" (no reason given) (static) */
	char log_note[IKS_VERDICT_TEXT]; /* one sentence: what the logs say of the messages this
				     verdict is about (retransmissions, and whether the capture
				     shows every copy; dropped messages), "" when nothing */
	bool evidence_truncated;  /* more findings back this verdict than the
				     IKS_VERDICT_MAX_EVIDENCE listed in evidence (the first ones
				     cited are listed) */
} iks_verdict;

/*
 * One capture alone: what it proves on its own. The capturing host is "a"
 * (learned from the TTLs of what it sends and receives: sent packets carry
 * an initial TTL, received ones less), its IPsec peer "b"; IKS_DIR_A_TO_B
 * means "out" (sent by the host), IKS_DIR_B_TO_A "in". The result holds
 * the endpoints (a_in_a, b_in_a), the negotiations as this side saw them
 * (messages in have arrived_count, messages out sent_count and
 * not_covered), findings and verdicts in the two-capture vocabulary, each
 * "certain" (the capture proves it: fragments missing by position, a
 * Delete the peer ignores, an ICMP the host ignores) or "likely" with what
 * the peer's capture would settle. Returns IKS_OK with *out set (its
 * endpoints not known and no verdicts when the capture holds no IPsec
 * traffic), IKS_E_NOMEM or IKS_E_INVALID. Free with
 * iks_correlation_free(). The trace is only read.
 */
IKS_API iks_status iks_diagnose(const iks_trace *t, const iks_correlate_options *opt,
				iks_correlation **out);
/* Whether the correlation came from one capture (iks_diagnose). */
IKS_API bool iks_correlation_one_sided(const iks_correlation *c);
/* A direction as the reports name it: "a->b", "b->a", "both", or for one
 * capture "out" (sent by the host) and "in"; NULL for IKS_DIR_UNKNOWN. */
IKS_API const char *iks_correlation_direction_name(const iks_correlation *c, int dir);

/* The verdicts, most decisive first; array owned by the correlation. */
IKS_API size_t iks_correlation_verdicts(const iks_correlation *c, const iks_verdict **arr);
/* "fragments-dropped", ... (static text). */
IKS_API const char *iks_cause_name(int cause);

/*
 * Add what one host's IKE log proves to a finished two-capture correlation
 * and make its verdicts again with it. side 0: host a's log, joined to
 * capture a (join from iks_log_join_trace or iks_log_join_run on the same
 * capture's IKE packets: its pkt_frame are frames of that file); 1: b's.
 * Call it once per side (a second call for a side replaces the first).
 *
 *  - A request the receiver's capture shows arriving, that the receiver's
 *    log records as received and then dropped (an IKS_LK_DROPPED record tied
 *    to that message) and that no answer followed: a verdict
 *    IKS_CAUSE_DAEMON_DROPPED, "certain", before the path verdicts (the
 *    path delivered it); one verdict per receiving side, count the
 *    requests. A dropped copy of a request that was answered, or a dropped
 *    response, is no failure: it is said in the log_note of the
 *    no-path-problem verdict (else of the first verdict).
 *  - Retransmissions the sender's log records for a message its capture
 *    shows it sent: in the log_note of each verdict whose evidence is about
 *    that message's exchange (and the message's ike-retransmit finding joins
 *    that evidence); when the log counts more copies than the capture holds
 *    leaving that host, the note says the capture misses them (not loss).
 *
 * No log text is copied into the verdicts. log and join are only read and
 * need not outlive the call. Returns IKS_OK, IKS_E_INVALID (NULL argument,
 * bad side, or a correlation of one capture: nothing is changed) or IKS_E_NOMEM (the verdicts are then those before the call).
 * Not thread-safe on c.
 */
IKS_API iks_status iks_correlation_use_log(iks_correlation *c, int side, const iks_log *log,
					   const iks_log_join *join);

/* ---------------------------------------------------------- packet groups */

/*
 * The path, packet by packet, for drawing it: every packet a host sent
 * (and what became of it), every packet that arrived without being seen
 * leaving, and every ICMP error that reached a host. Runs of consecutive
 * packets of one kind, SPI, direction and fate, sent less than a second
 * apart, collapse into one group, so that 100k ESP packets are a few
 * groups; every IKE packet and every ICMP error is a group of its own.
 */
enum iks_group_kind {
	IKS_GROUP_IKE = 1,
	IKS_GROUP_ESP,
	IKS_GROUP_AH,
	IKS_GROUP_KEEPALIVE,      /* NAT-T keepalive */
	IKS_GROUP_OTHER,          /* any other IP packet between the hosts */
	IKS_GROUP_ICMP_ERROR      /* from a router in the path to a host */
};

enum iks_fate {
	IKS_FATE_ARRIVED = 1,     /* seen at both ends */
	IKS_FATE_LOST,            /* sent inside the overlap, never arrived (counted in
				     iks_correlation_stats lost_ab/lost_ba) */
	IKS_FATE_DROPPED_ICMP,    /* did not arrive, and an ICMP error quoting it reached
				     the sender (stats dropped_with_icmp) */
	IKS_FATE_NOT_COVERED,     /* sent while the receiver's capture was not running
				     (stats not_covered) */
	IKS_FATE_ONLY_RECEIVED,   /* arrived, but the sender's capture does not show it */
	IKS_FATE_FROM_PATH        /* ICMP error: generated in the path, seen by one host */
};

typedef struct iks_packet_group {
	int dir;                  /* iks_direction of travel; an ICMP error seen in capture a
				     travels towards a: IKS_DIR_B_TO_A */
	uint8_t kind;             /* iks_group_kind */
	uint8_t fate;             /* iks_fate */
	uint8_t proto;            /* IP protocol of its packets */
	bool fragmented;          /* left the sender in IP fragments */
	bool fragmented_in_path;  /* sent whole, arrived in fragments */
	bool modified;            /* arrived with changed bytes */
	bool nat;                 /* addresses or ports differ between the two captures */
	uint32_t count;           /* packets (datagrams) in the group */
	uint32_t spi, seq_first, seq_last; /* ESP/AH */
	uint32_t size_min, size_max; /* IP datagram sizes */
	uint64_t bytes;
	uint32_t ip_id;           /* of the first packet */
	uint16_t nfrags_sent, nfrags_received; /* fragments of the first packet at each end */
	/* times in epoch seconds; 0 where not seen. On the capture's own clock: */
	double sent_first_s, sent_last_s;         /* sender's clock */
	double received_first_s, received_last_s; /* receiver's clock */
	/* the same four instants on a's clock (the common clock: offset and drift applied) */
	double sent_first_on_a_s, sent_last_on_a_s, received_first_on_a_s, received_last_on_a_s;
	/* frames in the sender's / receiver's file (a fragmented packet: its first fragment) */
	uint64_t frame_sent_first, frame_sent_last, frame_received_first, frame_received_last;
	/* addresses and ports of the first packet as each capture shows them */
	iks_addr src_sent, dst_sent, src_received, dst_received;
	uint16_t sport_sent, dport_sent, sport_received, dport_received;
	/* IKE */
	uint8_t version, exchange, ike_flags;
	uint8_t ispi[8], rspi[8];
	uint32_t msgid, ike_length;
	/* ICMP error: type, code, next-hop MTU, the quoted packet's IP ID and protocol */
	uint8_t icmp_type, icmp_code, quoted_proto;
	uint32_t mtu, quoted_ip_id;
} iks_packet_group;

/* The groups, ordered by their first instant on a's clock; array owned by
 * the correlation. *dropped (may be NULL) is set to the packets not kept
 * because groups_max was reached (0 normally). */
IKS_API size_t iks_correlation_groups(const iks_correlation *c, const iks_packet_group **arr,
				      uint64_t *dropped);

/* "ike", "esp", ... / "arrived", "lost", ...: static text. */
IKS_API const char *iks_group_kind_name(int kind);
IKS_API const char *iks_fate_name(int fate);

/* Free a correlation. Accepts NULL. */
/* ------------------------------------------------------------ per frame */

/* What became of the packet a frame carried (iks_correlation_frame_fate). */
enum iks_frame_fate_kind {
	IKS_FF_NONE = 0,          /* not a packet between the two hosts (or not known: the
				     ends were not told apart, or a fragment in the middle
				     of a datagram) */
	IKS_FF_ARRIVED = 1,       /* sent by this side's host, seen at the other end */
	IKS_FF_LOST,              /* sent, never arrived (or not whole): in iks_correlation_lost()
				     for the path or a stale NAT mapping */
	IKS_FF_NOT_JUDGED,        /* sent, not seen at the other end, not counted as lost
				     (outside the overlap) */
	IKS_FF_RECEIVED,          /* received by this side's host, seen leaving the other end */
	IKS_FF_ONLY_RECEIVED,     /* received, but the other end's capture does not show it */
	IKS_FF_DROPPED_ICMP,      /* sent, did not arrive, and a router's ICMP error about it
				     reached the sender (a lost-list entry of IKS_LOST_ICMP) */
	IKS_FF_MISSED_NEXT        /* a hop of iks_correlate_points: sent, not in the hop's other
				     capture although a point beyond it holds it (that capture
				     is incomplete: the capture-check "incomplete" finding; not
				     counted lost) */
};

typedef struct iks_frame_fate {
	int fate;                 /* iks_frame_fate_kind */
	int dir;                  /* iks_direction of travel (UNKNOWN with IKS_FF_NONE) */
	uint64_t other_frame;     /* the copy in the other file (first fragment), 0: none */
	double delay_s;           /* arrival minus departure on a's clock (ARRIVED/RECEIVED) */
	bool first;               /* this frame is the datagram's first fragment (or whole) */
} iks_frame_fate;

/*
 * The fate of the packet that `frame` of side 0 (a) or 1 (b) carried (for a
 * fragmented datagram: its first and its completing frame). Returns IKS_OK
 * with *out filled (IKS_FF_NONE for a frame that carried no such packet) or
 * IKS_E_INVALID (also when the correlation was made with no_frame_fates).
 * Thread-safe on a finished correlation.
 */
IKS_API iks_status iks_correlation_frame_fate(const iks_correlation *c, int side, uint64_t frame,
					      iks_frame_fate *out);

/* An instant of capture `side`'s clock (epoch seconds and nanoseconds) on
 * a's clock, with the offset and drift of iks_correlation_clock() taken
 * out, in epoch seconds; side 0, or no clock estimate: unchanged. */
IKS_API double iks_correlation_time_on_a(const iks_correlation *c, int side, int64_t sec,
					 uint32_t nsec);

IKS_API void iks_correlation_free(iks_correlation *c);

/* ------------------------------------------------- more than two points */

/*
 * Captures of one path at N points, in path order from end a (P1) to end b
 * (PN): the ends' own interfaces, and between them e.g. a router's two
 * interfaces or a SPAN port on each side of a firewall. Hop i (0-based) is
 * the stretch between point i and point i+1.
 *
 * Each hop is correlated as two captures are (iks_correlate, the same
 * NAT-proof identities), each direction on its own: what a sends is
 * followed P1..PN, what b sends PN..P1. So a packet seen at point i and
 * not at point i+1 was lost on hop i, one whose bytes differ was changed
 * there, and an address or port rewrite (nat-detected, nat-rebind) is on
 * the hop whose two captures show it. A packet that point i+1 lacks but a
 * point beyond it holds was not lost: point i+1's capture is incomplete
 * (a capture-check finding "incomplete" on hop i, side 'b' for what a sent,
 * 'a' for what b sent), and it is not counted. Every finding of hop i's
 * correlation is about hop i: its `a` is point i, its `b` point i+1.
 */
typedef struct iks_path iks_path;

typedef struct iks_path_point {
	bool hosts_known;
	iks_addr a, b;            /* the two ends as this point's capture shows them */
	bool clock_known;         /* offset and drift against P1 (composed along the hops) */
	double offset_s;          /* this point's clock minus P1's, at P1's first packet */
	double drift_ppm;
	double first_s, last_s;   /* its capture's first and last packet, own clock (epoch s) */
	uint64_t incomplete;      /* packets it lacks while the points on both sides hold them */
} iks_path_point;

typedef struct iks_path_hop {
	int ttl_drop_ab, ttl_drop_ba; /* TTL decrement across the hop of what a / b sent (the
				     routers in it; 0: none, e.g. a capture on the host's
				     own link); -1 when nothing crossed that way */
	bool nat_a, nat_b;        /* a's / b's address or port rewritten on this hop */
} iks_path_hop;

/*
 * Correlate n >= 2 traces in path order (opt NULL: defaults). Returns
 * IKS_OK with *out set (then check iks_path_order), IKS_E_INVALID (n < 2,
 * more than IKS_PATH_POINTS_MAX, a NULL trace), IKS_E_NOMEM. The traces
 * are only read and need not outlive the call. Free with iks_path_free().
 * Not thread-safe on one iks_path while it is being made; the finished
 * result may be read from several threads.
 */
#define IKS_PATH_POINTS_MAX 16
IKS_API iks_status iks_correlate_points(const iks_trace *const *traces, size_t n,
					const iks_correlate_options *opt, iks_path **out);

/* Points (n) and hops (n - 1). */
IKS_API size_t iks_path_points(const iks_path *p);
/* Point i / hop i; NULL when out of range. Owned by the path. */
IKS_API const iks_path_point *iks_path_point_get(const iks_path *p, size_t i);
IKS_API const iks_path_hop *iks_path_hop_get(const iks_path *p, size_t hop);
/* Hop i's correlation (a = point i, b = point i+1); owned by the path. */
IKS_API const iks_correlation *iks_path_hop_correlation(const iks_path *p, size_t hop);
/* P1 against PN: the negotiations as the two ends saw them; owned by the path. */
IKS_API const iks_correlation *iks_path_end_to_end(const iks_path *p);

/*
 * The hop a finding is on, for a caller that holds only the finding (e.g.
 * after gathering every hop's findings into one list): f is an element of
 * the array iks_correlation_findings() returns for
 * iks_path_hop_correlation(p, h), and the answer is that h (0-based; with
 * two points always 0). Returns -1 when f is NULL or is not one of p's hop
 * findings (a copy of one, or one of iks_path_end_to_end() with more than
 * two points, which lies on no single hop). The finding stays owned by
 * the path. Only reads: safe from several threads on a finished path.
 */
IKS_API int iks_path_finding_hop(const iks_path *p, const iks_finding *f);

/*
 * Whether the points were given in path order. TTLs and timing say, for
 * each hop, which of its captures is nearer end a; when a hop says the
 * opposite of the others, returns false and sets *order (may be NULL) to
 * the given indexes (0-based) in the order the captures show, from one end
 * to the other (owned by the path). *order is the identity when in order.
 */
IKS_API bool iks_path_order(const iks_path *p, const size_t **order);

/*
 * An end host's IKE log for the end-to-end correlation (P1 against PN, as
 * iks_path_end_to_end returns it): end 0 is P1's host (a), 1 PN's host (b),
 * and join must be made on that point's capture. Does what
 * iks_correlation_use_log does, for that correlation only (the hops'
 * verdicts stay; with two points the one hop is that correlation). Returns
 * as iks_correlation_use_log. Not thread-safe on p.
 */
IKS_API iks_status iks_path_use_log(iks_path *p, int end, const iks_log *log,
				    const iks_log_join *join);

/* Free a path. Accepts NULL. */
IKS_API void iks_path_free(iks_path *p);

#ifdef __cplusplus
}
#endif
#endif
