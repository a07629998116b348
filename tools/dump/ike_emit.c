/* ike_emit.c - the JSON/text field emitter of the IKE payload output. */
#include "dump/ike_emit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>


static void t_key(emit *e, const char *k)
{
	sb_printf(e->b, " %s=", k);
}

void e_uint(emit *e, const char *k, uint64_t v)
{
	if (e->w) {
		jw_keys(e->w, k);
		jw_uint(e->w, v);
	} else {
		t_key(e, k);
		sb_printf(e->b, "%" PRIu64, v);
	}
}

void e_str(emit *e, const char *k, const char *s)
{
	if (e->w) {
		jw_keys(e->w, k);
		jw_str(e->w, s);
		return;
	}
	if (!s)
		return;
	t_key(e, k);
	if (strchr(s, ' ') || !*s)
		sb_printf(e->b, "\"%s\"", s);
	else
		sb_puts(e->b, s);
}

void e_hex(emit *e, const char *k, const uint8_t *p, size_t n)
{
	if (e->w) {
		jw_keys(e->w, k);
		jw_hex(e->w, p, n);
		return;
	}
	t_key(e, k);
	for (size_t i = 0; i < n; i++)
		sb_printf(e->b, "%02x", p[i]);
	if (n == 0)
		sb_puts(e->b, "\"\"");
}

void e_bool(emit *e, const char *k, bool v)
{
	if (e->w) {
		jw_keys(e->w, k);
		jw_bool(e->w, v);
	} else {
		t_key(e, k);
		sb_puts(e->b, v ? "true" : "false");
	}
}

void e_newline(emit *e, const char *label)
{
	sb_putc(e->b, '\n');
	for (int i = 0; i < e->indent; i++)
		sb_puts(e->b, "  ");
	sb_puts(e->b, label);
}

/* A list of objects: JSON `"key": [`, text nothing (items go on lines). */
void e_list_begin(emit *e, const char *k)
{
	if (e->w) {
		jw_keys(e->w, k);
		jw_arr_begin(e->w);
	}
	e->indent++;
}

void e_list_end(emit *e)
{
	if (e->w)
		jw_arr_end(e->w);
	e->indent--;
}

void e_item_begin(emit *e, const char *label)
{
	if (e->w)
		jw_obj_begin(e->w);
	else
		e_newline(e, label);
}

void e_item_end(emit *e)
{
	if (e->w)
		jw_obj_end(e->w);
}

void e_name(emit *e, const char *k, const char *name)
{
	if (name || e->w)
		e_str(e, k, name);
}
