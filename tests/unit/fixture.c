/* fixture.c - decoding the captures in captures/ for the unit tests. */
#include "fixture.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fixture_path(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("IKS_CAPTURES");
	snprintf(buf, len, "%s/%s", dir ? dir : "captures", name);
	return buf;
}

void fixture_load(const char *name, fixture_capture *fc)
{
	char path[1024], err[IKS_ERRBUF_SIZE];
	memset(fc, 0, sizeof(*fc));
	iks_capture *cap = iks_capture_open(fixture_path(name, path, sizeof(path)), NULL, err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_decoder *dec = iks_decoder_new(NULL);
	ck_assert_ptr_nonnull(dec);
	size_t cap_pkts = 0, cap_ev = 0;
	iks_frame f;
	iks_event ev;
	int rc;
	while ((rc = iks_capture_next(cap, &f)) == 1) {
		if (fc->npkts == cap_pkts) {
			cap_pkts = cap_pkts ? cap_pkts * 2 : 256;
			fc->pkts = realloc(fc->pkts, cap_pkts * sizeof(*fc->pkts));
			fc->frag_frames = realloc(fc->frag_frames, cap_pkts * sizeof(*fc->frag_frames));
			ck_assert(fc->pkts && fc->frag_frames);
		}
		iks_packet *p = &fc->pkts[fc->npkts];
		ck_assert_int_eq(iks_decode(dec, &f, p), IKS_OK);
		memset(fc->frag_frames[fc->npkts], 0, sizeof(fc->frag_frames[0]));
		for (unsigned i = 0; i < p->frag.fragment_count && i < 16; i++)
			fc->frag_frames[fc->npkts][i] = p->frag.frames[i];
		p->frag.frames = NULL;
		fc->npkts++;
	}
	fc->end_status = rc;
	iks_decoder_finish(dec);
	while (iks_decoder_next_event(dec, &ev) == 1) {
		if (fc->nevents == cap_ev) {
			cap_ev = cap_ev ? cap_ev * 2 : 16;
			fc->events = realloc(fc->events, cap_ev * sizeof(*fc->events));
			ck_assert_ptr_nonnull(fc->events);
		}
		fc->events[fc->nevents++] = ev;
	}
	iks_decoder_get_stats(dec, &fc->stats);
	iks_decoder_free(dec);
	iks_capture_close(cap);
}

const iks_packet *fixture_frame(const fixture_capture *fc, uint64_t frame)
{
	for (size_t i = 0; i < fc->npkts; i++)
		if (fc->pkts[i].frame == frame)
			return &fc->pkts[i];
	return NULL;
}

void fixture_free(fixture_capture *fc)
{
	free(fc->pkts);
	free(fc->frag_frames);
	free(fc->events);
	memset(fc, 0, sizeof(*fc));
}

size_t fixture_raw_frame(const char *name, uint64_t frame, uint8_t **data, int *linktype)
{
	char path[1024], err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(fixture_path(name, path, sizeof(path)), NULL, err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_frame f;
	size_t len = 0;
	*data = NULL;
	while (iks_capture_next(cap, &f) == 1) {
		if (f.number != frame)
			continue;
		*data = malloc(f.caplen ? f.caplen : 1);
		ck_assert_ptr_nonnull(*data);
		memcpy(*data, f.data, f.caplen);
		len = f.caplen;
		*linktype = f.linktype;
		break;
	}
	iks_capture_close(cap);
	ck_assert_msg(*data != NULL, "%s has no frame %llu", name, (unsigned long long)frame);
	return len;
}

iks_trace *fixture_trace(const char *name, double shift_s, double from_s, double to_s)
{
	char path[1024], err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(fixture_path(name, path, sizeof(path)), NULL, err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_trace *t = iks_trace_new(NULL);
	iks_decoder *dec = iks_decoder_new(NULL);
	ck_assert(t && dec);
	iks_frame f;
	iks_packet p;
	iks_event ev;
	int64_t shift_ns = (int64_t)llround(shift_s * 1e9);
	while (iks_capture_next(cap, &f) == 1) {
		double t_s = (double)f.ts_sec + f.ts_nsec / 1e9;
		if ((from_s > 0 && t_s < from_s) || (to_s > 0 && t_s > to_s))
			continue;
		int64_t ns = f.ts_sec * 1000000000LL + f.ts_nsec + shift_ns;
		f.ts_sec = ns / 1000000000LL;
		f.ts_nsec = (uint32_t)(ns % 1000000000LL);
		iks_decode(dec, &f, &p);
		while (iks_decoder_next_event(dec, &ev) == 1)
			iks_trace_add_event(t, &ev);
		ck_assert_int_eq(iks_trace_add_packet(t, &p), IKS_OK);
	}
	iks_decoder_finish(dec);
	while (iks_decoder_next_event(dec, &ev) == 1)
		iks_trace_add_event(t, &ev);
	iks_decoder_free(dec);
	iks_capture_close(cap);
	return t;
}
