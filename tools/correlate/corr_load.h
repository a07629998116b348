/* corr_load.h - captures loaded into traces in parallel, one thread per
 * capture up to the machine's cores (pcapcorrelate: a and b; N vantage
 * points: N files). */
#ifndef CORR_LOAD_H
#define CORR_LOAD_H

#include <ikescope/ikescope.h>

/* One capture to load (path) and what loading it gave. */
typedef struct corr_load_job {
	const char *path;          /* in: borrowed, must outlive the call */
	iks_trace *trace;          /* out: owned by the caller (iks_trace_free); NULL when the
				      file could not be read (status, err say why) */
	iks_status status;         /* out: iks_trace_load_keys's status */
	char err[IKS_ERRBUF_SIZE]; /* out: its message ("" when none) */
} corr_load_job;

/* Load jobs[0..n) with iks_trace_load_keys (lim, keys: as there; keys,
 * when given, fully loaded before the call and shared read-only), running
 * up to `threads` loads at once (0: one per online core). The calling
 * thread loads too; when a thread cannot be started, the threads that run
 * take over its captures. Every job's result is what loading its file
 * alone gives, whatever the threads' timing: nothing is printed here, so
 * the caller reports in job order. Returns the number of threads that
 * took part (1: the caller alone). */
unsigned corr_load_traces(corr_load_job *jobs, size_t n, const iks_trace_limits *lim,
			  const iks_keys *keys, unsigned threads);

#endif
