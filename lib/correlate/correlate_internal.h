/* correlate_internal.h - state shared by the correlation steps (internal). */
#ifndef IKS_CORRELATE_INTERNAL_H
#define IKS_CORRELATE_INTERNAL_H

#include <ikescope/correlate.h>

#include "trace/trace.h"

/* A unit's role in its own capture. */
enum unit_role {
	ROLE_OTHER = 0,
	ROLE_SENT,      /* sent by this capture's host to the peer */
	ROLE_RECEIVED,  /* sent by the peer to this capture's host */
	ROLE_TO_HOST    /* from a third party (a router's ICMP error) to the host */
};

#define NO_MATCH UINT32_MAX

/* A packet that arrived with changed bytes: its modified-in-transit finding
 * (index into the findings), the sender's side and unit, the receiver's unit. */
typedef struct corr_modified {
	size_t finding;
	int side;
	uint32_t sent, received;
} corr_modified;

/* What a run of more than two points (corr_path.c) tells the correlation of
 * one hop; NULL for a plain two-capture correlation, which it never changes. */
typedef struct corr_hints {
	/* the ends as trace a shows them (from the hop before): used only when
	   TTLs and timing cannot tell which end sent what */
	bool have_ends;
	iks_addr a_in_a, b_in_a;
	/* per unit of each trace: 1 = did not reach the next point of the hop
	   but a point beyond it holds it (that capture missed it): not judged */
	const uint8_t *beyond[2];
	bool no_rebind;        /* a NAT rebinding is placed on another hop */
	bool middle;           /* ICMP errors toward the far capture are in transit here,
				  and one about a packet that crossed the hop is not this hop's */
} corr_hints;

/* Ask for the cache line at p ahead of its use: passes that walk units in
 * key order reach them at random places of a long array, and wait on
 * memory at each unless they ask a few steps ahead. */
#if defined(__GNUC__) || defined(__clang__)
#define CORR_PREFETCH(p) __builtin_prefetch(p)
#else
#define CORR_PREFETCH(p) ((void)(p))
#endif
#define CORR_AHEAD 12

/* A unit's identity (exact or loose digest), time and index, sortable. */
typedef struct keyed {
	uint64_t key;
	int64_t ts;
	uint32_t idx;
} keyed;

/* Pairs folded into counts (corr_fold.c; "elided pairs" of
 * docs/dev/streaming.md, step 1): what the passes that skip them read
 * instead, per capture. Positions are unit indices. */
typedef struct corr_fold {
	uint8_t *bit;          /* per unit: 1 when folded (the sent copy or the received one) */
	/* per unit not folded: folded units this side sent since the previous
	 * unit not folded (all, ESP only); after the last one, tail_* */
	uint32_t *before_all, *before_esp;
	uint32_t tail_all, tail_esp;
	/* the folded units this side sent (all matched, none modified) */
	uint64_t n;
	uint64_t by_kind[8];
	uint64_t fragmented;   /* fragmented at either end */
	uint64_t df;           /* unfragmented at both ends, DF set */
	uint64_t size_band[IKS_SIZE_BANDS]; /* corr_size_band */
	uint32_t size_max_whole; /* largest not fragmented at the sender */
	uint64_t judgeable;    /* of a kind the receiver's capture holds (corr_filtered_out) */
	uint64_t host_units;   /* folded units of this capture, either copy, to or from its
				  host (corr_checks.c: nothing_arrived) */
	/* the position of the last folded UDP unit this side sent, per
	 * (addr_dst, dport, sport) (corr_nat.c: the last to a mapping that
	 * arrived); open addressing, key 0 empty */
	struct corr_fold_map { uint64_t key; size_t last; } *map;
	size_t map_slots, nmap;
	size_t first, last;    /* positions of the first and last */
	int64_t first_ts, last_ts;
} corr_fold;

