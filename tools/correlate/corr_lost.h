/* corr_lost.h - pcapcorrelate --write-lost. */
#ifndef IKSTOOL_CORR_LOST_H
#define IKSTOOL_CORR_LOST_H

#include <ikescope/ikescope.h>

/* Write every frame of c's lost lists (a's from paths[0], b's from
 * paths[1]) to `out`: a pcap when both captures share a link type, else a
 * pcapng with one interface per capture. Each lost packet or fragment once,
 * fragments that arrived never. Returns 0, or 1 after a message on stderr. */
int corr_write_lost(const char *out, const char *paths[2], const iks_correlation *c);

/* The same for n points of one path (hops[i]: point i against point i+1):
 * each hop's lost packets from the file of the point before the hop in
 * their direction of travel (what a sent: point i; what b sent: point
 * i+1), each once; pcapng with one interface per point when the link
 * types differ. n == 2 is corr_write_lost. */
#define CORR_POINTS_MAX 16
int corr_write_lost_path(const char *out, const char *const *paths, size_t n,
			 const iks_correlation *const *hops);

/* Shared with the annotated pcapng: whether fragment bytes [off, off + len)
 * overlap one of l's missing ranges (a fragment that carries lost bytes),
 * and a qsort order of lost-list pointers by first, then last frame. */
bool corr_lost_carries_missing(const iks_lost_packet *l, uint32_t off, uint32_t len);
int corr_lost_cmp_first(const void *x, const void *y);

#endif
