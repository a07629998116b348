/* corr_report.h - pcapcorrelate's reports: text for people, one JSON document. */
#ifndef IKSTOOL_CORR_REPORT_H
#define IKSTOOL_CORR_REPORT_H

#include <stdio.h>

#include <ikescope/ikescope.h>

#include "common/hex.h"
#include "common/jsonw.h"
#include "common/logview.h"
#include "correlate/corr_events.h"

typedef struct corr_input {
	const char *path;
	iks_trace_info info;
	const char *warning;   /* e.g. the file was cut; NULL if none */
	logview *log;          /* this end's IKE log joined to its capture, or NULL */
	corr_events *events;   /* this end's IPsec audit events joined to its capture, or NULL */
} corr_input;

/* The receivers' logs on packets changed in transit (corr_icvlog.c): per
 * finding, the log line of the receiving host that reports discarding it on
 * its integrity check (NULL: none), and per host how many such lines its log
 * has and how many were tied. rec is NULL when no log was given. */
typedef struct corr_icv_ties {
	const iks_log_record **rec;
	uint32_t log_failures[2], tied[2];
} corr_icv_ties;
bool corr_icv_ties_make(const corr_input in[2], const iks_correlation *c, corr_icv_ties *t);
void corr_icv_ties_free(corr_icv_ties *t);

/* The report for people, and the same as one JSON document; both write
 * to `out` and read `in` and `c` only. */
void corr_report_text(FILE *out, const corr_input in[2], const iks_correlation *c);
void corr_report_json(FILE *out, const corr_input in[2], const iks_correlation *c);
/* The same document into w; hop >= 0 (a hop of a longer path) gives each
 * finding a "hop" member. One finding as the document writes it (hop
 * CORR_HOP_NULL: "hop": null, a finding of the path's ends). */
#define CORR_HOP_NULL (-2)
void corr_report_json_w(jsonw *w, const corr_input in[2], const iks_correlation *c, int hop);
void corr_json_finding(jsonw *w, const iks_correlation *c, const iks_finding *f,
		       const corr_input *in, const iks_log_record *tie, int hop);
/* The report of one capture alone (iks_diagnose): in[0] only. */
void corr_report_one_text(FILE *out, const corr_input *in, const iks_correlation *c);
/* Shared by the text reports: the findings numbered and grouped (b's
 * times read with offset_s). */
/* One negotiation's line (SPIs, initiator, outcome, why). */
void corr_text_negotiation(FILE *out, const iks_negotiation *n);
/* Past this many IKE SAs a text report lists and draws only those that did
 * not complete, and counts the rest (--json lists every one): thousands of
 * healthy SAs would bury the few that failed. */
#define CORR_TEXT_NEGS_ALL 50
/* Whether negotiation n of nn is listed and drawn in a text report. */
bool corr_text_shown(size_t nn, const iks_negotiation *n);
/* Every shown negotiation's line, then how many completed ones were not
 * shown (nothing when all were). */
void corr_text_negotiations(FILE *out, const iks_negotiation *negs, size_t nn);
/* The line that says how many completed negotiations a timeline leaves
 * out (nothing when none). */
void corr_text_not_drawn(FILE *out, const iks_negotiation *negs, size_t nn);
void corr_text_findings(FILE *out, const corr_input in[2], const iks_correlation *c,
			double offset_s);

/* The ends' logs and audit events (--log-a/-b, --events-a/-b): one summary
 * line per log, then the events; nothing when none was given. */
void corr_text_logs(FILE *out, const corr_input in[2], const iks_correlation *c);
/* Every negotiation's messages on one line each, a's clock on the left and
 * b's on the right, each with its line in the sender's and receiver's log
 * when given (the body of the report's "timeline" section). */
void corr_text_timelines(FILE *out, const corr_input in[2], const iks_correlation *c);

/* "13:02:45.096384" (UTC) from epoch seconds, "-" for none; into buf. */
const char *corr_clock_text(double t, char *buf, size_t len);
/* The exchange's name, or "exchange N" written into buf (24 bytes). */
const char *corr_exchange_name(int version, unsigned type, char *buf);

/* Shared by the reports: findings ordered error, warning, info. */
static inline int corr_severity_rank(int sev)
{
	return 2 - sev;
}

#endif
