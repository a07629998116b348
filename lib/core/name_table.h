/* name_table.h - number -> name tables and their one lookup (internal).
 * The tables themselves are data in the files that own them (names.c,
 * ike_names_v1.c, ike_names_v2.c); only the lookup lives here. */
#ifndef IKS_NAME_TABLE_H
#define IKS_NAME_TABLE_H

#include <stddef.h>

struct name_entry {
	unsigned num;
	const char *name;
};

/* The table and its entry count, as the two arguments of name_find(). */
#define NAME_TABLE(t) t, sizeof(t) / sizeof((t)[0])

/* The name of `num` in t[0..n) (first match), or NULL when it has none.
 * Returns a static string; thread-safe. */
static inline const char *name_find(const struct name_entry *t, size_t n, unsigned num)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].num == num)
			return t[i].name;
	return NULL;
}

#endif
