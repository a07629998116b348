/* one_side.h - the steps of iks_diagnose (one capture alone), shared by
 * one_side.c (the host and the orchestration), one_side_ike.c (the
 * negotiations as this side saw them), one_side_packets.c (fragments,
 * ICMP, ICV failures, stale SAs) and one_side_verdicts.c (internal). */
#ifndef IKS_ONE_SIDE_H
#define IKS_ONE_SIDE_H

#include "correlate/correlate_internal.h"

/* From the capturing host's view: a (host[0]) sends "out", receives "in". */
#define OUT IKS_DIR_A_TO_B
#define IN IKS_DIR_B_TO_A

/* The direction of a unit between the host and its peer, or unknown. */
static inline int dir_of(const corr_ctx *c, const trace_unit *u)
{
	if (u->addr_src == c->host[0] && u->addr_dst == c->peer[0])
		return OUT;
	if (u->addr_src == c->peer[0] && u->addr_dst == c->host[0])
		return IN;
	return IKS_DIR_UNKNOWN;
}

/* one_side_ike.c: follow every IKE SA the host took part in (negotiations
 * and their repeat / no-answer findings). */
iks_status one_side_negotiations(corr_ctx *c);
/* one_side_packets.c: the peer's datagrams missing pieces (by position);
 * ICMP frag-needed that reached the host and how many DF packets above the
 * MTU it sent later (*ignored, the ICMP's frame in *which); the peer's
 * packets that failed their ICV (returns how many); ESP the peer sent on an
 * SA the host deleted, or on one the capture never produced. */
void one_side_fragments(corr_ctx *c);
void one_side_icmp(corr_ctx *c, uint32_t *ignored, uint64_t *which);
uint32_t one_side_icv(corr_ctx *c);
iks_status one_side_stale(corr_ctx *c); /* IKS_OK or IKS_E_NOMEM */
/* ESP/AH the peer sent on an SPI no negotiation in the capture produced
 * (IKS_FIND_BAD_SPI with delete_frame 0; notify 11 and frame_b when the
 * host answered INVALID_SPI); IKS_E_NOMEM. */
iks_status one_side_unknown_spi(corr_ctx *c);
/* one_side_verdicts.c: the verdicts, certain or likely. */
iks_status one_side_verdicts(corr_ctx *c, uint32_t icmp_ignored, const iks_finding *icmp,
			     uint32_t icv_bad);

#endif
