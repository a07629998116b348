/*
 * threads_race - a deliberately wrong use of the library, for
 * tests/threads_helgrind.sh: one decoder shared by two threads at once
 * (ikescope.h: "one handle is never used by two threads at once"). Run
 * under helgrind it must be reported; if it is not, a clean helgrind run
 * of docs/examples/threads proves nothing.
 *
 * Usage: threads_race CAPTURE_A CAPTURE_B (the first 20 frames of each).
 */
#include <pthread.h>
#include <stdio.h>

#include <ikescope/ikescope.h>

static iks_decoder *shared;

static void *decode_some(void *arg)
{
	char err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(arg, NULL, err);
	if (!cap) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	iks_frame f;
	iks_packet p;
	iks_event ev;
	for (int n = 0; n < 20 && iks_capture_next(cap, &f) == 1; n++) {
		iks_decode(shared, &f, &p);  /* the race: no lock around a shared handle */
		while (iks_decoder_next_event(shared, &ev) == 1)
			;
	}
	iks_capture_close(cap);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CAPTURE_A CAPTURE_B\n", argv[0]);
		return 2;
	}
	if (iks_global_init() != IKS_OK || !(shared = iks_decoder_new(NULL)))
		return 1;
	pthread_t t[2];
	int started = 0;
	for (; started < 2; started++)
		if (pthread_create(&t[started], NULL, decode_some, argv[1 + started]) != 0)
			break;
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	iks_decoder_free(shared);
	return started == 2 ? 0 : 1;
}
