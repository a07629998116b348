/*
 * html_esc.h - writing untrusted text (file names, log lines, names from
 * captures) into an HTML page: as element text or attribute values, and
 * as JSON strings inside a <script> element. Invalid UTF-8 and control
 * characters become U+FFFD, so the page stays well formed whatever the
 * input holds.
 */
#ifndef IKSTOOL_HTML_ESC_H
#define IKSTOOL_HTML_ESC_H

#include <stdio.h>

/* s (NULL: nothing) with & < > " ' as character references. */
void html_text(FILE *out, const char *s);

/* s as a JSON string literal ("..."; NULL: null) that is also safe inside a
 * <script> element: < > & and U+2028/U+2029 are \u escapes. */
void js_str(FILE *out, const char *s);

#endif
