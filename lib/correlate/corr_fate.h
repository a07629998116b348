/*
 * corr_fate.h - what became of each unit, kept in the correlation for
 * iks_correlation_frame_fate() and iks_correlation_time_on_a() (internal).
 */
#ifndef IKS_CORR_FATE_H
#define IKS_CORR_FATE_H

#include "correlate/correlate_internal.h"

typedef struct corr_fate_unit {
	uint64_t frame, first_frame; /* in its own file */
	int64_t ts;                  /* ns, own clock */
	uint64_t other_frame;        /* its copy's first frame at the other end, 0: none */
	int64_t other_ts;            /* ns, the other end's clock */
	uint8_t fate;                /* iks_frame_fate_kind */
} corr_fate_unit;

typedef struct corr_fates {
	bool kept;                   /* false: made with no_frame_fates, u[] not kept */
	corr_fate_unit *u[2];        /* sorted by frame */
	size_t n[2];
	double offset_ns, drift, t0_ns;
	double delay_ns[2];
} corr_fates;

/* Build c->out's fate tables from the matches (after the findings: the lost
 * lists must exist). IKS_OK or IKS_E_NOMEM. */
iks_status corr_keep_fates(corr_ctx *c);
void corr_fates_free(corr_fates *f);

#endif
