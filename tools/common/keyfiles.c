/* keyfiles.c - loading the key files named on a tool's command line. */
#include "common/keyfiles.h"

#include <stdio.h>

iks_keys *keyfiles_load(const char *prog, const char *const *files, size_t n)
{
	iks_keys *keys = iks_keys_new(NULL);
	if (!keys) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char kerr[IKS_ERRBUF_SIZE];
		iks_status st = iks_keys_load_file(keys, files[i], kerr);
		if (st == IKS_E_IO || st == IKS_E_NOMEM || st == IKS_E_INVALID) {
			fprintf(stderr, "%s: %s\n", prog, st == IKS_E_IO ? kerr : "out of memory");
			iks_keys_free(keys);
			return NULL;
		}
	}
	/* bad lines are skipped, and said (never with the key bytes) */
	for (size_t i = 0; i < iks_keys_ndiags(keys); i++) {
		const iks_keys_diag *d = iks_keys_diag_at(keys, i);
		fprintf(stderr, "%s: %s:%u: %s (line skipped)\n", prog, d->file, d->line, d->reason);
	}
	iks_keys_info ki;
	iks_keys_get_info(keys, &ki);
	if (ki.diags > iks_keys_ndiags(keys))
		fprintf(stderr, "%s: %llu more bad key lines not listed\n", prog,
			(unsigned long long)(ki.diags - iks_keys_ndiags(keys)));
	return keys;
}