typedef struct corr_ctx {
	const iks_trace *t[2];
	const corr_hints *hints; /* NULL: two captures only */
	iks_correlate_options opt;
	uint32_t *match[2];    /* per unit: index of its copy in the other trace */
	uint8_t *role[2];
	uint8_t *modified[2];  /* matched only loosely: bytes changed in transit */
	uint8_t *fmatch[2];    /* per fragment: 1 when its copy is in the other trace */
	uint8_t *fate[2];      /* per unit sent by that side: iks_fate (0: not judged as sent,
				  or folded; set by corr_findings) */
	bool hosts_known;
	uint64_t hosts_refused; /* packets of address pairs past the host vote's cap */
	uint32_t host[2], peer[2]; /* address indices in each trace */
	/* clock: t_b = t_a + offset + drift * (t_a - t0) */
	double offset_ns, drift, t0_ns;
	double delay_ns[2];    /* one-way delay of what side s sends */
	double window_ns;
	double error_ns;       /* uncertainty of the clock (0: not bounded by the data) */
	uint32_t nsteps;       /* clock steps: b's clock jumps by step_ns[k] at step_at[k] */
	uint32_t steps_refused;/* steps found past the 4 kept */
	double step_at[4], step_ns[4]; /* (ns after t0 on a's clock) */
	int64_t cover_from_ns, cover_to_ns; /* overlap on a's clock */
	bool same_capture;     /* capture check: both files hold the same packets at the same instants */
	int64_t *times[2];     /* corr_checks.c: each trace's unit and fragment times, sorted */
	size_t ntimes[2];
	uint8_t filtered[2];   /* corr_checks.c: CHECK_F_... kinds capture s lacks (not judged) */
	struct corr_gap { int64_t from, to; } *gaps[2]; /* spans capture s was not running (own clock) */
	size_t ngaps[2], gaps_cap[2]; /* in time order, disjoint (corr_checks_gaps) */
	uint8_t *stale[2];     /* per unit: sent to a NAT mapping the path had replaced (corr_nat.c) */
	corr_modified *mods;   /* findings.c fills, corr_diff.c reads; freed by iks_correlate */
	keyed *exact[2];       /* corr_samples: each trace's matchable units by (exact key, ts,
				  index), kept for step 4's exact pass (one sort per side);
				  freed by iks_correlate after matching */
	size_t nexact[2];
	size_t nmods, cap_mods;
	corr_fold *fold[2];    /* corr_fold.c, with opt.compact; NULL: nothing folded */
	iks_correlation *out;
} corr_ctx;

/* corr_logs.c: the IKE message each IKE unit of either capture is a copy of
 * (negotiation.c records them; negotiations are found by version and
 * initiator SPI, since they are sorted after), and what the hosts' logs say
 * of those messages (iks_correlation_use_log). */
typedef struct corr_ikemap {
	uint64_t frame;        /* the frame that completed the unit, in side's file */
	uint32_t exch;         /* exchange index in its negotiation */
	uint16_t msg;          /* message index in the exchange */
	uint8_t side, version;
	uint8_t ispi[8];
} corr_ikemap;

typedef struct corr_logfact {
	uint32_t neg, exch;
	uint16_t msg;
	uint32_t sends;        /* the log's sends joined to copies in this side's capture */
	uint32_t retx_max;     /* the highest retransmission number among them */
	uint32_t retx;         /* of them, those the log marks as retransmissions */
	uint32_t first_line;   /* the log line of the first of them */
	uint32_t drops;        /* received copies the log then recorded as dropped */
	uint32_t drop_line;    /* the first such "dropped" line */
	uint64_t drop_frame;   /* the receiver's frame of that copy */
	const char *reason;    /* "no-ike-sa", "dropped" */
} corr_logfact;

