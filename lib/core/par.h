/*
 * par.h - run independent jobs on more than one thread (internal).
 *
 * The caller's thread is one of the workers; the others are POSIX threads
 * started for the call and joined before it returns, so nothing outlives
 * it. Jobs must not write what another job reads or writes. When a thread
 * cannot be started, the jobs run on the threads that did start (at least
 * the caller's): the results never depend on how many ran.
 */
#ifndef IKS_PAR_H
#define IKS_PAR_H

#include <stddef.h>

typedef void (*par_job_fn)(void *job);

/* Run fn on each of the n jobs jobs[0..n), each `size` bytes, with up to
 * `threads` threads at once (0 or 1: one after the other on the caller's). */
void par_run(par_job_fn fn, void *jobs, size_t size, size_t n, unsigned threads);

#endif
