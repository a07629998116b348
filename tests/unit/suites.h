/* suites.h - the Check suites of tests/unit/check_ikescope. */
#ifndef IKS_TEST_SUITES_H
#define IKS_TEST_SUITES_H

#include <check.h>

Suite *suite_reader(void);
Suite *suite_text(void);
Suite *suite_ipfrag(void);
Suite *suite_decode(void);
Suite *suite_ah(void);
Suite *suite_capture(void);
Suite *suite_correlate(void);
Suite *suite_correlate_synth(void);
Suite *suite_verdicts(void);
Suite *suite_logparse(void);
Suite *suite_charonlog(void);
Suite *suite_logjoin(void);
Suite *suite_logbounds(void);
Suite *suite_logformats(void);
Suite *suite_oakley(void);
Suite *suite_ike_payload(void);
Suite *suite_ike_capture(void);

Suite *suite_keys(void);
Suite *suite_keys_charon(void);
Suite *suite_groups(void);
Suite *suite_malformed(void);
Suite *suite_sweep(void);
Suite *suite_netmon(void);
Suite *suite_audit(void);
Suite *suite_jsonw(void);
Suite *suite_bigmem(void);

#endif
