/*
 * corr_html.h - pcapcorrelate --html: the two-sided trace as a ladder
 * diagram in one self-contained HTML file (inline CSS, SVG drawn by a
 * little inline JavaScript from an inline JSON block; no network
 * resources). The classes and data- attributes the page uses are listed in
 * docs/pcapcorrelate.1 (HTML REPORT); tests/cli/pcapcorrelate_html.py counts
 * them.
 */
#ifndef IKSTOOL_CORR_HTML_H
#define IKSTOOL_CORR_HTML_H

#include "correlate/corr_report.h"

/* Write the report to path. Returns 0, or 1 after a message on stderr
 * naming the file. */
int corr_report_html(const char *path, const corr_input in[2], const iks_correlation *c);

/* The page's style sheet and script (corr_html_assets.c). */
extern const char corr_html_css[];
extern const char corr_html_js[];

#endif
