/*
 * fuzz.h - what the fuzz harnesses in tests/fuzz/ share.
 *
 * Each harness is one file, fuzz_<entry point>.c, defining
 * LLVMFuzzerTestOneInput() over one library entry point. It is linked
 * either with libFuzzer (`make fuzz`, clang, ASan+UBSan) or with
 * replay_main.c (a plain main that feeds it files, built by `make check`
 * with the normal compiler). A harness checks the invariants below and
 * calls fuzz_fail() (abort) on a violation, so a wrong record is found
 * like a crash.
 *
 * Adding a harness: write tests/fuzz/fuzz_NAME.c, add NAME to FUZZ_TARGETS
 * in Makefile.am and the three tests_fuzz_replay_NAME lines next to the
 * others; seeds go in tests/fuzz/corpus/NAME/ or come from mkseeds.c.
 */
#ifndef IKS_FUZZ_H
#define IKS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <ikescope/ikescope.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Link types a packet harness input can select with its first byte
 * (byte % FUZZ_NLINKTYPES); the last one is not decoded by the library. */
static const int fuzz_linktypes[] = {
	IKS_LINK_NULL, IKS_LINK_ETHERNET, IKS_LINK_RAW_DLT, IKS_LINK_RAW_OPENBSD, IKS_LINK_RAW,
	IKS_LINK_LOOP, IKS_LINK_LINUX_SLL, IKS_LINK_IPV4, IKS_LINK_IPV6, IKS_LINK_LINUX_SLL2,
	147 /* LINKTYPE_USER0: unsupported */
};
#define FUZZ_NLINKTYPES (sizeof(fuzz_linktypes) / sizeof(fuzz_linktypes[0]))

/* The selector byte for a link type, or -1. */
int fuzz_linktype_index(int linktype);

/* The small caps the stateful harness decodes with, so that a short input
 * reaches every cap, eviction and timeout. */
void fuzz_small_limits(iks_decoder_limits *lim);

/*
 * Invariants. Each returns NULL when the value is consistent, or a static
 * description of the first violation.
 *  - a record: every status is a known code; a failure names its layer and
 *    reason and its offset lies within the frame (or the reassembled
 *    datagram); spans lie inside the frame; the IKE chain is consistent;
 *    `stateless` records never claim reassembly.
 *  - an IKE message decoded by iks_ike_decode() from `len` bytes.
 *  - an event, and decoder stats against the limits.
 */
const char *fuzz_check_packet(const iks_packet *pkt, const uint8_t *data, size_t len,
			      bool stateless);
const char *fuzz_check_ike(const iks_ike_info *ike, size_t len);
const char *fuzz_check_event(const iks_event *ev);
const char *fuzz_check_stats(const iks_decoder_stats *st, const iks_decoder_limits *lim);

/*
 * Decode a sequence of frames with `dec` (created with *lim), checking
 * every record, event and the final stats, then finish the decoder. The
 * input is records  | time step (1) | frame length (2, big endian) |
 * frame bytes |  (the capture clock advances by the step times 100 ms; a
 * last record shorter than its length takes what is left), at most 4096.
 * Returns the number of frames decoded.
 */
uint64_t fuzz_run_records(iks_decoder *dec, const iks_decoder_limits *lim, int linktype,
			  const uint8_t *data, size_t size);

/* Print the violation and abort (a libFuzzer crash / a failed replay). */
void fuzz_fail(const char *what, const char *violation);

#define FUZZ_CHECK(what, expr) do { \
	const char *fuzz_v_ = (expr); \
	if (fuzz_v_) \
		fuzz_fail((what), fuzz_v_); \
} while (0)

#endif