struct iks_correlation {
	iks_clock_estimate clock;
	iks_endpoints ends;
	iks_correlation_stats stats;
	iks_negotiation *negs;
	size_t nnegs, cap_negs;
	iks_finding *finds;
	size_t nfinds, cap_finds;
	uint64_t finds_dropped;
	iks_lost_packet *lost[2];
	size_t nlost[2], cap_lost[2];
	iks_loss_profile loss[2];  /* loss.c: what each side sent and lost */
	iks_verdict *verdicts;     /* verdicts.c, one_side.c */
	bool one_sided;            /* made by iks_diagnose from one capture */
	size_t nverdicts;
	struct corr_fates *fates;  /* corr_fate.c: per unit, for iks_correlation_frame_fate */
	iks_packet_group *groups;  /* groups.c */
	size_t ngroups, cap_groups;
	uint64_t groups_dropped;
	int ttl_drop[2];           /* the most common TTL decrement of what side s sent and the
				      other side received (-1: nothing crossed) */
	uint64_t beyond[2];        /* units side s sent that a point beyond the hop holds (not
				      judged: the capture-check "incomplete" finding) */
	corr_ikemap *ikemap;       /* corr_logs.c */
	size_t nikemap, cap_ikemap;
	bool ikemap_sorted;
	corr_logfact *logf[2];     /* what side s's log says (iks_correlation_use_log) */
	size_t nlogf[2];
	bool has_log[2];
};

/* correlate.c: iks_correlate with the hints of a hop (hints NULL: exactly
 * iks_correlate). */
iks_status corr_run(const iks_trace *a, const iks_trace *b, const iks_correlate_options *opt,
		    const corr_hints *hints, iks_correlation **out);
/* Whether unit i sent by side s is held beyond the hop's next point. */
static inline bool corr_beyond(const struct corr_ctx *c, int s, size_t i)
{
	return c->hints && c->hints->beyond[s] && c->hints->beyond[s][i];
}

/* A unit or fragment of trace a and its copy in trace b: one sample of
 * the clocks (corr_hosts.c). */
typedef struct corr_sample {
	int64_t ta, tb;
	uint32_t a, b;         /* unit (or fragment) indices */
	uint16_t src_a, dst_a, src_b, dst_b;
	uint8_t ttl_a, ttl_b;
	bool ipsec;            /* IKE, ESP, AH, keepalive, or a fragment of one */
	bool fragment;         /* a, b index frags[] */
	bool retransmit;       /* one of byte-identical copies, paired by IP ID */
} corr_sample;

/* The first index of k[0..n), sorted by key, whose key is not below
 * `key` (n when none). */
size_t corr_keyed_lower(const keyed *k, size_t n, uint64_t key);

/*
 * corr_ctx.c: helpers shared by the steps. It sits below every step and
 * below correlate.c (which only orchestrates); it calls none of them, and
 * no step calls correlate.c.
 */
/* Sorted (key, ts, index) of a trace's matchable units (those with
 * role[i] == want_role when role is given); malloc'd, NULL when out of
 * memory. */
keyed *corr_sorted_keys(const iks_trace *t, bool use_loose, const uint8_t *role, int want_role,
			size_t *n);
/* Sort records by (key, ts, idx) in linear time (radix passes; records
 * built in index order, as every caller builds them; others are sorted by
 * comparison). false when out of memory (k then holds the same records,
 * in some order). */
bool corr_sort_keyed(keyed *k, size_t n);
/* Sort plain values ascending in linear time (radix passes); the same
 * order a comparison sort gives (doubles with a -0.0 or a NaN are sorted
 * by comparison). */
void corr_sort_i64(int64_t *v, size_t n);
void corr_sort_doubles(double *v, size_t n);
/* Capture s's ICMP errors to its host by what they quote: the loose
 * identity of the quoted packet, or (quoted too short for one) its IP ID and
 * protocol; ts holds the error's rank in capture order. */
typedef struct corr_icmp_index {
	keyed *by_loose, *by_id;
	size_t nby_loose, nby_id;
} corr_icmp_index;

/* Build x for side s (roles assigned). IKS_OK or IKS_E_NOMEM; free with
 * corr_icmp_index_free (also after a failure). */
iks_status corr_icmp_index_build(const corr_ctx *c, int s, corr_icmp_index *x);
void corr_icmp_index_free(corr_icmp_index *x);
/* The first ICMP error (capture order) to side s's host that quotes u, as
 * a unit index; NO_MATCH when none. Two lookups, not a scan per packet. */
