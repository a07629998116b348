/* corr_report_one.c - pcapcorrelate's report of one capture alone: the
 * verdicts it proves or suggests, the host and its peer, the negotiations
 * as this side saw them, findings, a timeline, and what a capture at the
 * peer would add. */
#include "correlate/corr_report.h"

#include <inttypes.h>
#include <string.h>

#include "common/hex.h"
#include "common/verdicts_out.h"

static void one_timeline(FILE *out, const iks_negotiation *n)
{
	char t[32], ex[24];
	for (uint32_t e = 0; e < n->nexchanges; e++) {
		const iks_ike_exchange *x = &n->exchanges[e];
		for (uint16_t k = 0; k < x->nmessages; k++) {
			const iks_ike_message *m = &x->messages[k];
			bool out_dir = m->dir == IKS_DIR_A_TO_B;
			uint32_t copies = out_dir ? m->sent_count : m->arrived_count;
			fprintf(out, "    %-15s %s %s %s mid 0x%08" PRIx32 " %" PRIu32 "B",
				corr_clock_text(out_dir ? m->sent_s : m->received_s, t, sizeof(t)),
				out_dir ? "out -->" : "in  <--", corr_exchange_name(n->version, x->type, ex),
				m->response ? "resp" : "req", x->msgid, m->length);
			if (copies > 1)
				fprintf(out, "  %s %ux", out_dir ? "sent" : "received", copies);
			fputc('\n', out);
		}
	}
}

void corr_report_one_text(FILE *out, const corr_input *in, const iks_correlation *c)
{
	char a[IKS_ADDRSTRLEN], b[IKS_ADDRSTRLEN], t1[32], t2[32], i[17];
	const iks_endpoints *e = iks_correlation_endpoints(c);
	verdicts_text(out, c);
	fprintf(out, "capture: %s (%" PRIu64 " frames, one side only)\n", in[0].path, in[0].info.frames);
	if (in[0].warning)
		fprintf(out, "warning: %s\n", in[0].warning);
	if (!e->known) {
		fputs("no IPsec traffic (IKE, ESP, AH, NAT-T) in this capture\n", out);
		return;
	}
	iks_addr_format(&e->a_in_a, a, sizeof(a));
	iks_addr_format(&e->b_in_a, b, sizeof(b));
	fprintf(out, "host: a = %s (the capturing host, told by %s); its IPsec peer: b = %s\n", a,
		e->method, b);
	fprintf(out, "span: %s - %s\n", corr_clock_text(e->covered_from_s, t1, sizeof(t1)),
		corr_clock_text(e->covered_to_s, t2, sizeof(t2)));
	if (in[0].log) {
		fputs("a: ", out);
		logview_summary_text(in[0].log, out);
	}
	const iks_negotiation *negs;
	size_t nn = iks_correlation_negotiations(c, &negs);
	fprintf(out, "\nnegotiations (%zu), as a saw them:\n", nn);
	corr_text_negotiations(out, negs, nn);
	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	fprintf(out, "\nfindings (%zu; in = from b to a, out = from a to b):\n", nf);
	corr_text_findings(out, in, c, 0);
	fputs("\ntimeline (a's clock):\n", out);
	for (size_t k = 0; k < nn; k++) {
		if (!corr_text_shown(nn, &negs[k]))
			continue;
		hex8(i, negs[k].ispi);
		fprintf(out, "  IKEv%u %s\n", negs[k].version, i);
		one_timeline(out, &negs[k]);
	}
	corr_text_not_drawn(out, negs, nn);
	fprintf(out, "\nA capture at b (%s), taken at the same time, would show which of a's "
		"packets reached b and which of b's never left it: loss and its direction, "
		"changes in transit, NAT, and the clock between them.\n", b);
}
