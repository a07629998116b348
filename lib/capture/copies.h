/*
 * copies.h - merging the copies of one packet that a pcapng file holds at
 * several interfaces (pktmon, etl2pcapng: one copy per driver component,
 * all sharing epb_packetid) into one frame (internal; the rules are in
 * iks_capture_merge_copies() in ikescope/capture.h).
 */
#ifndef IKS_COPIES_H
#define IKS_COPIES_H

#include <ikescope/capture.h>

typedef struct copy_merger copy_merger;

/* Where the merger reads raw frames from: returns as iks_capture_next. */
typedef int (*copy_source)(void *src, iks_frame *frame);

copy_merger *copies_new(void);
void copies_free(copy_merger *m);

/* Next merged frame: 1, 0 at the end, or the source's negative status
 * (returned after the frames read before it have come out). frame->data
 * and the strings of frame->meta are valid until the next call. */
int copies_next(copy_merger *m, copy_source read, void *src, iks_frame *frame);

/* Packets returned early (the ring full before their window ended) and
 * copies that came after their packet was returned early. */
void copies_stats(const copy_merger *m, uint64_t *released_early, uint64_t *split);

#endif