uint32_t corr_icmp_quoting(const corr_icmp_index *x, const trace_unit *u);

/* Units that can have a copy at the other end (not ICMP errors, not
 * incomplete datagrams). Inline: every pass over the units asks it. */
static inline bool corr_matchable(const trace_unit *u)
{
	return u->kind != UNIT_ICMP_ERROR && u->kind != UNIT_INCOMPLETE;
}
/* The k-th smallest of v[0..n) (k < n), in linear time on average:
 * reorders v so that what comes before index k is not larger and what
 * comes after is not smaller. The value sorting would put at k. */
double corr_select(double *v, size_t n, size_t k);
/* Median of v[0..n) (reorders v, as corr_select); 0 when n is 0. */
double corr_median(double *v, size_t n);
/* Time of a unit of side s on a's clock / expected arrival on the other
 * side's clock / an instant on a's clock (ns) on b's clock (from the model
 * of corr_clock.c, its steps included). */
double corr_to_a_clock(const corr_ctx *c, int side, int64_t ts);
double corr_expected_arrival(const corr_ctx *c, int side, int64_t ts);
double corr_to_b_clock(const corr_ctx *c, double ta);
/* Sum of b's clock steps at or before x (ns after t0, on a's clock). */
double corr_steps_before(const corr_ctx *c, double x);
/* Whether a unit sent by side s at ts is judged: the receiving capture
 * holds packets cover_margin before and after its expected arrival, and
 * that moment is in none of its gaps (coverage by evidence; the times and
 * gaps come from corr_checks.c). */
bool corr_covered(const corr_ctx *c, int side, int64_t ts);
/* Index of the first of side s's sorted times >= v. */
size_t corr_time_index(const corr_ctx *c, int s, double v);
/* Append a finding (zeroed, kind/severity/direction set); NULL at the cap
 * (counted, and reported once as an IKS_FIND_LIMIT finding). */
iks_finding *corr_add_finding(corr_ctx *c, int kind, int severity, int direction);
/* The limit finding of capture s's Delete SPIs past TRACE_DELETES_MAX
 * (none when none were turned away). */
void corr_deletes_cap_finding(corr_ctx *c, int s);
/* After every finding is made, before they are ordered and judged: when
 * findings_max turned findings away, one `limit` finding (one past the
 * cap) counting them. */
void corr_findings_cap_finding(corr_ctx *c);
/* Room for element n of *arr, an array of elem-sized entries whose room is
 * the power of two at or above n (at least 2) and grows with it: false
 * when out of memory (*arr unchanged). */
bool corr_room_pow2(void **arr, size_t n, size_t elem);
/* A new zeroed message at the end of e's; NULL out of memory, or at
 * IKS_EXCHANGE_MAX_MESSAGES (then *full is set). */
iks_ike_message *corr_exchange_add_message(iks_ike_exchange *e, bool *full);
/* The limit finding for `copies` copies of messages past the cap of
 * exchange e of negotiation n. */
void corr_exchange_cap_finding(corr_ctx *c, const iks_negotiation *n, const iks_ike_exchange *e,
			       uint32_t copies);
/* A finding's IKE identity: exchange e of negotiation n (has_ike set). */
void corr_finding_exchange(iks_finding *f, const iks_negotiation *n, const iks_ike_exchange *e);
/* A finding names the IKE message of unit u (if it is one). */
void corr_ike_identity(iks_finding *f, const iks_trace *t, const trace_unit *u);
/* A limit finding for each trace that reached a cap while it was loaded
 * (info.dropped: units or fragments past units_max, frames numbered past
 * 32 bits), naming the capture (side) and how many were not kept. */
void corr_trace_cap_findings(corr_ctx *c);
/* Findings ordered error, warning, information, each in the order found
 * (stable): verdict evidence indexes are then report positions. */
