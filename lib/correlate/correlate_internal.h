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

typedef struct corr_ctx {
	const iks_trace *t[2];
	iks_correlate_options opt;
	uint32_t *match[2];    /* per unit: index of its copy in the other trace */
	uint8_t *role[2];
	uint8_t *modified[2];  /* matched only loosely: bytes changed in transit */
	uint8_t *fate[2];      /* per unit sent by that side: iks_fate (0: not judged as sent;
				  set by corr_findings) */
	bool hosts_known;
	uint32_t host[2], peer[2]; /* address indices in each trace */
	/* clock: t_b = t_a + offset + drift * (t_a - t0) */
	double offset_ns, drift, t0_ns;
	double delay_ns[2];    /* one-way delay of what side s sends */
	double window_ns;
	int64_t cover_from_ns, cover_to_ns; /* overlap on a's clock */
	uint8_t *stale[2];     /* per unit: sent to a NAT mapping the path had replaced (corr_nat.c) */
	corr_modified *mods;   /* findings.c fills, corr_diff.c reads; freed by iks_correlate */
	size_t nmods, cap_mods;
	iks_correlation *out;
} corr_ctx;

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
};

/* A unit's identity (exact or loose digest), time and index, sortable. */
typedef struct keyed {
	uint64_t key;
	int64_t ts;
	uint32_t idx;
} keyed;

/* A unit of trace a and its copy in trace b. */
typedef struct pair {
	uint32_t a, b;
} pair;

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
/* Units that can have a copy at the other end (not ICMP errors, not
 * incomplete datagrams). */
bool corr_matchable(const trace_unit *u);
/* Median of v[0..n) (sorts v); 0 when n is 0. */
double corr_median(double *v, size_t n);
/* Time of a unit of side s on a's clock / expected arrival on the other
 * side's clock (from the estimate of corr_clock.c). */
double corr_to_a_clock(const corr_ctx *c, int side, int64_t ts);
double corr_expected_arrival(const corr_ctx *c, int side, int64_t ts);
/* Whether a unit sent by side s at ts is inside the overlap. */
bool corr_covered(const corr_ctx *c, int side, int64_t ts);
/* Append a finding (zeroed, kind/severity/direction set); NULL at the cap
 * (counted, and reported once as an IKS_FIND_LIMIT finding). */
iks_finding *corr_add_finding(corr_ctx *c, int kind, int severity, int direction);
/* A finding names the IKE message of unit u (if it is one). */
void corr_ike_identity(iks_finding *f, const iks_trace *t, const trace_unit *u);
/* Findings ordered error, warning, information, each in the order found
 * (stable): verdict evidence indexes are then report positions. */
iks_status corr_order_findings(iks_correlation *o);

/* corr_hosts.c, step 1: identities that occur exactly once on each side
 * (malloc'd; NULL when out of memory). Step 2: which addresses are the two
 * hosts (IKS_E_... when the captures share nothing that says); then each
 * unit's role. */
pair *corr_unique_pairs(const corr_ctx *c, size_t *npairs);
iks_status corr_learn_hosts(corr_ctx *c, const pair *p, size_t np);
void corr_assign_roles(corr_ctx *c);

/* corr_clock.c, step 3: offset, delays, drift and match window from the
 * pairs; then the time both captures cover. */
iks_status corr_estimate_clock(corr_ctx *c, const pair *p, size_t np);
void corr_coverage(corr_ctx *c);

/* negotiation.c: follow every IKE SA; adds IKE findings. */
iks_status corr_negotiations(corr_ctx *c);
/* groups.c: the packet groups (after matching); frees them. */
iks_status corr_groups(corr_ctx *c);
void corr_groups_free(iks_correlation *o);
/* findings.c: loss, fragments, ICMP, PMTU, NAT, modification, clock. */
iks_status corr_findings(corr_ctx *c);
/* loss.c: the loss profile of each direction (after corr_findings). */
void corr_loss_profile(corr_ctx *c);
/* verdicts.c: the diagnosis from the findings and loss profiles (last step). */
iks_status corr_verdicts(corr_ctx *c);
/* corr_nat.c: NAT rebinding findings, and the units sent to the old
 * mapping that never arrived (c->stale; allocated here, freed by
 * iks_correlate). Runs before corr_findings. */
iks_status corr_nat_rebind(corr_ctx *c);
/* corr_diff.c: for each modified packet, read both frames again (from the
 * traces' files) and list the changed bytes in its finding. */
iks_status corr_diff(corr_ctx *c);
/* corr_deletes.c: SAs deleted at one end and still used by the other
 * (bad-spi findings). */
iks_status corr_deleted_sas(corr_ctx *c);

static inline double ns_to_s(double ns) { return ns / 1e9; }

#endif
