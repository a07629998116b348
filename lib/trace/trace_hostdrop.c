/*
 * trace_hostdrop.c - the table of host-dropped packets (see trace_hostdrop.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace_hostdrop.h"

static uint16_t name_index(trace_hostdrops *hd, const char *name)
{
	if (!name)
		return UINT16_MAX;
	for (uint16_t i = 0; i < hd->nnames; i++)
		if (strncmp(hd->names[i], name, TRACE_HOSTDROP_NAME_LEN - 1) == 0)
			return i;
	if (hd->nnames == TRACE_HOSTDROP_NAMES)
		return UINT16_MAX; /* more components than kept: unnamed */
	snprintf(hd->names[hd->nnames], TRACE_HOSTDROP_NAME_LEN, "%s", name);
	return hd->nnames++;
}

iks_status trace_hostdrop_add(trace_hostdrops *hd, const iks_packet *pkt)
{
	const iks_frame_meta *m = &pkt->meta;
	if (!m->present || !m->has_verdict)
		return IKS_OK;
	if (hd->n == TRACE_HOSTDROPS_MAX) {
		hd->over++;
		return IKS_OK;
	}
	if (hd->n == hd->cap) {
		size_t n = hd->cap ? hd->cap * 2 : 64;
		trace_hostdrop *p = realloc(hd->v, n * sizeof(*p));
		if (!p)
			return IKS_E_NOMEM;
		hd->v = p;
		hd->cap = n;
	}
	trace_hostdrop *e = &hd->v[hd->n++];
	memset(e, 0, sizeof(*e));
	e->frame = pkt->frame;
	e->ts = pkt->ts_sec * 1000000000 + (int64_t)pkt->ts_nsec;
	e->verdict = m->verdict;
	e->verdict_type = m->verdict_type;
	e->interface = m->verdict_interface;
	e->name = name_index(hd, m->verdict_name);
	if (m->verdict_name && e->name == UINT16_MAX)
		hd->names_lost++;
	e->proto = pkt->l.ip.present ? pkt->l.ip.proto : 0;
	if (pkt->l.esp.present)
		e->spi = pkt->l.esp.spi;
	else if (pkt->l.ah.present)
		e->spi = pkt->l.ah.spi;
	return IKS_OK;
}

const char *trace_hostdrop_name(const trace_hostdrops *hd, const trace_hostdrop *e)
{
	return e->name < hd->nnames ? hd->names[e->name] : "";
}

void trace_hostdrops_free(trace_hostdrops *hd)
{
	free(hd->v);
	hd->v = NULL;
	hd->n = hd->cap = 0;
}
