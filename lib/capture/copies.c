/*
 * copies.c - one frame per packet from a capture that holds each packet at
 * several interfaces (see copies.h).
 *
 * A ring of up to IKS_COPIES_PENDING groups in the order of their first
 * copy. A frame with a packet id joins the pending group with that id, or
 * starts one; a frame without one is a group of its own. The oldest group
 * comes out once the newest frame read is IKS_COPIES_WINDOW_NS past its
 * first copy, when the ring is full, or at the end of the input. Each group
 * owns a copy of the bytes of the frame it will return.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capture/copies.h"

typedef struct copy_group {
	iks_frame frame;       /* the copy kept; data points at buf */
	uint8_t *buf;
	size_t bufcap;
	char *comment;         /* owned copy of the kept frame's comment */
	size_t comment_cap;
	int64_t first_ns;
	bool has_id;
	uint64_t id;
} copy_group;

struct copy_merger {
	copy_group q[IKS_COPIES_PENDING];
	size_t head, count;
	int64_t newest_ns;     /* latest first-copy time seen */
	bool eof;
	int pending_error;     /* the source's failure, returned once the ring is empty */
	char *out_comment;     /* what the last returned frame's comment points at */
	size_t out_cap;
	/* the ring full: packets returned before their window ended, and the ids
	 * of the last IKS_COPIES_PENDING of them, to count their later copies */
	uint64_t released_early, split;
	uint64_t early_ids[IKS_COPIES_PENDING];
	int64_t early_ns[IKS_COPIES_PENDING]; /* first-copy time of each */
	size_t nearly, early_next;
};

copy_merger *copies_new(void)
{
	return calloc(1, sizeof(copy_merger));
}

void copies_free(copy_merger *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < IKS_COPIES_PENDING; i++) {
		free(m->q[i].buf);
		free(m->q[i].comment);
	}
	free(m->out_comment);
	free(m);
}

static int64_t ns_of(const iks_frame *f)
{
	return f->ts_sec * 1000000000 + (int64_t)f->ts_nsec;
}

static bool keep_text(char **dst, size_t *cap, const char *s)
{
	size_t n = strlen(s) + 1;
	if (*cap < n) {
		char *p = realloc(*dst, n);
		if (!p)
			return false;
		*dst = p;
		*cap = n;
	}
	memcpy(*dst, s, n);
	return true;
}

/* Make `f` the frame group g returns (its bytes and comment copied). */
static bool take(copy_group *g, const iks_frame *f)
{
	iks_frame_meta keep = g->frame.meta; /* the copy list built so far */
	if (g->bufcap < f->caplen) {
		uint8_t *p = realloc(g->buf, f->caplen);
		if (!p)
			return false;
		g->buf = p;
		g->bufcap = f->caplen;
	}
	if (f->caplen)
		memcpy(g->buf, f->data, f->caplen);
	if (f->meta.comment && !keep_text(&g->comment, &g->comment_cap, f->meta.comment))
		return false;
	bool first = g->frame.meta.ncopies == 0;
	g->frame = *f;
	g->frame.data = g->buf;
	g->frame.meta.comment = f->meta.comment ? g->comment : NULL;
	if (!first) {
		g->frame.meta.ncopies = keep.ncopies;
		memcpy(g->frame.meta.copy_interfaces, keep.copy_interfaces,
		       sizeof(keep.copy_interfaces));
		memcpy(g->frame.meta.copy_names, keep.copy_names, sizeof(keep.copy_names));
		if (keep.has_verdict && !f->meta.has_verdict) {
			g->frame.meta.has_verdict = true;
			g->frame.meta.verdict_type = keep.verdict_type;
			g->frame.meta.verdict = keep.verdict;
			g->frame.meta.verdict_interface = keep.verdict_interface;
			g->frame.meta.verdict_name = keep.verdict_name;
		}
		/* the direction is the packet's: that of its first copy */
		g->frame.meta.direction = keep.direction;
	}
	return true;
}

/* Add a copy to group g (the first one, or a later one). */
static bool add_copy(copy_group *g, const iks_frame *f)
{
	iks_frame_meta *m = &g->frame.meta;
	bool first = m->ncopies == 0;
	/* the copy nearest the wire: the first one seen, except for a sent
	 * packet, which reaches the wire last */
	bool replace = first || (m->direction == IKS_CAPDIR_OUT && !f->meta.has_verdict);
	if (replace && !take(g, f))
		return false;
	if (!replace && f->meta.has_verdict && !m->has_verdict) {
		m->has_verdict = true;
		m->verdict_type = f->meta.verdict_type;
		m->verdict = f->meta.verdict;
		m->verdict_interface = f->meta.interface;
		m->verdict_name = f->meta.if_name;
	}
	if (first && f->meta.has_verdict) {
		m->verdict_interface = f->meta.interface;
		m->verdict_name = f->meta.if_name;
	}
	if (m->ncopies < IKS_FRAME_MAX_COPIES) {
		m->copy_interfaces[m->ncopies] = f->meta.interface;
		m->copy_names[m->ncopies] = f->meta.if_name;
	}
	if (m->ncopies < UINT16_MAX)
		m->ncopies++;
	return true;
}

