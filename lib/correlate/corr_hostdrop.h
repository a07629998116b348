/*
 * corr_hostdrop.h - host-drop findings (internal): packets the capturing
 * host dropped itself, from the traces' epb_verdict tables.
 */
#ifndef IKS_CORR_HOSTDROP_H
#define IKS_CORR_HOSTDROP_H

#include "correlate/correlate_internal.h"

/* One IKS_FIND_HOST_DROP finding per side, verdict and component, and the
 * host_dropped_a/_b counts in the stats. */
void corr_hostdrop_findings(corr_ctx *c);

#endif
