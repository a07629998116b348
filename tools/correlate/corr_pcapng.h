/*
 * corr_pcapng.h - pcapcorrelate --pcapng: both captures in one annotated
 * pcapng (see corr_pcapng.c), or every point's (corr_path_pcapng.c).
 */
#ifndef CORR_PCAPNG_H
#define CORR_PCAPNG_H

#include <ikescope/ikescope.h>

/* Write every frame of paths[0] (a) and paths[1] (b) to `out` with their
 * fates from `c`. Returns 0, or 1 after a message on stderr. */
int corr_write_pcapng(const char *out, const char *paths[2], const iks_correlation *c);

/* More than two points (corr_path_pcapng.c): every frame of paths[0..n) to
 * `out`, one interface per point, times on P1's clock, each frame's fate
 * on its hop from p (in path order). Returns 0, or 1 after a message on
 * stderr. */
int corr_write_pcapng_path(const char *out, const char *const *paths, size_t n, const iks_path *p);

#endif
