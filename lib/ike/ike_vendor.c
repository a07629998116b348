/* ike_vendor.c - looking vendor IDs up in ike_vendor_table.c. */
#include "config.h"

#include <stdbool.h>

#include <ikescope/ike.h>

#include "core/text.h"
#include "ike/ike_vendor.h"

/* Whether vid matches the entry (exactly, or starting with it). */
static bool matches(const struct ike_vendor_entry *e, const uint8_t *vid, size_t len)
{
	size_t n = 0;
	for (const char *h = e->hex; h[0] && h[1]; h += 2, n++) {
		if (n >= len)
			return false;
		int v = text_hexval(h[0]) << 4 | text_hexval(h[1]);
		if (vid[n] != v)
			return false;
	}
	return e->prefix ? len >= n : len == n;
}

static const struct ike_vendor_entry *find(const uint8_t *vid, size_t len)
{
	if (!vid || len == 0)
		return NULL;
	for (size_t i = 0; i < ike_vendor_table_len; i++)
		if (matches(&ike_vendor_table[i], vid, len))
			return &ike_vendor_table[i];
	return NULL;
}

const char *iks_ike_vendor_name(const uint8_t *vid, size_t len)
{
	const struct ike_vendor_entry *e = find(vid, len);
	return e ? e->name : NULL;
}

int iks_ike_vendor_natt(const uint8_t *vid, size_t len, int *preference)
{
	const struct ike_vendor_entry *e = find(vid, len);
	if (!e || e->natt < 0)
		return -1;
	if (preference)
		*preference = e->natt_pref;
	return e->natt;
}
