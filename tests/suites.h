/* suites.h - the Check suites of tests/check_ikescope. */
#ifndef IKS_TEST_SUITES_H
#define IKS_TEST_SUITES_H

#include <check.h>

Suite *suite_reader(void);
Suite *suite_ipfrag(void);
Suite *suite_decode(void);
Suite *suite_capture(void);
Suite *suite_malformed(void);
Suite *suite_sweep(void);

#endif
