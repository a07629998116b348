/* logtest.h - helpers shared by the log tests. */
#ifndef IKS_TEST_LOGTEST_H
#define IKS_TEST_LOGTEST_H

#include <stddef.h>

#include <ikescope/ikescope.h>

/* The IKE packets of a capture in captures/ (malloc'd array; caller frees). */
size_t logtest_pkts(const char *capture, iks_log_pkt **out);

/* Read log files from captures/ (in the order given; the library orders
 * an Oakley rotation set itself). Fails the test on error. */
iks_log *logtest_read(int format, const char *const *names, size_t n);

#endif
