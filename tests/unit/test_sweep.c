/*
 * test_sweep.c - deterministic hostile-input sweeps over the frames of
 * every capture in captures/: each frame cut at every length and with
 * every byte flipped (two ways), decoded by iks_decode_buffer() from an
 * exact-size copy (so that the sanitizer build catches any over-read),
 * and checked with the fuzz invariants (tests/fuzz/invariants.c). Every
 * whole IKE message gets the same through iks_ike_decode().
 *
 * Cut frames also assert: a frame whose IP packet decoded without error
 * reports IKS_E_TRUNCATED, never OK or MALFORMED, when cut anywhere before
 * the end of its IP packet; a cut IKE message is MALFORMED at the precise
 * offset (iks_ike_decode takes its input as the whole message).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "fuzz/fuzz.h"
#include "suites.h"

/* Frames swept per capture: keeps the sweep near 10 s without sanitizers. */
#define FRAMES_PER_CAPTURE 400

typedef struct sweep_count {
	unsigned long frames, decodes, ike_msgs, cuts_checked;
} sweep_count;

static iks_packet pkt; /* large: not on the stack */

/* Check's ck_assert* write a record to its log on every call, passed or
 * not: millions of write() calls, which made this sweep take 77 s. The
 * checks in the loops below report only a failure (with its message, as
 * ck_assert_msg does). */
#define SWEEP_CHECK(cond, ...)                      \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

/* Decode n bytes placed at the end of `scratch` (cap bytes, malloc'd), so
 * that any read past them hits the sanitizer's redzone. */
static void decode_at_end(int lt, uint8_t *scratch, size_t cap, const uint8_t *data, size_t n,
			  const char *what)
{
	uint8_t *at = scratch + (cap - n);
	memmove(at, data, n);
	iks_status st = iks_decode_buffer(lt, at, n, &pkt);
	SWEEP_CHECK(st == IKS_OK, "%s: iks_decode_buffer returned %d", what, st);
	const char *v = fuzz_check_packet(&pkt, at, n, true);
	SWEEP_CHECK(v == NULL, "%s: %s", what, v);
}

static void sweep_ike(const uint8_t *msg, size_t len, const char *where, sweep_count *c)
{
	iks_ike_info ike;
	uint8_t *copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	for (size_t n = 0; n < len; n++) {
		uint8_t *at = copy + (len - n);
		memmove(at, msg, n);
		iks_status st = iks_ike_decode(at, n, &ike);
		const char *v = fuzz_check_ike(&ike, n);
		SWEEP_CHECK(v == NULL, "%s cut at %zu: %s", where, n, v);
		SWEEP_CHECK(st == IKS_E_MALFORMED, "%s cut at %zu: status %d", where, n, st);
		SWEEP_CHECK(ike.err_offset == (n < 28 ? 0u : 24u), "%s cut at %zu: error offset %u",
			    where, n, (unsigned)ike.err_offset);
		c->decodes++;
	}
	memcpy(copy, msg, len);
	for (size_t i = 0; i < len; i++) {
		for (int k = 0; k < 2; k++) {
			uint8_t m = (uint8_t)(k ? 1u << (i % 8) : 0xffu);
			copy[i] ^= m;
			iks_ike_decode(copy, len, &ike);
			copy[i] ^= m;
			const char *v = fuzz_check_ike(&ike, len);
			SWEEP_CHECK(v == NULL, "%s byte %zu ^ %02x: %s", where, i, m, v);
			c->decodes++;
		}
	}
	free(copy);
	c->ike_msgs++;
}

static void sweep_frame(const iks_frame *f, const char *name, sweep_count *c)
{
	char where[512];
	snprintf(where, sizeof(where), "%s frame %llu", name, (unsigned long long)f->number);
	size_t cap = f->caplen ? f->caplen : 1;
	uint8_t *scratch = malloc(cap);
	ck_assert_ptr_nonnull(scratch);
	decode_at_end(f->linktype, scratch, cap, f->data, f->caplen, where);
	c->decodes++;
	bool whole_ok = pkt.err.status == IKS_OK && pkt.l.ip.present && !pkt.l.ip.is_fragment;
	size_t ip_end = (size_t)pkt.link.l3_offset + pkt.l.ip.total_len;
	bool has_ike = pkt.l.ike.present && pkt.l.ike.status == IKS_OK;
	uint8_t *ike = NULL;
	size_t ike_len = pkt.l.ike.length;
	if (has_ike) {
		ike = malloc(ike_len);
		ck_assert_ptr_nonnull(ike);
		memcpy(ike, pkt.l.ike.raw.p, ike_len);
	}

	for (size_t n = 0; n < f->caplen; n++) {
		decode_at_end(f->linktype, scratch, cap, f->data, n, where);
		c->decodes++;
		if (whole_ok && n < ip_end) {
			SWEEP_CHECK(pkt.err.status == IKS_E_TRUNCATED,
				    "%s cut at %zu: status %s (%s: %s at %u), expected truncated", where,
				    n, iks_status_name(pkt.err.status), pkt.err.layer, pkt.err.reason,
				    pkt.err.offset);
			SWEEP_CHECK(pkt.err.offset <= n, "%s cut at %zu: error offset %u", where, n,
				    pkt.err.offset);
			c->cuts_checked++;
		}
	}
	uint8_t *copy = malloc(f->caplen ? f->caplen : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f->data, f->caplen);
	for (size_t i = 0; i < f->caplen; i++) {
		for (int k = 0; k < 2; k++) {
			uint8_t m = (uint8_t)(k ? 1u << (i % 8) : 0xffu);
			copy[i] ^= m;
			char w2[600];
			snprintf(w2, sizeof(w2), "%s byte %zu ^ %02x", where, i, m);
			decode_at_end(f->linktype, scratch, cap, copy, f->caplen, w2);
			copy[i] ^= m;
			c->decodes++;
		}
	}
	free(copy);
	free(scratch);
	if (has_ike) {
		sweep_ike(ike, ike_len, where, c);
		free(ike);
	}
	c->frames++;
}

START_TEST(cut_and_flip_every_frame)
{
	const char *dir = getenv("IKS_CAPTURES");
	if (!dir)
		dir = "captures";
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot list %s", dir);
	sweep_count c = { 0 };
	unsigned captures = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (!(l > 5 && strcmp(e->d_name + l - 5, ".pcap") == 0) &&
		    !(l > 7 && strcmp(e->d_name + l - 7, ".pcapng") == 0))
			continue;
		char path[1024], err[IKS_ERRBUF_SIZE];
		iks_capture *cap = iks_capture_open(fixture_path(e->d_name, path, sizeof(path)), NULL,
						    err);
		ck_assert_msg(cap != NULL, "%s", err);
		iks_frame f;
		while (iks_capture_next(cap, &f) == 1 && f.number <= FRAMES_PER_CAPTURE)
			sweep_frame(&f, e->d_name, &c);
		iks_capture_close(cap);
		captures++;
	}
	closedir(d);
	printf("sweep: %u captures, %lu frames, %lu IKE messages, %lu decodes, %lu cuts checked "
	       "truncated\n", captures, c.frames, c.ike_msgs, c.decodes, c.cuts_checked);
	ck_assert_uint_ge(captures, 16);
	ck_assert_uint_gt(c.ike_msgs, 40);
	ck_assert_uint_gt(c.cuts_checked, 50000);
}
END_TEST

Suite *suite_sweep(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("captures");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, cut_and_flip_every_frame);
	suite_add_tcase(s, tc);
	return s;
}
