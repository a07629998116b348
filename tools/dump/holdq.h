/*
 * holdq.h - output lines held back until the frame that completes their
 * IP datagram is known.
 *
 * A fragment's line names the frame that completes its datagram, which
 * comes later in the capture (or never). Lines are queued in frame order;
 * the head is written as soon as it is not waiting. A datagram leaves the
 * decoder complete, or given up (an incomplete-datagram event), within the
 * decoder's reassembly timeout and caps, so the queue stays short; it also
 * has its own cap, past which the oldest waiting line is written with the
 * datagram unknown.
 */
#ifndef IKSTOOL_HOLDQ_H
#define IKSTOOL_HOLDQ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct holdq holdq;

/* `show_all`: write every line; otherwise a line is written only when it,
 * or another fragment of its datagram, is marked relevant. */
holdq *holdq_new(FILE *out, size_t max_lines, bool show_all, bool json);
void holdq_free(holdq *q);

/* Queue a line of len bytes, its newline included (copied; it need not be
 * NUL-terminated). `waits`: the line holds FMT_DATAGRAM_MARK, to be
 * replaced by the frame that completes datagram_id (a line without it is
 * written as it is). datagram_id 0: the line waits for nothing. Returns
 * false when out of memory. */
bool holdq_add(holdq *q, const char *line, size_t len, uint64_t datagram_id, bool waits, bool relevant);

/* The datagram completed in frame `frame` (0: it was given up);
 * `relevant` marks every line of it as relevant. */
void holdq_resolve(holdq *q, uint64_t datagram_id, uint64_t frame, bool relevant);

/* Write everything still queued (unresolved datagrams as unknown). */
void holdq_flush_all(holdq *q);

/* Lines written early because of the cap. */
uint64_t holdq_forced(const holdq *q);

#endif
