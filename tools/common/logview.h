/*
 * logview.h - ikedump --log: an IKE log (Oakley.log rotation set or
 * charon log) joined to the capture, shown next to the packets: each IKE
 * packet line names its log line (or "not in the log"), then the log
 * messages that are not in the capture and a summary. JSON keys are in
 * docs/json.md ("IKE log join").
 */
#ifndef IKSTOOL_LOGVIEW_H
#define IKSTOOL_LOGVIEW_H

#include <stdio.h>

#include <ikescope/ikescope.h>

#include "common/jsonw.h"

typedef struct logview logview;

/* Read the log files and join them to the IKE packets of a capture's trace
 * (iks_log_join_trace; pcapcorrelate: the trace it correlates, so the
 * capture is not read again). The trace must outlive nothing: the view
 * keeps no pointer to it. NULL with a one-line message in err
 * (IKS_ERRBUF_SIZE) on failure; a log cap reached is not a failure (see
 * the summary). */
logview *logview_new(const iks_trace *trace, const char *const *logs, size_t nlogs, char *err);
/* The same for ikedump, which prints while it reads and has no trace: read
 * the capture once before the main pass (same filter) for its IKE packets
 * only, then join. */
logview *logview_new_capture(const char *capture, const char *filter, const char *const *logs,
			     size_t nlogs, char *err);
void logview_free(logview *v);
/* The log and its join (to the capture the view was made with), borrowed
 * from the view: for iks_correlation_use_log. */
const iks_log *logview_log(const logview *v);
const iks_log_join *logview_join(const logview *v);

/* Called for every record of the main pass, in capture order: adds the
 * packet's log line to its formatted line (JSON: a "log" key). */
void logview_annotate(logview *v, const iks_packet *p, strbuf *line, bool json);

/* After the capture: the log messages not in the capture, then the summary
 * (JSON: one {"log_stats"} line, then {"log_summary"} as the last line). */
void logview_finish(logview *v, FILE *out, bool json);

/* Warnings for stderr (a cap reached while reading the log), or NULL. */
const char *logview_warning(const logview *v);

/* For pcapcorrelate: the log message joined to the IKE packet of a frame
 * (NULL: none, or not an IKE packet); "file:line time" of a message. */
const iks_log_msg *logview_msg_for_frame(const logview *v, uint64_t frame);
void logview_msg_where(const logview *v, const iks_log_msg *m, char *buf, size_t len);
/* A {"file","line","time","dir"} object for a message. */
void logview_msg_json(const logview *v, const iks_log_msg *m, jsonw *w);
/* The join's summary as one JSON object (the log_summary keys, plus
 * "files", "retransmits" and "failures"), and as text lines. */
void logview_summary_json(const logview *v, jsonw *w);
void logview_summary_text(const logview *v, FILE *out);
/* The log's records of inbound packets discarded on their integrity check
 * (charon "ESP decryption or ICV verification failed"), in log order, each
 * with its time on the capture's clock (epoch s: the middle of the logged
 * second plus the join's offset; 0 when unknown). Fills the first `max`;
 * returns how many there are. Records are borrowed from the view. */
size_t logview_icv_failures(const logview *v, const iks_log_record **rec, double *capture_s,
			    size_t max);
/* "file:line time" of a record, and a {"file","line","time","kind"} object. */
void logview_record_where(const logview *v, const iks_log_record *r, char *buf, size_t len);
void logview_record_json(const logview *v, const iks_log_record *r, jsonw *w);
/* The join's clock offset (capture time minus log time, ns) of an Oakley
 * log, the Windows host's own local clock; false for other logs or when
 * nothing matched. */
bool logview_oakley_offset(const logview *v, int64_t *offset_ns);

#endif
