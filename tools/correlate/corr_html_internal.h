/* corr_html_internal.h - state shared by the parts of pcapcorrelate --html. */
#ifndef IKSTOOL_CORR_HTML_INTERNAL_H
#define IKSTOOL_CORR_HTML_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "correlate/corr_html.h"

#define HTML_ADDR_TABLE 64

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
	size_t *fgroup;     /* per finding: its group, SIZE_MAX none */
	uint32_t *copy, *copies; /* per group: IKE copy number / copies of that message */
	double t0;          /* a's first packet, epoch s: the diagram's zero */
	iks_addr addrs[HTML_ADDR_TABLE];
	size_t naddrs;
	uint8_t exchanges[2][256]; /* IKEv1/v2 exchange types seen (their names go in once) */
} html_ctx;

/* corr_html_data.c: which group each finding names (fgroup), IKE copy
 * numbers (copy, copies); 0, or -1 when out of memory. */
int html_link_findings(html_ctx *h);
int html_number_copies(html_ctx *h);
/* The JSON data block the script draws from. */
void html_write_data(html_ctx *h);

/* Text helpers (corr_html.c). */

#endif
