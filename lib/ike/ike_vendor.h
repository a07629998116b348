/* ike_vendor.h - the vendor ID table (internal). */
#ifndef IKS_IKE_VENDOR_H
#define IKS_IKE_VENDOR_H

#include <stddef.h>
#include <stdint.h>

struct ike_vendor_entry {
	const char *hex;   /* the ID (or its fixed prefix), lowercase hex */
	bool prefix;       /* longer IDs starting with it match too (version/flags after it) */
	int natt;          /* an iks_natt_numbering, or -1 */
	int natt_pref;     /* which NAT-T ID wins when a message carries several */
	const char *name;
};

extern const struct ike_vendor_entry ike_vendor_table[];
extern const size_t ike_vendor_table_len;

#endif
