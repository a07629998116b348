/* fixture.h - access to the captures in captures/ for the unit tests. */
#ifndef IKS_TEST_FIXTURE_H
#define IKS_TEST_FIXTURE_H

#include <stddef.h>

#include <ikescope/ikescope.h>

/* Path of a capture in $IKS_CAPTURES (set by make check), in buf. */
const char *fixture_path(const char *name, char *buf, size_t len);

/* A whole capture decoded with a default decoder: records by value in frame
 * order (frag.frames is copied into frag_frames), then the events. */
typedef struct fixture_capture {
	iks_packet *pkts;
	size_t npkts;
	uint64_t (*frag_frames)[16]; /* per record, the first 16 of frag.frames */
	iks_event *events;
	size_t nevents;
	iks_decoder_stats stats;
	int end_status;              /* what iks_capture_next returned last */
} fixture_capture;

/* Decode the named capture; aborts the test on failure to open it. */
void fixture_load(const char *name, fixture_capture *fc);
/* The record of frame number `frame` (NULL if filtered out / absent). */
const iks_packet *fixture_frame(const fixture_capture *fc, uint64_t frame);
void fixture_free(fixture_capture *fc);

/* Read frame `frame` of a capture into a malloc'd buffer (raw bytes,
 * including the link header); returns its length, sets *linktype. */
size_t fixture_raw_frame(const char *name, uint64_t frame, uint8_t **data, int *linktype);

/* A capture decoded into a correlation trace, as if its clock were shifted
 * by shift_s and it had only run from `from_s` to `to_s` (epoch seconds
 * before the shift, 0: no limit). Aborts the test when it cannot be read. */
iks_trace *fixture_trace(const char *name, double shift_s, double from_s, double to_s);

#endif
