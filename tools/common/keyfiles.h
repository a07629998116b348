/* keyfiles.h - loading the key files named on a tool's command line. */
#ifndef IKSTOOL_KEYFILES_H
#define IKSTOOL_KEYFILES_H

#include <stddef.h>

#include <ikescope/ikescope.h>

/*
 * Load every file of `files` into a new key store. Bad lines are said on
 * stderr as "PROG: FILE:LINE: reason (line skipped)", never with key
 * bytes. Returns the store (free with iks_keys_free), or NULL after saying
 * why on stderr when a file cannot be read or memory runs out.
 */
iks_keys *keyfiles_load(const char *prog, const char *const *files, size_t n);

#endif
