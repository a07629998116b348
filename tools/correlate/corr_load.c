/*
 * corr_load.c - captures loaded into traces in parallel. The library keeps
 * no global state (its crypto set-up is done once, under a lock, by
 * iks_global_init), a loaded key store is only read, and each load has its
 * own capture, decoder and trace: loads in different threads share nothing
 * they write. Workers take the next job index under a mutex; each result
 * lands in its own job, so the output cannot depend on which thread ran it.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "correlate/corr_load.h"

typedef struct load_pool {
	corr_load_job *jobs;
	size_t n, next;
	const iks_trace_limits *lim;
	const iks_keys *keys;
	pthread_mutex_t lock;
} load_pool;

static void *worker(void *arg)
{
	load_pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			return NULL;
		corr_load_job *j = &p->jobs[i];
		j->err[0] = '\0';
		j->trace = NULL;
		j->status = iks_trace_load_keys(j->path, p->lim, p->keys, &j->trace, j->err);
	}
}

unsigned corr_load_traces(corr_load_job *jobs, size_t n, const iks_trace_limits *lim,
			  const iks_keys *keys, unsigned threads)
{
	enum { MAX_THREADS = 64 };
	if (threads == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores > 0 ? (unsigned)(cores < MAX_THREADS ? cores : MAX_THREADS) : 1;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if (threads > n)
		threads = n ? (unsigned)n : 1;
	load_pool p = { .jobs = jobs, .n = n, .next = 0, .lim = lim, .keys = keys };
	pthread_mutex_init(&p.lock, NULL);
	pthread_t tid[MAX_THREADS];
	unsigned started = 0;
	while (started + 1 < threads && pthread_create(&tid[started], NULL, worker, &p) == 0)
		started++;
	worker(&p); /* the caller is a worker too */
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.lock);
	return started + 1;
}
