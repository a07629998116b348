/* corr_path_report.h - pcapcorrelate with more than two captures (points
 * along one path): names of the points, and the text and JSON reports. */
#ifndef IKSTOOL_CORR_PATH_REPORT_H
#define IKSTOOL_CORR_PATH_REPORT_H

#include <stdio.h>

#include <ikescope/ikescope.h>

#include "correlate/corr_lost.h"
#include "correlate/corr_report.h"

/* A point as its file names it: label (the part of the file name the
 * files do not share), device and interface (when another point's label
 * names the same device before a '-'; "" otherwise), and its title for
 * sentences ("P2 (r, interface ra)", "P1 (a)"). */
typedef struct corr_point_name {
	char label[64], device[64], interface[64], title[160];
} corr_point_name;
void corr_point_names(const char *const *paths, size_t n, corr_point_name *names);

/* Where hop `hop` lies, from the names and its TTL decrement ("inside the
 * router", "on the link between them (TTL unchanged: no router)", ...),
 * written into buf. */
const char *corr_hop_where(const corr_point_name *names, size_t hop, const iks_path_hop *h,
			   char *buf, size_t len);

/* The reports of n points (in[i]: point i's file; docs/json.md "points"). */
void corr_path_text(FILE *out, const corr_input *in, size_t n, const iks_path *p);
/* Whether a finding is about what the ends did (IKE retransmits, requests
 * never answered, error Notifys, one-way failures, SAs used after a
 * Delete) rather than about a hop: the path's list takes those once, from
 * the end-to-end correlation, not from every hop that sees them. */
bool corr_end_finding(int kind);
void corr_path_json(FILE *out, const corr_input *in, size_t n, const iks_path *p);
/* --html: one lane per point (corr_path_html.c). Returns 0, or 1 after a
 * message on stderr. */
int corr_path_html(const char *path, const corr_input *in, size_t n, const iks_path *p);

#endif
