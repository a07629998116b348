/*
 * fuzz_keys.c - iks_keys_load_buffer(): a key file held in memory, any of
 * the formats it detects per line (Wireshark esp_sa and IKEv1/IKEv2
 * decryption tables, tcpdump -E with ah lines, charon key dumps).
 *
 * Invariants: the load returns OK, LIMIT or NOMEM; every diagnostic names
 * the file and a line within the input's line count; no diagnostic text
 * (reason or file) contains a run of 16 or more hex digits of the input,
 * i.e. anything that could be key material; the counters agree with the
 * diagnostics kept. The input is loaded twice into one store (a second
 * file), so duplicates and the caps are reached too.
 */
#include "fuzz.h"

#include <ctype.h>
#include <string.h>

#define HEX_RUN_MIN 16
#define HEX_RUNS_MAX 64

/* Lines in the buffer as the parser counts them ('\n' ends a line; a last
 * line without one still counts). */
static uint32_t line_count(const uint8_t *p, size_t n)
{
	uint32_t lines = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n')
			lines++;
	return lines + 1;
}

/* Whether `text` contains the hex run p[0..n) (case ignored). */
static bool contains_run(const char *text, const uint8_t *p, size_t n)
{
	size_t tl = strlen(text);
	for (size_t i = 0; i + n <= tl; i++) {
		size_t j = 0;
		while (j < n && tolower((unsigned char)text[i + j]) == tolower(p[j]))
			j++;
		if (j == n)
			return true;
	}
	return false;
}

static void check_no_key(const char *text, const uint8_t *data, size_t size)
{
	unsigned runs = 0;
	size_t i = 0;
	while (i < size && runs < HEX_RUNS_MAX) {
		if (!isxdigit(data[i])) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < size && isxdigit(data[i]))
			i++;
		if (i - s < HEX_RUN_MIN)
			continue;
		runs++;
		/* any HEX_RUN_MIN-digit window of the run would leak key bits:
		 * test the run's first window and its last one */
		if (contains_run(text, data + s, HEX_RUN_MIN) ||
		    contains_run(text, data + i - HEX_RUN_MIN, HEX_RUN_MIN))
			fuzz_fail("iks_keys_diag", "a diagnostic contains hex digits of the input");
	}
}

static const char *const names[2] = { "fuzz.keys", "fuzz2.keys" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iks_keys_limits lim = { .esp_sas_max = 32, .diags_max = 16 };
	iks_keys *k = iks_keys_new(&lim);
	if (!k)
		return 0;
	uint32_t lines = line_count(data, size);
	size_t prev = 0;
	for (int pass = 0; pass < 2; pass++) {
		iks_status st = iks_keys_load_buffer(k, names[pass], data, size);
		if (st != IKS_OK && st != IKS_E_LIMIT && st != IKS_E_NOMEM)
			fuzz_fail("iks_keys_load_buffer", "unexpected status");
		size_t n = iks_keys_ndiags(k);
		if (n < prev || n > lim.diags_max)
			fuzz_fail("iks_keys_ndiags", "diagnostics lost or over diags_max");
		for (size_t i = prev; i < n; i++) {
			const iks_keys_diag *d = iks_keys_diag_at(k, i);
			if (!d || !d->file || !d->reason)
				fuzz_fail("iks_keys_diag_at", "diagnostic without a file or reason");
			if (strcmp(d->file, names[pass]) != 0)
				fuzz_fail("iks_keys_diag_at", "diagnostic names another file");
			if (d->line == 0 || d->line > lines)
				fuzz_fail("iks_keys_diag_at", "diagnostic line outside the input");
			check_no_key(d->reason, data, size);
			check_no_key(d->file, data, size);
		}
		prev = n;
	}
	if (iks_keys_diag_at(k, prev) != NULL)
		fuzz_fail("iks_keys_diag_at", "a diagnostic past the count");
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	if (info.diags < prev)
		fuzz_fail("iks_keys_get_info", "fewer diagnostics counted than kept");
	if (info.esp_sas > lim.esp_sas_max)
		fuzz_fail("iks_keys_get_info", "more ESP SAs than esp_sas_max");
	iks_keys_free(k);
	return 0;
}
