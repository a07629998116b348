/* corr_report.h - pcapcorrelate's reports: text for people, one JSON document. */
#ifndef IKSTOOL_CORR_REPORT_H
#define IKSTOOL_CORR_REPORT_H

#include <stdio.h>

#include <ikescope/ikescope.h>

#include "logview.h"
#include "corr_events.h"

typedef struct corr_input {
	const char *path;
	iks_trace_info info;
	const char *warning;   /* e.g. the file was cut; NULL if none */
	logview *log;          /* this end's IKE log joined to its capture, or NULL */
	corr_events *events;   /* this end's IPsec audit events joined to its capture, or NULL */
} corr_input;

void corr_report_text(FILE *out, const corr_input in[2], const iks_correlation *c);
void corr_report_json(FILE *out, const corr_input in[2], const iks_correlation *c);

#endif
