/* verdicts_out.h - the verdicts of a correlation (two captures or one),
 * written for people and for programs. */
#ifndef IKSTOOL_VERDICTS_OUT_H
#define IKSTOOL_VERDICTS_OUT_H

#include <stdio.h>

#include <ikescope/ikescope.h>

#include "common/jsonw.h"

/* "VERDICT cause dir: summary." then "  what to do: ..." and the evidence
 * (finding numbers, 1-based), one block per verdict, most decisive first;
 * "likely" verdicts say what a capture at the other end would settle. A
 * blank line ends the block. */
void verdicts_text(FILE *out, const iks_correlation *c);
/* The capture-check "no-overlap" finding of a correlation (the captures
 * never ran at one instant), or NULL; borrowed from c. */
const iks_finding *verdicts_no_overlap(const iks_correlation *c);
/* The verdicts as a JSON array (docs/json.md "verdicts"). */
void verdicts_json(jsonw *w, const iks_correlation *c);

#endif
