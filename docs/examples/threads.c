/*
 * threads - decode several captures at once, one thread per capture, using
 * only the public libikescope API; it prints what each thread counted.
 *
 * Build against an installed library:
 *   cc threads.c $(pkg-config --cflags --libs ikescope) -pthread -o threads
 * Run:
 *   threads [-k KEYFILE]... CAPTURE...
 * Every thread loads every KEYFILE into its own key store, so ESP and IKE
 * messages are decrypted and their ICVs checked while the threads run.
 *
 * The thread rules (ikescope/ikescope.h): iks_global_init() once, before
 * the threads start; then each thread uses its own handles (capture, key
 * store, decoder) and never touches another thread's.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <ikescope/ikescope.h>

#define MAX_CAPTURES 16
#define MAX_KEYFILES 16

struct job {
	const char *capture;
	const char *const *keyfiles;
	int nkeyfiles;
	/* results, read by main after pthread_join */
	int failed;
	char err[IKS_ERRBUF_SIZE];
	uint64_t frames, ike, esp, verified;
};

static int is_ok(int crypto)
{
	return crypto == IKS_ESP_OK;
}

/* One thread: its own key store, capture and decoder, from creation to free. */
static void *decode_one(void *arg)
{
	struct job *j = arg;
	iks_keys *keys = NULL;
	iks_decoder *dec = NULL;
	iks_capture *cap = iks_capture_open(j->capture, NULL, j->err);
	if (!cap)
		goto fail;
	if (j->nkeyfiles) {
		keys = iks_keys_new(NULL);
		if (!keys) {
			snprintf(j->err, sizeof(j->err), "%s: cannot create a key store", j->capture);
			goto fail;
		}
		for (int i = 0; i < j->nkeyfiles; i++) {
			iks_status st = iks_keys_load_file(keys, j->keyfiles[i], j->err);
			if (st == IKS_E_LIMIT)
				snprintf(j->err, sizeof(j->err), "%s: too many keys", j->keyfiles[i]);
			if (st != IKS_OK)
				goto fail;
		}
	}
	dec = iks_decoder_new(NULL);
	if (!dec || (keys && iks_decoder_set_keys(dec, keys) != IKS_OK)) {
		snprintf(j->err, sizeof(j->err), "%s: cannot create a decoder", j->capture);
		goto fail;
	}
	iks_frame f;
	iks_packet p;
	iks_event ev;
	int rc;
	while ((rc = iks_capture_next(cap, &f)) == 1) {
		iks_decode(dec, &f, &p);
		while (iks_decoder_next_event(dec, &ev) == 1)
			;
		j->frames++;
		if (p.l.ike.present) {
			j->ike++;
			j->verified += is_ok(p.l.ike.crypto);
		}
		if (p.l.esp.present) {
			j->esp++;
			j->verified += is_ok(p.l.esp.crypto);
		}
	}
	iks_decoder_finish(dec);
	while (iks_decoder_next_event(dec, &ev) == 1)
		;
	if (rc < 0) {
		snprintf(j->err, sizeof(j->err), "%s", iks_capture_error(cap));
		goto fail;
	}
	iks_decoder_free(dec);
	iks_keys_free(keys);
	iks_capture_close(cap);
	return NULL;
fail:
	j->failed = 1;
	iks_decoder_free(dec);
	iks_keys_free(keys);
	iks_capture_close(cap);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *keyfiles[MAX_KEYFILES];
	struct job jobs[MAX_CAPTURES];
	int nkeys = 0, njobs = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-k") && i + 1 < argc && nkeys < MAX_KEYFILES) {
			keyfiles[nkeys++] = argv[++i];
		} else if (argv[i][0] != '-' && njobs < MAX_CAPTURES) {
			memset(&jobs[njobs], 0, sizeof(jobs[njobs]));
			jobs[njobs++].capture = argv[i];
		} else {
			fprintf(stderr, "usage: %s [-k KEYFILE]... CAPTURE... (at most %d of each)\n",
				argv[0], MAX_CAPTURES);
			return 2;
		}
	}
	if (njobs == 0) {
		fprintf(stderr, "usage: %s [-k KEYFILE]... CAPTURE...\n", argv[0]);
		return 2;
	}

	/* Once, before any thread starts (libgcrypt's process-wide set-up). */
	iks_status st = iks_global_init();
	if (st != IKS_OK) {
		fprintf(stderr, "iks_global_init: %s\n", iks_strerror(st));
		return 1;
	}
	printf("ikescope %s (headers %s, IKS_VERSION_NUM 0x%06x)\n", iks_version(),
	       IKS_VERSION_STRING, (unsigned)IKS_VERSION_NUM);
	if (strcmp(iks_version(), IKS_VERSION_STRING) != 0) {
		fprintf(stderr, "library %s does not match headers %s\n", iks_version(),
			IKS_VERSION_STRING);
		return 1;
	}

	pthread_t tid[MAX_CAPTURES];
	int started = 0, status = 0;
	for (; started < njobs; started++) {
		jobs[started].keyfiles = keyfiles;
		jobs[started].nkeyfiles = nkeys;
		if (pthread_create(&tid[started], NULL, decode_one, &jobs[started]) != 0) {
			fprintf(stderr, "cannot start a thread for %s\n", jobs[started].capture);
			status = 1;
			break;
		}
	}
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < started; i++) {
		const struct job *j = &jobs[i];
		if (j->failed) {
			fprintf(stderr, "%s\n", j->err);
			status = 1;
			continue;
		}
		printf("%s: frames %" PRIu64 " ike %" PRIu64 " esp %" PRIu64 " verified %" PRIu64 "\n",
		       j->capture, j->frames, j->ike, j->esp, j->verified);
	}
	return status;
}
