/* par.c - independent jobs on a few threads: see par.h. */
#include "config.h"

#include <pthread.h>
#include <stdint.h>

#include "core/par.h"

#define PAR_THREADS_MAX 16

typedef struct par_pool {
	par_job_fn fn;
	uint8_t *jobs;
	size_t size, n, next;
	pthread_mutex_t lock;
} par_pool;

static void *par_worker(void *arg)
{
	par_pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			return NULL;
		p->fn(p->jobs + i * p->size);
	}
}

void par_run(par_job_fn fn, void *jobs, size_t size, size_t n, unsigned threads)
{
	if (threads > PAR_THREADS_MAX)
		threads = PAR_THREADS_MAX;
	if (threads > n)
		threads = (unsigned)n;
	if (threads <= 1) {
		for (size_t i = 0; i < n; i++)
			fn((uint8_t *)jobs + i * size);
		return;
	}
	par_pool p = { .fn = fn, .jobs = jobs, .size = size, .n = n, .next = 0 };
	pthread_mutex_init(&p.lock, NULL);
	pthread_t tid[PAR_THREADS_MAX];
	unsigned started = 0;
	while (started + 1 < threads && pthread_create(&tid[started], NULL, par_worker, &p) == 0)
		started++;
	par_worker(&p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.lock);
}
