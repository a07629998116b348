/* corr_html_internal.h - state shared by the parts of pcapcorrelate --html. */
#ifndef IKSTOOL_CORR_HTML_INTERNAL_H
#define IKSTOOL_CORR_HTML_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "correlate/corr_html.h"

#define HTML_ADDR_TABLE 64

/* A frame of one side's file and the group it belongs to; key: frame * 4 +
 * side * 2 + (0 sent, 1 received). */
typedef struct html_frame_group {
	uint64_t key;
	size_t idx;
} html_frame_group;

typedef struct html_ctx {
	FILE *o;
	const corr_input *in;
	const iks_correlation *c;
	const iks_packet_group *g;
	size_t ng;
	uint64_t gdropped;
	const iks_finding *f;
	size_t nf;
	size_t *forder;     /* findings, most severe first */
	size_t *fpos;       /* per finding (library index): its position in the page */
	bool *efirst;       /* per page position: its explanation is the page's first copy */
	size_t *fgroup;     /* per finding: its group, SIZE_MAX none */
	uint32_t *copy, *copies; /* per group: IKE copy number / copies of that message */
	size_t *ltoff;      /* per group: where its lost packets' times start in lt, SIZE_MAX none */
	double *lt;         /* send times of the lost packets of lost runs, on a's clock (epoch s) */
	html_frame_group *lmap; /* the lost packets of those runs: sender's frame -> group */
	size_t nlmap;
	double t0;          /* a's first packet, epoch s: the diagram's zero */
	iks_addr addrs[HTML_ADDR_TABLE];
	size_t naddrs;
	uint8_t exchanges[2][256]; /* IKEv1/v2 exchange types seen (their names go in once) */
} html_ctx;

/* corr_html_data.c: which group each finding names (fgroup), IKE copy
 * numbers (copy, copies); 0, or -1 when out of memory. */
int html_link_findings(html_ctx *h);
int html_number_copies(html_ctx *h);
/* corr_html_lost.c: the send time of every lost packet of a lost run (ltoff,
 * lt) and its frame (lmap), from the senders' captures; 0, or -1 when out of
 * memory. Before html_link_findings, which links findings through lmap. */
int html_lost_times(html_ctx *h);
/* The JSON data block the script draws from. */
void html_write_data(html_ctx *h);

/* Text helpers (corr_html.c). */

#endif
