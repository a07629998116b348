/*
 * oakgen.h - writes Oakley.log files (the reconstructed format of
 * docs/logs.md) from the IKE packets of a capture, as seen by one
 * side: what it sent becomes "Sending:" records, what it received
 * "Receive:" records, each followed by its ISAKMP header lines. The
 * generated logs are the Oakley fixtures: every join made with them has a
 * known answer (message k of the log is packet k of that side).
 */
#ifndef IKS_TEST_OAKGEN_H
#define IKS_TEST_OAKGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ikescope/ikescope.h>

#define OAKGEN_MAX_FILES 4

typedef struct oakgen_opts {
	iks_addr local;          /* the side whose log this is */
	int64_t offset_ms;       /* log clock minus capture clock */
	bool reversed;           /* cookies and message IDs printed byte-reversed */
	bool interleave;         /* two threads; their lines interleave */
	unsigned unknown_every;  /* an unknown line after every N lines (0: none) */
	bool cut_last;           /* the last line is cut in half (no line end) */
	unsigned rotate_lines;   /* a new file every N lines (0: one file); the last
				    OAKGEN_MAX_FILES files are kept, named as a rotation set */
	unsigned fail_every;     /* failure records after every N-th message (0: none) */
	bool utf16;              /* UTF-16LE with a BOM */
	bool lf_only;            /* "\n" instead of "\r\n" */
} oakgen_opts;

typedef struct oakgen_out {
	size_t nfiles;
	const char *name[OAKGEN_MAX_FILES];  /* in chronological order */
	uint8_t *data[OAKGEN_MAX_FILES];
	size_t len[OAKGEN_MAX_FILES];
	size_t messages;         /* message records written */
	size_t unknown_lines;    /* unknown lines written */
	size_t failures;         /* failure records written (3 lines each) */
	size_t lines;
} oakgen_out;

/* Generate; returns false when out of memory. Free with oakgen_free(). */
bool oakgen_write(const iks_log_pkt *pkts, size_t n, const oakgen_opts *o, oakgen_out *out);
void oakgen_free(oakgen_out *out);

#endif
