/*
 * corr_icvlog.c - the receiver's own word on a packet changed in transit:
 * each modified-in-transit finding is tied to the receiving host's log
 * line that reports discarding a packet on its integrity check (charon
 * "ESP decryption or ICV verification failed"), the nearest one in time
 * not tied yet, within TIE_WINDOW_S of the arrival (charon logs whole
 * seconds; the join's clock offset puts the line on the capture's clock).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_report.h"

#define TIE_WINDOW_S 2.0
#define TIE_LINES_MAX 100000 /* ICV-failure lines read per log (more are counted) */

bool corr_icv_ties_make(const corr_input in[2], const iks_correlation *c, corr_icv_ties *t)
{
	memset(t, 0, sizeof(*t));
	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	if (!in[0].log && !in[1].log)
		return true;
	t->rec = calloc(nf ? nf : 1, sizeof(*t->rec));
	if (!t->rec)
		return false;
	for (int s = 0; s < 2; s++) {
		if (!in[s].log)
			continue;
		size_t n = logview_icv_failures(in[s].log, NULL, NULL, 0);
		t->log_failures[s] = (uint32_t)n;
		if (n > TIE_LINES_MAX)
			n = TIE_LINES_MAX;
		const iks_log_record **rec = malloc((n ? n : 1) * sizeof(*rec));
		double *when = malloc((n ? n : 1) * sizeof(*when));
		bool *used = calloc(n ? n : 1, sizeof(*used));
		if (!rec || !when || !used) {
			free(rec);
			free(when);
			free(used);
			corr_icv_ties_free(t);
			return false;
		}
		logview_icv_failures(in[s].log, rec, when, n);
		int into = s == 0 ? IKS_DIR_B_TO_A : IKS_DIR_A_TO_B;
		for (size_t i = 0; i < nf; i++) {
			if (f[i].kind != IKS_FIND_MODIFIED_IN_TRANSIT || f[i].direction != into)
				continue;
			double arrived = s == 0 ? f[i].time_a_s : f[i].time_b_s;
			size_t best = SIZE_MAX;
			double best_d = TIE_WINDOW_S + 1e-9;
			for (size_t k = 0; k < n; k++) {
				if (used[k] || when[k] == 0)
					continue;
				double d = fabs(when[k] - arrived);
				if (d < best_d) {
					best_d = d;
					best = k;
				}
			}
			if (best == SIZE_MAX)
				continue;
			used[best] = true;
			t->rec[i] = rec[best];
			t->tied[s]++;
		}
		free(rec);
		free(when);
		free(used);
	}
	return true;
}

void corr_icv_ties_free(corr_icv_ties *t)
{
	free(t->rec);
	t->rec = NULL;
}