static copy_group *find(copy_merger *m, uint64_t id)
{
	for (size_t k = 0; k < m->count; k++) {
		copy_group *g = &m->q[(m->head + k) % IKS_COPIES_PENDING];
		if (g->has_id && g->id == id)
			return g;
	}
	return NULL;
}

/* A copy with a packet id of no pending group: one of a packet returned
 * early, within its window? */
static bool released_early(const copy_merger *m, uint64_t id, int64_t ns)
{
	for (size_t k = 0; k < m->nearly; k++)
		if (m->early_ids[k] == id && ns - m->early_ns[k] <= IKS_COPIES_WINDOW_NS)
			return true;
	return false;
}

void copies_stats(const copy_merger *m, uint64_t *early, uint64_t *split)
{
	*early = m ? m->released_early : 0;
	*split = m ? m->split : 0;
}

static int emit(copy_merger *m, iks_frame *frame)
{
	copy_group *g = &m->q[m->head];
	if (!m->eof && m->count == IKS_COPIES_PENDING && g->has_id &&
	    m->newest_ns - g->first_ns <= IKS_COPIES_WINDOW_NS) {
		/* out before its window ended: a later copy becomes a frame */
		m->released_early++;
		m->early_ids[m->early_next] = g->id;
		m->early_ns[m->early_next] = g->first_ns;
		m->early_next = (m->early_next + 1) % IKS_COPIES_PENDING;
		if (m->nearly < IKS_COPIES_PENDING)
			m->nearly++;
	}
	*frame = g->frame;
	if (g->frame.meta.comment) {
		/* the slot may be reused before the caller is done: hand out a copy */
		if (!keep_text(&m->out_comment, &m->out_cap, g->frame.meta.comment))
			return IKS_E_NOMEM;
		frame->meta.comment = m->out_comment;
	}
	m->head = (m->head + 1) % IKS_COPIES_PENDING;
	m->count--;
	return 1;
}

int copies_next(copy_merger *m, copy_source read, void *src, iks_frame *frame)
{
	for (;;) {
		if (m->count > 0) {
			const copy_group *h = &m->q[m->head];
			if (m->eof || m->count == IKS_COPIES_PENDING ||
			    m->newest_ns - h->first_ns > IKS_COPIES_WINDOW_NS)
				return emit(m, frame);
		}
		if (m->eof)
			return m->pending_error;
		/* with nothing pending, read straight into the caller's frame */
		iks_frame local;
		iks_frame *fp = m->count == 0 ? frame : &local;
		int rc = read(src, fp);
		if (rc <= 0) {
			m->eof = true;
			m->pending_error = rc;
			continue;
		}
		int64_t ns = ns_of(fp);
		if (m->count == 0 && !fp->meta.has_packet_id) {
			/* a group of its own with nothing pending before it (every
			 * frame of a file without packet ids): out as it is, without
			 * copying its bytes (valid until the next read, as the
			 * source's frames are) */
			m->newest_ns = ns;
			iks_frame_meta *fm = &frame->meta;
			if (fm->has_verdict) {
				fm->verdict_interface = fm->interface;
				fm->verdict_name = fm->if_name;
			}
			fm->ncopies = 1;
			fm->copy_interfaces[0] = fm->interface;
			fm->copy_names[0] = fm->if_name;
			return 1;
		}
		const iks_frame f = *fp; /* the caller's frame is written by emit() below */
		copy_group *g = f.meta.has_packet_id ? find(m, f.meta.packet_id) : NULL;
		if (!g && f.meta.has_packet_id && m->released_early &&
		    released_early(m, f.meta.packet_id, ns))
			m->split++;
		if (!g) {
			g = &m->q[(m->head + m->count) % IKS_COPIES_PENDING];
			g->frame.meta.ncopies = 0;
			g->has_id = f.meta.has_packet_id;
			g->id = f.meta.packet_id;
			g->first_ns = ns;
			m->count++;
			if (ns > m->newest_ns || m->count == 1)
				m->newest_ns = ns;
		}
		if (!add_copy(g, &f))
			return IKS_E_NOMEM;
	}
}
