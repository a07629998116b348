/*
 * ike_emit.h - one description, two outputs: key/value fields written as
 * JSON (into an open object) or as text (" key=value" on indented lines),
 * so the `ikedump -v` tree and the JSON carry the same decoded fields.
 */
#ifndef IKSTOOL_IKE_EMIT_H
#define IKSTOOL_IKE_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/jsonw.h"

typedef struct emit {
	jsonw *w;      /* JSON when set */
	strbuf *b;     /* text otherwise */
	int indent;
} emit;

void e_uint(emit *e, const char *k, uint64_t v);
void e_str(emit *e, const char *k, const char *s);     /* text: skipped when s is NULL */
void e_name(emit *e, const char *k, const char *name); /* JSON null / text nothing for NULL */
void e_hex(emit *e, const char *k, const uint8_t *p, size_t n);
void e_bool(emit *e, const char *k, bool v);
void e_newline(emit *e, const char *label);           /* text: a new indented line */
void e_list_begin(emit *e, const char *k);            /* a list of objects */
void e_list_end(emit *e);
void e_item_begin(emit *e, const char *label);        /* text: a new line starting with label */
void e_item_end(emit *e);

#endif
