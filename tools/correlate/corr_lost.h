/* corr_lost.h - pcapcorrelate --write-lost. */
#ifndef IKSTOOL_CORR_LOST_H
#define IKSTOOL_CORR_LOST_H

#include <ikescope/ikescope.h>

/* Write every frame of c's lost lists (a's from paths[0], b's from
 * paths[1]) to `out`: a pcap when both captures share a link type, else a
 * pcapng with one interface per capture. Each lost packet or fragment once,
 * fragments that arrived never. Returns 0, or 1 after a message on stderr. */
int corr_write_lost(const char *out, const char *paths[2], const iks_correlation *c);

#endif
