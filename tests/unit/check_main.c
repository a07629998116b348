/* check_main.c - runs every Check suite of the library. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_reader());
	srunner_add_suite(sr, suite_text());
	srunner_add_suite(sr, suite_jsonw());
	srunner_add_suite(sr, suite_bigmem());
	srunner_add_suite(sr, suite_ipfrag());
	srunner_add_suite(sr, suite_decode());
	srunner_add_suite(sr, suite_ah());
	srunner_add_suite(sr, suite_capture());
	srunner_add_suite(sr, suite_correlate());
	srunner_add_suite(sr, suite_correlate_synth());
	srunner_add_suite(sr, suite_verdicts());
	srunner_add_suite(sr, suite_logparse());
	srunner_add_suite(sr, suite_charonlog());
	srunner_add_suite(sr, suite_logjoin());
	srunner_add_suite(sr, suite_logbounds());
	srunner_add_suite(sr, suite_logformats());
	srunner_add_suite(sr, suite_oakley());
	srunner_add_suite(sr, suite_ike_payload());
	srunner_add_suite(sr, suite_ike_capture());
	srunner_add_suite(sr, suite_keys());
	srunner_add_suite(sr, suite_keys_charon());
	srunner_add_suite(sr, suite_groups());
	srunner_add_suite(sr, suite_malformed());
	srunner_add_suite(sr, suite_sweep());
	srunner_add_suite(sr, suite_netmon());
	srunner_add_suite(sr, suite_audit());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
