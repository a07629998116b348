/*
 * trace_hostdrop.h - packets the capturing host itself dropped (internal).
 *
 * A Windows capture (pktmon, etl2pcapng) marks a packet that a component
 * inside the host dropped (WFP, IPsec: an unknown SPI, ...) with
 * epb_verdict on the copy at that component. Once copies are merged
 * (iks_capture_merge_copies) the verdict rides on the wire-side frame, which
 * the trace keeps as a normal unit: the packet did arrive. This table only
 * remembers which frames the host dropped, why and where.
 */
#ifndef IKS_TRACE_HOSTDROP_H
#define IKS_TRACE_HOSTDROP_H

#include <ikescope/packet.h>

#define TRACE_HOSTDROPS_MAX 100000   /* entries kept; more are counted */
#define TRACE_HOSTDROP_NAMES 64      /* distinct component names kept */
#define TRACE_HOSTDROP_NAME_LEN 64   /* bytes of a name kept (with its NUL) */

typedef struct trace_hostdrop {
	uint64_t frame;
	int64_t ts;            /* ns */
	uint64_t verdict;
	uint32_t interface;    /* the component's interface index */
	uint16_t name;         /* index into names, or UINT16_MAX */
	uint8_t verdict_type;
	uint8_t proto;         /* IP protocol of the packet (0: not IP) */
	uint32_t spi;          /* ESP/AH SPI when present */
} trace_hostdrop;

typedef struct trace_hostdrops {
	trace_hostdrop *v;
	size_t n, cap;
	uint64_t over;         /* past TRACE_HOSTDROPS_MAX */
	uint64_t names_lost;   /* entries whose component name was not kept (a
				  TRACE_HOSTDROP_NAMES-th distinct name came before) */
	char names[TRACE_HOSTDROP_NAMES][TRACE_HOSTDROP_NAME_LEN];
	uint16_t nnames;
} trace_hostdrops;

/* Record pkt when it carries a verdict. IKS_OK or IKS_E_NOMEM. */
iks_status trace_hostdrop_add(trace_hostdrops *hd, const iks_packet *pkt);

/* The component name of an entry ("" when unnamed). */
const char *trace_hostdrop_name(const trace_hostdrops *hd, const trace_hostdrop *e);

void trace_hostdrops_free(trace_hostdrops *hd);

#endif
