/* corr_events.h - pcapcorrelate --events-a/--events-b: each host's IPsec
 * audit events (541/542/543/547) joined to its capture, in text and JSON
 * (keys in docs/json.md, "Audit events"). */
#ifndef IKSTOOL_CORR_EVENTS_H
#define IKSTOOL_CORR_EVENTS_H

#include <stdio.h>

#include <ikescope/ikescope.h>

#include "common/jsonw.h"
#include "common/logview.h"

typedef struct corr_events corr_events;

/* Read the export and join it to the capture's trace. `offset_s` (when
 * has_offset) is capture time minus event time; else the offset of the
 * host's Oakley log join when `log` has one (same local clock), else it is
 * learned from the 541 SPIs. NULL with a one-line message in err
 * (IKS_ERRBUF_SIZE). */
corr_events *corr_events_new(const char *path, const iks_trace *t, bool has_offset,
			     double offset_s, const logview *log, char *err);
void corr_events_free(corr_events *ev);
/* A cap reached while reading, for stderr; NULL if none. */
const char *corr_events_warning(const corr_events *ev);

/* The side's events: a summary line, then one line per event. */
void corr_events_text(FILE *out, const corr_events *ev, char side, const iks_correlation *c);
/* The side's events as one JSON object. */
void corr_events_json(jsonw *w, const corr_events *ev, const iks_correlation *c);

#endif
