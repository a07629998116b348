/*
 * fuzz_audit.c - iks_audit_parse_buffer(): a Windows IPsec audit event
 * export (text or CSV, detected) held in memory, with small caps. The
 * input is parsed twice into one set when its first byte is odd, so the
 * caps on events and text are reached by short inputs.
 *
 * Invariants: the status is OK, LIMIT, NOMEM or INVALID; each event starts
 * on a line within the input's line count; its fields are within
 * fields_max and every field has a section, name and value; the stats
 * count at least the events kept.
 */
#include "fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iks_audit_limits lim = { .events_max = 64, .fields_max = 16, .text_max = 64 * 1024,
				 .line_max = 512 };
	iks_audit *a = iks_audit_new(&lim);
	if (!a)
		return 0;
	uint32_t lines = 1;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	int passes = size > 0 && data[0] % 2 ? 2 : 1;
	for (int p = 0; p < passes; p++) {
		iks_status st = iks_audit_parse_buffer(a, data, size);
		if (st != IKS_OK && st != IKS_E_LIMIT && st != IKS_E_NOMEM && st != IKS_E_INVALID)
			fuzz_fail("iks_audit_parse_buffer", "unexpected status");
	}
	size_t n = iks_audit_nevents(a);
	if (n > lim.events_max)
		fuzz_fail("iks_audit_nevents", "more events than events_max");
	for (size_t i = 0; i < n; i++) {
		const iks_audit_event *ev = iks_audit_event_at(a, i);
		if (!ev)
			fuzz_fail("iks_audit_event_at", "no event below the count");
		if (ev->line == 0 || ev->line > lines)
			fuzz_fail("iks_audit_event_at", "event line outside the input");
		if (ev->nfields > lim.fields_max || (ev->nfields && !ev->fields))
			fuzz_fail("iks_audit_event_at", "fields over fields_max or missing");
		for (uint32_t j = 0; j < ev->nfields; j++) {
			const iks_audit_field *f = &ev->fields[j];
			if (!f->section || !f->name || !f->value)
				fuzz_fail("iks_audit_event_at", "field without section, name or value");
			if (strlen(f->value) > lim.text_max)
				fuzz_fail("iks_audit_event_at", "field longer than the text cap");
		}
		if (ev->mode_kind < IKS_AUDIT_MODE_UNKNOWN || ev->mode_kind > IKS_AUDIT_QUICK_MODE)
			fuzz_fail("iks_audit_event_at", "unknown mode kind");
	}
	if (iks_audit_event_at(a, n))
		fuzz_fail("iks_audit_event_at", "an event past the count");
	iks_audit_stats st;
	iks_audit_get_stats(a, &st);
	if (st.events < n || st.ipsec_events > st.events)
		fuzz_fail("iks_audit_get_stats", "counters below the events kept");
	iks_audit_free(a);
	return 0;
}
