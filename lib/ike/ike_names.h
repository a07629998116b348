/* ike_names.h - name table lookup shared by the IKE name files (internal). */
#ifndef IKS_IKE_NAMES_H
#define IKS_IKE_NAMES_H

#include <stddef.h>

struct ike_name {
	unsigned num;
	const char *name;
};

#define IKE_NAMES(t) t, sizeof(t) / sizeof((t)[0])

static inline const char *ike_name_find(const struct ike_name *t, size_t n, unsigned num)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].num == num)
			return t[i].name;
	return NULL;
}

/* ike_names_v1.c, used by the version-dispatching functions of ike_names_v2.c */
const char *ike_v1_notify_name(unsigned type);
const char *ike_v1_protocol_name(unsigned p);
const char *ike_v1_id_type_name(unsigned t);

#endif