iks_status corr_order_findings(iks_correlation *o);
/* Verdicts under construction (verdicts.c, one_side_verdicts.c): appended
 * zeroed with their cause, direction and confidence ("certain"/"likely");
 * NULL when out of memory. `explained` counts, per side, the losses the
 * verdicts so far account for. corr_say writes one verdict sentence. */
typedef struct corr_vlist {
	iks_verdict *v;
	size_t n, cap;
	uint32_t explained[2];
} corr_vlist;
iks_verdict *corr_verdict_add(corr_vlist *l, int cause, int direction, const char *confidence);
void corr_say(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add a finding's index to a verdict's evidence, once (past
 * IKS_VERDICT_MAX_EVIDENCE it is not added). */
void corr_verdict_evidence(iks_verdict *v, size_t finding);

/* Append a unit that did not arrive (or not whole: rem is what the other
 * side holds of it) to its sender's lost list, with why (iks_lost_reason);
 * false when out of memory. */
bool corr_lost_add(corr_ctx *c, int side, const trace_unit *u, const trace_unit *rem,
		   uint8_t reason);

/* corr_hosts.c, step 1: the clock samples: units whose identity occurs
 * once on each side, byte-identical copies paired by IP ID, fragments
 * (malloc'd; NULL when out of memory). Step 2: which addresses are the two
 * hosts (hosts_known stays false when the captures share no IPsec
 * endpoint); then each unit's role; a sample's direction (0 a->b, 1 b->a,
 * -1 neither). */
corr_sample *corr_samples(corr_ctx *c, size_t *nsamples);
iks_status corr_learn_hosts(corr_ctx *c, const corr_sample *s, size_t ns);
void corr_assign_roles(corr_ctx *c);
int corr_sample_dir(const corr_ctx *c, const corr_sample *x);

/* corr_clock.c, step 3: offset, drift, delays, uncertainty, steps and
 * match window from the samples between the hosts; then the time both
 * captures cover. */
typedef struct corr_pt {
	double x, y; /* x = t_a - t0, y = t_b - t_a (ns) */
} corr_pt;
/* The samples as the clock reads them: those between the hosts by
 * direction (p[1] follows p[0] in one block), every other one apart (a
 * clock step is placed on any packet seen at both ends). 16 bytes a
 * sample, against 40 for the samples, which can go before the fit. */
typedef struct corr_clock_points {
	corr_pt *p[2];
	size_t n[2];
	corr_pt *other;
	size_t nother;
} corr_clock_points;
/* Fills *in (freed with corr_clock_points_free, also on failure) and the
 * fragment and retransmit counts of the clock estimate; IKS_E_NOMEM. */
iks_status corr_clock_points_make(corr_ctx *c, const corr_sample *s, size_t ns,
				  corr_clock_points *in);
void corr_clock_points_free(corr_clock_points *in);
/* Sorts the points of *in (and moves b's meanwhile); they stay owned by
 * the caller. */
iks_status corr_estimate_clock(corr_ctx *c, corr_clock_points *in);
void corr_coverage(corr_ctx *c);

/* corr_checks.c: capture checks (same-capture before matching; filtered
 * and not-covered after it) and the evidence of coverage they rest on. */
#define CHECK_F_ESP   0x01
#define CHECK_F_AH    0x02
#define CHECK_F_NATT  0x04  /* UDP 4500 */
#define CHECK_F_FRAGS 0x08
#define CHECK_F_OTHER 0x10  /* traffic that is not IPsec */
bool corr_same_capture(const corr_ctx *c, const corr_sample *s, size_t ns);
iks_status corr_checks_prepare(corr_ctx *c);
void corr_checks_free(corr_ctx *c);
iks_status corr_checks_gaps(corr_ctx *c);       /* after matching */
iks_status corr_checks_report(corr_ctx *c);
void corr_nothing_arrived(corr_ctx *c);

/* corr_other.c: the loss of traffic that is not IPsec, between any
 * addresses on the path (stats other_*, packet-loss findings marked
 * other_traffic). */
iks_status corr_other_traffic(corr_ctx *c);
/* Whether unit u of side s is of a kind the other capture was filtered of. */
bool corr_filtered_out(const corr_ctx *c, int side, const trace_unit *u);

/* negotiation.c: follow every IKE SA; adds IKE findings. */
iks_status corr_negotiations(corr_ctx *c);
/* groups.c: the packet groups (after matching); frees them. */
iks_status corr_groups(corr_ctx *c);
void corr_groups_free(iks_correlation *o);
/* findings.c: loss, fragments, ICMP, PMTU, NAT, modification, clock. */
iks_status corr_findings(corr_ctx *c);
/* corr_icmp.c: the ICMP fragmentation-needed / packet-too-big findings
 * (called by corr_findings). */
iks_status corr_icmp_findings(corr_ctx *c);
/* loss.c: the loss profile of each direction (after corr_findings), and
 * its IP datagram size band (0 .. IKS_SIZE_BANDS-1) of a size. */
void corr_loss_profile(corr_ctx *c);
unsigned corr_size_band(uint32_t size);
/* corr_fold.c: with opt.compact, after matching and before the findings,
 * fold the pairs no finding needs one by one (c->fold: their fate[] stays
 * 0, the passes taught skip them); frees them. IKS_OK or IKS_E_NOMEM. */
iks_status corr_fold_pairs(corr_ctx *c);
void corr_fold_free(corr_ctx *c);
/* The position of the last folded UDP unit side s sent to (addr_dst, dport)
 * from sport; SIZE_MAX: none. */
size_t corr_fold_last_to(const corr_ctx *c, int s, uint16_t addr_dst, uint16_t dport,
			 uint16_t sport);
/* Unit i of side s folded (false without folding). */
static inline bool corr_folded(const corr_ctx *c, int s, size_t i)
{
	return c->fold[s] && c->fold[s]->bit[i];
}
/* verdicts.c: the diagnosis from the findings and loss profiles (last step;
 * again after iks_correlation_use_log, with a ctx whose only field is out). */
iks_status corr_verdicts(corr_ctx *c);
/* corr_logs.c: record that unit `frame` of side s is message (xi, mi) of the
 * negotiation of k's version and initiator SPI (out of memory: not kept,
 * the logs then tie fewer copies); free what the logs added; the verdicts
 * the logs prove (daemon-dropped, before the path's: returns how many) and
 * their notes on every verdict (after all others). */
void corr_ikemap_add(iks_correlation *o, int side, uint64_t frame, const trace_ike *k, uint32_t xi,
		     uint16_t mi);
void corr_logs_free(iks_correlation *o);
size_t corr_log_verdicts(const iks_correlation *o, corr_vlist *l);
void corr_log_notes(const iks_correlation *o, corr_vlist *l);
/* corr_nat.c: NAT rebinding findings, and the units sent to the old
 * mapping that never arrived (c->stale; allocated here, freed by
 * iks_correlate). Runs before corr_findings. */
iks_status corr_nat_rebind(corr_ctx *c);
/* Own UDP ports the NAT rebinding check follows per side (corr_nat.c;
 * corr_fold.c folds only what it can tell the check skips). */
#define CORR_NAT_PORTS_MAX 8
/* corr_ctx.c, for corr_nat.c and corr_fold.c: whether a unit is UDP IPsec
 * (IKE, ESP or a keepalive on UDP); the SA identity it carries (an IKE SPI
 * pair or an ESP/AH SPI; 0: none). */
bool corr_udp_ipsec(const trace_unit *u);
uint64_t corr_sa_id(const iks_trace *t, const trace_unit *u);
/* corr_diff.c: for each modified packet, read both frames again (from the
 * traces' files) and list the changed bytes in its finding. */
iks_status corr_diff(corr_ctx *c);
/* corr_deletes.c: SAs deleted at one end and still used by the other
 * (bad-spi findings). */
iks_status corr_deleted_sas(corr_ctx *c);

static inline double ns_to_s(double ns) { return ns / 1e9; }

#endif
